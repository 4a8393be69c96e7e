"""Every widget driven from code: click, await the effect with a bounded poll, assert on it."""
from __future__ import annotations

import asyncio

import pytest

from aioteach import web
from aioteach.notebook.callbacks import on_change, on_click
from aioteach.notebook.servers import serve, stop_all

from .apps import hello_app, until

widgets = pytest.importorskip("ipywidgets")


@pytest.fixture(autouse=True)
def clean():
    yield
    stop_all()


@pytest.fixture
def handle():
    return serve(hello_app(), port=0, quiet=True)


# -- on_click / on_change ----------------------------------------------------------------------
async def test_an_async_handler_runs_as_a_task_when_clicked():
    button, seen, release = widgets.Button(), [], asyncio.Event()

    async def handler(b):
        seen.append(b)
        await release.wait()
        seen.append("done")

    h = on_click(button, handler, disable_while_running=True)
    button.click()
    await until(lambda: seen, "the handler to start")
    assert seen == [button] and button.disabled          # disabled while it runs
    release.set()
    await h.wait()
    assert seen == [button, "done"] and not button.disabled and h.errors == []


async def test_errors_are_shown_in_the_output_area_not_lost():
    button, output = widgets.Button(), widgets.Output()

    async def broken():                                   # no argument: also accepted
        raise ValueError("bad gateway in lesson 3")

    h = on_click(button, broken, output=output)
    button.click()
    await h.wait()
    assert [type(e) for e in h.errors] == [ValueError]
    (shown,) = output.outputs                    # one display: no pink stderr traceback
    assert shown["output_type"] == "display_data"
    assert shown["data"]["text/plain"] == "broken failed with ValueError: bad gateway in lesson 3."
    page = shown["data"]["text/html"]
    assert "<details>" in page and "Traceback (most recent call last)" in page
    assert page.index("bad gateway") < page.index("<details>")   # the sentence comes first


async def test_a_plain_function_returning_a_coroutine_is_scheduled():
    button, seen = widgets.Button(), []

    async def work():
        seen.append("ran")

    h = on_click(button, lambda b: work())
    button.click()
    await h.wait()
    assert seen == ["ran"]


async def test_on_change_runs_async_observers():
    slider, seen = widgets.IntSlider(value=1), []

    async def changed(change):
        seen.append(change["new"])

    h = on_change(slider, changed)
    slider.value = 5
    await h.wait()
    assert seen == [5]


# -- RequestPanel -------------------------------------------------------------------------------
async def test_request_panel_sends_what_the_widgets_say_and_shows_the_wire(handle):
    from aioteach.notebook import RequestPanel
    panel = RequestPanel(handle)
    panel.method.value = "POST"
    panel.path.value = "/echo"
    panel.headers.value = "X-Test: from the panel\n"
    panel.body.value = "ping"
    panel.send_button.click()
    r = await until(lambda: panel.last_response, "the panel's response")
    assert (r.status, r.body) == (200, b"ping")
    assert r.header("x-seen-header") == "from the panel"
    assert r.raw_request.startswith(b"POST /echo HTTP/1.1\r\n")
    assert b"\r\nX-Test: from the panel\r\n" in r.raw_request
    assert r.raw_request.endswith(b"\r\n\r\nping")
    assert r.raw_response.startswith(b"HTTP/1.1 200 OK\r\n") and r.raw_response.endswith(b"ping")
    assert r.elapsed > 0 and panel.handler.errors == []
    assert "200 OK" in panel.status.value
    assert "POST /echo HTTP/1.1\\r\\n" in panel.views["request bytes"].value
    assert handle.requests[-1].path == "/echo"


async def test_request_panel_from_code_and_a_404(handle):
    from aioteach.notebook import RequestPanel
    panel = RequestPanel(handle.url)
    r = await panel.send(path="/nowhere")
    assert r.status == 404 and panel.last_response is r and panel.history == [r]
    assert "404" in panel.status.value


# -- ServerLog ----------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["kernel", "thread"])
async def test_server_log_follows_the_requests(mode):
    from aioteach.notebook import RequestPanel, ServerLog
    handle = serve(hello_app(), port=0, mode=mode, quiet=True)
    log = ServerLog(handle)
    assert "no requests yet" in log.widget.value
    await RequestPanel(handle).send(path="/slow")
    await until(lambda: "GET /slow -&gt; 200" in log.widget.value, "the log to update")
    assert len(log.lines) == 1 and log.lines[0].endswith("ms)")
    log.close()
    assert log._on_request not in handle.listeners


