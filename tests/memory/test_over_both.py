"""A slice of the server, client and WebSocket behaviour, run over TCP and over memory.

Every test takes the ``transport`` fixture and so runs twice; nothing in a test says which
transport it has, apart from the URL it is given: the layers above cannot tell them apart.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

import aioteach
from aioteach import trace, web
from aioteach.client.memory import MemoryConnector
from tests.support import within

from .conftest import running


def make_app() -> web.Application:
    routes = web.RouteTableDef()

    @routes.get("/json")
    async def as_json(request: web.Request) -> web.Response:
        return web.json_response({"remote": request.remote, "host": request.host,
                                  "q": request.query.get("q")})

    @routes.post("/form")
    async def form(request: web.Request) -> web.Response:
        data = await request.post()
        return web.Response(text=",".join(f"{k}={v}" for k, v in data.items()))

    @routes.get("/chunks")
    async def chunks(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        for i in range(5):
            await response.write(f"part {i};".encode())
        await response.write_eof()
        return response

    @routes.get("/redirect")
    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound("/json?q=moved")

    @routes.get("/slow")
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.Response(text="late")

    @routes.get("/ws")
    async def ws(request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        async for message in socket:
            if message.type == aioteach.WSMsgType.BINARY:
                await socket.send_bytes(message.data[::-1])
            elif message.data == "bye":
                await socket.close(code=4001, message=b"server says bye")
            else:
                await socket.send_json({"got": message.data})
        request.app["closed_with"].append(socket.close_code)
        return socket

    app = web.Application()
    app["closed_with"] = []
    app.add_routes(routes)
    return app


async def test_json_and_request_addresses(transport: str):
    async with running(make_app(), transport) as url:
        async with aioteach.ClientSession() as session:
            async with session.get(f"{url}/json", params={"q": "1"}) as response:
                assert response.status == 200
                body = await response.json()
    assert body["q"] == "1" and body["host"] == url.split("//")[1]
    assert body["remote"]                       # request.remote works over both


async def test_form_post_and_chunked_response(transport: str):
    async with running(make_app(), transport) as url:
        async with aioteach.ClientSession() as session:
            async with session.post(f"{url}/form", data={"a": "1", "b": "two"}) as response:
                assert await response.text() == "a=1,b=two"
            async with session.get(f"{url}/chunks") as response:
                assert response.headers["Transfer-Encoding"] == "chunked"
                assert await response.text() == "".join(f"part {i};" for i in range(5))


async def test_keep_alive_reuse_is_traced(transport: str):
    async with running(make_app(), transport) as url:
        async with aioteach.ClientSession() as session:
            with trace.record() as recorder:
                for _ in range(3):
                    async with session.get(f"{url}/json") as response:
                        await response.read()
            assert session.connector.open_connections == 1
    reused = [e["reused"] for e in recorder.of_kind("client.connection_acquired")]
    assert reused == [False, True, True]
    assert len(recorder.of_kind("server.connection_made")) == 1
    assert len(recorder.of_kind("server.handler_start")) == 3
    assert sum(e["n"] for e in recorder.of_kind("server.bytes_in")) > 0
    assert recorder.spans()                     # the timeline has something to draw


async def test_not_found_method_not_allowed_and_redirect(transport: str):
    async with running(make_app(), transport) as url:
        async with aioteach.ClientSession() as session:
            async with session.get(f"{url}/nowhere") as response:
                assert response.status == 404
            async with session.delete(f"{url}/json") as response:
                assert response.status == 405 and "GET" in response.headers["Allow"]
            async with session.get(f"{url}/redirect") as response:
                assert response.status == 200 and len(response.history) == 1
                assert (await response.json())["q"] == "moved"
            async with session.head(f"{url}/json") as response:
                assert response.status == 200 and await response.read() == b""


async def test_client_timeout(transport: str):
    async with running(make_app(), transport, shutdown_timeout=0.2) as url:
        async with aioteach.ClientSession(timeout=aioteach.ClientTimeout(total=0.2)) as session:
            with pytest.raises(asyncio.TimeoutError):
                await session.get(f"{url}/slow")


async def test_access_log_names_the_peer(transport: str, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.INFO, logger="aioteach.access")
    async with running(make_app(), transport) as url:
        async with aioteach.ClientSession() as session:
            async with session.get(f"{url}/json") as response:
                remote = (await response.json())["remote"]
    lines = [r.getMessage() for r in caplog.records if r.name == "aioteach.access"]
    assert lines and lines[0].startswith(remote) and '"GET /json HTTP/1.1" 200' in lines[0]


async def test_websocket_both_sides(transport: str):
    app = make_app()
    async with running(app, transport) as url:
        async with aioteach.ClientSession() as session:
            async with session.ws_connect(f"{url}/ws") as socket:
                await socket.send_bytes(b"abc")
                assert (await within(socket.receive())).data == b"cba"
                await socket.send_str("hi")
                assert await within(socket.receive_json()) == {"got": "hi"}
                await socket.send_str("bye")
                closing = await within(socket.receive())
                assert closing.type == aioteach.WSMsgType.CLOSE
                assert (socket.close_code, closing.extra) == (4001, "server says bye")
            async with session.ws_connect(f"{url}/ws") as socket:
                await socket.close(code=4002)
        for _ in range(100):
            if len(app["closed_with"]) == 2:
                break
            await asyncio.sleep(0.01)
    assert len(app["closed_with"]) == 2 and app["closed_with"][1] == 4002


async def test_shutdown_closes_open_websockets_with_1001(transport: str):
    async with aioteach.ClientSession() as session:
        async with running(make_app(), transport, shutdown_timeout=1.0) as url:
            socket = await session.ws_connect(f"{url}/ws")
        message = await within(socket.receive())
        assert message.type in (aioteach.WSMsgType.CLOSE, aioteach.WSMsgType.CLOSED)
        assert socket.close_code == 1001
        await socket.close()


async def test_refused_is_a_client_connector_error(transport: str):
    url = "http://127.0.0.1:9" if transport == "tcp" else "http://memory-nobody"
    connector: Any = aioteach.TCPConnector() if transport == "tcp" else MemoryConnector()
    async with aioteach.ClientSession(connector=connector) as session:
        with pytest.raises(aioteach.ClientConnectorError):
            await session.get(url)


async def test_memory_connector_sends_every_request_to_its_server():
    async with running(make_app(), "memory") as url:
        name = url.split("//")[1]
        async with aioteach.ClientSession(connector=MemoryConnector(server=name)) as session:
            async with session.get("http://anything.example/json") as response:
                assert response.status == 200
                assert (await response.json())["host"] == "anything.example"
            with pytest.raises(aioteach.ClientConnectorError):
                await session.get("https://anything.example/json")     # no TLS in memory
        assert "MemoryConnector" in repr(session.connector)
