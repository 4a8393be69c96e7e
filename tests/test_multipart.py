"""aioteach.multipart: the multipart/form-data parser and writer.

Bodies are fed whole, split at every point, and one byte at a time; the writer's output is read
back by our parser, by aiohttp's reader and by the standard library's email parser, and
aiohttp's FormData output is read by ours.
"""
from __future__ import annotations

import asyncio
import email.parser
import email.policy
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aioteach.multipart import (End, MultipartError, MultipartParser, PartData, PartEnd,
                                PartHeaders, encode_multipart, iter_multipart, make_boundary,
                                parse_content_disposition, parse_multipart,
                                parse_options_header, quote_field_value)
from tests.support import require

FIELDS = [
    ("title", "Holiday", None, None),
    ("photo", b"\x00\xff\r\n--XyY-not-quite\r\n\r\n", "beach.jpg", "image/jpeg"),
    ("empty", b"", None, None),
    ("naïve", "ä ü", None, "text/plain; charset=utf-8"),
]
EXPECTED = [("title", None, None, b"Holiday"),
            ("photo", "beach.jpg", "image/jpeg", b"\x00\xff\r\n--XyY-not-quite\r\n\r\n"),
            ("empty", None, None, b""),
            ("naïve", None, "text/plain; charset=utf-8", "ä ü".encode())]


def collect(events):
    """Fold events into [(name, filename, content_type, body)], checking their order."""
    parts, current, ended = [], None, False
    for event in events:
        assert not ended, "events after End"
        if isinstance(event, PartHeaders):
            assert current is None, "PartHeaders inside a part"
            current = [event.name, event.filename, event.content_type, b""]
        elif isinstance(event, PartData):
            assert current is not None and event.data, "empty or stray PartData"
            current[3] += event.data
        elif isinstance(event, PartEnd):
            parts.append(tuple(current))
            current = None
        else:
            assert isinstance(event, End) and current is None
            ended = True
    assert ended, "no End event"
    return parts


def feed_in_chunks(body, boundary, sizes):
    parser = MultipartParser(boundary)
    events, start = [], 0
    for size in sizes:
        events += parser.feed(body[start:start + size])
        start += size
    events += parser.feed(body[start:])
    return events + parser.feed_eof()


def test_round_trip_whole_split_everywhere_and_byte_by_byte():
    ctype, body = encode_multipart(FIELDS, boundary="XyZ")
    assert ctype == "multipart/form-data; boundary=XyZ"
    assert collect(feed_in_chunks(body, "XyZ", [])) == EXPECTED
    for split in range(len(body) + 1):
        assert collect(feed_in_chunks(body, b"XyZ", [split])) == EXPECTED, split
    assert collect(feed_in_chunks(body, "XyZ", [1] * len(body))) == EXPECTED


def test_writer_output_is_exactly_the_wire_format():
    _, body = encode_multipart([("a", "1", None, None), ("f", b"x", 'q"uote\r\n.txt', None)],
                               boundary="b0")
    assert body == (b'--b0\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n'
                    b'--b0\r\nContent-Disposition: form-data; name="f"; '
                    b'filename="q%22uote%0D%0A.txt"\r\n'
                    b"Content-Type: application/octet-stream\r\n\r\nx\r\n--b0--\r\n")
    assert b"".join(iter_multipart([("a", "1", None, None)], "b0")) == (
        b'--b0\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b0--\r\n')


def test_a_backslash_goes_as_a_quoted_pair_so_a_trailing_one_cannot_eat_the_quote():
    fields = [("dir\\", "1", None, None), ("f", b"x", "C:\\tmp\\", None)]
    _, body = encode_multipart(fields, boundary="b0")
    assert b'name="dir\\\\"' in body and b'filename="C:\\\\tmp\\\\"' in body
    assert [(p.name, p.filename) for p in collect_headers(body, "b0")] == [
        ("dir\\", None), ("f", "C:\\tmp\\")]
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: multipart/form-data; boundary=b0\r\n\r\n" + body)
    assert [(p.get_param("name", header="content-disposition"), p.get_filename())
            for p in message.iter_parts()] == [("dir\\", None), ("f", "C:\\tmp\\")]


@pytest.mark.peer
def test_aiohttp_reads_a_backslash_quoted_pair_as_we_write_it():
    multipart = require("aiohttp.multipart")
    disposition = encode_multipart([("f", b"x", "C:\\tmp\\", None)], boundary="b0")[1].split(
        b"\r\n")[1].decode().partition(": ")[2]
    assert multipart.parse_content_disposition(disposition) == (
        "form-data", {"name": "f", "filename": "C:\\tmp\\"})


def collect_headers(body, boundary):
    return [e for e in feed_in_chunks(body, boundary, []) if isinstance(e, PartHeaders)]


def test_boundaries_are_random_and_valid():
    boundaries = {make_boundary() for _ in range(20)}
    assert len(boundaries) == 20
    for boundary in boundaries:
        assert len(boundary) == 32 and MultipartParser(boundary).delimiter.endswith(
            boundary.encode())
    first, second = encode_multipart([("a", "1", None, None)]), encode_multipart([("a", "1", None, None)])
    assert first[0] != second[0]


