"""Payloads (aioteach/payload.py): each kind of body says its type and size and writes the
same bytes through a fake writer, whatever the value was."""
import asyncio
import io
import json

import pytest

from aioteach import payload
from aioteach.streams import StreamReader


class FakeWriter:
    """The writer interface a payload sees: ``await write(bytes)``; it keeps every call."""

    def __init__(self):
        self.calls = []

    async def write(self, data):
        assert isinstance(data, bytes)
        self.calls.append(data)

    @property
    def body(self):
        return b"".join(self.calls)


async def written(p):
    writer = FakeWriter()
    await p.write(writer)
    return writer


async def test_bytes_have_a_size_and_the_octet_stream_type():
    p = payload.get_payload(bytearray(b"abc"))
    assert type(p) is payload.BytesPayload
    assert (p.size, p.content_type) == (3, "application/octet-stream")
    assert (await written(p)).calls == [b"abc"]
    assert p.decode() == "abc"


async def test_a_str_is_encoded_once_with_its_charset():
    p = payload.get_payload("héllo", content_type="text/html; charset=latin-1")
    assert type(p) is payload.StringPayload
    assert p.size == 5 and p.encoding == "latin-1"
    assert (await written(p)).body == "héllo".encode("latin-1")
    plain = payload.StringPayload("é")
    assert (plain.size, plain.content_type) == (2, "text/plain; charset=utf-8")


async def test_stringio_is_its_text_from_the_position_on():
    buffer = io.StringIO("skip:keep")
    buffer.seek(5)
    p = payload.get_payload(buffer)
    assert type(p) is payload.StringIOPayload
    assert (p.size, (await written(p)).body) == (4, b"keep")


async def test_json():
    p = payload.JsonPayload({"a": [1, 2]})
    assert p.content_type == "application/json"
    assert json.loads((await written(p)).body) == {"a": [1, 2]}


async def test_bytesio_size_is_what_is_left_and_a_second_write_sends_it_again():
    buffer = io.BytesIO(b"0123456789")
    buffer.seek(4)
    p = payload.get_payload(buffer)
    assert type(p) is payload.BytesIOPayload and p.size == 6
    assert (await written(p)).body == b"456789"
    assert (await written(p)).body == b"456789"        # a 307 re-send starts over


async def test_a_file_is_read_in_chunks_with_its_name_type_and_size(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(b"x" * (payload.CHUNK_SIZE + 10))
    with open(path, "rb") as file:
        p = payload.get_payload(file)
        assert type(p) is payload.BufferedReaderPayload
        assert p.size == payload.CHUNK_SIZE + 10
        assert p.content_type == "text/html"
        assert p.headers["Content-Disposition"] == 'attachment; filename="page.html"'
        writer = await written(p)
        assert [len(c) for c in writer.calls] == [payload.CHUNK_SIZE, 10]
        assert (await written(p)).body == writer.body


async def test_a_text_file_is_encoded_and_has_no_size(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("żółw", encoding="utf-8")
    with open(path, encoding="utf-8") as file:
        p = payload.get_payload(file)
        assert type(p) is payload.TextIOPayload
        assert p.size is None and p.content_type == "text/plain; charset=utf-8"
        assert (await written(p)).body == "żółw".encode()


async def test_an_async_generator_is_sent_as_it_comes_and_only_once():
    async def pieces():
        yield b"a"
        await asyncio.sleep(0)
        yield b"bc"

    p = payload.get_payload(pieces())
    assert type(p) is payload.AsyncIterablePayload and p.size is None
    assert (await written(p)).calls == [b"a", b"bc"]
    with pytest.raises(RuntimeError, match="already sent"):
        await p.write(FakeWriter())


async def test_a_stream_reader_is_passed_on_chunk_by_chunk():
    stream = StreamReader()
    stream.feed_data(b"one")
    stream.feed_data(b"two")
    stream.feed_eof()
    p = payload.get_payload(stream)
    assert type(p) is payload.StreamReaderPayload
    assert (await written(p)).body == b"onetwo"


async def test_as_bytes_collects_what_write_sends():
    assert await payload.StringPayload("hi").as_bytes() == b"hi"


def test_an_unknown_type_is_a_lookup_error_and_a_payload_is_itself():
    with pytest.raises(payload.LookupError, match="no payload class for int"):
        payload.get_payload(42)
    p = payload.BytesPayload(b"")
    assert payload.get_payload(p) is p


def test_registering_a_type_first_wins():
    class Fancy(bytes):
        pass

    registry = payload.PayloadRegistry()
    registry.register(payload.BytesPayload, bytes)
    registry.register(payload.StringPayload, str)

    @payload.payload_type(Fancy, order=payload.Order.try_first)
    class FancyPayload(payload.BytesPayload):
        pass

    assert type(payload.get_payload(Fancy(b"x"))) is FancyPayload
    assert type(registry.get(Fancy(b"x"))) is payload.BytesPayload


def test_set_content_disposition_quotes_its_values():
    p = payload.BytesPayload(b"", filename="a b.txt")
    assert p.content_type == "text/plain"
    p.set_content_disposition("attachment", filename='q"uote.txt')
    assert p.headers["Content-Disposition"] == 'attachment; filename="q%22uote.txt"'  # as browsers
