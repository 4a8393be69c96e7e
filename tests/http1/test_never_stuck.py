"""Never stuck, and the right status: the parser decides as soon as the bytes allow.

A head that can never become valid (a bare LF, a TLS handshake on a plain port, binary junk,
an endless method, a line over its limit) is refused when its first impossible byte arrives,
not after the server's head timeout.  Each case is fed whole and one byte at a time, and the
byte-by-byte run must raise on the byte named in the case.  A property test then checks that
any split of any (mutated) message gets the same verdict as the whole message.
"""
from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aioteach import web
from aioteach.http1 import RemoteProtocolError, RequestParser, ResponseParser

from .corpus import REQUESTS, RESPONSES
from .test_fuzz import MUTATION, mutate

CLIENT_HELLO = bytes.fromhex("16030100f8010000f40303") + bytes(range(32)) + b"\x00\x20"
HOST = b"Host: h\r\n"

# name, wire, status, index of the byte at which a byte-by-byte feed must be refused
AT_ONCE = [
    ("bare LF line ends", b"GET / HTTP/1.1\nHost: x\n\n", 400, 14),
    ("bare LF after the request line", b"GET / HTTP/1.1\r\nHost: x\n\n", 400, 23),
    ("bare CR", b"GET / HTTP/1.1\rHost: x\r\n\r\n", 400, 15),
    ("TLS ClientHello", CLIENT_HELLO, 400, 0),
    ("NUL bytes", b"\x00\x00\x00\x00", 400, 0),
    ("binary after a token", b"GE\xff\xfe", 400, 2),
    ("space first", b" GET / HTTP/1.1\r\n", 400, 0),
    ("control character in a field", b"GET / HTTP/1.1\r\nX: a\x01", 400, 20),
    ("method of 33 characters", b"A" * 33 + b" / HTTP/1.1\r\n" + HOST + b"\r\n", 501, 32),
    ("endless method", b"M" * 5000, 501, 32),
    ("request line over 8190", b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n" + HOST + b"\r\n", 414, 8190),
    ("header line over 8190", b"GET / HTTP/1.1\r\n" + HOST + b"X: " + b"a" * 9000, 431, 8215),
    ("bare LF after a chunk size",
     b"POST / HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n", 400, 57),
]


def feed_bytewise(parser, wire: bytes) -> int:
    """Feed one byte at a time; return the index of the byte at which the parser refused."""
    for i in range(len(wire)):
        try:
            parser.feed(wire[i:i + 1])
        except RemoteProtocolError:
            return i
    raise AssertionError(f"still waiting after all {len(wire)} bytes")


@pytest.mark.parametrize("name, wire, status, at", AT_ONCE, ids=[c[0] for c in AT_ONCE])
def test_refused_at_the_first_impossible_byte(name, wire, status, at):
    with pytest.raises(RemoteProtocolError) as whole:
        RequestParser().feed(wire)
    assert whole.value.status == status
    parser = RequestParser()
    assert feed_bytewise(parser, wire) == at
    with pytest.raises(RemoteProtocolError) as dead:
        parser.feed(b"")
    assert dead.value.status == status


def test_a_tls_handshake_is_named_in_the_hint():
    with pytest.raises(RemoteProtocolError, match="TLS handshake.*http://"):
        RequestParser().feed(CLIENT_HELLO[:1])


def test_empty_lines_before_a_request_may_arrive_byte_by_byte():
    wire = b"\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"
    parser = RequestParser()
    events = [event for i in range(len(wire)) for event in parser.feed(wire[i:i + 1])]
    assert [type(event).__name__ for event in events] == ["Request", "EndOfMessage"]


def test_a_long_request_line_is_414_even_past_the_head_budget():
    wire = b"GET /" + b"a" * 40_000 + b" HTTP/1.1\r\n" + HOST + b"\r\n"
    with pytest.raises(RemoteProtocolError) as info:
        RequestParser().feed(wire)
    assert info.value.status == 414


@pytest.mark.parametrize("wire, status", [
    (b"GET / HTTP/1.1\r\n" + HOST + b"X: " + b"a" * 9000 + b"\r\n\r\n", 431),
    (b"GET / HTTP/1.1\r\n" + HOST + b"X: " + b"a" * 40_000 + b"\r\n\r\n", 431),
    (b"GET / HTTP/1.1\r\n" + HOST + b"X: " + b"a" * 8187 + b"\r\n\r\n", None),   # exactly 8190
])
def test_a_long_field_line_is_431(wire, status):
    if status is None:
        assert len(RequestParser().feed(wire)) == 2
        return
    with pytest.raises(RemoteProtocolError) as info:
        RequestParser().feed(wire)
    assert info.value.status == status


def test_the_longest_allowed_method_and_a_registered_one_pass():
    for method in (b"M" * 32, b"UPDATEREDIRECTREF"):
        wire = method + b" / HTTP/1.1\r\n" + HOST + b"\r\n"
        whole = RequestParser().feed(wire)
        parser = RequestParser()
        bytewise = [event for i in range(len(wire)) for event in parser.feed(wire[i:i + 1])]
        assert whole == bytewise and whole[0].method == method.decode()


GOOD_HOSTS = ["example.org", "example.org:8080", "127.0.0.1:80", "[::1]", "[::1]:8080",
              "[fe80::1%25eth0]", "xn--bcher-kva.example", "a-b_c~d.e", "h:", "", "%41.org"]
BAD_HOSTS = ["bad host/x", "example.org/path", "user@example.org", "example.org:80:80",
             "example.org:http", "[::1", "::1", "ex ample", "caf\xe9.org", "a%4", "h?q", "h#f"]


@pytest.mark.parametrize("host", GOOD_HOSTS)
def test_valid_hosts_are_accepted(host):
    wire = b"GET / HTTP/1.1\r\nHost: " + host.encode("latin-1") + b"\r\n\r\n"
    request, _ = RequestParser().feed(wire)
    assert request.headers == (("Host", host),)


@pytest.mark.parametrize("host", BAD_HOSTS)
def test_a_host_that_is_not_an_authority_is_400(host):
    wire = b"GET / HTTP/1.1\r\nHost: " + host.encode("latin-1") + b"\r\n\r\n"
    for parser in (RequestParser(), RequestParser()):           # twice: the cache holds
        with pytest.raises(RemoteProtocolError, match="invalid Host") as info:
            parser.feed(wire)
        assert info.value.status == 400
    with pytest.raises(RemoteProtocolError, match="invalid Host"):   # and with framing fields
        RequestParser().feed(wire[:-2] + b"Content-Length: 0\r\n\r\n")


def response_with_fields(n: int, size: int = 20) -> bytes:
    fields = b"".join(b"X-%d: %s\r\n" % (i, b"v" * size) for i in range(n))
    return b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n" + fields + b"\r\n"


def test_responses_may_have_128_fields_as_aiohttp_clients_allow():
    response, _ = ResponseParser().feed(response_with_fields(127))         # 128 with CL
    assert len(response.headers) == 128
    with pytest.raises(RemoteProtocolError, match="129 header fields"):
        ResponseParser().feed(response_with_fields(128))
    # no budget for the whole head beyond the fields' own limits: 128 fields of 1 KiB
    response, _ = ResponseParser().feed(response_with_fields(127, 1000))
    assert len(response.headers) == 128


def test_requests_keep_the_strict_limit_of_100_fields():
    wire = b"GET / HTTP/1.1\r\n" + HOST + b"X: y\r\n" * 100 + b"\r\n"
    with pytest.raises(RemoteProtocolError) as info:
        RequestParser().feed(wire)
    assert info.value.status == 431


def test_a_response_that_is_not_http_is_refused_at_once():
    parser = ResponseParser()
    assert feed_bytewise(parser, b"SSH-2.0-OpenSSH_9.6\r\n") == 0
    assert feed_bytewise(ResponseParser(), b"HTTP/1.1 200 OK\nX: y\n\n") == 15


# -- whole, byte by byte, or split anywhere: one verdict ------------------------------------
SEEDS = ([("request", wire) for _, wire, _ in REQUESTS]
         + [("response", wire) for _, _, wire, _ in RESPONSES])
SMALL = dict(max_line_size=200, max_field_size=200, max_headers=10, max_body_size=1000)


def verdict(kind: str, pieces: list[bytes]):
    parser = RequestParser(**SMALL) if kind == "request" else ResponseParser(**SMALL)
    try:
        for piece in pieces:
            parser.feed(piece)
            if parser.paused:
                break
    except RemoteProtocolError as exc:
        return exc.status
    return "waiting" if parser.mid_message else "between messages"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SEEDS), st.lists(MUTATION, min_size=1, max_size=4),
       st.lists(st.integers(0, 400), max_size=5))
