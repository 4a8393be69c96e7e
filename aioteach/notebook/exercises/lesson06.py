"""Lesson 06's exercise: a WebSocket handler that sends every text message back reversed.

Theory of operation.  ``check_reverse(handler)`` routes the learner's handler at ``/ws/reverse``
in a throw-away app, opens a WebSocket to it with aioteach's client and has a short
conversation: several text messages on the one connection (``"hello"`` must come back as
``"olleh"``; a message of non-ASCII letters comes back reversed letter by letter, because a
TEXT frame carries UTF-8 that the server hands over as ``str``, RFC 6455 section 5.6), then the
client starts the closing handshake (section 7.1.2) and expects the normal close code 1000.

A right handler is the echo handler of the lesson with ``message.data[::-1]`` in place of
``message.data``.  The usual wrong turns are each caught with a hint: a plain ``web.Response``
(the handshake is refused), answering only the first message (no loop), and answering a
message that is not text.
"""
from __future__ import annotations

import asyncio
from typing import Any

import aioteach

from . import CheckResult, ThrowawayServer, one_route_app, require_async, run_check

__all__ = ["check_reverse", "MESSAGES"]

#: what the check sends, in order, on one connection.
MESSAGES = ["hello", "asyncio", "straße ✓", "WebSocket"]

#: seconds to wait for each answer: an echo arrives in milliseconds on 127.0.0.1.
ANSWER_TIMEOUT = 5.0


def check_reverse(handler: Any) -> CheckResult:
    """Check a WebSocket handler for ``GET /ws/reverse`` that answers each text reversed."""
    async def body(result: CheckResult) -> None:
        if not require_async(result, handler):
            return
        async with ThrowawayServer(one_route_app("GET", "/ws/reverse", handler)) as server:
            try:
                ws = await server.session.ws_connect(server.url + "/ws/reverse")
            except aioteach.WSServerHandshakeError as exc:
                result.fail("the handler accepts a WebSocket (101 Switching Protocols)",
                            got=f"status {exc.status}",
                            hint=server.error_note() or "make ws = web.WebSocketResponse(), "
                            "await ws.prepare(request), and return ws at the end")
                return
            result.expect(True, "the handler accepts a WebSocket (101 Switching Protocols)")
            loop_hint = ("answer every message: `async for message in ws:` with "
                         "`await ws.send_str(...)` inside the loop")
            for text in MESSAGES:
                wanted = f"{text!r} comes back as {text[::-1]!r}"
                if ws.closed:
                    result.fail(wanted, got="the server had closed the WebSocket already",
                                hint=server.error_note() or loop_hint)
                    break
                await ws.send_str(text)
                try:
                    message = await ws.receive(timeout=ANSWER_TIMEOUT)
                except asyncio.TimeoutError:
                    result.fail(wanted, got=f"no answer within {ANSWER_TIMEOUT:.0f} s",
                                hint=loop_hint)
                    break
                if message.type != aioteach.WSMsgType.TEXT:
                    got = (f"a {message.type.name} message" if not server.errors else
                           "the connection broke: your handler raised")
                    result.fail(wanted, got=got, hint=server.error_note() or loop_hint)
                    break
                result.expect(message.data == text[::-1], f"{text!r} comes back as "
                              f"{text[::-1]!r}", got=repr(message.data),
                              hint="a str reverses with [::-1]; send it with ws.send_str")
            conversation_ok = result.passed
            await ws.close()
            if conversation_ok:        # after a broken conversation the close code says little
                result.expect(ws.close_code == 1000, "the closing handshake ends with code 1000 "
                              "(normal closure)", got=ws.close_code,
                              hint="let the `async for` loop end when the client closes, "
                                   "then return ws")
            result.expect(not server.errors, "the handler raised no exception",
                          got=server.error_note())
    return run_check("check_reverse", body)
