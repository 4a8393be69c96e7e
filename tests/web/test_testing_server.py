"""The testing kit's server side: where TestServer listens, what it reports, how it refuses.

Each test starts a real server on 127.0.0.1 (or ::1) and stops it; the assertions are on what
a test author reads: host, port, the running Server, the errors for misuse.
"""
from __future__ import annotations

import socket
import unittest
import warnings

import pytest

from aioteach import web
from aioteach.testing import (AioHTTPTestCase, RawTestServer, TestClient, TestServer,
                              get_port_socket, make_mocked_request, unittest_run_loop)


def hello_app() -> web.Application:
    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hi")

    app = web.Application()
    app.router.add_get("/", hello)
    return app


async def test_the_host_and_port_are_read_back_from_the_socket_and_cleared_at_close():
    server = TestServer(hello_app(), host="localhost", loop=object())   # loop= is ignored
    assert server.port is None
    async with server:
        assert server.host == "127.0.0.1"                 # the name resolved by bind()
        assert isinstance(server.port, int) and server.port > 0
        assert str(server.make_url("/")) == f"http://127.0.0.1:{server.port}/"
        assert server.handler.requests_count == 0
    assert server.port is None and server.handler is None


async def test_a_socket_factory_chooses_the_socket():
    made = []

    def factory(host: str, port: int, family: socket.AddressFamily) -> socket.socket:
        made.append((host, port, family))
        return get_port_socket(host, port, family)

    async with TestClient(TestServer(hello_app(), socket_factory=factory)) as client:
        async with client.get("/") as resp:
            assert await resp.text() == "hi"
        assert client.server.handler.requests_count == 1
    assert made == [("127.0.0.1", 0, socket.AF_INET)]


@pytest.mark.skipif(not socket.has_ipv6, reason="no IPv6")
async def test_an_ipv6_host_is_bracketed_in_urls():
    try:
        get_port_socket("::1", 0, socket.AF_INET6).close()
    except OSError:
        pytest.skip("::1 cannot be bound here")
    async with RawTestServer(lambda request: None, host="::1") as server:
        assert server.host == "::1"
        assert str(server.make_url("/x")).startswith("http://[::1]:")


async def test_make_url_refuses_an_absolute_url_as_valueerror_and_assertionerror():
    async with TestServer(hello_app()) as server:
        with pytest.raises(ValueError):
            server.make_url("http://example.com/")
        with pytest.raises(AssertionError):
            server.make_url("http://example.com/")


def test_a_test_client_needs_a_test_server():
    with pytest.raises(TypeError, match="server must be TestServer instance"):
        TestClient("http://127.0.0.1:8080")           # type: ignore[arg-type]


def test_a_mocked_request_has_a_transport_that_knows_only_sslcontext():
    request = make_mocked_request("GET", "/")
    assert request.transport.get_extra_info("sslcontext") is None
    assert request.transport.get_extra_info("peername") is None
    assert request.scheme == "http"
    context = object()
    assert make_mocked_request("GET", "/", sslcontext=context).transport \
        .get_extra_info("sslcontext") is context
    mine = object()
    assert make_mocked_request("GET", "/", transport=mine).transport is mine


def test_get_app_is_the_older_hook_of_aiohttptestcase():
    class OldStyle(AioHTTPTestCase):
        def get_app(self) -> web.Application:
            return hello_app()

        async def test_hello(self) -> None:
            async with self.client.get("/") as resp:
                assert await resp.text() == "hi"

    class Forgot(AioHTTPTestCase):
        async def test_nothing(self) -> None:
            pass

    result = unittest.TestResult()
    unittest.TestSuite([OldStyle("test_hello"), Forgot("test_nothing")]).run(result)
    assert result.testsRun == 2 and not result.failures
    assert len(result.errors) == 1                      # Forgot's, not OldStyle's
    assert "Did you forget to define get_application()?" in result.errors[0][1]


def test_unittest_run_loop_warns_as_aiohttp_does():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        unittest_run_loop(lambda: None)
    assert "is no longer needed in aiohttp 3.8+" in str(caught[0].message)


async def test_start_server_keywords_are_server_settings():
    """aiohttp_server(app, max_field_size=...) hands its keywords to start_server()."""
    server = TestServer(hello_app())
    await server.start_server(max_field_size=81920)
    try:
        async with TestClient(server) as client:
            async with client.get("/", headers={"Long-Header": "ab" * 8129}) as resp:
                assert resp.status == 200
    finally:
        await server.close()
