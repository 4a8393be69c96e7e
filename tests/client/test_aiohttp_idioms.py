"""aiohttp's test idioms and client behaviours (issue 15), and the ``with`` slips (issue 12)."""
from __future__ import annotations

import asyncio
import gc
import io
import unittest.mock
import warnings

import pytest

import aioteach
from aioteach import ClientSession, web
from aioteach.client.contexts import WITH_REQUEST_HINT, WITH_SESSION_HINT
from aioteach.testing import (TestClient, TestServer, loop_context, make_mocked_coro,
                              setup_test_loop, teardown_test_loop, unittest_run_loop)

from .servers import RawServer, respond, serve_responses


def hello_app() -> web.Application:
    async def hello(request):
        return web.Response(text=f"path {request.raw_path}")

    async def echo_ws(request):
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            await ws.send_str(msg.data.upper())
        return ws

    app = web.Application()
    app.router.add_get("/ws", echo_ws)
    app.router.add_get("/{tail:.*}", hello)
    return app


# -- release() is awaitable; reading after it raises ---------------------------------------
async def test_await_release_returns_at_once_and_reading_after_it_raises():
    async with TestClient(TestServer(hello_app())) as client:
        resp = await client.get("/a")
        assert await resp.text() == "path /a"
        assert await resp.release() is None        # aiohttp's idiom: awaitable, nothing to wait for
        assert resp.closed
        with pytest.raises(aioteach.ClientConnectionError, match="^Connection closed"):
            await resp.read()                      # even though the body had been read
        with pytest.raises(aioteach.ClientConnectionError):
            await resp.text()


async def test_reading_a_closed_response_raises():
    async with TestClient(TestServer(hello_app())) as client:
        resp = await client.get("/b")
        resp.close()
        with pytest.raises(aioteach.ClientConnectionError, match="^Connection closed"):
            await resp.read()


async def test_a_bodiless_response_still_reads_empty_after_release():
    async with RawServer(serve_responses(lambda seen: respond(204))) as server:
        async with ClientSession() as session:
            resp = await session.get(server.url("/"))
            await resp.release()
            assert await resp.read() == b""        # 204: nothing was ever to be read


async def test_inside_async_with_raise_for_status_leaves_the_body_readable():
    async with RawServer(serve_responses(lambda seen: respond(503, b"try later"))) as server:
        async with ClientSession() as session:
            async with session.get(server.url("/")) as resp:
                with pytest.raises(aioteach.ClientResponseError):
                    resp.raise_for_status()
                assert await resp.text() == "try later"
            resp = await session.get(server.url("/"))
            with pytest.raises(aioteach.ClientResponseError):
                resp.raise_for_status()            # outside a block it releases, as in aiohttp
            assert resp.closed


# -- the test client ---------------------------------------------------------------------
async def test_ws_connect_works_with_await_and_with_async_with():
    async with TestClient(TestServer(hello_app())) as client:
        ws = await client.ws_connect("/ws")
        await ws.send_str("one")
        assert (await ws.receive()).data == "ONE"
        await ws.close()
        async with client.ws_connect("/ws") as ws:
            await ws.send_str("two")
            assert (await ws.receive()).data == "TWO"
        assert ws.closed


async def test_paths_starting_with_two_slashes_need_skip_url_asserts():
    server = TestServer(hello_app(), skip_url_asserts=True)
    async with TestClient(server) as client:
        for path in ("//a//b", "///c", "//d//e?p=1"):
            async with client.get(path) as resp:
                assert await resp.text() == f"path {path}"
                assert resp.url.query == aioteach.URL(path).query
    async with TestClient(TestServer(hello_app())) as client:
        with pytest.raises(ValueError):            # "//a" names a host: refused by default
            await client.get("//a//b")


def test_loop_context_gives_a_fresh_current_loop_and_closes_it():
    with loop_context() as loop:
        assert asyncio.get_event_loop_policy().get_event_loop() is loop

        async def answer():
            return 42
        assert loop.run_until_complete(answer()) == 42
    assert loop.is_closed()
    loop = setup_test_loop()
    assert not loop.is_closed()
    teardown_test_loop(loop, fast=True)
    assert loop.is_closed()


