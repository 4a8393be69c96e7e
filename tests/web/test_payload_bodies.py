"""web.Response(body=...) with a body that is not bytes: files, StringIO, async generators,
Payloads and form parts, each sent to a raw client so the framing is seen as sent.
"""
from __future__ import annotations

import io
from typing import Any, AsyncIterator

import pytest

from aioteach import payload, web
from aioteach.testing import TestClient, TestServer
from tests.web.server_support import exchange, get, serve


def app_for(make_response: Any) -> web.Application:
    async def handler(request: web.Request) -> web.StreamResponse:
        return make_response()

    app = web.Application()
    app.router.add_get("/", handler)
    return app


async def answer(make_response: Any, *extra: str, version: str = "1.1", method: str = "GET"):
    async with serve(app_for(make_response)) as (port, _):
        return await exchange(port, get("/", *extra, version=version, method=method),
                              method=method)


async def test_an_open_file_is_sent_with_its_length_type_and_name_then_closed(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"line one\nline two\n")
    opened = []

    def make() -> web.Response:
        opened.append(path.open("rb"))
        return web.Response(body=opened[0])

    got = await answer(make)
    assert got.status == 200 and got.body == b"line one\nline two\n"
    assert got.headers["Content-Length"] == "18"
    assert got.headers["Content-Type"] == "text/plain"
    assert got.headers["Content-Disposition"] == 'attachment; filename="notes.txt"'
    assert opened[0].closed                   # handed over with the response, closed after


async def test_the_callers_content_type_wins_over_the_payloads(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"\x00\x01")
    got = await answer(lambda: web.Response(body=path.open("rb"),
                                            headers={"content-type": "text/binary"}))
    assert got.headers["Content-Type"] == "text/binary" and got.body == b"\x00\x01"


async def test_a_stringio_is_text_in_utf8():
    got = await answer(lambda: web.Response(body=io.StringIO("héllo")))
    assert got.body == "héllo".encode()
    assert got.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert got.headers["Content-Length"] == str(len("héllo".encode()))


async def numbers() -> AsyncIterator[bytes]:
    for n in range(3):
        yield b"%d," % n


async def test_an_async_generator_goes_chunked_on_http11():
    got = await answer(lambda: web.Response(body=numbers()))
    assert got.body == b"0,1,2,"
    assert got.headers["Transfer-Encoding"] == "chunked"
    assert "Content-Length" not in got.headers


async def test_an_async_generator_with_a_content_length_is_sent_as_is():
    got = await answer(lambda: web.Response(body=numbers(), headers={"Content-Length": "6"}))
    assert got.body == b"0,1,2," and got.headers["Content-Length"] == "6"
    assert "Transfer-Encoding" not in got.headers


async def test_an_async_generator_on_http10_is_delimited_by_the_close():
    got = await answer(lambda: web.Response(body=numbers()), version="1.0")
    assert got.body == b"0,1,2,"
    assert "Transfer-Encoding" not in got.headers and "Content-Length" not in got.headers


async def test_a_payload_keeps_its_own_disposition():
    def make() -> web.Response:
        body = payload.get_payload(io.BytesIO(b"abc"))
        body.set_content_disposition("inline", filename="a.txt")
        return web.Response(body=body)

    got = await answer(make)
    assert got.headers["Content-Disposition"] == 'inline; filename="a.txt"'
    assert got.body == b"abc" and got.headers["Content-Length"] == "3"


async def test_compression_of_a_payload_streams_it_chunked():
    import gzip

    def make() -> web.Response:
        resp = web.Response(body=numbers())
        resp.enable_compression()
        return resp

    got = await answer(make, "Accept-Encoding: gzip")
    assert got.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(got.body) == b"0,1,2,"


async def test_head_sends_no_body_for_a_file(tmp_path):
    path = tmp_path / "f.txt"
    path.write_bytes(b"12345")
    got = await answer(lambda: web.Response(body=path.open("rb")), method="HEAD")
    assert got.body == b"" and got.headers["Content-Length"] == "5"


def test_body_reads_back_the_payload_and_a_strange_body_is_a_typeerror():
    resp = web.Response(body=io.BytesIO(b"x"))
    assert isinstance(resp.body, payload.BytesIOPayload)
    resp.body = b"plain"
    assert resp.body == b"plain" and resp.content_length == 5
    with pytest.raises(TypeError, match="body must be bytes"):
        web.Response(body=object())


async def test_a_form_part_is_sent_on_with_its_name_and_filename():
    async def echo_part(request: web.Request) -> web.Response:
        reader = await request.multipart()
        return web.Response(body=await reader.next())

    app = web.Application(client_max_size=2)           # streaming a part is not bounded by it
    app.router.add_post("/", echo_part)
    async with TestClient(TestServer(app)) as client:
        form = {"upload": io.BytesIO(b"four")}
        async with client.post("/", data=form) as resp:
            assert resp.status == 200 and await resp.read() == b"four"
            assert resp.headers["Content-Disposition"] == \
                'attachment; name="upload"; filename="upload"'


async def test_a_deprecated_streamer_body_writes_itself():
    with pytest.warns(DeprecationWarning, match="use async generators"):
        @payload.streamer
        async def countdown(writer: Any, start: int) -> None:
            for n in range(start, 0, -1):
                await writer.write(b"%d " % n)

    got = await answer(lambda: web.Response(body=countdown(3)))
    assert got.body == b"3 2 1 " and got.headers["Transfer-Encoding"] == "chunked"


async def test_a_whole_response_can_be_sent_chunked():
    def make() -> web.Response:
        resp = web.Response(text="text")
        resp.enable_chunked_encoding()
        return resp

    got = await answer(make)
    assert got.headers["Transfer-Encoding"] == "chunked" and got.body == b"text"
    assert "Content-Length" not in got.headers
    got = await answer(make, version="1.0")                 # no chunked coding in HTTP/1.0
    assert got.body == b"text" and "Transfer-Encoding" not in got.headers
