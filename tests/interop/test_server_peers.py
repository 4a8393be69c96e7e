"""Independent clients against an aioteach server: curl, aiohttp's client, httpx.

If our server bends HTTP/1.1, one of these notices: each has its own parser and its own
ideas about keep-alive, 100-continue and chunked bodies.
"""
from __future__ import annotations

import asyncio
import json

import pytest

from aioteach import web
from tests.support import require, require_exe
from tests.web.server_support import serve

pytestmark = pytest.mark.peer


def make_app() -> web.Application:
    app = web.Application(client_max_size=8 * 1024 * 1024)

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text=f"Hello, {request.query.get('name', 'World')}!")

    async def echo(request: web.Request) -> web.Response:
        body = await request.read()
        return web.json_response({"length": len(body), "type": request.content_type,
                                  "chunked": "chunked" in request.headers.get(
                                      "Transfer-Encoding", "")})

    async def numbers(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/plain"})
        await resp.prepare(request)
        for i in range(1000):
            await resp.write(b"%d\n" % i)
        await resp.write_eof()
        return resp

    async def user(request: web.Request) -> web.Response:
        return web.json_response({"id": int(request.match_info["id"])})

    app.router.add_get("/hello", hello)
    app.router.add_post("/echo", echo)
    app.router.add_get("/numbers", numbers)
    app.router.add_get("/user/{id}", user)
    return app


NUMBERS = "".join(f"{i}\n" for i in range(1000))


async def _curl(*args: str) -> tuple:
    proc = await asyncio.create_subprocess_exec(
        require_exe("curl"), "-sS", "--max-time", "20", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    return out, err


async def test_curl_get_stream_and_keep_alive(tmp_path):
    async with serve(make_app()) as (port, _):
        base = f"http://127.0.0.1:{port}"
        out, err = await _curl("-v", f"{base}/hello?name=curl", f"{base}/numbers")
        assert out.decode() == "Hello, curl!" + NUMBERS
        assert b"Re-using existing connection" in err or b"Reusing existing" in err
        out, _ = await _curl("-I", f"{base}/hello")
        assert out.startswith(b"HTTP/1.1 200 OK") and b"Content-Length: 13" in out


async def test_curl_large_upload_with_expect_100_continue(tmp_path):
    payload = tmp_path / "payload.bin"
    payload.write_bytes(b"p" * (2 * 1024 * 1024))
    async with serve(make_app()) as (port, _):
        out, err = await _curl("-v", "-H", "Expect: 100-continue", "--data-binary",
                               f"@{payload}", f"http://127.0.0.1:{port}/echo")
        assert json.loads(out)["length"] == 2 * 1024 * 1024
        assert b"100 Continue" in err


async def test_curl_chunked_upload(tmp_path):
    async with serve(make_app()) as (port, _):
        out, _ = await _curl("-H", "Transfer-Encoding: chunked", "--data-binary", "x" * 5000,
                             f"http://127.0.0.1:{port}/echo")
        assert json.loads(out) == {"length": 5000, "type": "application/x-www-form-urlencoded",
                                   "chunked": True}


async def test_aiohttp_client():
    aiohttp = require("aiohttp")
    async with serve(make_app()) as (port, runner):
        base = f"http://127.0.0.1:{port}"
        connector = aiohttp.TCPConnector(limit=1)
        async with aiohttp.ClientSession(connector=connector) as session:
            for i in range(5):
                async with session.get(f"{base}/user/{i}") as resp:
                    assert resp.status == 200 and await resp.json() == {"id": i}
            async with session.get(f"{base}/numbers") as resp:
                assert resp.headers["Transfer-Encoding"] == "chunked"
                assert (await resp.text()) == NUMBERS

            async def chunks():
                for _ in range(10):
                    yield b"z" * 10000

            async with session.post(f"{base}/echo", data=chunks()) as resp:
                assert (await resp.json())["length"] == 100000
            async with session.post(f"{base}/echo", json={"a": 1}) as resp:
                assert (await resp.json())["type"] == "application/json"
            async with session.head(f"{base}/hello") as resp:
                assert resp.status == 200 and resp.content_length == 13
            async with session.get(f"{base}/missing") as resp:
                assert resp.status == 404 and await resp.text() == "404: Not Found"
        assert len(runner.server.connections) <= 1


async def test_httpx_client():
    httpx = require("httpx")
    async with serve(make_app()) as (port, _):
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=20) as client:
            resp = await client.get("/hello", params={"name": "httpx"})
            assert resp.status_code == 200 and resp.text == "Hello, httpx!"
            assert resp.headers["content-type"] == "text/plain; charset=utf-8"
            resp = await client.post("/echo", content=b"q" * 70000)
            assert resp.json()["length"] == 70000
            async with client.stream("GET", "/numbers") as stream:
                text = "".join([part async for part in stream.aiter_text()])
            assert text == NUMBERS
            resp = await client.get("/user/7", headers={"Connection": "close"})
            assert resp.json() == {"id": 7}
