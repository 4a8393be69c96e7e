"""Property: whatever bytes arrive, the parsers either give events or raise RemoteProtocolError.

Anything else (IndexError, ValueError from int(), UnicodeDecodeError...) would be a crash the
server cannot answer with a status, so hypothesis throws random and mutated messages at them.
"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aioteach.http1 import (
    END_OF_MESSAGE, NEED_DATA, PAUSED, Connection, RemoteProtocolError, Request, RequestParser,
    ResponseParser, serialize_request_head,
)

from .corpus import REQUESTS, RESPONSES

SEEDS = [wire for _, wire, _ in REQUESTS] + [wire for _, _, wire, _ in RESPONSES]
METHODS = st.lists(st.sampled_from(["GET", "HEAD", "CONNECT", "POST"]), max_size=4)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(parser, wire: bytes, cuts: list[int]) -> None:
    pieces, start = [], 0
    for cut in sorted(c % (len(wire) + 1) for c in cuts):
        pieces.append(wire[start:cut])
        start = cut
    pieces.append(wire[start:])
    try:
        for piece in pieces:
            parser.feed(piece)
            if parser.paused:
                parser.take_trailing() if len(piece) % 2 else parser.resume()
        parser.feed_eof()
    except RemoteProtocolError as exc:
        assert 400 <= exc.status <= 599


def make(kind: str, methods: list[str]):
    if kind == "request":
        return RequestParser(max_line_size=200, max_field_size=200, max_headers=10,
                             max_body_size=1000)
    parser = ResponseParser(max_body_size=1000)
    for method in methods:
        parser.expect(method)
    return parser


@FAST
@given(st.sampled_from(["request", "response"]), st.binary(max_size=300),
       st.lists(st.integers(0, 400), max_size=5), METHODS)
def test_random_bytes(kind, wire, cuts, methods):
    run(make(kind, methods), wire, cuts)


# A mutation: at some position, delete a few bytes and insert others, often HTTP's own
# delimiters, which are what a broken or hostile peer plays with.
DELIMITERS = st.sampled_from([b"\r", b"\n", b"\r\n", b":", b" ", b"\t", b"\x00", b";", b",",
                              b"0", b"f", b"-", b"\xff", b"chunked", b"\r\n\r\n"])
MUTATION = st.tuples(st.integers(0, 10_000), st.integers(0, 4),
                     st.one_of(DELIMITERS, st.binary(max_size=4)))


def mutate(wire: bytes, mutations) -> bytes:
    for position, delete, insert in mutations:
        position %= len(wire) + 1
        wire = wire[:position] + insert + wire[position + delete:]
    return wire


@FAST
@given(st.sampled_from(SEEDS), st.lists(MUTATION, min_size=1, max_size=4),
       st.lists(st.integers(0, 400), max_size=5), METHODS,
       st.sampled_from(["request", "response"]))
def test_mutated_messages(seed, mutations, cuts, methods, kind):
    run(make(kind, methods), mutate(seed, mutations), cuts)


@FAST
@given(st.sampled_from(SEEDS), st.lists(MUTATION, max_size=3),
       st.sampled_from(["client", "server"]))
def test_connection_raises_only_protocol_errors(seed, mutations, role):
    conn = Connection(role)
    if role == "client":
        conn.send(Request("GET", "/", (("Host", "h"),)))
        conn.send(END_OF_MESSAGE)
    try:
        conn.receive_data(mutate(seed, mutations))
        conn.receive_data(b"")
        for _ in range(50):                            # bounded: a cycle can PAUSE forever
            if conn.next_event() in (NEED_DATA, PAUSED):
                break
    except RemoteProtocolError:
        assert conn.their_state == "ERROR"


# Round trip: whatever valid fields the writer accepts, the parser gives back.  (ASCII values:
# the writer encodes text as UTF-8 and the parser reads bytes as latin-1, see writer.py.)
TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
TOKEN = st.text(alphabet=TCHARS, min_size=1, max_size=12)
VALUE = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.just("\t"),
                max_size=20)
FRAMING = {"content-length", "transfer-encoding", "host", "connection", "upgrade", "expect"}


@FAST
@given(st.lists(st.tuples(TOKEN, VALUE), max_size=10), TOKEN, st.sampled_from(["1.0", "1.1"]))
def test_writer_and_parser_round_trip(fields, method, version):
    fields = [(name, value) for name, value in fields if name.lower() not in FRAMING]
    fields.insert(0, ("Host", "h"))
    wire = serialize_request_head(method, "/p?q", fields, version)
    (request, end) = RequestParser().feed(wire)
    assert (request.method, request.target, request.version) == (method, "/p?q", version)
    assert list(request.headers) == [(name, value.strip(" \t")) for name, value in fields]
