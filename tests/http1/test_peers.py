"""Independent peers agree with us: http.client reads what our writer writes, and aiohttp's C
parser reads our corpus, and mutations of it, the way our parser does.
"""
from __future__ import annotations

import asyncio
import http.client
import io
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aioteach.http1 import (
    LAST_CHUNK, Data, RemoteProtocolError, Request, RequestParser, encode_chunk,
    serialize_response_head, serialize_trailers,
)
from tests.support import require

from .corpus import REQUESTS
from .test_fuzz import MUTATION, mutate


class FakeSocket:
    """Just enough socket for http.client.HTTPResponse: makefile() over fixed bytes."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def makefile(self, mode: str) -> io.BytesIO:
        return io.BytesIO(self.data)


def read_with_http_client(wire: bytes, method: str = "GET"):
    response = http.client.HTTPResponse(FakeSocket(wire), method=method)
    response.begin()
    return response, response.read()


def test_http_client_reads_a_content_length_response():
    wire = serialize_response_head(404, [("Content-Type", "text/plain"), ("Content-Length", "4")])
    response, body = read_with_http_client(wire + b"gone")
    assert (response.status, response.reason, body) == (404, "Not Found", b"gone")
    assert response.getheader("Content-Type") == "text/plain"


def test_http_client_reads_a_chunked_response_with_trailers():
    wire = (serialize_response_head(200, [("Transfer-Encoding", "chunked")])
            + encode_chunk(b"hello, ") + encode_chunk(b"") + encode_chunk(b"world" * 100)
            + serialize_trailers([("X-Digest", "abc")]))
    response, body = read_with_http_client(wire)
    assert body == b"hello, " + b"world" * 100
    assert LAST_CHUNK == b"0\r\n\r\n"


# Where the two parsers may differ, and why that is allowed.
KNOWN_DIFFERENCES = {
    "identical Content-Length list":
        "aiohttp refuses 'Content-Length: 3, 3'; RFC 9110 8.6 lets a recipient either refuse "
        "it or read it as 3, and we read it as 3",
}


@pytest.mark.peer
@pytest.mark.parametrize("name, wire", [(name, wire) for name, wire, _ in REQUESTS],
                         ids=[name for name, _, _ in REQUESTS])
def test_aiohttp_reads_our_corpus_heads_like_we_do(name, wire):
    require("aiohttp")
    from aiohttp.http_exceptions import BadHttpMessage
    from aiohttp.http_parser import HttpRequestParser
    head = wire[:wire.index(b"\r\n\r\n") + 4]
    ours = RequestParser().feed(head)[0]
    assert isinstance(ours, Request)
    loop = asyncio.new_event_loop()
    try:
        if name in KNOWN_DIFFERENCES:       # the difference itself is what is checked
            with pytest.raises(BadHttpMessage):
                HttpRequestParser(mock.Mock(), loop, 2 ** 16).feed_data(head)
            return
        messages, _, _ = HttpRequestParser(mock.Mock(), loop, 2 ** 16).feed_data(head)
    finally:
        loop.close()
    theirs = messages[0][0]
    assert (theirs.method, theirs.path, theirs.chunked) == (ours.method, ours.target, ours.chunked)
    assert [(n.decode("latin-1"), v.decode("latin-1")) for n, v in theirs.raw_headers] == \
        list(ours.headers)
    assert theirs.should_close == (not ours.keep_alive)


class QuietProtocol:
    """What aiohttp's parser touches on its protocol while filling a body's StreamReader."""

    _reading_paused = False
    transport = None

    def pause_reading(self, **kwargs) -> None:
        pass

    def resume_reading(self, **kwargs) -> None:
        pass


def messages_by_us(wire: bytes):
    """(method, target, keep_alive, chunked, body) per complete request, or None if refused."""
    try:
        events = RequestParser().feed(wire)
    except RemoteProtocolError:
        return None
    messages, body = [], b""
    for event in events:
        if isinstance(event, Request):
            head = (event.method, event.target, event.keep_alive, event.chunked)
        elif isinstance(event, Data):
            body += event.data
        else:
            messages.append(head + (body,))
            body = b""
    return messages


def messages_by_aiohttp(wire: bytes):
    from aiohttp.http_parser import HttpRequestParser
    loop = asyncio.new_event_loop()
    try:
        parsed, _, _ = HttpRequestParser(QuietProtocol(), loop, 2 ** 16).feed_data(wire)
    except Exception:                                   # aiohttp's BadHttpMessage family
        return None
    finally:
        loop.close()
    return [(m.method, m.path, not m.should_close, m.chunked, payload.read_nowait())
            for m, payload in parsed if payload.is_eof()]


@pytest.mark.peer
@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.sampled_from([wire for _, wire, _ in REQUESTS]), st.lists(MUTATION, max_size=3))
def test_where_aiohttp_and_we_both_accept_we_agree_on_every_message(seed, mutations):
    """Two parsers that frame the same bytes differently are how request smuggling works."""
    require("aiohttp")
    wire = mutate(seed, mutations)
    ours, theirs = messages_by_us(wire), messages_by_aiohttp(wire)
    if ours is not None and theirs is not None:
        count = min(len(ours), len(theirs))
        assert ours[:count] == theirs[:count]
