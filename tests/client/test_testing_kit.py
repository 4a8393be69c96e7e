"""The testing kit: TestServer, RawTestServer, TestClient, make_mocked_request and fixtures."""
from __future__ import annotations

import socket

import pytest

from aioteach import web
from aioteach.testing import (RawTestServer, TestClient, TestServer, make_mocked_request)


def hello_app():
    async def hello(request):
        return web.Response(text=f"hello {request.match_info.get('name', 'world')}")

    async def login(request):
        response = web.Response(text="in")
        response.set_cookie("sid", "abc")
        return response

    async def whoami(request):
        return web.Response(text=request.cookies.get("sid", "nobody"))

    app = web.Application()
    app.router.add_get("/", hello)
    app.router.add_get("/hi/{name}", hello)
    app.router.add_post("/login", login)
    app.router.add_get("/whoami", whoami)
    return app


async def test_client_fixture_requests_by_path(aioteach_client):
    client = await aioteach_client(hello_app())
    resp = await client.get("/")
    assert (resp.status, await resp.text()) == (200, "hello world")
    async with client.get("/hi/ann") as resp:
        assert await resp.text() == "hello ann"
    assert str(client.make_url("/x?y=1")) == f"http://127.0.0.1:{client.port}/x?y=1"
    assert client.app is not None


async def test_client_keeps_cookies_from_127_0_0_1(aioteach_client):
    client = await aioteach_client(hello_app())
    assert await (await client.get("/whoami")).text() == "nobody"
    await (await client.post("/login")).read()
    assert await (await client.get("/whoami")).text() == "abc"


async def test_server_fixture(aioteach_server):
    from aioteach import ClientSession
    server = await aioteach_server(hello_app())
    async with ClientSession() as session:
        async with session.get(server.make_url("/hi/bob")) as resp:
            assert await resp.text() == "hello bob"


async def test_raw_server_fixture(aioteach_raw_server, aioteach_client):
    async def handler(request):
        return web.Response(text=f"raw {request.method} {request.path}")

    server = await aioteach_raw_server(handler)
    client = await aioteach_client(server)
    async with client.post("/any/path") as resp:
        assert await resp.text() == "raw POST /any/path"


async def test_context_managers_clean_up():
    server = TestServer(hello_app())
    async with TestClient(server) as client:
        assert (await (await client.get("/")).text()) == "hello world"
        port = client.port
    assert client.closed and server.closed
    with socket.socket() as sock:                   # the port was let go
        sock.bind(("127.0.0.1", port))


async def test_raw_test_server_as_context_manager():
    async def handler(request):
        return web.Response(text="raw")

    async with RawTestServer(handler) as server:
        async with TestClient(server) as client:
            assert await (await client.get("/")).text() == "raw"


def test_unused_port_fixture(unused_port, aioteach_unused_port):
    port = unused_port()
    assert 0 < port < 65536 and 0 < aioteach_unused_port() < 65536
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


async def test_make_mocked_request_runs_a_handler_without_a_socket():
    async def handler(request):
        body = await request.read()
        return web.json_response({
            "method": request.method, "path": request.path, "query": dict(request.query),
            "ua": request.headers.get("User-Agent"), "name": request.match_info["name"],
            "body": body.decode()})

    request = make_mocked_request("POST", "/users/ann?x=1", headers={"User-Agent": "t"},
                                  match_info={"name": "ann"}, payload=b"data")
    response = await handler(request)
    assert response.status == 200
    assert response.text == ('{"method": "POST", "path": "/users/ann", "query": {"x": "1"}, '
                             '"ua": "t", "name": "ann", "body": "data"}')


def test_make_mocked_request_carries_the_app():
    app = web.Application()
    request = make_mocked_request("GET", "/", app=app)
    assert request.app is app
    assert request.headers["Host"] == "localhost"
    assert request.version == (1, 1)


def test_make_url_needs_a_started_server():
    server = TestServer(hello_app())
    with pytest.raises(RuntimeError, match="not started"):
        server.make_url("/")


async def test_client_ws_connect_by_path(aioteach_client):
    async def echo(request):
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for message in ws:
            await ws.send_str("echo " + message.data)
        return ws

    app = web.Application()
    app.router.add_get("/ws", echo)
    client = await aioteach_client(app)
    ws = await client.ws_connect("/ws")
    await ws.send_str("hi")
    assert (await ws.receive_str()) == "echo hi"
    # left open on purpose: client.close() at the end of the test closes it


def test_the_testing_kit_takes_type_parameters_in_annotations_as_aiohttps_does():
    from aioteach import testing, web
    assert testing.TestClient[web.Request, web.Application].__origin__ is testing.TestClient
    assert testing.BaseTestServer[web.Request].__origin__ is testing.BaseTestServer


async def test_a_socket_from_get_unused_port_socket_serves_a_sock_site():
    from aioteach import ClientSession, testing, web

    async def hello(request):
        return web.Response(text="kept")

    app = web.Application()
    app.router.add_get("/", hello)
    sock = testing.get_unused_port_socket("127.0.0.1")
    port = sock.getsockname()[1]
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.SockSite(runner, sock).start()
        async with ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/") as resp:
                assert await resp.text() == "kept"
    finally:
        await runner.cleanup()
