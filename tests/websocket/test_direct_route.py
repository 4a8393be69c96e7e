"""After the 101, the transport hands bytes straight to the WebSocket (``DirectRoute``).

``web.WebSocketResponse.prepare`` points the transport at the WebSocket's ``data_received``
(one call per read instead of two).  What must not change: the ``server.bytes_in`` trace the
notebook draws counts every byte exactly once, and the end of the connection still reaches
the handler.  A raw asyncio client makes the byte count exact.
"""
from __future__ import annotations

import asyncio
import base64
import os

from aioteach import trace, web
from aioteach.web.websocket import DirectRoute
from aioteach.websocket import Opcode, build_frame
from tests.support import TIMEOUT
from tests.web.server_support import serve


def echo_app(seen: dict) -> web.Application:
    async def echo(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        seen["protocol"] = request.transport.get_protocol()
        async for msg in ws:
            await ws.send_str(msg.data)
        seen["close_code"] = ws.close_code
        if "ended" in seen:
            seen["ended"].set_result(None)
        return ws

    app = web.Application()
    app.router.add_get("/ws", echo)
    return app


def handshake() -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    return (f"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode()


async def test_bytes_in_is_traced_once_per_byte_after_the_takeover():
    seen: dict = {}
    sent = 0
    with trace.record() as rec:
        async with serve(echo_app(seen)) as (port, _runner):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                head = handshake()
                writer.write(head)
                sent += len(head)
                await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
                for text in ("one", "two", "three"):
                    frame = build_frame(Opcode.TEXT, text.encode(), mask=os.urandom(4))
                    writer.write(frame)
                    sent += len(frame)
                    echo = await asyncio.wait_for(reader.readexactly(2 + len(text)), TIMEOUT)
                    assert echo[2:] == text.encode()
                close = build_frame(Opcode.CLOSE, b"\x03\xe8", mask=os.urandom(4))
                writer.write(close)
                sent += len(close)
                await asyncio.wait_for(reader.read(), TIMEOUT)    # the server's Close, EOF
            finally:
                writer.close()
    assert isinstance(seen["protocol"], DirectRoute)
    assert seen["close_code"] == 1000
    conns = {e.fields["conn"] for e in rec.of_kind("server.connection_made")}
    bytes_in = rec.of_kind("server.bytes_in")
    assert {e.fields["conn"] for e in bytes_in} == conns and len(conns) == 1
    assert sum(e.fields["n"] for e in bytes_in) == sent


async def test_a_vanished_client_still_reaches_the_handler_through_the_direct_route():
    seen: dict = {"ended": asyncio.get_running_loop().create_future()}
    async with serve(echo_app(seen)) as (port, _runner):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(handshake())
        await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
        writer.transport.abort()                  # no Close frame: the TCP connection just goes
        await asyncio.wait_for(seen["ended"], TIMEOUT)
        assert isinstance(seen["protocol"], DirectRoute)
        assert seen["close_code"] == 1006


async def test_a_message_sent_in_the_handlers_first_step_follows_the_101_head():
    # inline_first_step: prepare() runs while the server still collects the batch's writes,
    # so the 101 head is not on the wire yet when send_str writes to the transport itself.
    async def greet(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str("first")
        async for msg in ws:
            await ws.send_str(msg.data)
        return ws

    app = web.Application()
    app.router.add_get("/ws", greet)
    async with serve(app, inline_first_step=True) as (port, _runner):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(handshake())
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
            assert head.startswith(b"HTTP/1.1 101 ")
            frame = await asyncio.wait_for(reader.readexactly(2 + 5), TIMEOUT)
            assert frame == b"\x81\x05first"
            writer.write(build_frame(Opcode.CLOSE, b"\x03\xe8", mask=os.urandom(4)))
            await asyncio.wait_for(reader.read(), TIMEOUT)
        finally:
            writer.close()