# -- MiddlewareTrace ----------------------------------------------------------------------------
async def test_middleware_trace_shows_the_onion():
    from aioteach.notebook import MiddlewareTrace

    @web.middleware
    async def outer(request, handler):
        return await handler(request)

    @web.middleware
    async def inner(request, handler):
        return await handler(request)

    app = hello_app()
    app.middlewares.extend([outer, inner])
    handle = serve(app, port=0, quiet=True)
    mt = MiddlewareTrace(handle)
    mt.path.value = "/"
    mt.trace_button.click()
    await asyncio.wait_for(mt.handler.wait(), 10)
    assert mt.handler.errors == [] and mt.steps, mt.view.value
    assert mt.steps == ["request /",
                        "  -> outer",
                        "    -> inner",
                        "      (the handler runs here)",
                        "    <- inner",
                        "  <- outer",
                        "response 200"]
    assert "-&gt; outer" in mt.view.value and "request_log" not in mt.view.value


# -- ConcurrencyLab -----------------------------------------------------------------------------
async def test_concurrency_lab_runs_the_four_strategies():
    from aioteach.demo import make_app
    from aioteach.notebook import ConcurrencyLab
    handle = serve(make_app(), port=0, quiet=True)
    lab = ConcurrencyLab(handle, path="/delay/60", n=4, k=2)
    lab.run_button.click()
    await until(lambda: lab.image.value, "the lab's picture", timeout=30)
    assert list(lab.results) == ["sequential", "gather", "semaphore", "connector"]
    for result in lab.results.values():
        assert result.statuses == [200] * 4
        assert {s.row for s in result.spans} == {f"request {i}" for i in range(4)}
    assert lab.progress.value == 16
    seq = [s for s in lab.results["sequential"].spans if s.kind == "run"]
    assert all(a.end <= b.start for a, b in zip(seq, seq[1:]))     # a staircase
    assert lab.results["gather"].waited == 0                        # nobody queued
    queued = {s.row for s in lab.results["semaphore"].spans if s.kind == "wait"}
    assert queued == {"request 2", "request 3"}                     # n - k of them waited
    pooled = {s.row for s in lab.results["connector"].spans if s.kind == "wait"}
    assert pooled == {"request 2", "request 3"}         # the client's pool said who queued
    assert bytes(lab.image.value).startswith(b"\x89PNG")
    assert "semaphore" in lab.summary.value and lab.handler.errors == []


# -- ChatPanel ----------------------------------------------------------------------------------
async def test_two_chat_panels_talk_to_each_other():
    from aioteach.demo import make_app
    from aioteach.notebook import ChatPanel
    handle = serve(make_app(), port=0, quiet=True)
    alice = ChatPanel(handle.url + "/ws/chat", name="alice")
    bob = ChatPanel(handle.url + "/ws/chat", name="bob")
    await alice.connect()
    await bob.connect()
    alice.text.value = "hello bob"
    alice.send_button.click()
    assert await bob.wait_for("alice: hello bob") == "alice: hello bob"
    await bob.say("hi alice")
    await alice.wait_for("bob: hi alice")
    assert "alice: hello bob" in bob.box.value
    await alice.close()
    await bob.close()
    assert alice.handler.errors == [] and "(connection closed)" in alice.messages


async def test_a_second_click_while_running_is_ignored_when_disabling():
    button, release, runs = widgets.Button(), asyncio.Event(), []

    async def handler():
        runs.append(1)
        await release.wait()

    h = on_click(button, handler, disable_while_running=True)
    button.click()
    button.click()                       # from code a disabled button still "clicks"
    release.set()
    await h.wait()
    assert runs == [1] and len(h.tasks) == 1


async def test_the_panels_follow_their_server_when_its_cell_runs_again():
    """A learner re-runs the serving cell: the old server stops, and the panels built on it
    send to, trace and log the new one (no 'not running' sentence, no busy port)."""
    from aioteach.notebook import MiddlewareTrace, RequestPanel, ServerLog
    from aioteach.notebook.callbacks import click_and_wait
    first = serve(hello_app(), name="the cell", quiet=True)
    panel, onion, log = RequestPanel(first), MiddlewareTrace(first), ServerLog(first)
    again = serve(hello_app(), name="the cell", quiet=True)          # the cell, run again
    assert not first.running and again.url != first.url
    await click_and_wait(panel.send_button)
    assert panel.last_response.status == 200 and panel.url == again.url
    await click_and_wait(onion.trace_button)
    assert onion.handler.errors == [] and onion.steps[-1] == "response 200"
    assert log.handle is again and len(again.requests) == 2
    await until(lambda: again.url in log.widget.value and "GET / -&gt; 200" in log.widget.value,
                "the log of the new server")