async def test_make_mocked_coro_records_calls_and_returns_or_raises():
    mocked = make_mocked_coro(7)
    assert await mocked(1, x=2) == 7
    mocked.assert_called_once_with(1, x=2)
    failing = make_mocked_coro(raise_exception=KeyError("k"))
    with pytest.raises(KeyError):
        await failing()
    assert isinstance(mocked, unittest.mock.Mock)


def test_unittest_run_loop_is_a_deprecated_no_op():
    def method():
        return "same"
    with pytest.warns(DeprecationWarning, match="no longer needed"):
        assert unittest_run_loop(method) is method


# -- the with slips (issue 12) -----------------------------------------------------------
async def test_plain_with_on_a_session_names_the_cause_and_the_fix():
    session = ClientSession()
    try:
        with pytest.raises(TypeError) as caught:
            with session:
                pass
    finally:
        await session.close()
    assert str(caught.value) == WITH_SESSION_HINT
    assert "async with aioteach.ClientSession() as session:" in WITH_SESSION_HINT


async def test_plain_with_on_a_request_connects_nowhere_and_leaves_no_warning():
    async with RawServer(serve_responses(lambda seen: respond(200, b"x"))) as server:
        async with ClientSession() as session:
            with warnings.catch_warnings(record=True) as caught_warnings:
                warnings.simplefilter("always")
                with pytest.raises(TypeError) as caught:
                    with session.get(server.url("/")):
                        pass
                gc.collect()                       # a dropped coroutine would warn here
            assert str(caught.value) == WITH_REQUEST_HINT
            assert "async with session.get(url) as resp:" in WITH_REQUEST_HINT
            assert not [w for w in caught_warnings if "never awaited" in str(w.message)]
            assert server.connections == 0
            with pytest.raises(TypeError, match="aioteach.request"):
                with aioteach.request("GET", server.url("/")):
                    pass


# -- redirects re-send files; more than 100 fields --------------------------------------------
@pytest.mark.parametrize("status", [307, 308])
async def test_a_file_body_is_sent_again_after_307_and_308(tmp_path, status):
    bodies = []

    async def upload(request):
        bodies.append((request.path, await request.read(), request.headers.get("Content-Length")))
        if request.path == "/first":
            raise web.HTTPTemporaryRedirect("/second") if status == 307 else \
                web.HTTPPermanentRedirect("/second")
        return web.Response(text="stored")

    app = web.Application()
    app.router.add_post("/{name}", upload)
    path = tmp_path / "upload.bin"
    path.write_bytes(b"0123456789" * 1000)
    async with TestClient(TestServer(app)) as client:
        with open(path, "rb") as file:
            file.read(5)                           # sent from where the file stands
            async with client.post("/first", data=file) as resp:
                assert await resp.text() == "stored"
    content = path.read_bytes()[5:]
    assert bodies == [("/first", content, str(len(content))),
                      ("/second", content, str(len(content)))]


async def test_an_async_iterator_body_cannot_follow_a_307():
    async def chunks():
        yield b"once"

    async with RawServer(serve_responses(lambda seen: respond(
            307, headers={"Location": "/again"}))) as server:
        async with ClientSession() as session:
            with pytest.raises(aioteach.ClientError, match="stream"):
                await session.post(server.url("/"), data=chunks())


async def test_up_to_128_response_fields_by_default_and_more_when_asked():
    many = {f"X-Field-{i}": "x" for i in range(120)}
    more = {f"X-Field-{i}": "x" for i in range(200)}
    answers = {"/many": respond(200, b"ok", many), "/more": respond(200, b"ok", more)}
    async with RawServer(serve_responses(lambda seen: answers[seen.line.split()[1]])) as server:
        async with ClientSession() as session:
            async with session.get(server.url("/many")) as resp:
                assert resp.headers["X-Field-119"] == "x"
            with pytest.raises(aioteach.ClientResponseError) as caught:
                await session.get(server.url("/more"))
            assert caught.value.status == 431
            async with session.get(server.url("/more"), max_headers=250) as resp:
                assert resp.headers["X-Field-199"] == "x"
        async with ClientSession(max_headers=250) as session:
            async with session.get(server.url("/more")) as resp:
                assert len(resp.headers) == 201


async def test_a_body_from_a_bytesio_is_sent_with_its_length():
    async with RawServer(serve_responses(lambda seen: respond(200, seen.body))) as server:
        async with ClientSession() as session:
            async with session.post(server.url("/"), data=io.BytesIO(b"abc")) as resp:
                assert await resp.read() == b"abc"
