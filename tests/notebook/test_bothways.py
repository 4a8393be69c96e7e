"""both_ways(code): the same code on aioteach and on aiohttp, each in a fresh namespace."""
from __future__ import annotations

import importlib.util
import textwrap

import pytest

from aioteach.notebook import both_ways
from aioteach.notebook import bothways
from aioteach.notebook.bothways import swap_imports
from aioteach.notebook.servers import list_servers, stop_all

needs_aiohttp = pytest.mark.skipif(importlib.util.find_spec("aiohttp") is None,
                                   reason="aiohttp is not installed")


@pytest.fixture(autouse=True)
def clean():
    yield
    stop_all()


def test_the_swap_rule():
    code = textwrap.dedent("""\
        import aioteach
        import aioteach as at, json
        from aioteach import web, ClientSession
        from aioteach.web import Response
        from aioteach.testing import TestServer
        from aioteach.notebook import serve
        from aioteach import gen
        x = "import aioteach"   # strings and comments stay: import aioteach
    """)
    swapped, changed = swap_imports(code)
    assert swapped.splitlines() == [
        "import aiohttp as aioteach",
        "import aiohttp as at, json",
        "from aiohttp import web, ClientSession",
        "from aiohttp.web import Response",
        "from aiohttp.test_utils import TestServer",
        "from aioteach.notebook import serve",
        "from aioteach import gen",            # an aioteach-only module: left alone
        'x = "import aioteach"   # strings and comments stay: import aioteach',
    ]
    assert changed[0] == ("import aioteach", "import aiohttp as aioteach") and len(changed) == 5
    mixed, _ = swap_imports("from aioteach import gen, web\n")
    assert mixed == "from aiohttp import web; from aioteach import gen\n"


def test_indented_and_multiline_imports_are_swapped_in_place():
    code = "async def f():\n    from aioteach import (web,\n        ClientSession)\n    return web\n"
    swapped, _ = swap_imports(code)
    assert swapped == ("async def f():\n    from aiohttp import web, ClientSession\n"
                       "    return web\n")


LESSON = '''
async def hello(request):
    return web.Response(text="Hello, " + request.match_info["name"])

app = web.Application()
app.router.add_get("/hello/{name}", hello)
server = serve(app)
async with aioteach.ClientSession() as session:
    async with session.get(server.url + "/hello/Ada") as res:
        answer = (res.status, await res.text())
print("served by", type(app).__module__.split(".")[0])
answer
'''


@needs_aiohttp
async def test_a_server_and_a_client_on_both_and_the_servers_are_stopped():
    before = list(list_servers())
    result = await both_ways(LESSON, show=False)
    assert result.aioteach.error is None and result.aiohttp.error is None, (
        result.aioteach.traceback + result.aiohttp.traceback)
    assert result.aioteach.answer == result.aiohttp.answer == (200, "Hello, Ada")
    assert result.aioteach.printed == "served by aioteach\n"
    assert result.aiohttp.printed == "served by aiohttp\n"        # it really ran on aiohttp
    assert result.agree and list(list_servers()) == before
    page = result._repr_html_()
    assert "the same answer" in page and "(200, &#x27;Hello, Ada&#x27;)" in page
    assert "aioteach: (200, 'Hello, Ada')" in repr(result)


async def hello_from_a_cell(request):
    return web.Response(text="hi")          # noqa: F821  (``web`` comes from the run)


@needs_aiohttp
async def test_functions_are_taken_by_source_and_names_are_shared():
    code = '''
app = web.Application()
app.router.add_get("/", hello_from_a_cell)
runner = web.AppRunner(app)             # the lessons' AppRunner + TCPSite on port 0
await runner.setup()
site = web.TCPSite(runner, "127.0.0.1", 0)
await site.start()
port = runner.addresses[0][1]
async with aioteach.ClientSession() as s:
    async with s.get(f"http://127.0.0.1:{port}/") as r:
        text = await r.text()
[text, EXTRA]
'''
    result = await both_ways(hello_from_a_cell, code, names={"EXTRA": 7}, show=False)
    assert result.aioteach.answer == result.aiohttp.answer == ["hi", 7], (
        result.aioteach.traceback, result.aiohttp.traceback)
    assert result.aiohttp.namespace["runner"].server is None     # cleaned up after the run


@needs_aiohttp
async def test_a_difference_and_an_error_are_shown_not_raised():
    code = "import aioteach\naioteach.__name__"
    result = await both_ways(code, show=False)
    assert (result.aioteach.answer, result.aiohttp.answer) == ("aioteach", "aiohttp")
    assert not result.agree and "the answers differ" in result._repr_html_()
    failing = await both_ways("1 / 0", show=False)
    assert isinstance(failing.aioteach.error, ZeroDivisionError) and not failing.agree
    with pytest.raises(ZeroDivisionError):
        await both_ways("1 / 0", show=False, raise_errors=True)


async def test_without_aiohttp_it_says_so_in_one_sentence(monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(bothways.importlib.util, "find_spec",
                        lambda name, *a: None if name == "aiohttp" else real(name, *a))
    result = await both_ways("6 * 7")
    assert result.aioteach.answer == 42 and result.aiohttp is None
    assert capsys.readouterr().out.splitlines()[1] == (
        "aiohttp is not installed here, so only the aioteach side ran (pip install aiohttp "
        "to compare both).")


@needs_aiohttp
@pytest.mark.notebook
def test_in_a_kernel_the_table_shows_once():
    from .kernel import Kernel
    kernel = Kernel()
    try:
        kernel.run("from aioteach.notebook import both_ways")
        last_line = kernel.run("await both_ways('6 * 7')")
        assigned = kernel.run("r = await both_ways('6 * 7')")
        again = kernel.run("r")                          # shown again on request, later
    finally:
        kernel.close()
    for outputs in (last_line, assigned, again):
        tables = [o for o in outputs if "text/html" in o.get("data", {})]
        assert len(tables) == 1, outputs
        assert "the same answer" in tables[0]["data"]["text/html"]
