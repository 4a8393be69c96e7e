"""aiohttp's spellings that reach the server: handler_args, read_bufsize, old-style middleware
and the deprecated StreamResponse.drain(), each through a real request on 127.0.0.1."""
from __future__ import annotations

import pytest

from aioteach import web
from aioteach.testing import TestClient, TestServer


async def test_handler_args_read_bufsize_sets_the_body_streams_water_marks():
    async def handler(request: web.Request) -> web.Response:
        limits = request.content.get_read_buffer_limits()
        return web.Response(text=f"{await request.text()} {limits}")

    app = web.Application(handler_args={"read_bufsize": 2})
    app.router.add_post("/", handler)
    async with TestClient(TestServer(app)) as client:
        async with client.post("/", data=b"data") as resp:
            assert await resp.text() == "data (2, 4)"


async def test_drain_is_deprecated_but_still_waits():
    async def handler(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Length": "4"})
        await resp.prepare(request)
        with pytest.warns(DeprecationWarning, match="use await resp.write"):
            await resp.drain()
        await resp.write(b"test")
        await resp.write_eof()
        return resp

    app = web.Application()
    app.router.add_get("/", handler)
    async with TestClient(TestServer(app)) as client:
        async with client.get("/") as resp:
            assert await resp.read() == b"test"


async def test_an_old_style_middleware_warns_with_its_repr():
    async def factory(app: web.Application, handler):
        return handler

    app = web.Application()
    app.middlewares.append(factory)
    with pytest.warns(DeprecationWarning) as caught:
        app.freeze()
    assert str(caught[0].message) == f'old-style middleware "{factory!r}" deprecated, see #2252'


async def test_content_coding_is_an_enum_accepted_by_enable_compression():
    import zlib

    assert web.ContentCoding.deflate.value == "deflate"

    async def handler(request: web.Request) -> web.Response:
        resp = web.Response(body=b"x" * 100)
        resp.enable_compression(force=web.ContentCoding.deflate)
        return resp

    app = web.Application()
    app.router.add_get("/", handler)
    async with TestClient(TestServer(app)) as client:
        async with client.get("/", auto_decompress=False) as resp:
            assert resp.headers["Content-Encoding"] == "deflate"
            assert zlib.decompress(await resp.read()) == b"x" * 100


def test_a_cookie_field_has_only_pairs_even_with_attribute_names():
    from aioteach.testing import make_mocked_request

    request = make_mocked_request("GET", "/", headers={
        "Cookie": 'path=unquoted; secure="quoted"; session=abc; broken; x="a\\073b"'})
    assert dict(request.cookies) == {"path": "unquoted", "secure": "quoted",
                                     "session": "abc", "x": "a;b"}


async def test_a_test_client_keeps_the_empty_cookie_jar_it_was_given():
    from aioteach import CookieJar

    jar = CookieJar(unsafe=True)
    async with TestClient(TestServer(web.Application()), cookie_jar=jar) as client:
        assert client.session.cookie_jar is jar
