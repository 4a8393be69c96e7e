"""Each classic mistake, made in a REAL kernel without install_traps(): the sentence comes first.

One kernel for the module (starting one takes a few seconds); every cell here is what a
learner would type.  The traps are on because the first cell imports aioteach.notebook.
"""
from __future__ import annotations

import pytest

from .kernel import Kernel, hints, text_of

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def kernel():
    k = Kernel()
    outputs = k.run("import asyncio, urllib.request\nimport aioteach\nfrom aioteach import web\n"
                    "from aioteach.demo import make_app\nimport aioteach.notebook as nb\n"
                    "server = nb.serve(make_app())")
    assert "serving http://127.0.0.1:" in text_of(outputs), outputs
    yield k
    k.close()


def sentence_then_error(outputs, ename):
    kinds = [o["output_type"] for o in outputs]
    assert kinds == ["display_data", "error"], outputs     # the sentence, then the traceback
    assert outputs[1]["ename"] == ename
    (hint,) = hints(outputs)
    return hint


def test_asyncio_run_in_a_cell(kernel):
    hint = sentence_then_error(kernel.run(
        "async def main():\n    return 1\n\nasyncio.run(main())"), "RuntimeError")
    assert "asyncio.run() starts a new event loop" in hint and "`await coro`" in hint
    # the never-started main() was closed: no "was never awaited" warning in a later cell
    assert "never awaited" not in text_of(kernel.run("import gc; gc.collect()"))


def test_run_until_complete_in_a_cell(kernel):
    hint = sentence_then_error(kernel.run(
        "loop = asyncio.get_running_loop()\nloop.run_until_complete(asyncio.sleep(0))"),
        "RuntimeError")
    assert "run_until_complete() needs a loop that is not running" in hint


def test_blocking_urllib_to_the_kernels_own_server_is_refused_at_once(kernel):
    outputs = kernel.run("urllib.request.urlopen(server.url + '/', timeout=30).read()")
    hint = sentence_then_error(outputs, "BlockingCallError")
    assert "can never be answered" in hint and "ClientSession" in hint
    # under the sentence, the traceback shows the cell's line, not urllib's and http.client's
    frames = "\n".join(outputs[1]["traceback"])
    assert "urllib.request.urlopen(server.url" in frames, frames
    assert "http/client.py" not in frames and "urllib/request.py" not in frames, frames
    assert "is a blocking call to a server that runs on this kernel's own loop" in frames


def test_a_lesson_shows_a_caught_mistake_as_a_failed_cell_would(kernel):
    outputs = kernel.run("try:\n    urllib.request.urlopen(server.url + '/', timeout=30)\n"
                         "except Exception as exc:\n    hint = nb.show_explained(exc)\n"
                         "print(hint is not None)")
    assert [o["output_type"] for o in outputs] == ["display_data", "stream"], outputs
    assert "aioteach explains" in outputs[0]["data"]["text/html"]
    assert outputs[1]["text"].startswith("BlockingCallError: GET http://127.0.0.1:")
    assert outputs[1]["text"].endswith("True\n")


def test_blocking_requests_to_the_kernels_own_server_is_refused_at_once(kernel):
    pytest.importorskip("requests")
    hint = sentence_then_error(kernel.run(
        "import requests\nrequests.get(server.url + '/', timeout=30)"),
        "BlockingCallError")
    assert "mode='thread'" in hint


def test_a_coroutine_object_given_to_on_click(kernel):
    hint = sentence_then_error(kernel.run(
        "import ipywidgets\nasync def fetch(_=None):\n    pass\n\n"
        "nb.on_click(ipywidgets.Button(), fetch())"), "TypeError")
    assert "drop the parentheses" in hint and "on_click(button, fetch)" in hint


def test_with_instead_of_async_with_for_a_session(kernel):
    outputs = kernel.run("with aioteach.ClientSession() as session:\n    pass")
    hint = sentence_then_error(outputs, "TypeError")
    assert "write `async with`" in hint
    assert "session.py" not in "\n".join(outputs[1]["traceback"])      # the cell's line only


def test_with_instead_of_async_with_for_session_get(kernel):
    outputs = kernel.run("async with aioteach.ClientSession() as session:\n"
                         "    with session.get(server.url + '/') as res:\n"
                         "        pass")
    # Until the client's RequestContextManager closes its coroutine in __enter__, Python warns
    # "never awaited" as the object goes; that warning (explained too) may come first.
    outputs = [o for o in outputs if "never awaited" not in o.get("text", "")]
    hint = sentence_then_error(outputs, outputs[-1]["ename"])
    assert outputs[-1]["ename"] in ("TypeError", "AttributeError")
    assert "write `async with`" in hint


