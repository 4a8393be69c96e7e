"""``web.Request``: the facts a handler reads, derived lazily from the parser's head event."""
from __future__ import annotations

import datetime
import io

import pytest

import aioteach
from aioteach import web
from aioteach.http1 import Request as RequestHead
from aioteach.streams import EMPTY_STREAM, StreamReader
from tests.web.server_support import exchange, serve


class FakeTransport:
    def __init__(self, extra: dict) -> None:
        self.extra = extra

    def get_extra_info(self, name: str, default: object = None) -> object:
        return self.extra.get(name, default)


class FakeProtocol:
    def __init__(self, **extra: object) -> None:
        self.transport = FakeTransport({"peername": ("10.0.0.7", 5555),
                                        "sockname": ("127.0.0.1", 8080), **extra})
        self.continues = 0
        self.closing = False

    def send_continue(self) -> None:
        self.continues += 1


def make_request(method: str = "GET", target: str = "/", headers: tuple = (),
                 body: bytes | None = None, app: object = None, **head: object) -> web.Request:
    if body is not None:
        head.setdefault("content_length", len(body))
        payload = StreamReader()
        payload.feed_data(body)
        payload.feed_eof()
    else:
        payload = EMPTY_STREAM
    message = RequestHead(method, target, headers, **head)
    return web.Request(message, payload, FakeProtocol(), app if app is not None
                       else web.Application())


def test_the_request_line_and_its_derived_forms():
    request = make_request("GET", "/caf%C3%A9/x?q=1&q=2&e=", (("Host", "example.org"),))
    assert request.method == "GET"
    assert request.version == aioteach.HttpVersion(1, 1) and request.version >= (1, 0)
    assert request.path == "/café/x"
    assert request.raw_path == "/caf%C3%A9/x?q=1&q=2&e="
    assert request.path_qs == request.raw_path
    assert request.query_string == "q=1&q=2&e="
    assert request.query.getall("q") == ["1", "2"] and request.query["e"] == ""
    assert request.rel_url.path == "/café/x"
    assert str(request.url) == "http://example.org/caf%C3%A9/x?q=1&q=2&e="
    assert request.host == "example.org" and request.scheme == "http" and not request.secure
    assert request.remote == "10.0.0.7"


def test_absolute_form_targets_are_reduced_to_their_path():
    request = make_request("GET", "http://example.org/a/b?x=1")
    assert request.path == "/a/b" and request.query_string == "x=1"


def test_headers_are_case_insensitive_and_raw_headers_keep_bytes():
    request = make_request(headers=(("Content-Type", "text/html; charset=ISO-8859-1"),
                                    ("X-Twice", "a"), ("x-twice", "b"),
                                    ("Cookie", "sid=abc; theme=dark")))
    assert request.headers["content-type"] == "text/html; charset=ISO-8859-1"
    assert request.headers.getall("X-TWICE") == ["a", "b"]
    assert request.raw_headers[1] == (b"X-Twice", b"a")
    assert request.content_type == "text/html" and request.charset == "ISO-8859-1"   # as written, like aiohttp
    assert dict(request.cookies) == {"sid": "abc", "theme": "dark"}
    with pytest.raises(TypeError):
        request.headers["X"] = "read-only"          # type: ignore[index]


def test_conditional_and_range_fields():
    request = make_request(headers=(("If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT"),
                                    ("If-Unmodified-Since", "garbage"),
                                    ("Range", "bytes=10-19")))
    assert request.if_modified_since == datetime.datetime(1994, 11, 6, 8, 49, 37,
                                                          tzinfo=datetime.timezone.utc)
    assert request.if_unmodified_since is None and request.if_range is None
    assert request.http_range == slice(10, 20, 1)
    assert make_request(headers=(("Range", "bytes=-5"),)).http_range == slice(-5, None, 1)
    assert make_request(headers=(("Range", "bytes=7-"),)).http_range == slice(7, None, 1)
    assert make_request().http_range == slice(None, None, 1)
    with pytest.raises(ValueError):
        _ = make_request(headers=(("Range", "bytes=0-1,4-5"),)).http_range


def test_state_match_info_app_and_clone():
    app = web.Application()
    request = make_request("GET", "/a?x=1", (("Host", "h"),), app=app)
    assert request.match_info == {} and request.app is app
    assert list(request.config_dict.maps) == [app]
    request["user"] = "ann"
    assert request["user"] == "ann" and len(request) == 1 and "user" in request
    clone = request.clone(method="POST", rel_url="/b", headers={"Host": "other"})
    assert (clone.method, clone.path, clone.headers["Host"]) == ("POST", "/b", "other")
    assert clone["user"] == "ann" and clone.app is app
    assert request.method == "GET" and request.path == "/a"


async def test_body_helpers_read_the_stream_once():
    request = make_request("POST", "/", (("Content-Type", "application/json"),),
                           body=b'{"a": [1, 2]}')
    assert request.body_exists and request.can_read_body
    assert await request.json() == {"a": [1, 2]}
    assert await request.text() == '{"a": [1, 2]}'
    assert await request.read() == b'{"a": [1, 2]}'
    assert request.content_length == 13


async def test_read_past_client_max_size_is_413_before_reading():
    request = make_request("POST", "/", body=b"x" * 20, app=web.Application(client_max_size=8))
    with pytest.raises(web.HTTPRequestEntityTooLarge) as info:
        await request.read()
    assert info.value.status == 413
    assert request._payload.at_eof() is False          # nothing was consumed


async def test_first_touch_of_content_sends_100_continue_once():
    request = make_request("POST", "/", body=b"abc", expect_continue=True)
    assert request._protocol.continues == 0
    assert await request.read() == b"abc"
    await request.text()
    assert request._protocol.continues == 1


async def test_post_parses_urlencoded_forms():
    request = make_request("POST", "/", (("Content-Type", "application/x-www-form-urlencoded"),),
                           body=b"ip=8.8.8.8&tag=a&tag=b&empty=")
    form = await request.post()
    assert form["ip"] == "8.8.8.8" and form.getall("tag") == ["a", "b"] and form["empty"] == ""
    assert await make_request("GET", "/").post() == {}


async def test_post_parses_multipart_forms_over_a_real_socket():
    app = web.Application()

    async def upload(request: web.Request) -> web.Response:
        form = await request.post()
        upload = form["file"]
        assert isinstance(upload, web.FileField)
        return web.Response(text=f"{form['name']}|{upload.filename}|{upload.content_type}|"
                                 f"{upload.file.read().decode()}")

    app.router.add_post("/upload", upload)
    body = (b"--XX\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nann\r\n"
            b"--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
            b"Content-Type: text/plain\r\n\r\nfile body\r\n--XX--\r\n")
    async with serve(app) as (port, _):
        answer = await exchange(port, b"POST /upload HTTP/1.1\r\nHost: t\r\n"
                                      b"Content-Type: multipart/form-data; boundary=XX\r\n"
                                      b"Content-Length: %d\r\n\r\n" % len(body) + body, "POST")
    assert answer.body == b"ann|a.txt|text/plain|file body", answer


async def test_content_is_a_stream_reader_with_aiohttp_methods():
    request = make_request("POST", "/", body=b"line one\nline two\nrest")
    assert await request.content.readline() == b"line one\n"
    assert await request.content.read(4) == b"line"
    chunks = [c async for c in request.content.iter_any()]
    assert b"".join(chunks) == b" two\nrest"


def test_file_field_shape():
    field = web.FileField("f", "a.txt", io.BytesIO(b"x"), "text/plain", None)  # type: ignore
    assert field.name == "f" and field.filename == "a.txt"
