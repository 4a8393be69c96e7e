"""click_and_wait / settled, and what a widget shows when its server is gone."""
from __future__ import annotations

import asyncio

import pytest

import aioteach
from aioteach.notebook import (ChatPanel, ConcurrencyLab, Failure, RequestPanel, click_and_wait,
                               on_click, settled)
from aioteach.notebook.failures import failure_sentence
from aioteach.notebook.servers import serve, stop_all

from .apps import hello_app

widgets = pytest.importorskip("ipywidgets")


@pytest.fixture(autouse=True)
def clean():
    yield
    stop_all()


async def test_click_and_wait_returns_what_the_handler_returned():
    button = widgets.Button()
    gate = asyncio.Event()

    async def work(_):
        await gate.wait()
        return 42

    on_click(button, work)
    waiting = asyncio.ensure_future(click_and_wait(button))
    await asyncio.sleep(0)
    assert not waiting.done()                   # it really waits for the task
    gate.set()
    assert await waiting == 42


async def test_click_and_wait_raises_the_handlers_exception():
    button, output = widgets.Button(), widgets.Output()

    async def broken():
        raise KeyError("missing")

    on_click(button, broken, output=output)
    with pytest.raises(KeyError):
        await click_and_wait(button)
    assert len(output.outputs) == 1                 # and the widget showed it


async def test_a_busy_button_waits_for_the_running_task_and_plain_functions_work():
    button, calls = widgets.Button(), []
    gate = asyncio.Event()

    async def slow(_):
        calls.append("slow")
        await gate.wait()
        return "done"

    on_click(button, slow, disable_while_running=True)
    button.click()
    waiting = asyncio.ensure_future(click_and_wait(button))   # ignored click: waits anyway
    await asyncio.sleep(0)
    gate.set()
    assert await waiting == "done" and calls == ["slow"]
    plain = widgets.Button()
    on_click(plain, lambda b: calls.append("plain"))
    assert await click_and_wait(plain) is None and calls[-1] == "plain"


async def test_click_and_wait_needs_an_aioteach_handler():
    with pytest.raises(TypeError, match="on_click"):
        await click_and_wait(widgets.Button())


async def test_settled_waits_for_a_panels_tasks():
    handle = serve(hello_app(), quiet=True)
    panel = RequestPanel(handle, path="/slow")
    panel.send_button.click()
    assert await settled(panel) == 1
    assert panel.last_response.status == 200 and await settled(panel) == 0


def test_the_sentences():
    url = "http://127.0.0.1:9"
    refused = ConnectionRefusedError(111, "Connection refused")
    assert failure_sentence(refused, url) == (
        "the server at http://127.0.0.1:9/ is not running: re-run the cell that serves it, "
        "or call handle.restart().")
    assert "did not answer in time" in failure_sentence(asyncio.TimeoutError(), url)
    assert failure_sentence(ValueError("x"), url, "fetch") == "fetch failed with ValueError: x."
    failure = Failure.of(refused, url)
    assert str(failure) == failure.sentence and "<details>" in failure._repr_html_()


@pytest.mark.parametrize("make", ["request", "trace", "lab", "chat"])
async def test_a_widget_whose_server_is_gone_says_so_in_one_sentence(make):
    from aioteach.demo import make_app
    from aioteach.notebook import MiddlewareTrace
    handle = serve(make_app(), quiet=True)
    url = handle.url
    widget = {"request": lambda: RequestPanel(handle),
              "trace": lambda: MiddlewareTrace(handle),
              "lab": lambda: ConcurrencyLab(handle, path="/delay/1", n=2),
              "chat": lambda: ChatPanel(handle.url + "/ws/echo")}[make]()
    if make == "chat":
        widget.text.value = "hello"
    await handle.stop()
    button = widget.handler.widget
    with pytest.raises((aioteach.ClientConnectionError, ConnectionRefusedError)):
        await click_and_wait(button)
    (shown,) = widget.output.outputs                  # one output: the sentence + toggle
    sentence = shown["data"]["text/plain"]
    assert sentence.startswith(f"the server at {url}") and "is not running" in sentence
    assert "handle.restart()" in sentence and "<details>" in shown["data"]["text/html"]
    if make == "request":
        assert "no answer" in widget.status.value
    handle.restart()                                  # the fix works, and clears the sentence
    if make == "chat":
        widget.text.value = "hello again"
    await click_and_wait(button)
    assert widget.output.outputs == ()
    if make == "chat":
        await widget.close()


async def test_an_empty_chat_send_says_what_to_do():
    handle = serve(__import__("aioteach.demo", fromlist=["make_app"]).make_app(), quiet=True)
    panel = ChatPanel(handle.url + "/ws/echo")
    before = panel.box.value
    await click_and_wait(panel.send_button)
    assert panel.box.value != before and "type a message" in panel.box.value
    assert panel.messages == []
