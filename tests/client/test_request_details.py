"""Details of the request a client sends, as aiohttp sends them: json_serialize_bytes, the
caller's own Content-Length as a limit, a nameless file in a form, no Content-Disposition for a
file sent as the whole body."""
from __future__ import annotations

import io
import json

from aioteach import ClientSession, FormData

from .servers import RawServer, respond, serve_responses


def echo(seen):
    return respond(200, seen.body, {"X-Type": seen.header("content-type") or "-"})


async def test_json_serialize_bytes_is_used_as_is():
    calls = []

    def dumps(obj):
        calls.append(obj)
        return json.dumps(obj, separators=(",", ":")).encode()

    async with RawServer(serve_responses(echo)) as server:
        async with ClientSession(json_serialize_bytes=dumps) as session:
            async with session.post(server.url("/"), json={"a": [1, 2]}) as resp:
                assert await resp.read() == b'{"a":[1,2]}'
                assert resp.headers["X-Type"] == "application/json"
    assert calls == [{"a": [1, 2]}]


async def test_the_callers_content_length_caps_what_is_sent():
    async def pieces():
        yield b"a" * 3
        yield b"b" * 3

    async with RawServer(serve_responses(echo)) as server:
        async with ClientSession() as session:
            for body in (b"X" * 1000, pieces()):
                async with session.post(server.url("/"), data=body,
                                        headers={"Content-Length": "4"}) as resp:
                    assert len(await resp.read()) == 4
            # the connection stayed in step: the next request reads its own answer
            async with session.post(server.url("/"), data=b"next") as resp:
                assert await resp.read() == b"next"
    assert [seen.body for seen in server.seen] == [b"XXXX", b"aaab", b"next"]


async def test_a_nameless_file_in_a_form_is_called_unknown():
    form = FormData()
    form.add_fields(io.BytesIO(b"data"), ("q", "1"))
    content_type, body = form.encode()
    assert content_type.startswith("multipart/form-data")
    assert b'name="unknown"; filename="unknown"' in body and b'name="q"' in body
    named = open(__file__, "rb")
    with named:
        form = FormData()
        form.add_fields(named)
        assert b'filename="test_request_details.py"' in form.encode()[1]


async def test_a_chunk_size_is_deprecated_and_chunked_true_is_not():
    import pytest
    async with RawServer(serve_responses(echo)) as server:
        async with ClientSession() as session:
            with pytest.warns(DeprecationWarning, match="Chunk size is deprecated"):
                async with session.post(server.url("/"), data=b"x", chunked=1024) as resp:
                    assert await resp.read() == b"x"
            async with session.post(server.url("/"), data=b"y", chunked=True) as resp:
                assert await resp.read() == b"y"
    assert server.seen[1].header("transfer-encoding") == "chunked"


def test_a_text_part_is_encoded_in_the_charset_its_content_type_names():
    form = FormData()
    form.add_field("name", "текст", content_type="text/plain; charset=koi8-r")
    form.add_field("plain", "текст", content_type="text/plain")
    body = form.encode()[1]
    assert "текст".encode("koi8-r") in body and "текст".encode("utf-8") in body


async def test_total_raw_bytes_counts_the_wire_not_the_decoded_body():
    import gzip
    plain = b"spam " * 2000
    packed = gzip.compress(plain)

    def gzipped(seen):
        return respond(200, packed, {"Content-Encoding": "gzip"})

    async with RawServer(serve_responses(gzipped)) as server:
        async with ClientSession() as session:
            async with session.get(server.url("/")) as resp:
                assert await resp.content.read() == plain
                assert resp.content.total_raw_bytes == len(packed)
            async with session.get(server.url("/"), auto_decompress=False) as resp:
                assert await resp.content.read() == packed
                assert resp.content.total_raw_bytes == len(packed)
