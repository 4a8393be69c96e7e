"""examples/chat in a real browser: the page's JavaScript and an aioteach client in one room.

The chat server runs in a thread on its own asyncio loop (127.0.0.1, port 0); the aioteach
client lives on that loop too, driven from the test with ``run_coroutine_threadsafe``.  The test
thread itself runs no loop: Playwright's sync API is used, as in every browser test here.
"""
from __future__ import annotations

import asyncio
import importlib.util
import json
import pathlib
import re
import threading
from typing import Any, Iterator

import pytest

import aioteach
from aioteach import web
from tests.browser.conftest import keep_screenshot

pytestmark = pytest.mark.browser

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "chat" / "server.py"
TIMEOUT = 30.0


class ChatInAThread:
    """The chat app served by an event loop in a daemon thread; ``call(coro)`` runs on it."""

    def __init__(self) -> None:
        spec = importlib.util.spec_from_file_location("chat_example_browser", EXAMPLE)
        self.module = importlib.util.module_from_spec(spec)    # type: ignore[arg-type]
        spec.loader.exec_module(self.module)                   # type: ignore[union-attr]
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.runner: Any = None

    def call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(TIMEOUT)

    async def start(self) -> int:
        self.runner = web.AppRunner(self.module.make_app(), access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        return self.runner.addresses[0][1]

    def stop(self) -> None:
        if self.runner is not None:
            self.call(self.runner.cleanup())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(TIMEOUT)
        self.loop.close()


@pytest.fixture
def chat() -> Iterator[ChatInAThread]:
    server = ChatInAThread()
    try:
        yield server
    finally:
        server.stop()


async def next_event(ws: Any) -> Any:
    return json.loads(await ws.receive_str())


def test_a_message_from_the_page_reaches_python_and_back(chat, browser_context):
    port = chat.call(chat.start())
    base = f"http://127.0.0.1:{port}"

    async def join() -> Any:
        session = aioteach.ClientSession()
        ws = await session.ws_connect(f"{base}/ws?name=python")
        assert await next_event(ws) == {"kind": "join", "name": "python"}
        return session, ws

    session, ws = chat.call(join())
    try:
        page = browser_context.new_page()
        page.goto(f"{base}/?name=browser")
        page.locator("#status", has_text=re.compile(r"^connected$")).wait_for()  # not "dis..."
        assert chat.call(next_event(ws)) == {"kind": "join", "name": "browser"}

        # The page speaks: type, click Send, and the Python member hears it.
        page.fill("#text", "hello from the page")
        page.click("#send")
        assert chat.call(next_event(ws)) == {"kind": "message", "name": "browser",
                                             "text": "hello from the page"}
        # Python speaks: the page shows it (the sender's own line came back to it too).
        chat.call(ws.send_json({"text": "hello from python <b>not bold</b>"}))
        assert chat.call(next_event(ws))["name"] == "python"     # everyone hears it, we too
        line = page.locator("#messages li.message", has_text="python: hello from python")
        line.wait_for()
        assert line.inner_text() == "python: hello from python <b>not bold</b>"   # text, not HTML
        assert page.locator("#messages li.message").all_inner_texts() == [
            "browser: hello from the page", "python: hello from python <b>not bold</b>"]
        keep_screenshot(page, "chat_page")

        # Closing the tab is a "leave" for those who stay.
        page.close()
        assert chat.call(next_event(ws)) == {"kind": "leave", "name": "browser"}
    finally:
        chat.call(ws.close())
        chat.call(session.close())
