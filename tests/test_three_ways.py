"""examples/three_ways.py: every client style against every handler style, same HTTP outcome."""
from __future__ import annotations

import pathlib
import sys
import types

import pytest

from tests.support import require

EXAMPLE = pathlib.Path(__file__).resolve().parent.parent / "examples" / "three_ways.py"
EXPECTED = (200, "text/plain", "Bonjour, Countess Ada!")


def load_example(on_aiohttp: bool = False) -> types.ModuleType:
    """The example as a module; ``on_aiohttp`` changes its two marked imports, nothing else."""
    source = EXAMPLE.read_text()
    if on_aiohttp:
        for ours, theirs in (("from aioteach import web ", "from aiohttp import web "),
                             ("from aioteach import ClientSession ",
                              "from aiohttp import ClientSession ")):
            assert ours in source
            source = source.replace(ours, theirs)
    name = "three_ways_on_aiohttp" if on_aiohttp else "three_ways"
    module = types.ModuleType(name)
    module.__file__ = str(EXAMPLE)
    sys.modules[name] = module          # dataclasses and typing look modules up by name
    try:
        exec(compile(source, str(EXAMPLE), "exec"), module.__dict__)
    finally:
        del sys.modules[name]
    return module


async def serve(example):
    runner = example.web.AppRunner(example.make_app())
    await runner.setup()
    await example.web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


async def test_every_client_style_gets_the_same_answer_from_every_handler_style():
    example = load_example()
    runner, base = await serve(example)
    try:
        results = await example.run_matrix(base)
        async with example.ClientSession() as session:
            heads = {}
            for style in example.STYLES:
                async with session.get(f"{base}/{style}/hello/grace") as resp:
                    heads[style] = (resp.status, await resp.text(),
                                    sorted((k.lower(), v) for k, v in resp.headers.items()
                                           if k.lower() != "date"))
    finally:
        await runner.cleanup()
    assert results == {(client, handler): EXPECTED
                       for client in example.CLIENTS for handler in example.STYLES}
    # The whole response, head included, is the same whichever way the handler is written.
    assert heads["callbacks"] == heads["generator"] == heads["native"]
    assert heads["native"][:2] == (200, "Hello, Rear Admiral Grace!")


async def test_a_generator_handler_is_routed_beside_async_ones_and_its_errors_become_500():
    example = load_example()
    app = example.make_app()

    @example.gen.coroutine
    def broken(request):
        yield example.find_title("x")
        raise RuntimeError("the handler failed")

    app.router.add_get("/broken", broken)
    runner = example.web.AppRunner(app)
    await runner.setup()
    await example.web.TCPSite(runner, "127.0.0.1", 0).start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        async with example.ClientSession() as session:
            status = (await example.fetch_with_generator(session, f"{base}/broken"))[0]
            lang_default = await example.fetch_with_generator(
                session, f"{base}/generator/hello/linus")
    finally:
        await runner.cleanup()
    assert status == 500
    assert lang_default == (200, "text/plain", "Hello, Linus!")


@pytest.mark.peer
async def test_the_example_runs_on_aiohttp_by_changing_the_imports():
    require("aiohttp")
    example = load_example(on_aiohttp=True)
    assert example.web.__name__ == "aiohttp.web"
    runner, base = await serve(example)
    try:
        results = await example.run_matrix(base)
    finally:
        await runner.cleanup()
    assert set(results.values()) == {EXPECTED} and len(results) == 9


@pytest.mark.peer
async def test_tornado_serves_the_same_endpoint_with_gen_coroutine_and_async_def():
    require("tornado")
    example = load_example()
    server, port = await example.start_tornado()
    try:
        results = await example.run_matrix(f"http://127.0.0.1:{port}", ("generator", "native"))
    finally:
        server.stop()
        await server.close_all_connections()
    assert set(results.values()) == {EXPECTED} and len(results) == 6


@pytest.mark.peer
async def test_main_prints_the_whole_table(capsys):
    require("tornado")
    await load_example().main()
    lines = capsys.readouterr().out.splitlines()
    answers = [line for line in lines if line.endswith("200 text/plain 'Bonjour, Countess Ada!'")]
    assert len(lines) == 2 + 9 + 6 and len(answers) == 9 + 6