def test_every_split_gets_the_verdict_of_the_whole(seed, mutations, cuts):
    kind, wire = seed
    wire = mutate(wire, mutations + [(0, 0, b"M" * 40)] * (cuts[:1] == [7]))
    pieces, start = [], 0
    for cut in sorted(c % (len(wire) + 1) for c in cuts):
        pieces.append(wire[start:cut])
        start = cut
    pieces.append(wire[start:])
    whole = verdict(kind, [wire])
    assert verdict(kind, [wire[i:i + 1] for i in range(len(wire))]) == whole
    assert verdict(kind, pieces) == whole


# -- the server answers these at once (its head timeout is an hour here) --------------------
@pytest.mark.parametrize("wire, status", [
    (b"GET / HTTP/1.1\nHost: x\n\n", 400),
    (CLIENT_HELLO, 400),
    (b"A" * 100 + b" / HTTP/1.1\r\nHost: x\r\n\r\n", 501),
    (b"GET / HTTP/1.1\r\nHost: bad host/x\r\n\r\n", 400),
    (b"GET /" + b"a" * 40_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 9000, 431),
])
async def test_the_server_answers_at_once(wire, status):
    async def hello(request):
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get("/", hello)
    runner = web.AppRunner(app, head_timeout=3600)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        reader, writer = await asyncio.open_connection(*runner.addresses[0][:2])
        writer.write(wire)
        answer = await asyncio.wait_for(reader.read(), 30)     # the server closes after it
        writer.close()
    finally:
        await runner.cleanup()
    assert answer.startswith(b"HTTP/1.1 %d " % status)
    assert b"Connection: close" in answer
