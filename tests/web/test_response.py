"""``web.Response``, ``web.StreamResponse`` and ``web.json_response``: aiohttp's rules, and the
bytes they become on a real connection."""
from __future__ import annotations

import datetime
import json

import pytest

from aioteach import web
from tests.web.server_support import RawClient, exchange, get, serve


def test_text_gives_text_plain_utf8():
    resp = web.Response(text="héllo")
    assert (resp.status, resp.content_type, resp.charset) == (200, "text/plain", "utf-8")
    assert resp.body == "héllo".encode() and resp.text == "héllo"
    assert resp.content_length == len("héllo".encode())
    assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_body_gives_octet_stream_and_content_type_is_honoured():
    assert web.Response(body=b"\x00").content_type == "application/octet-stream"
    resp = web.Response(text="<p>", content_type="text/html", charset="latin-1")
    assert resp.headers["Content-Type"] == "text/html; charset=latin-1"
    assert resp.body == b"<p>"
    resp = web.Response(body=b"x", headers={"Content-Type": "image/png"})
    assert resp.content_type == "image/png"


@pytest.mark.parametrize("kwargs", [
    dict(body=b"a", text="b"),
    dict(text="a", content_type="text/plain; charset=utf-8"),
])
def test_conflicting_arguments_are_value_errors(kwargs):
    with pytest.raises(ValueError):
        web.Response(**kwargs)


def test_text_must_be_str_and_body_bytes_or_str():
    with pytest.raises(TypeError):
        web.Response(text=b"bytes")              # type: ignore[arg-type]
    with pytest.raises(TypeError):
        web.Response(body=42)
    resp = web.Response(body="é")                # as in aiohttp: UTF-8 text
    assert resp.body == "é".encode() and resp.content_type == "text/plain"
    assert resp.charset == "utf-8"


def test_json_response():
    resp = web.json_response({"a": 1}, status=201)
    assert resp.status == 201 and resp.content_type == "application/json"
    assert json.loads(resp.text) == {"a": 1}
    assert web.json_response(text='"x"').text == '"x"'
    with pytest.raises(ValueError):
        web.json_response({"a": 1}, text="{}")
    assert web.json_response([1], dumps=lambda d: "custom").text == "custom"


def test_headers_cookies_and_state():
    resp = web.Response(text="x", headers={"X-One": "1"})
    resp.headers["X-Two"] = "2"
    resp.set_cookie("sid", "abc", max_age=60, httponly=True, samesite="Lax")
    resp.del_cookie("old")
    assert resp.cookies["sid"].value == "abc" and resp.cookies["old"]["max-age"] == "0"
    resp.last_modified = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    assert resp.headers["Last-Modified"] == "Tue, 02 Jan 2024 03:04:05 GMT"
    assert resp.last_modified.year == 2024
    resp["note"] = "kept"
    assert resp["note"] == "kept" and len(resp) == 1
    resp.set_status(404, "Gone Fishing")
    assert (resp.status, resp.reason) == (404, "Gone Fishing")
    resp.force_close()
    assert resp.keep_alive is False


def test_stream_response_framing_choices():
    resp = web.StreamResponse()
    resp.content_length = 10
    assert resp.content_length == 10 and resp.headers["Content-Length"] == "10"
    with pytest.raises(RuntimeError):
        resp.enable_chunked_encoding()
    resp = web.StreamResponse()
    resp.enable_chunked_encoding()
    assert resp.chunked
    with pytest.raises(RuntimeError):
        resp.content_length = 3


async def test_write_before_prepare_is_an_error():
    resp = web.StreamResponse()
    with pytest.raises(RuntimeError, match="prepare"):
        await resp.write(b"x")


async def test_general_path_with_headers_cookies_and_on_response_prepare():
    app = web.Application()
    seen = []

    async def stamp(request: web.Request, response: web.StreamResponse) -> None:
        seen.append(type(response).__name__)
        response.headers["X-Stamped"] = "yes"

    app.on_response_prepare.append(stamp)

    async def handler(request: web.Request) -> web.Response:
        resp = web.Response(text="cookie", headers={"X-Custom": "1"})
        resp.set_cookie("sid", "abc", path="/", httponly=True)
        return resp

    app.router.add_get("/", handler)
    async with serve(app) as (port, _):
        client = await RawClient.connect(port)
        client.send(get("/") + get("/", method="HEAD"))
        client.parser.expect("GET")
        client.parser.expect("HEAD")
        answer = await client.read(None)
        head = await client.read(None)
        client.close()
    assert answer.body == b"cookie" and answer.headers["X-Custom"] == "1"
    assert answer.headers["X-Stamped"] == "yes"
    assert answer.headers["Set-Cookie"].startswith("sid=abc")
    assert "HttpOnly" in answer.headers["Set-Cookie"]
    assert head.body == b"" and head.headers["Content-Length"] == "6"
    assert seen == ["Response", "Response"]


async def test_header_values_cannot_split_the_response():
    app = web.Application()

    async def handler(request: web.Request) -> web.Response:
        return web.Response(text="x", headers={"X-Evil": "a\r\nSet-Cookie: b=c"})

    app.router.add_get("/", handler)
    async with serve(app) as (port, _):
        answer = await exchange(port, get("/"))
    assert answer.status == 500 and "Set-Cookie" not in answer.headers


@pytest.mark.parametrize("make", [
    lambda: web.Response(text="x", headers={"Content-Type": "text/html"}, content_type="text/plain"),
    lambda: web.Response(body=b"x", headers={"Content-Type": "image/png"}, charset="utf-8"),
    lambda: web.json_response({"a": 1}, headers={"Content-Type": "text/plain"}),
])
def test_a_content_type_header_and_content_type_arguments_together_are_refused(make):
    with pytest.raises(ValueError, match="Content-Type"):
        make()


def test_a_content_type_header_alone_is_kept():
    resp = web.Response(text="<b>x</b>", headers={"Content-Type": "text/html"})
    assert resp.headers["Content-Type"] == "text/html"
