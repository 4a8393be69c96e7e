"""ChatPanel: a WebSocket chat box; two panels on one chat endpoint talk to each other.

Theory of operation.  ``ChatPanel(url)`` opens a WebSocket (RFC 6455) with
``aioteach.ClientSession().ws_connect(url)`` and runs two things at once on the kernel's loop:
a receive loop (a background task that appends every incoming message to ``panel.messages``
and to the box) and the Send button (which sends the text field's value).  Pointed at the lesson
app's ``/ws/chat`` (which relays every message to everyone connected), two panels show a
conversation; pointed at ``/ws/echo`` a panel talks to itself.

From code: ``await panel.connect()``, ``await panel.say("hi")``, ``await panel.close()``;
``panel.messages`` holds what arrived.  The connection opens on the first Send if not before.

Rules: the receive task is held by the panel (a strong reference) and ends when the socket
closes; a closed or failed connection is shown in the box, never lost.
"""
from __future__ import annotations

import asyncio
import html
from typing import Any, List, Optional

import aioteach

from .callbacks import on_click

__all__ = ["ChatPanel"]


class ChatPanel:
    """A chat box on a WebSocket URL (``ws://`` or ``http://``, which the client upgrades)."""

    def __init__(self, url: Any, name: str = "me") -> None:
        import ipywidgets as w
        self.url = str(getattr(url, "url", url))
        self.name = name
        self.messages: List[str] = []
        self.session: Any = None
        self.ws: Any = None
        self.receiver: Optional["asyncio.Task[None]"] = None
        self.arrived = asyncio.Event()          # set on every message: tests wait on it
        self.text = w.Text(placeholder="say something", layout={"width": "360px"})
        self.send_button = w.Button(description="Send", icon="comment")
        self.box = w.HTML("<i>not connected</i>")
        self.output = w.Output()
        self.widget = w.VBox([self.box, w.HBox([self.text, self.send_button]), self.output])
        self.handler = on_click(self.send_button, self._clicked, output=self.output,
                                url=self.url)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    async def connect(self) -> "ChatPanel":
        if self.ws is None:
            session = aioteach.ClientSession()
            try:
                self.ws = await session.ws_connect(self.url)
            except BaseException:
                await session.close()       # a refused connection leaves nothing open
                raise
            self.session = session
            self.receiver = asyncio.ensure_future(self._receive())
            self._show(f"(connected to {self.url})")
        return self

    async def _receive(self) -> None:
        try:
            async for message in self.ws:
                if isinstance(message.data, str):
                    self._show(message.data)
        finally:
            self._show("(connection closed)")

    def _show(self, line: str) -> None:
        self.messages.append(line)
        self.arrived.set()
        self._refresh()

    def _refresh(self, note: str = "") -> None:
        lines = [html.escape(m) for m in self.messages[-30:]] or ["<i>not connected</i>"]
        self.box.value = "<br>".join(lines + ([note] if note else []))

    async def _clicked(self, _button: Any) -> None:
        text, self.text.value = self.text.value, ""
        if text:
            await self.say(text)
        else:                             # an empty Send still answers the click
            self._refresh("<i>(type a message in the field first, then press Send)</i>")

    async def say(self, text: str) -> None:
        """Send ``text`` (prefixed with the panel's name), connecting first if needed."""
        await self.connect()
        await self.ws.send_str(f"{self.name}: {text}")

    async def wait_for(self, fragment: str, timeout: float = 5.0) -> str:
        """The first message containing ``fragment``, waiting up to ``timeout`` seconds."""
        async def seen() -> str:
            while True:
                for message in self.messages:
                    if fragment in message:
                        return message
                self.arrived.clear()
                await self.arrived.wait()
        return await asyncio.wait_for(seen(), timeout)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.receiver is not None:
            await asyncio.wait([self.receiver], timeout=5)
        if self.session is not None:
            await self.session.close()
        self.ws = self.session = None
