"""The async multipart reader over the sans-I/O parser: parts, chunks, decoding, limits."""
from __future__ import annotations

import base64
import gzip
import json

import pytest

from aioteach import web
from aioteach.multidict import CIMultiDict
from aioteach.multipart import encode_multipart
from aioteach.streams import StreamReader
from aioteach.web.multipart import MultipartReader, read_form
from tests.web.app_support import raw_exchange, serve

BOUNDARY = "XyZ-boundary"
CTYPE = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def body_of(*parts: tuple) -> bytes:
    """Parts as (head lines, body bytes); written by hand to control every header."""
    out = b""
    for head, data in parts:
        out += f"--{BOUNDARY}\r\n".encode() + "".join(h + "\r\n" for h in head).encode()
        out += b"\r\n" + data + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


def stream_of(data: bytes, piece: int) -> StreamReader:
    stream = StreamReader()
    for i in range(0, len(data), piece):
        stream.feed_data(data[i:i + piece])
    stream.feed_eof()
    return stream


FORM = body_of(
    (['Content-Disposition: form-data; name="title"'], b"Holiday"),
    (['Content-Disposition: form-data; name="photo"; filename="beach.jpg"',
      "Content-Type: image/jpeg"], bytes(range(256)) * 50),
    (['Content-Disposition: form-data; name="note"', "Content-Type: text/plain; charset=latin-1"],
     "caf\u00e9".encode("latin-1")),
)


@pytest.mark.parametrize("piece", [1, 7, 4096, len(FORM)])
async def test_parts_in_order_whatever_the_split(piece):
    reader = MultipartReader(CIMultiDict(CTYPE), stream_of(FORM, piece))
    seen = []
    async for part in reader:
        seen.append((part.name, part.filename, await part.read()))
    assert seen == [("title", None, b"Holiday"),
                    ("photo", "beach.jpg", bytes(range(256)) * 50),
                    ("note", None, "caf\u00e9".encode("latin-1"))]
    assert await reader.next() is None


async def test_read_chunk_streams_a_part_and_text_uses_its_charset():
    reader = MultipartReader(CIMultiDict(CTYPE), stream_of(FORM, 1000))
    title = await reader.next()
    assert title.headers["Content-Disposition"] == 'form-data; name="title"'
    photo = await reader.next()                      # skipping ahead releases "title"
    chunks = []
    while chunk := await photo.read_chunk(3000):
        assert len(chunk) <= 3000
        chunks.append(chunk)
    assert b"".join(chunks) == bytes(range(256)) * 50 and len(chunks) > 4
    assert photo.at_eof() and await photo.read_chunk() == b""
    note = await reader.next()
    assert note.get_charset(default="utf-8") == "latin-1"
    assert await note.text() == "caf\u00e9"
    assert await reader.next() is None


async def test_unread_parts_are_skipped():
    reader = MultipartReader(CIMultiDict(CTYPE), stream_of(FORM, 64))
    names = [part.name async for part in reader]
    assert names == ["title", "photo", "note"]


async def test_json_form_and_decoding():
    payload = {"a": [1, 2], "b": "\u00e9"}
    data = body_of(
        (['Content-Disposition: form-data; name="j"', "Content-Type: application/json"],
         json.dumps(payload).encode()),
        (['Content-Disposition: form-data; name="f"',
          "Content-Type: application/x-www-form-urlencoded"], b"x=1&y=two+words&x=3"),
        (['Content-Disposition: form-data; name="b64"', "Content-Transfer-Encoding: base64"],
         base64.b64encode(b"hello base64")),
        (['Content-Disposition: form-data; name="qp"',
          "Content-Transfer-Encoding: quoted-printable"], b"caf=C3=A9"),
        (['Content-Disposition: form-data; name="gz"', "Content-Encoding: gzip"],
         gzip.compress(b"zipped")),
    )
    reader = MultipartReader(CIMultiDict(CTYPE), stream_of(data, 100))
    assert await (await reader.next()).json() == payload
    assert await (await reader.next()).form() == [("x", "1"), ("y", "two words"), ("x", "3")]
    b64 = await reader.next()
    assert await b64.read(decode=True) == b"hello base64"
    qp = await reader.next()
    assert await qp.text() == "caf\u00e9"
    gz = await reader.next()
    assert await gz.read() == gzip.compress(b"zipped")      # raw unless decode=True
    assert await reader.next() is None


@pytest.mark.parametrize("content_type", ["text/plain", "multipart/form-data",
                                          "multipart/form-data; boundary=" + "x" * 80])
def test_a_body_without_a_usable_boundary_is_400(content_type):
    with pytest.raises(web.HTTPBadRequest):
        MultipartReader(CIMultiDict({"Content-Type": content_type}), StreamReader())


async def test_a_truncated_body_is_400():
    reader = MultipartReader(CIMultiDict(CTYPE), stream_of(FORM[:-40], 50))
    with pytest.raises(web.HTTPBadRequest) as caught:
        async for part in reader:
            await part.read()
    assert "truncated" in caught.value.text


# -- read_form: the seam for request.post() -------------------------------------------------------
class FormRequest:
    def __init__(self, data: bytes) -> None:
        self.headers = CIMultiDict(CTYPE)
        self.content = stream_of(data, 1024)

    async def multipart(self):
        return MultipartReader(self.headers, self.content)


async def test_read_form_gives_str_fields_and_file_fields():
    form = await read_form(FormRequest(FORM), max_size=1024 ** 2)
    assert form["title"] == "Holiday" and form["note"] == "caf\u00e9"
    photo = form["photo"]
    assert isinstance(photo, web.FileField)
    assert (photo.name, photo.filename, photo.content_type) == ("photo", "beach.jpg",
                                                                "image/jpeg")
    with photo.file:                 # the application's to close, as on aiohttp
        assert photo.file.read() == bytes(range(256)) * 50
    assert photo.headers["Content-Type"] == "image/jpeg"


async def test_read_form_stops_at_max_size():
    with pytest.raises(web.HTTPRequestEntityTooLarge):
        await read_form(FormRequest(FORM), max_size=5000)


# -- over a real connection ----------------------------------------------------------------------
async def test_request_multipart_and_post_end_to_end():
    ctype, body = encode_multipart([("who", "me", None, None),
                                    ("upload", b"\x00\x01binary", "data.bin", None)],
                                   boundary=BOUNDARY)
    app = web.Application()

    async def by_parts(request):
        reader = await request.multipart()
        got = [(part.name, part.filename, await part.read()) async for part in reader]
        return web.Response(text=repr(got))

    async def by_post(request):
        form = await request.post()
        return web.Response(text=f"{form['who']} {form['upload'].filename} "
                                 f"{form['upload'].file.read()!r}")

    app.router.add_post("/parts", by_parts)
    app.router.add_post("/post", by_post)
    head = (f"Host: t\r\nConnection: close\r\nContent-Type: {ctype}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    async with serve(app) as port:
        parts = await raw_exchange(port, b"POST /parts HTTP/1.1\r\n" + head + body)
        post = await raw_exchange(port, b"POST /post HTTP/1.1\r\n" + head + body)
    assert parts[0] == 200
    assert parts[2].decode() == repr([("who", None, b"me"),
                                      ("upload", "data.bin", b"\x00\x01binary")])
    assert post[2].decode() == "me data.bin b'\\x00\\x01binary'"
