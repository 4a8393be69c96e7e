"""The memory transport behaves as TCP does, and the same bytes go over the wire.

Each story runs over TCP (127.0.0.1) and over memory, and compares: the outcome the client saw
and every byte the server received and sent (normalized: the server's address, the Date
field).  The WebSocket stories fix ``os.urandom`` so the key and the masks are the same.
"""
from __future__ import annotations

import asyncio
import hashlib
import os

import pytest

import aioteach
from aioteach import web
from tests.support import within

from .conftest import TRANSPORTS, served, normalized

BIG = 8 * 1024 * 1024          # 8 MiB: far past any write buffer's high-water mark


def make_app() -> web.Application:
    app = web.Application()

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text=f"hello {request.match_info['name']}")

    async def echo(request: web.Request) -> web.Response:
        return web.Response(body=await request.read(), content_type="application/octet-stream")

    async def big(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.content_length = BIG
        await response.prepare(request)
        block = bytes(range(256)) * 1024                   # 256 KiB a write
        for _ in range(BIG // len(block)):
            await response.write(block)                    # drain() waits while paused
        await response.write_eof()
        return response

    async def ws(request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        async for message in socket:
            if message.data == "close":
                await socket.close(code=4000, message=b"asked to")
            else:
                await socket.send_str(f"echo {message.data}")
        return socket

    app.router.add_get("/hello/{name}", hello)
    app.router.add_post("/echo", echo)
    app.router.add_get("/big", big)
    app.router.add_get("/ws", ws)
    return app


async def request_response(transport: str):
    async with served(make_app(), transport) as site:
        async with aioteach.ClientSession() as session:
            async with session.get(f"{site.url}/hello/ada") as response:
                first = (response.status, await response.text())
            async with session.post(f"{site.url}/echo", data=b"x" * 1000) as response:
                second = (response.status, len(await response.read()))
        return (first, second), normalized(site.wire.received(), site.authority), \
            normalized(site.wire.sent(), site.authority)


async def test_request_response_same_outcome_and_bytes():
    tcp, memory = [await within(request_response(t)) for t in TRANSPORTS]
    assert tcp[0] == memory[0] == ((200, "hello ada"), (200, 1000))
    assert tcp[1] == memory[1]                  # request bytes, as the server read them
    assert tcp[2] == memory[2]                  # response bytes, as the server wrote them
    assert memory[1].startswith(b"GET /hello/ada HTTP/1.1\r\nHost: SERVER\r\n")
    assert memory[2].count(b"HTTP/1.1 200 OK\r\n") == 2       # one connection, kept alive


async def pipelined(transport: str):
    async with served(make_app(), transport) as site:
        reader, writer = await site.open_raw()
        writer.write(b"GET /hello/one HTTP/1.1\r\nHost: x\r\n\r\n"
                     b"GET /hello/two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = await within(reader.read())                  # until the server closes
        writer.close()
        return normalized(answer)


async def test_pipelining_same_bytes():
    tcp, memory = [await pipelined(t) for t in TRANSPORTS]
    assert tcp == memory
    assert memory.count(b"HTTP/1.1 200 OK") == 2
    assert memory.index(b"hello one") < memory.index(b"hello two")


async def large_body(transport: str):
    async with served(make_app(), transport) as site:
        reader, writer = await site.open_raw()
        writer.write(b"GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        # read nothing until the server's writer was told to pause: back-pressure is real
        await within(site.wire.paused.wait())
        answer = await within(reader.read())
        writer.close()
        head, body = answer.split(b"\r\n\r\n", 1)
        return site.wire.pauses, site.wire.resumes, len(body), hashlib.sha256(body).digest()


async def test_large_body_pauses_the_writer_and_arrives_whole():
    expected = hashlib.sha256((bytes(range(256)) * 1024) * (BIG // 262144)).digest()
    for transport in TRANSPORTS:
        pauses, resumes, size, digest = await large_body(transport)
        assert (size, digest) == (BIG, expected), transport
        assert pauses >= 1 and resumes >= 1, transport


async def websocket_story(transport: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(os, "urandom", lambda n: bytes(range(1, n + 1)))
    async with served(make_app(), transport) as site:
        async with aioteach.ClientSession() as session:
            socket = await session.ws_connect(f"{site.url}/ws")
            await socket.send_str("hi")
            echoed = (await within(socket.receive())).data
            await socket.send_str("close")
            closing = await within(socket.receive())
            await socket.close()
            outcome = (echoed, closing.type, socket.close_code)
        return outcome, normalized(site.wire.received(), site.authority), \
            normalized(site.wire.sent(), site.authority)


async def test_websocket_echo_and_close_same_bytes(monkeypatch: pytest.MonkeyPatch):
    tcp = await within(websocket_story("tcp", monkeypatch))
    memory = await within(websocket_story("memory", monkeypatch))
    assert tcp[0] == memory[0] == ("echo hi", aioteach.WSMsgType.CLOSE, 4000)
    assert tcp[1] == memory[1]
    assert tcp[2] == memory[2]
    assert b"Upgrade: websocket" in memory[1] and b"101 Switching Protocols" in memory[2]
    assert memory[2].endswith(b"\x88\x0a\x0f\xa0asked to")   # the server's Close frame


async def test_an_abrupt_client_is_the_same_to_the_server(transport: str):
    """A client that resets mid-request: the server logs nothing and keeps serving."""
    async with served(make_app(), transport) as site:
        reader, writer = await site.open_raw()
        writer.write(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
        await writer.drain()
        writer.transport.abort()
        async with aioteach.ClientSession() as session:
            async with session.get(f"{site.url}/hello/after") as response:
                assert (response.status, await response.text()) == (200, "hello after")


def test_transports_listed():
    assert TRANSPORTS == ["tcp", "memory"]
    assert asyncio.iscoroutinefunction(request_response)
