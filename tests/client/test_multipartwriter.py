"""MultipartWriter: multipart bodies built part by part and sent with data=, as in aiohttp."""
from __future__ import annotations

import asyncio
import io
import pathlib

import pytest

import aioteach
from aioteach import web
from aioteach.multipart import parse_multipart
from tests.support import require
from tests.web.server_support import serve

FORM_BODY = (
    b'--B\r\nContent-Type: text/plain; charset=utf-8\r\n'
    b'Content-Disposition: form-data; name="section-0"\r\n\r\ntext\r\n'
    b'--B\r\nContent-Type: application/octet-stream\r\n'
    b'Content-Disposition: form-data; name="section-1"\r\n\r\nraw\r\n'
    b'--B\r\nContent-Type: application/json\r\n'
    b'Content-Disposition: form-data; name="meta"\r\n\r\n{"a": 1}\r\n'
    b'--B\r\nContent-Type: application/x-www-form-urlencoded\r\n'
    b'Content-Disposition: form-data; name="section-3"\r\n\r\nx=1+2&x=3\r\n'
    b'--B--\r\n')


def build_form(make=aioteach.MultipartWriter):
    with make("form-data", boundary="B") as mp:
        mp.append("text")
        mp.append(b"raw")
        mp.append_json({"a": 1}).set_content_disposition("form-data", name="meta")
        mp.append_form([("x", "1 2"), ("x", "3")])
    return mp


def test_a_form_data_body_byte_for_byte():
    mp = build_form()
    assert mp.headers["Content-Type"] == "multipart/form-data; boundary=B"
    assert mp.encode() == ("multipart/form-data; boundary=B", FORM_BODY)
    assert len(mp) == 4 and mp.size == len(FORM_BODY) and mp.decode() == FORM_BODY.decode()
    names = [part.headers["Content-Disposition"] for part in mp]
    assert names[2] == 'form-data; name="meta"'


def test_the_body_parses_back_with_the_sans_io_parser():
    parts = parse_multipart(FORM_BODY, "B")
    assert [(head.name, data) for head, data in parts] == [
        ("section-0", b"text"), ("section-1", b"raw"), ("meta", b'{"a": 1}'),
        ("section-3", b"x=1+2&x=3")]


def test_mixed_parts_carry_their_length_and_writers_nest(tmp_path: pathlib.Path):
    note = tmp_path / "note.txt"
    note.write_bytes(b"hello")
    inner = aioteach.MultipartWriter("related", boundary="in")
    inner.append("x")
    outer = aioteach.MultipartWriter(boundary="out")        # mixed by default
    with note.open("rb") as file:
        attached = outer.append(file)
    outer.append(inner)
    outer.append(io.BytesIO(b"\x00\x01"), {"Content-Type": "image/png"})
    assert outer.content_type == "multipart/mixed; boundary=out"
    assert dict(attached.headers) == {"Content-Type": "text/plain", "Content-Length": "5",
                                      "Content-Disposition": 'attachment; filename="note.txt"'}
    headers = [dict(part.headers) for part in outer]
    assert headers[1] == {"Content-Type": "multipart/related; boundary=in",
                          "Content-Length": str(len(inner.to_bytes()))}
    assert headers[2] == {"Content-Type": "image/png", "Content-Length": "2"}
    assert outer.to_bytes().count(b"--out") == 4 and outer.to_bytes().endswith(b"--out--\r\n")


@pytest.mark.parametrize("build, error", [
    (lambda: aioteach.MultipartWriter(boundary="no\nnewlines"), ValueError),
    (lambda: aioteach.MultipartWriter(boundary="x" * 71), ValueError),
    (lambda: aioteach.MultipartWriter().append(42), TypeError),
    (lambda: aioteach.MultipartWriter("form-data").append("a", {"Content-Length": "1"}),
     ValueError),
    (lambda: aioteach.MultipartWriter().append("a", {"Content-Encoding": "gzip"}), ValueError),
])
def test_misuse_is_refused_with_a_reason(build, error):
    with pytest.raises(error):
        build()


def test_a_header_line_break_or_the_boundary_inside_a_part_is_refused_when_encoding():
    forged = aioteach.MultipartWriter()
    forged.append("a", {"X-Note": "a\r\nEvil: 1"})
    with pytest.raises(ValueError, match="line break"):
        forged.to_bytes()
    clash = aioteach.MultipartWriter(boundary="B")
    clash.append("text\r\n--B\r\nmore")
    with pytest.raises(ValueError, match="boundary"):
        clash.to_bytes()


async def test_sent_with_data_and_read_by_the_server():
    async def form(request: web.Request) -> web.Response:
        fields = await request.post()
        return web.json_response({k: v if isinstance(v, str) else ["bytes", bytes(v).decode()]
                                  for k, v in fields.items()})

    app = web.Application()
    app.router.add_post("/form", form)
    async with serve(app) as (port, _):
        async with aioteach.ClientSession() as session:
            async with session.post(f"http://127.0.0.1:{port}/form", data=build_form()) as resp:
                assert resp.status == 200
                assert await asyncio.wait_for(resp.json(), 10) == {
                    "section-0": "text", "section-1": ["bytes", "raw"],
                    "meta": ["bytes", '{"a": 1}'], "section-3": ["bytes", "x=1+2&x=3"]}


@pytest.mark.peer
async def test_the_same_bytes_as_aiohttps_writer():
    aiohttp = require("aiohttp")
    theirs = build_form(aiohttp.MultipartWriter)
    assert await theirs.as_bytes() == FORM_BODY
    assert theirs.headers["Content-Type"] == build_form().headers["Content-Type"]


# -- the other small client name aiohttp learners reach for --------------------------------------
@pytest.mark.parametrize("login, password, header", [
    ("u", "p", "Basic dTpw"),
    ("üser", "pä", "Basic w7xzZXI6cMOk"),          # UTF-8, RFC 7617 2.1
    ("a", "", "Basic YTo="),
])
def test_encode_basic_auth(login, password, header):
    assert aioteach.encode_basic_auth(login, password) == header
    assert aioteach.BasicAuth.decode(header, encoding="utf-8") == (login, password, "utf-8")


def test_encode_basic_auth_refuses_a_colon_in_the_login():
    with pytest.raises(ValueError, match="RFC 7617"):
        aioteach.encode_basic_auth("a:b", "c")
