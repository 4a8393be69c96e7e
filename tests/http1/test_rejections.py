"""Every kind of bad input the parsers refuse, with the status a server would answer."""
from __future__ import annotations

import pytest

from aioteach.http1 import RemoteProtocolError, RequestParser, ResponseParser

H = b"Host: h\r\n"

BAD_REQUESTS = [
    # framing that two parties could read two ways (request smuggling)
    ("CL and TE", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
    ("differing CL fields", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 3\r\nContent-Length: 4\r\n\r\n", 400),
    ("differing CL list", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 3, 4\r\n\r\n", 400),
    ("signed CL", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: +3\r\n\r\n", 400),
    ("CL with inner space", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 1 2\r\n\r\n", 400),
    ("non-ASCII digit CL", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: \xb2\r\n\r\n", 400),
    ("empty CL", b"POST / HTTP/1.1\r\n" + H + b"Content-Length:\r\n\r\n", 400),
    ("huge CL", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: " + b"9" * 5000 + b"\r\n\r\n", 400),
    ("gzip, chunked", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: gzip, chunked\r\n\r\n", 501),
    ("identity", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: identity\r\n\r\n", 501),
    ("chunked twice", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 501),
    ("TE in HTTP/1.0", b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
    # field syntax
    ("obs-fold", b"GET / HTTP/1.1\r\n" + H + b"X: a\r\n  b\r\n\r\n", 400),
    ("obs-fold with tab", b"GET / HTTP/1.1\r\n" + H + b"X: a\r\n\tb: c\r\n\r\n", 400),
    ("space before colon", b"GET / HTTP/1.1\r\n" + H + b"X-A : b\r\n\r\n", 400),
    ("invalid name char", b"GET / HTTP/1.1\r\n" + H + b"X(a): b\r\n\r\n", 400),
    ("empty name", b"GET / HTTP/1.1\r\n" + H + b": b\r\n\r\n", 400),
    ("no colon", b"GET / HTTP/1.1\r\n" + H + b"Host\r\n\r\n", 400),
    ("NUL in value", b"GET / HTTP/1.1\r\n" + H + b"X: a\x00b\r\n\r\n", 400),
    ("bare CR in value", b"GET / HTTP/1.1\r\n" + H + b"X: a\rb\r\n\r\n", 400),
    ("bare LF in value", b"GET / HTTP/1.1\r\n" + H + b"X: a\nb\r\n\r\n", 400),
    ("LF-only line ends", b"GET / HTTP/1.1\nHost: h\n\r\n\r\n", 400),
    ("control char in value", b"GET / HTTP/1.1\r\n" + H + b"X: a\x7fb\r\n\r\n", 400),
    # Host
    ("missing Host", b"GET / HTTP/1.1\r\n\r\n", 400),
    ("two Hosts", b"GET / HTTP/1.1\r\n" + H + H + b"\r\n", 400),
    ("two Hosts in 1.0", b"GET / HTTP/1.0\r\n" + H + H + b"\r\n", 400),
    # request line
    ("HTTP/2.0", b"GET / HTTP/2.0\r\n" + H + b"\r\n", 505),
    ("HTTP/0.9", b"GET / HTTP/0.9\r\n" + H + b"\r\n", 505),
    ("HTTP/1.2", b"GET / HTTP/1.2\r\n" + H + b"\r\n", 400),
    ("HTTP/11", b"GET / HTTP/11\r\n" + H + b"\r\n", 400),
    ("lowercase http", b"GET / http/1.1\r\n" + H + b"\r\n", 400),
    ("double space", b"GET  / HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("trailing space", b"GET / HTTP/1.1 \r\n" + H + b"\r\n", 400),
    ("missing target", b"GET HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("tab separator", b"GET\t/ HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("bad method", b"G(T / HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("empty line storm", b"\r\n" * 6 + b"GET / HTTP/1.1\r\n" + H + b"\r\n", 400),
    # chunked bodies
    ("non-hex chunk size", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\nxyz\r\n", 400),
    ("empty chunk size", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n\r\n", 400),
    ("17 hex digits", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n" + b"1" * 17 + b"\r\n", 400),
    ("negative chunk size", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n-1\r\n", 400),
    ("chunk size with space", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n1 \r\n", 400),
    ("bad chunk extension", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n1;=\r\n", 400),
    ("endless chunk extension", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n1;a=" + b"b" * 5000, 400),
    ("missing CRLF after data", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n", 400),
    ("bad trailer", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n0\r\nX : y\r\n\r\n", 400),
]


def limited(**limits):
    return lambda: RequestParser(**limits)


LIMITS = [
    ("request line over max_line_size", limited(max_line_size=100),
     b"GET /" + b"a" * 100 + b" HTTP/1.1\r\n" + H + b"\r\n", 414),
    ("request line over max_line_size, unfinished", limited(max_line_size=100),
     b"GET /" + b"a" * 200, 414),
    ("field over max_field_size", limited(max_field_size=100),
     b"GET / HTTP/1.1\r\n" + H + b"X: " + b"a" * 100 + b"\r\n\r\n", 431),
    ("too many fields", limited(max_headers=5),
     b"GET / HTTP/1.1\r\n" + H + b"X: a\r\n" * 5 + b"\r\n", 431),
    ("head over 4 x max_field_size", limited(max_field_size=100, max_line_size=100),
     b"GET / HTTP/1.1\r\n" + H + (b"X: " + b"a" * 90 + b"\r\n") * 5, 431),
    ("Content-Length over max_body_size", limited(max_body_size=10),
     b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 11\r\n\r\n", 413),
    ("chunked body over max_body_size", limited(max_body_size=10),
     b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n5\r\n", 413),
    ("trailers over the head budget", limited(max_field_size=100, max_line_size=100),
     b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n0\r\n" + b"X: y\r\n" * 100, 431),
]


def rejection(make, wire):
    parser = make()
    with pytest.raises(RemoteProtocolError) as info:
        parser.feed(wire)
    # the parser is dead from now on: every later call raises with the same status
    with pytest.raises(RemoteProtocolError) as again:
        parser.feed(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    assert again.value.status == info.value.status
    assert info.value.hint
    return info.value.status


@pytest.mark.parametrize("name, wire, status", BAD_REQUESTS, ids=[c[0] for c in BAD_REQUESTS])
def test_bad_request(name, wire, status):
    assert rejection(RequestParser, wire) == status


@pytest.mark.parametrize("name, make, wire, status", LIMITS, ids=[c[0] for c in LIMITS])
def test_limit(name, make, wire, status):
    assert rejection(make, wire) == status


@pytest.mark.parametrize("name, wire, status", BAD_REQUESTS, ids=[c[0] for c in BAD_REQUESTS])
def test_bad_request_byte_by_byte(name, wire, status):
    parser = RequestParser()
    with pytest.raises(RemoteProtocolError) as info:
        for i in range(len(wire)):
            parser.feed(wire[i:i + 1])
    assert info.value.status == status


def test_limits_allow_what_they_allow():
    parser = RequestParser(max_line_size=100, max_field_size=100, max_headers=5, max_body_size=3)
    wire = (b"POST /" + b"a" * 84 + b" HTTP/1.1\r\n" + H + b"X: " + b"b" * 97 + b"\r\n" * 1
            + b"Content-Length: 3\r\n\r\nabc")
    events = parser.feed(wire)
    assert events[0].target == "/" + "a" * 84 and len(events) == 3


BAD_RESPONSES = [
    ("CL and TE", b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"),
    ("gzip only", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"),
    ("differing CL", b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 2\r\n\r\n"),
    ("status too short", b"HTTP/1.1 20 OK\r\n\r\n"),
    ("status 600", b"HTTP/1.1 600 Odd\r\n\r\n"),
    ("status 099", b"HTTP/1.1 099 Odd\r\n\r\n"),
    ("HTTP/2", b"HTTP/2 200 OK\r\n\r\n"),
    ("lowercase", b"http/1.1 200 OK\r\n\r\n"),
    ("obs-fold", b"HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n"),
    ("bare LF", b"HTTP/1.1 200 OK\nX: a\r\n\r\n"),
    ("missing CRLF after chunk", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc"),
]


@pytest.mark.parametrize("name, wire", BAD_RESPONSES, ids=[c[0] for c in BAD_RESPONSES])
def test_bad_response(name, wire):
    with pytest.raises(RemoteProtocolError):
        ResponseParser().feed(wire)


def test_response_cut_short_by_eof_says_how_much_arrived():
    parser = ResponseParser()
    parser.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
    with pytest.raises(RemoteProtocolError, match="after 3 of 10 body bytes"):
        parser.feed_eof()


@pytest.mark.parametrize("wire", [
    b"GET / HTTP/1.1\r\nHost:",                                      # inside a head
    b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
    b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nab",
])
def test_request_eof_mid_message(wire):
    parser = RequestParser()
    parser.feed(wire)
    assert parser.mid_message
    with pytest.raises(RemoteProtocolError):
        parser.feed_eof()


def test_eof_between_messages_is_quiet():
    parser = RequestParser()
    parser.feed(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n\r\n")
    assert not parser.mid_message
    assert parser.feed_eof() == []
