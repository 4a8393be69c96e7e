"""The parsers across messages: pipelining, keep-alive, upgrades, 1xx, EOF and mid_message."""
from __future__ import annotations

import subprocess
import sys

import pytest

from aioteach.http1 import (
    END_OF_MESSAGE, Data, InformationalResponse, LocalProtocolError, RemoteProtocolError,
    Request, RequestParser, Response, ResponseParser,
)

UPGRADE = (b"GET /chat HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Upgrade\r\n"
           b"Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n")


@pytest.mark.parametrize("version, connection, keep_alive", [
    ("1.1", None, True), ("1.1", "close", False), ("1.1", "Close", False),
    ("1.1", "keep-alive", True), ("1.1", "foo, close", False),
    ("1.0", None, False), ("1.0", "keep-alive", True), ("1.0", "Keep-Alive", True),
    ("1.0", "keep-alive, close", False), ("1.0", "te", False),
])
def test_keep_alive_rules(version, connection, keep_alive):
    head = f"GET / HTTP/{version}\r\nHost: h\r\n"
    if connection is not None:
        head += f"Connection: {connection}\r\n"
    (request, _) = RequestParser().feed(head.encode() + b"\r\n")
    assert request.keep_alive is keep_alive
    status = f"HTTP/{version} 200 OK\r\nContent-Length: 0\r\n"
    if connection is not None:
        status += f"Connection: {connection}\r\n"
    (response, _) = ResponseParser().feed(status.encode() + b"\r\n")
    assert response.keep_alive is keep_alive


def test_pipelined_requests_arrive_in_order_with_their_bodies():
    wire = (b"POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nab"
            b"GET /b HTTP/1.1\r\nHost: h\r\n\r\n"
            b"POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nc\r\n0\r\n\r\n")
    events = RequestParser().feed(wire)
    assert [type(e).__name__ for e in events] == [
        "Request", "Data", "EndOfMessage", "Request", "EndOfMessage",
        "Request", "Data", "EndOfMessage"]
    assert [e.target for e in events if isinstance(e, Request)] == ["/a", "/b", "/c"]


def test_upgrade_pauses_keeps_trailing_bytes_and_resumes():
    parser = RequestParser()
    events = parser.feed(UPGRADE + b"\x81\x05hel")
    assert events[0].upgrade == "websocket" and events[1:] == [END_OF_MESSAGE]
    assert parser.paused and not parser.mid_message
    assert parser.feed(b"lo") == []                  # held, not parsed
    assert parser.take_trailing() == b"\x81\x05hello"
    assert parser.take_trailing() == b""


def test_refused_upgrade_resumes_http():
    parser = RequestParser()
    parser.feed(UPGRADE + b"GET /next HTTP/1.1\r\nHost: h\r\n\r\n")
    assert parser.paused
    (request, end) = parser.resume()
    assert request.target == "/next" and not parser.paused
    assert parser.resume() == []


def test_upgrade_needs_the_connection_token_and_http11():
    no_token = b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n"
    old = b"GET / HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n"
    for wire in (no_token, old):
        parser = RequestParser()
        (request, _) = parser.feed(wire)
        assert request.upgrade is None and not parser.paused


def test_upgrade_with_body_pauses_after_the_body():
    parser = RequestParser()
    wire = (b"POST / HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\nUpgrade: h2c\r\n"
            b"Content-Length: 3\r\n\r\nabcPRI")
    events = parser.feed(wire)
    assert events[1:] == [Data(b"abc"), END_OF_MESSAGE] and parser.paused
    assert parser.take_trailing() == b"PRI"


def test_connect_pauses():
    parser = RequestParser()
    (request, end) = parser.feed(b"CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443"
                                 b"\r\n\r\n\x16\x03\x01")
    assert request.target == "example.org:443" and parser.paused
    assert parser.take_trailing() == b"\x16\x03\x01"


def test_expect_continue_only_in_http11():
    wire = b"PUT / HTTP/1.%d\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n"
    (request,) = RequestParser().feed(wire % 1)
    assert request.expect_continue
    (request,) = RequestParser().feed(wire % 0)
    assert not request.expect_continue


def test_mid_message_tells_a_slow_client_from_an_idle_one():
    parser = RequestParser()
    assert not parser.mid_message
    parser.feed(b"GET / HTTP/1.1\r\nHo")
    assert parser.mid_message
    parser.feed(b"st: h\r\n\r\n")
    assert not parser.mid_message
    parser.feed(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n")
    assert parser.mid_message
    parser.feed(b"ab")
    assert not parser.mid_message


def test_feed_after_eof_is_a_local_error():
    parser = RequestParser()
    assert parser.feed_eof() == []
    with pytest.raises(LocalProtocolError):
        parser.feed(b"GET")


def test_response_101_pauses_and_hands_over_websocket_bytes():
    parser = ResponseParser()
    parser.expect("GET")
    events = parser.feed(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                         b"Connection: Upgrade\r\n\r\n\x81\x02hi")
    assert events == [InformationalResponse(101, "Switching Protocols", (
        ("Upgrade", "websocket"), ("Connection", "Upgrade")))]
    assert parser.paused and parser.take_trailing() == b"\x81\x02hi"


def test_response_to_connect_opens_a_tunnel_but_a_refusal_has_a_body():
    parser = ResponseParser()
    parser.expect("CONNECT")
    events = parser.feed(b"HTTP/1.1 200 Connection established\r\n\r\n\x16\x03")
    assert events[1:] == [END_OF_MESSAGE] and parser.paused
    assert parser.take_trailing() == b"\x16\x03"
    parser = ResponseParser()
    parser.expect("CONNECT")
    events = parser.feed(b"HTTP/1.1 407 Proxy Auth\r\nContent-Length: 2\r\n\r\nno")
    assert events[1:] == [Data(b"no"), END_OF_MESSAGE] and not parser.paused


def test_response_methods_queue_for_pipelining():
    parser = ResponseParser()
    for method in ("GET", "HEAD", "GET"):
        parser.expect(method)
    wire = b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n"
    events = parser.feed(wire + b"a" + wire + wire + b"c")
    assert [e for e in events if isinstance(e, Data)] == [Data(b"a"), Data(b"c")]


def test_interim_responses_are_not_mid_message():
    parser = ResponseParser()
    parser.expect("POST")
    assert parser.feed(b"HTTP/1.1 100 Continue\r\n\r\n") == [InformationalResponse(100, "Continue")]
    assert not parser.mid_message
    (response, data, end) = parser.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx")
    assert isinstance(response, Response) and response.content_length == 1


def test_until_close_response_ends_at_eof():
    parser = ResponseParser()
    (response, data) = parser.feed(b"HTTP/1.1 200 OK\r\n\r\nsome")
    assert not response.keep_alive and parser.mid_message
    assert parser.feed(b" more") == [Data(b" more")]
    assert parser.feed_eof() == [END_OF_MESSAGE]
    assert not parser.mid_message


def test_eof_in_chunked_response_is_an_error():
    parser = ResponseParser()
    parser.feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab")
    with pytest.raises(RemoteProtocolError, match="chunked"):
        parser.feed_eof()
    with pytest.raises(RemoteProtocolError):      # dead ever after
        parser.feed_eof()


def test_importing_http1_pulls_in_no_io():
    code = ("import sys, aioteach.http1, aioteach.http1.parser, aioteach.http1.connection\n"
            "print(sorted({'asyncio', 'socket', 'ssl', 'selectors'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
