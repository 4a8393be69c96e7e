"""aioteach's WebSockets against the ``websockets`` library, an independent RFC 6455 peer.

Both directions: the ``websockets`` client against aioteach's server, and aioteach's client
against the ``websockets`` server.  Fragmented messages, pings, close codes and reasons, and
subprotocols must come through exactly as sent.
"""
from __future__ import annotations

import asyncio
from typing import Any

import pytest

import aioteach
from aioteach import WSCloseCode, WSMsgType, web
from tests.support import require, within
from tests.web.server_support import serve

pytestmark = pytest.mark.peer


def aioteach_app() -> web.Application:
    async def echo(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(protocols=("chat", "superchat"))
        await ws.prepare(request)
        request.app["joined"].set_result(ws.protocol)
        async for msg in ws:
            if msg.type is WSMsgType.TEXT:
                if msg.data == "close please":
                    await ws.close(code=4002, message=b"as you wish")
                else:
                    await ws.send_str(msg.data)
            elif msg.type is WSMsgType.BINARY:
                await ws.send_bytes(msg.data)
        request.app["done"].set_result(ws.close_code)
        return ws

    app = web.Application()
    loop = asyncio.get_running_loop()
    app["joined"], app["done"] = loop.create_future(), loop.create_future()
    app.router.add_get("/ws", echo)
    return app


# -- the websockets client against aioteach's server --------------------------------------------
async def test_websockets_client_echo_fragments_ping_and_client_close():
    client = require("websockets.asyncio.client")
    app = aioteach_app()
    async with serve(app) as (port, _):
        async with client.connect(f"ws://127.0.0.1:{port}/ws",
                                  subprotocols=["superchat", "chat"]) as conn:
            assert conn.subprotocol == "superchat"           # the client's first choice
            await conn.send("héllo")
            assert await within(conn.recv()) == "héllo"
            await conn.send(["frag", "men", "ted"])          # one message in three frames
            assert await within(conn.recv()) == "fragmented"
            await conn.send(b"\x00" * 70_000)                 # 64-bit length form
            assert await within(conn.recv()) == b"\x00" * 70_000
            latency = await within(await conn.ping(b"hb"))   # answered by autoping
            assert latency >= 0
            await conn.close(code=4001, reason="done")
        assert await within(app["done"]) == 4001        # what the server received...
        assert conn.close_code == 1000                  # ...and answered, as aiohttp does


async def test_websockets_client_sees_the_servers_close_code_and_reason():
    client = require("websockets.asyncio.client")
    exceptions = require("websockets.exceptions")
    app = aioteach_app()
    async with serve(app) as (port, _):
        async with client.connect(f"ws://127.0.0.1:{port}/ws") as conn:
            assert conn.subprotocol is None
            await conn.send("close please")
            with pytest.raises(exceptions.ConnectionClosed):
                await within(conn.recv())
            assert (conn.close_code, conn.close_reason) == (4002, "as you wish")
        assert await within(app["done"]) == 4002


async def test_websockets_client_gets_1001_when_the_server_shuts_down():
    client = require("websockets.asyncio.client")
    exceptions = require("websockets.exceptions")
    app = aioteach_app()
    async with serve(app) as (port, runner):
        async with client.connect(f"ws://127.0.0.1:{port}/ws") as conn:
            await within(app["joined"])
            cleanup = asyncio.ensure_future(runner.cleanup())
            with pytest.raises(exceptions.ConnectionClosed):
                await within(conn.recv())
            assert conn.close_code == WSCloseCode.GOING_AWAY
            await within(cleanup)
    assert await within(app["done"]) == WSCloseCode.GOING_AWAY


# -- aioteach's client against the websockets server --------------------------------------------
async def test_aioteach_client_against_websockets_server():
    server = require("websockets.asyncio.server")
    closed = require("websockets.exceptions").ConnectionClosed
    seen = []
    done = asyncio.Event()

    async def handler(conn: Any) -> None:
        try:
            async for message in conn:
                seen.append(message)
                if message == "fragments please":
                    await conn.send(["a", "b", "c"])
                elif message == "close please":
                    await conn.close(code=4005, reason="server says bye")
                else:
                    await conn.send(message)
        except closed:                  # a 4xxx code ends the loop with an exception
            pass
        seen.append(conn.close_code)
        if len(seen) == 7:
            done.set()

    async with server.serve(handler, "127.0.0.1", 0, subprotocols=["chat"]) as srv:
        url = f"ws://127.0.0.1:{srv.sockets[0].getsockname()[1]}/"
        async with aioteach.ClientSession() as session:
            async with session.ws_connect(url, protocols=["chat"], autoping=False) as ws:
                assert ws.protocol == "chat"
                await ws.send_str("hi")
                assert await within(ws.receive_str()) == "hi"
                await ws.send_bytes(b"\xff" * 100_000)
                assert await within(ws.receive_bytes()) == b"\xff" * 100_000
                await ws.send_str("fragments please")
                assert await within(ws.receive_str()) == "abc"
                await ws.ping(b"p")
                msg = await within(ws.receive())
                assert (msg.type, msg.data) == (WSMsgType.PONG, b"p")
                await ws.send_str("close please")
                msg = await within(ws.receive())
                assert (msg.type, msg.data, msg.extra) == (WSMsgType.CLOSE, 4005,
                                                           "server says bye")
            assert ws.closed and ws.close_code == 4005
            # A client-initiated close reaches the websockets server with its code.
            ws = await session.ws_connect(url, protocols=["chat"])   # it insists on one
            await ws.send_str("x")
            assert await within(ws.receive_str()) == "x"
            assert await within(ws.close(code=4006, message=b"client says bye")) is True
            assert ws.close_code == 4006
            await within(done.wait())
    # The close codes each side reads: the server closed first and read our answer (1000);
    # then we closed first with 4006 and it read that.
    assert seen == ["hi", b"\xff" * 100_000, "fragments please", "close please", 1000, "x", 4006]


async def test_websockets_server_refuses_a_message_over_its_max_size_with_1009():
    server = require("websockets.asyncio.server")

    async def handler(conn: Any) -> None:
        async for message in conn:
            await conn.send(message)

    async with server.serve(handler, "127.0.0.1", 0, max_size=1000) as srv:
        url = f"ws://127.0.0.1:{srv.sockets[0].getsockname()[1]}/"
        async with aioteach.ClientSession() as session:
            ws = await session.ws_connect(url)
            await ws.send_bytes(b"z" * 1001)
            msg = await within(ws.receive())
            assert (msg.type, msg.data) == (WSMsgType.CLOSE, WSCloseCode.MESSAGE_TOO_BIG)
            assert ws.close_code == WSCloseCode.MESSAGE_TOO_BIG


async def test_websockets_server_refusing_the_upgrade_raises_handshake_error():
    server = require("websockets.asyncio.server")

    def refuse(conn: Any, request: Any) -> Any:
        return conn.respond(403, "go away\n")

    async def handler(conn: Any) -> None:
        pass

    async with server.serve(handler, "127.0.0.1", 0, process_request=refuse) as srv:
        url = f"ws://127.0.0.1:{srv.sockets[0].getsockname()[1]}/"
        async with aioteach.ClientSession() as session:
            with pytest.raises(aioteach.WSServerHandshakeError) as info:
                await session.ws_connect(url)
    assert info.value.status == 403
