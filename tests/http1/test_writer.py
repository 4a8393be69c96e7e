"""The writer: heads and chunks as bytes, and nothing our own parser would refuse."""
from __future__ import annotations

import pytest

from aioteach.http1 import (
    LAST_CHUNK, STATUS_REASONS, Data, EndOfMessage, LocalProtocolError, RequestParser,
    ResponseParser, encode_chunk, reason_phrase, serialize_request_head,
    serialize_response_head, serialize_trailers, validate_field,
)


def test_response_head_with_reason_from_the_table():
    head = serialize_response_head(404, [("Content-Length", "0"), ("X-A", "b c")])
    assert head == b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nX-A: b c\r\n\r\n"


def test_response_head_explicit_reason_version_and_unknown_status():
    assert serialize_response_head(200, [], reason="Fine", version="1.0") == \
        b"HTTP/1.0 200 Fine\r\n\r\n"
    assert serialize_response_head(299, []) == b"HTTP/1.1 299 \r\n\r\n"


def test_request_head():
    head = serialize_request_head("POST", "/a?b=c", [("Host", "h"), ("Content-Length", "2")])
    assert head == b"POST /a?b=c HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n"


def test_non_latin1_values_are_sent_as_utf8_like_aiohttp():
    assert serialize_response_head(200, [("X-Name", "Jos\u00e9 \u2603")]).endswith(
        "X-Name: Jos\u00e9 \u2603\r\n\r\n".encode("utf-8"))


BAD_FIELDS = [
    ("X-A", "a\r\nSet-Cookie: evil=1"), ("X-A", "a\nb"), ("X-A", "a\rb"), ("X-A", "a\x00b"),
    ("X-A", "a\x01b"), ("X A", "v"), ("X-A:", "v"), ("", "v"), ("X\r\nY", "v"), ("X-\u00e9", "v"),
]


@pytest.mark.parametrize("name, value", BAD_FIELDS)
def test_refuses_bad_fields_naming_them(name, value):
    with pytest.raises(LocalProtocolError) as info:
        serialize_response_head(200, [("Ok", "1"), (name, value)])
    assert repr(name) in info.value.hint
    with pytest.raises(LocalProtocolError):
        serialize_request_head("GET", "/", [(name, value)])
    with pytest.raises(LocalProtocolError):
        validate_field(name, value)
    with pytest.raises(LocalProtocolError):
        serialize_trailers([(name, value)])


def test_refuses_bad_reason_method_and_target():
    with pytest.raises(LocalProtocolError, match="reason phrase"):
        serialize_response_head(200, [], reason="OK\r\nX: y")
    for method in ("GE T", "GET\r\n", "", "G(T"):
        with pytest.raises(LocalProtocolError, match="method"):
            serialize_request_head(method, "/", [])
    for target in ("/a b", "/a\tb", "", "/a\r\nX: y", "/\n", "/\x00"):
        with pytest.raises(LocalProtocolError, match="target"):
            serialize_request_head("GET", target, [])


def test_validate_field_accepts_tabs_and_obs_text():
    validate_field("X-Ok", "a\tb \xe9")


def test_chunks_and_trailers_round_trip_through_the_parser():
    assert encode_chunk(b"") == b""
    assert encode_chunk(b"x" * 26) == b"1a\r\n" + b"x" * 26 + b"\r\n"
    assert LAST_CHUNK == b"0\r\n\r\n"
    assert serialize_trailers([]) == LAST_CHUNK
    wire = (serialize_request_head("PUT", "/", [("Host", "h"), ("Transfer-Encoding", "chunked")])
            + encode_chunk(b"hello ") + encode_chunk(b"") + encode_chunk(b"world")
            + serialize_trailers([("Digest", "x=1")]))
    events = RequestParser().feed(wire)
    assert events[1:] == [Data(b"hello "), Data(b"world"), EndOfMessage((("Digest", "x=1"),))]


def test_response_head_round_trips():
    head = serialize_response_head(201, [("Content-Length", "0"), ("Location", "/x")])
    (response, end) = ResponseParser().feed(head)
    assert (response.status, response.reason, response.headers) == \
        (201, "Created", (("Content-Length", "0"), ("Location", "/x")))


def test_status_table():
    assert STATUS_REASONS[413] == "Content Too Large" and reason_phrase(431).startswith("Request")
    assert reason_phrase(799) == ""
    assert all(100 <= code <= 599 for code in STATUS_REASONS)