def test_writer_refuses_what_would_corrupt_the_body():
    with pytest.raises(ValueError, match="contains the boundary"):
        encode_multipart([("a", b"x\r\n--b0\r\n", None, None)], boundary="b0")
    with pytest.raises(ValueError, match="contains the boundary"):
        encode_multipart([("a", b"--b0", None, None)], boundary="b0")
    with pytest.raises(ValueError, match="1-70"):
        encode_multipart([], boundary="x" * 71)
    with pytest.raises(ValueError, match="line break"):
        encode_multipart([("a", b"", "f", "text/plain\r\nX-Evil: 1")], boundary="b0")


def test_quote_field_value_escapes_like_browsers():
    assert quote_field_value('a"b\r\nc ü') == '"a%22b%0D%0Ac ü"'


def test_preamble_padding_and_epilogue_are_ignored():
    body = (b"This is the preamble.\r\n--b0  \t\r\n"
            b"Content-Disposition: form-data; name=a\r\n\r\n1\r\n--b0\r\n\r\nno headers\r\n"
            b"--b0--  epilogue\r\nmore --b0 epilogue")
    parts = collect(feed_in_chunks(body, "b0", []))
    assert parts == [("a", None, None, b"1"), (None, None, None, b"no headers")]
    assert collect(feed_in_chunks(b"--b0--\r\n", "b0", [])) == []   # a form with no fields


def test_part_headers_event_keeps_every_field():
    body = (b'--b0\r\nContent-Disposition: form-data; name="f"; filename="C:\\dir\\a.txt"\r\n'
            b"X-Extra:  spaced \r\nContent-Type: text/csv\r\n\r\nx,y\r\n--b0--\r\n")
    head, data = parse_multipart(body, "b0")[0]
    assert head == PartHeaders(
        (("Content-Disposition", 'form-data; name="f"; filename="C:\\dir\\a.txt"'),
         ("X-Extra", "spaced"), ("Content-Type", "text/csv")),
        "f", "C:\\dir\\a.txt", "text/csv")
    assert data == b"x,y"


def test_part_data_streams_out_without_waiting_for_the_part_to_end():
    parser = MultipartParser("b0")
    parser.feed(b'--b0\r\nContent-Disposition: form-data; name="big"\r\n\r\n')
    chunk = b"z" * 65536
    for _ in range(16):
        events = parser.feed(chunk)
        assert events == [PartData(chunk)]            # nothing held back: no "\r" in sight
    events = parser.feed(b"tail\r\n--b")              # a possible delimiter start is held back
    assert events == [PartData(b"tail")]
    assert parser.feed(b"0--") == [PartEnd(), End()]


@pytest.mark.parametrize("body, message", [
    (b"--b0\r\nContent-Disposition: form-data; name=a\r\n\r\n1", "ended in the body"),
    (b"--b0\r\nContent-Disposition: form-data; name=a\r\n", "ended in the headers"),
    (b"no boundary at all", "ended in the preamble"),
    (b"--b0\r\n\r\n1\r\n--b0X\r\n\r\n", "followed by other characters"),
    (b"--b0 junk\r\n", "followed by other characters"),
    (b"--b0\r\nno colon here\r\n\r\n", "bad header line"),
    (b"--b0\r\nName : value\r\n\r\n", "bad header line"),
    (b"--b0\r\nContent-Disposition: attachment; name=a\r\n\r\n", "not 'form-data'"),
    (b"--b0\r\nX: " + b"a" * 9000 + b"\r\n\r\n", "header block is over 8192"),
    (b"--b0" + b" " * 2000, "padding"),
    (b"--b0\r\n\r\n\r\n" * 1001, "more than 1000 parts"),
])
def test_malformed_bodies_raise_multipart_error(body, message):
    parser = MultipartParser("b0")
    with pytest.raises(MultipartError, match=message) as info:
        parser.feed(body)
        parser.feed_eof()
    assert isinstance(info.value, ValueError)


def test_limits_are_configurable_and_misuse_is_reported():
    body = b"--b0\r\n\r\n\r\n" * 3 + b"--b0--"
    assert len(parse_multipart(body, "b0", max_parts=3)) == 3
    with pytest.raises(MultipartError, match="more than 2 parts"):
        parse_multipart(body, "b0", max_parts=2)
    with pytest.raises(MultipartError, match="over 10 bytes"):
        parse_multipart(b"--b0\r\nX: 12345678\r\n\r\n--b0--", "b0", max_header_size=10)
    for boundary in ("", "x" * 71, "bad\r\n", "ends with space "):
        with pytest.raises(MultipartError, match="RFC 2046"):
            MultipartParser(boundary)
    parser = MultipartParser("b0")
    parser.feed(b"--b0--")
    assert parser.feed_eof() == []
    with pytest.raises(MultipartError, match="after feed_eof"):
        parser.feed(b"x")