def test_a_forgotten_await_on_get_or_on_text_is_named(kernel):
    outputs = kernel.run("async with aioteach.ClientSession() as session:\n"
                         "    response = session.get(server.url + '/')\n"
                         "    print(response.status)")
    outputs = [o for o in outputs if "never awaited" not in o.get("text", "")]
    hint = sentence_then_error(outputs, "AttributeError")
    assert "has not been sent yet" in hint and "await session.get(url)" in hint
    outputs = kernel.run("async with aioteach.ClientSession() as session:\n"
                         "    async with session.get(server.url + '/') as response:\n"
                         "        body = response.text()\n"
                         "        print(body.upper())")
    outputs = [o for o in outputs if "never awaited" not in o.get("text", "")]
    hint = sentence_then_error(outputs, "AttributeError")
    assert "called without `await`" in hint and "body = await response.text()" in hint
    # the two never-awaited coroutines go now, with their own explained warning
    assert "aioteach explains" in text_of(kernel.run("import gc; gc.collect()"))


def test_time_sleep_in_a_handler_is_explained_once_and_still_sleeps(kernel):
    kernel.run("import time\nasync def sleepy(request):\n    time.sleep(0.1)\n"
               "    return web.Response(text='late')\n"
               "async def polite(request):\n    await asyncio.to_thread(time.sleep, 0.1)\n"
               "    return web.Response(text='on time')\n"
               "sleepy_app = web.Application()\nsleepy_app.router.add_get('/sleepy', sleepy)\n"
               "sleepy_app.router.add_get('/polite', polite)\n"
               "sleeper = nb.serve(sleepy_app, quiet=True)")
    fire = ("async with aioteach.ClientSession() as session:\n"
            "    answers = await asyncio.gather(*(session.get(sleeper.url + '/{}')"
            " for _ in range(3)))\n"
            "print([a.status for a in answers])")
    outputs = kernel.run(fire.format("sleepy"))
    assert text_of(outputs).endswith("[200, 200, 200]\n"), outputs       # it still answers
    (hint,) = hints(outputs)
    assert "`sleepy`, in a handler," in hint and "time.sleep(0.1)" in hint
    assert "no other request, widget or cell" in hint and "await asyncio.sleep(0.1)" in hint
    assert not hints(kernel.run(fire.format("sleepy")))                # once per function
    assert not hints(kernel.run(fire.format("polite")))                # a worker thread: fine
    assert not hints(kernel.run("time.sleep(0.1)"))                    # a cell, not a handler


def test_correct_code_is_left_alone(kernel):
    outputs = kernel.run(
        "async with aioteach.ClientSession() as session:\n"
        "    async with session.get(server.url + '/delay/1') as res:\n"
        "        print(res.status, (await res.json())['delay_ms'])\n"
        "threaded = nb.serve(make_app(), mode='thread', quiet=True)\n"
        "print(urllib.request.urlopen(threaded.url + '/delay/2', timeout=10).status)")
    assert text_of(outputs) == "200 1\n200\n", outputs
    # an error the traps do not know keeps Python's own traceback, with no sentence
    outputs = kernel.run("1 / 0")
    assert [o["output_type"] for o in outputs] == ["error"]


def test_the_traps_can_be_switched_off_and_stay_off(kernel):
    kernel.run("nb.uninstall_traps()\nagain = nb.serve(make_app(), quiet=True)")
    outputs = kernel.run("async def main():\n    return 1\n\nc = main()\nasyncio.run(c)")
    assert [o["output_type"] for o in outputs] == ["error"] and not hints(outputs)
    kernel.run("c.close()\nnb.install_traps()")
    outputs = kernel.run("asyncio.get_running_loop().run_until_complete(asyncio.sleep(0))")
    assert hints(outputs)


def test_run_app_in_a_cell_switches_the_traps_on_too():
    fresh = Kernel()                       # nothing imports aioteach.notebook by hand here
    try:
        outputs = fresh.run("import asyncio\nfrom aioteach import web\n"
                            "from aioteach.demo import make_app\nhandle = web.run_app(make_app())")
        assert "web.run_app" in text_of(outputs) and "http://127.0.0.1:" in text_of(outputs)
        hint = sentence_then_error(fresh.run("asyncio.run(asyncio.sleep(0))"), "RuntimeError")
        assert "await coro" in hint
    finally:
        fresh.close()
