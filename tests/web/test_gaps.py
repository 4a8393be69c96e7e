"""aiohttp.web names that aioteach.web once lacked: SockSite, RequestPayloadError,
NotAppKeyWarning, and a public surface trimmed to aiohttp's shape."""
from __future__ import annotations

import asyncio
import importlib
import inspect
import socket
import warnings

import pytest

import aioteach
from aioteach import web
from aioteach.http1 import RemoteProtocolError
from tests.web.server_support import TIMEOUT, serve


async def hello(request: web.Request) -> web.Response:
    return web.Response(text="hello")


def hello_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/", hello)
    return app


async def get_status_line(port: int, request: bytes = b"GET / HTTP/1.1\r\nHost: x\r\n"
                                                      b"Connection: close\r\n\r\n") -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        return await asyncio.wait_for(reader.read(), TIMEOUT)
    finally:
        writer.close()


# -- SockSite ----------------------------------------------------------------------------------
def bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


async def test_sock_site_serves_on_a_socket_bound_beforehand_and_closes_it():
    sock = bound_socket()
    port = sock.getsockname()[1]
    runner = web.AppRunner(hello_app(), access_log=None)
    await runner.setup()
    try:
        site = web.SockSite(runner, sock)
        assert site.name == f"http://127.0.0.1:{port}"          # known before start
        await site.start()
        assert runner.addresses == [("127.0.0.1", port)]
        assert site in runner.sites
        answer = await get_status_line(port)
        assert answer.startswith(b"HTTP/1.1 200 OK\r\n") and answer.endswith(b"hello")
    finally:
        await runner.cleanup()
    assert sock.fileno() == -1 and runner.addresses == []


async def test_run_app_serves_on_the_sockets_it_is_given():
    sock = bound_socket()
    port = sock.getsockname()[1]
    banner: asyncio.Future = asyncio.get_running_loop().create_future()
    serving = asyncio.ensure_future(web.runapp._run_app(
        hello_app(), host=None, port=None, path=None, sock=sock, shutdown_timeout=1.0,
        ssl_context=None, print=banner.set_result, backlog=16, reuse_address=None,
        reuse_port=None, access_log=None))
    try:
        text = await asyncio.wait_for(banner, TIMEOUT)
        assert text.startswith(f"======== Running on http://127.0.0.1:{port} ========")
        assert (await get_status_line(port)).endswith(b"hello")
    finally:
        serving.cancel()
        with pytest.raises(asyncio.CancelledError):
            await serving
    assert sock.fileno() == -1


# -- RequestPayloadError ---------------------------------------------------------------------
CHUNKED_HEAD = (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                b"Connection: close\r\n\r\n5\r\nhello\r\n")


async def body_outcome(rest: bytes, *, hang_up: bool = False, read: str = "read") -> tuple:
    """Send a chunked body's first chunk, wait until the handler reads, then ``rest``.
    Returns (what the handler's read raised, the bytes the client got back)."""
    started, outcome = asyncio.Event(), asyncio.get_running_loop().create_future()

    async def upload(request: web.Request) -> web.Response:
        started.set()
        try:
            await (request.read() if read == "read" else request.content.read())
        except Exception as exc:
            outcome.set_result(exc)
            raise
        outcome.set_result(None)
        return web.Response(text="read it all")

    app = web.Application()
    app.router.add_post("/", upload)
    async with serve(app) as (port, _):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(CHUNKED_HEAD)
            await asyncio.wait_for(started.wait(), TIMEOUT)
            writer.write(rest)
            if hang_up:
                writer.close()
            error = await asyncio.wait_for(outcome, TIMEOUT)
            answer = b"" if hang_up else await asyncio.wait_for(reader.read(), TIMEOUT)
        finally:
            writer.close()
    return error, answer


@pytest.mark.parametrize("rest, hint", [
    (b"zz\r\n", "malformed chunk size"),
    (b"5\r\nhelloXX\r\n0\r\n\r\n", "missing CR LF after chunk data"),
])
@pytest.mark.parametrize("read", ["read", "content"])
async def test_a_body_that_breaks_its_framing_raises_request_payload_error(rest, hint, read):
    error, answer = await body_outcome(rest, read=read)
    assert type(error) is web.RequestPayloadError and hint in str(error)
    assert isinstance(error, RemoteProtocolError) and error.status == 400
    assert isinstance(error.__cause__, RemoteProtocolError)
    # let through by the handler, it is still answered as the peer's fault: 400 and a close
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n") and hint.encode() in answer
    assert b"Connection: close" in answer


async def test_a_client_that_hangs_up_mid_body_is_a_connection_reset_as_in_aiohttp():
    error, _ = await body_outcome(b"5\r\nwor", hang_up=True)
    assert isinstance(error, ConnectionResetError)
    assert not isinstance(error, web.RequestPayloadError)


async def test_a_whole_body_still_reads():
    error, answer = await body_outcome(b"0\r\n\r\n")
    assert error is None and answer.endswith(b"read it all")


# -- NotAppKeyWarning --------------------------------------------------------------------------
def test_a_string_app_key_warns_at_the_callers_line():
    app = web.Application()
    with pytest.warns(web.NotAppKeyWarning, match=r"app\['db pool'\].*DB_POOL_KEY") as caught:
        line = inspect.currentframe().f_lineno + 1
        app["db pool"] = "pool"
    assert [(w.filename, w.lineno) for w in caught] == [(__file__, line)]
    assert app["db pool"] == "pool"                       # it still works
    assert issubclass(web.NotAppKeyWarning, UserWarning)


def test_an_app_key_is_quiet():
    app, key = web.Application(), web.AppKey("db", str)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        app[key] = "pool"
        assert app[key] == "pool"


# -- the public surface ------------------------------------------------------------------------
INTERNALS = {"start_eagerly": "eager", "fold_middlewares": "middleware", "http_date": "response",
             "HttpProtocol": "protocol", "Signal": "app",
             "CleanupContext": "app", "LOG_FORMAT": "accesslog", "PrefixResource": "resources",
             "SystemRoute": "resources", "MatchInfoError": "resources"}


def test_web_exports_aiohttp_shaped_names_and_keeps_internals_in_their_modules():
    assert len(web.__all__) == len(set(web.__all__)) and all(hasattr(web, n) for n in web.__all__)
    for name, module in INTERNALS.items():
        assert not hasattr(web, name), name
        assert hasattr(importlib.import_module(f"aioteach.web.{module}"), name), name
        assert f"web.{module}.{name}" in web.__doc__ or name in web.__doc__, name
    assert {"SockSite", "RequestPayloadError", "NotAppKeyWarning", "run_app",
            "HTTPNotFound", "middleware"} <= set(web.__all__)
    assert callable(web.middleware)                  # the decorator, not the module


def test_the_names_that_moved_up_are_aiohttps_top_level_names():
    assert aioteach.MultipartReader is web.multipart.MultipartReader
    assert aioteach.BodyPartReader is web.multipart.BodyPartReader
    assert aioteach.HttpVersion11 == (1, 1) and aioteach.HttpVersion10 == (1, 0)


async def test_run_app_with_a_socket_inside_a_running_loop_says_what_to_do_instead():
    sock = bound_socket()
    try:
        with pytest.raises(RuntimeError, match="SockSite"):
            web.run_app(hello_app(), sock=sock)
    finally:
        sock.close()
