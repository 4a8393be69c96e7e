"""aioteach's WebSockets against aiohttp's: the same code on either library, every pairing.

The promise of the project is that code written for aiohttp runs on aioteach by changing the
import.  So the handler and the client below are written once, against a ``web`` module and a
``ClientSession`` class passed in, and run as aioteach-aioteach, aioteach-aiohttp,
aiohttp-aioteach and aiohttp-aiohttp (the last one is the reference the others must match).
"""
from __future__ import annotations

import asyncio
import contextlib
from typing import Any, AsyncIterator, Tuple

import pytest

import aioteach
from aioteach import web as aioteach_web
from tests.support import require, within

pytestmark = pytest.mark.peer


def make_app(web: Any, record: "asyncio.Queue[Any]") -> Any:
    """A chat-ish endpoint written against aiohttp's API, for whichever ``web`` is given."""
    async def handler(request: Any) -> Any:
        ws = web.WebSocketResponse(protocols=("json", "text"))
        await ws.prepare(request)
        async for msg in ws:
            if msg.type == 1:                                     # WSMsgType.TEXT
                if msg.data == "close":
                    await ws.close(code=4010, message=b"server closed")
                elif msg.data.startswith("{"):
                    await ws.send_json({"got": msg.json(), "protocol": ws.ws_protocol})
                else:
                    await ws.send_str(msg.data.upper())
            elif msg.type == 2:                                   # WSMsgType.BINARY
                await ws.send_bytes(msg.data[::-1])
        await record.put(ws.close_code)
        return ws

    app = web.Application()
    app.router.add_get("/ws", handler)
    return app


@contextlib.asynccontextmanager
async def running(web: Any, app: Any) -> AsyncIterator[str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/ws"
    finally:
        await runner.cleanup()


def libraries(server: str, client: str) -> Tuple[Any, Any, Any]:
    aiohttp = require("aiohttp") if "aiohttp" in (server, client) else None
    web = require("aiohttp.web") if server == "aiohttp" else aioteach_web
    session = aiohttp.ClientSession if client == "aiohttp" else aioteach.ClientSession
    msg_type = aiohttp.WSMsgType if client == "aiohttp" else aioteach.WSMsgType
    return web, session, msg_type


PAIRS = [("aioteach", "aioteach"), ("aioteach", "aiohttp"), ("aiohttp", "aioteach"),
         ("aiohttp", "aiohttp")]


@pytest.mark.parametrize("server, client", PAIRS)
async def test_the_same_code_on_both_libraries(server, client):
    web, ClientSession, WSMsgType = libraries(server, client)
    record: "asyncio.Queue[Any]" = asyncio.Queue()
    async with running(web, make_app(web, record)) as url:
        async with ClientSession() as session:
            async with session.ws_connect(url, protocols=("text", "json")) as ws:
                assert ws.protocol == "text"                     # the client's first choice
                await ws.send_str("shout")
                assert await within(ws.receive_str()) == "SHOUT"
                await ws.send_json({"a": 1})
                assert await within(ws.receive_json()) == {"got": {"a": 1}, "protocol": "text"}
                await ws.send_bytes(b"abc")
                assert await within(ws.receive_bytes()) == b"cba"
                await ws.ping()                                  # answered, never surfaced
                await ws.send_str("close")
                msg = await within(ws.receive())
                assert (msg.type, msg.data, msg.extra) == (WSMsgType.CLOSE, 4010, "server closed")
                assert ws.closed
            # The closer reads the code of the answer: both libraries answer 1000.
            assert await within(record.get()) == 1000

            async with session.ws_connect(url) as ws:
                assert ws.protocol is None
                await ws.send_str("x")
                assert await within(ws.receive_str()) == "X"
                assert await ws.close(code=4011, message=b"client closed") is True
                assert ws.close_code == 1000
            assert await within(record.get()) == 4011


@pytest.mark.parametrize("server, client", [("aioteach", "aiohttp"), ("aiohttp", "aioteach")])
async def test_heartbeat_pings_are_answered_by_the_other_library(server, client):
    web, ClientSession, WSMsgType = libraries(server, client)
    record: "asyncio.Queue[Any]" = asyncio.Queue()
    async with running(web, make_app(web, record)) as url:
        async with ClientSession() as session:
            # The client's heartbeat: a Ping every 0.02 s, each answered by the server's
            # autoping; five messages later the connection is still the same one.
            async with session.ws_connect(url, heartbeat=0.02, autoping=True) as ws:
                for n in range(5):
                    await ws.send_str(f"m{n}")
                    assert await within(ws.receive_str()) == f"M{n}"
            assert ws.close_code == 1000
            assert await within(record.get()) == 1000


@pytest.mark.parametrize("server", ["aioteach", "aiohttp"])
async def test_a_refused_upgrade_is_a_ws_server_handshake_error_on_aioteach(server):
    web, _, _ = libraries(server, "aioteach")
    app = web.Application()

    async def plain(request: Any) -> Any:
        return web.Response(status=403, text="members only")

    app.router.add_get("/ws", plain)
    async with running(web, app) as url, aioteach.ClientSession() as session:
        with pytest.raises(aioteach.WSServerHandshakeError) as info:
            await session.ws_connect(url)
    assert info.value.status == 403