def test_parse_options_header():
    assert parse_options_header('multipart/form-data; boundary="x y"') == (
        "multipart/form-data", {"boundary": "x y"})
    assert parse_options_header("Text/HTML;Charset=UTF-8 ;q=0.5") == (
        "text/html", {"charset": "UTF-8", "q": "0.5"})
    assert parse_options_header('form-data; name="a;b=\\"c\\""; x') == (
        "form-data", {"name": 'a;b="c"', "x": ""})
    assert parse_options_header("application/json") == ("application/json", {})
    assert parse_content_disposition(
        "form-data; name=f; filename*=UTF-8''na%C3%AFve.txt; filename=\"naive.txt\"") == (
        "form-data", {"name": "f", "filename": "naïve.txt"})
    assert parse_content_disposition("form-data; filename*=iso-8859-1'en'%E9t%E9")[1] == {
        "filename": "été"}
    assert parse_content_disposition("form-data; filename*=nope''x%FF")[1] == {
        "filename*": "nope''x%FF"}


NAMES = st.text(st.characters(blacklist_characters='"\r\n', blacklist_categories=("Cs",)),
                max_size=12)
VALUES = st.one_of(st.binary(max_size=60),
                   st.sampled_from([b"\r\n", b"\r\n--", b"\r\n--b", b"--", b"\r\r\n\n"]),
                   st.text(max_size=20))


@settings(max_examples=200, deadline=None)
@given(fields=st.lists(st.tuples(NAMES, VALUES, st.one_of(st.none(), NAMES),
                                 st.sampled_from([None, "image/png"])), max_size=5),
       cuts=st.lists(st.integers(0, 40), max_size=12))
def test_any_fields_round_trip_at_any_split(fields, cuts):
    boundary = "b" + make_boundary()[:8]
    _, body = encode_multipart(fields, boundary)
    parts = collect(feed_in_chunks(body, boundary, cuts))
    expected = [(name, filename,
                 content_type or ("application/octet-stream" if filename is not None else None),
                 value.encode() if isinstance(value, str) else value)
                for name, value, filename, content_type in fields]
    assert parts == expected


# -- independent peers -----------------------------------------------------------------------

def test_the_stdlib_email_parser_reads_our_body():
    ctype, body = encode_multipart(FIELDS)
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {ctype}\r\n\r\n".encode() + body)
    assert message.is_multipart()
    parts = [(p.get_param("name", header="content-disposition"), p.get_filename(),
              p.get_payload(decode=True)) for p in message.iter_parts()]
    assert parts[0] == ("title", None, b"Holiday")
    assert parts[1] == ("photo", "beach.jpg", FIELDS[1][1])
    assert parts[2][0] == "empty" and not parts[2][2]


@pytest.mark.peer
async def test_aiohttp_reads_our_body():
    aiohttp = require("aiohttp")
    from aiohttp.base_protocol import BaseProtocol
    ctype, body = encode_multipart(FIELDS)
    loop = asyncio.get_running_loop()
    stream = aiohttp.StreamReader(BaseProtocol(loop), 2 ** 16, loop=loop)
    stream.feed_data(body)
    stream.feed_eof()
    reader = aiohttp.MultipartReader({"Content-Type": ctype}, stream)
    parts = []
    async for part in reader:
        parts.append((part.name, part.filename, part.headers.get("Content-Type"),
                      bytes(await part.read())))
    assert parts == EXPECTED


@pytest.mark.peer
async def test_we_read_aiohttp_formdata_and_multipart_writer():
    aiohttp = require("aiohttp")
    form = aiohttp.FormData()
    form.add_field("title", "Holiday")
    form.add_field("photo", io.BytesIO(b"\x00\r\n--jpeg"), filename="beach.jpg",
                   content_type="image/jpeg")
    form.add_field("naïve", "ä")                     # aiohttp sends name*=utf-8''na%C3%AFve
    writer = form()
    boundary = parse_options_header(writer.content_type)[1]["boundary"]
    body = await writer.as_bytes()
    assert collect(feed_in_chunks(body, boundary, [1] * len(body))) == [
        ("title", None, "text/plain; charset=utf-8", b"Holiday"),
        ("photo", "beach.jpg", "image/jpeg", b"\x00\r\n--jpeg"),
        ("naïve", None, "text/plain; charset=utf-8", "ä".encode())]

    mixed = aiohttp.MultipartWriter("form-data", boundary="XyZ")
    mixed.append("text", {"Content-Type": "text/plain"})
    mixed.append_json({"a": 1})
    names = [(head.name, head.content_type, data)
             for head, data in parse_multipart(await mixed.as_bytes(), "XyZ")]
    assert names == [("section-0", "text/plain", b"text"),
                     ("section-1", "application/json", b'{"a": 1}')]


@pytest.mark.parametrize("module", ['aioteach.multipart'])
def test_docstring_examples_run(module):
    import doctest
    import importlib
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
