"""Refused handshakes say why (issue 14), and aiohttp-visible behaviour of closing (issue 15).

A plain GET on a WebSocket route, an unsupported version and an HTTP/1.0 upgrade each get a
400 whose body names the reason; ``set_status()`` before ``prepare()`` still ends in a 101;
``receive_str()`` on a binary message raises ``WSMessageTypeError`` (a TypeError); a client
that read the server's Close with ``autoclose=False`` gets CLOSED from its next receive().
"""
from __future__ import annotations

import asyncio

import pytest

from aioteach import ClientSession, WSMsgType, web
from aioteach.websocket import WSMessageTypeError
from tests.support import within
from tests.web.server_support import serve

KEY = "dGhlIHNhbXBsZSBub25jZQ=="


def app_with(handler) -> web.Application:
    app = web.Application()
    app.router.add_get("/ws", handler)
    return app


async def plain_ws(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    return ws


async def exchange(port: int, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        return await within(reader.read(4096))
    finally:
        writer.close()


def upgrade(version: str = "HTTP/1.1", ws_version: str = "13") -> bytes:
    return (f"GET /ws {version}\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: {ws_version}\r\n\r\n").encode()


@pytest.mark.parametrize("request_bytes, why", [
    (b"GET /ws HTTP/1.1\r\nHost: x\r\n\r\n", b"this is a WebSocket endpoint"),
    (upgrade(ws_version="8"), b"unsupported Sec-WebSocket-Version '8'"),
    (upgrade(version="HTTP/1.0"), b"needs HTTP/1.1 or later"),
], ids=["plain GET", "version 8", "HTTP/1.0"])
async def test_a_refused_handshake_is_a_400_whose_body_says_why(request_bytes, why):
    async with serve(app_with(plain_ws)) as (port, _):
        answer = await exchange(port, request_bytes)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0].endswith(b"400 Bad Request")
    assert why in body


async def test_set_status_before_prepare_still_gives_101():
    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        ws.set_status(200)
        await ws.prepare(request)
        assert ws.status == 101
        await ws.send_str("hi")
        await ws.close()
        return ws

    async with serve(app_with(handler)) as (port, _):
        async with ClientSession() as session:
            async with session.ws_connect(f"http://127.0.0.1:{port}/ws") as ws:
                assert (await within(ws.receive())).data == "hi"


async def test_receive_str_on_binary_raises_ws_message_type_error():
    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_bytes(b"\x00")
        await ws.receive()
        return ws

    async with serve(app_with(handler)) as (port, _):
        async with ClientSession() as session:
            async with session.ws_connect(f"http://127.0.0.1:{port}/ws") as ws:
                with pytest.raises(WSMessageTypeError) as caught:
                    await within(ws.receive_str())
                assert isinstance(caught.value, TypeError)


async def test_client_receive_after_the_servers_close_is_closed_like_aiohttp():
    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.close(code=4000)
        return ws

    async with serve(app_with(handler)) as (port, _):
        async with ClientSession() as session:
            ws = await session.ws_connect(f"http://127.0.0.1:{port}/ws", autoclose=False)
            assert (await within(ws.receive())).type is WSMsgType.CLOSE
            assert (await within(ws.receive())).type is WSMsgType.CLOSED
            assert ws.closed and ws.close_code == 4000
