"""Property: parse_fields' cache of field lines gives what the general path gives.

``heads.parse_fields`` keeps ``parse_field_line``'s answer for each line it has seen
(heads.py, "Performance notes").  Whatever the lines, a head parsed with an empty cache, the
same head parsed again from the cache, and each line parsed on its own by the general path
must give the same headers, framing and errors; and the cache never keeps a line that the
general path refuses.  The same holds for its second key, whole field blocks
(``heads.parse_field_block``): a block answered from the cache gives parse_fields' answer, and
a block holding a credential or an unkept line is never kept.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aioteach.http1 import RemoteProtocolError, RequestParser
from aioteach.http1 import heads

# Bytes that matter to a field line: token characters, separators, OWS, controls, CR/LF,
# obs-text, and the names that decide framing or are never kept.
PIECES = st.sampled_from([
    "a", "Z", "-", "1", "!", ":", " ", "\t", ",", "\r", "\n", "\x00", "\x7f", "\x85", "\xad",
    "\xe9", "Host", "Connection", "Content-Length", "Cookie", "keep-alive", "close", "5",
])
LINES = st.lists(st.lists(PIECES, max_size=8).map("".join), max_size=6)
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(lines: list[str]) -> object:
    try:
        return heads.parse_fields(lines, 100)
    except RemoteProtocolError as exc:
        return ("error", exc.status, str(exc))


def general(lines: list[str]) -> object:
    """The same answer built from parse_field_line alone, the cache emptied before each line."""
    headers, framing = [], {}
    try:
        for line in lines:
            heads._FIELD_LINES.clear()
            (name, value), framing_name = heads.parse_field_line(line)
            headers.append((name, value))
            if framing_name:
                framing.setdefault(framing_name, []).append(value)
    except RemoteProtocolError as exc:
        return ("error", exc.status, str(exc))
    return tuple(headers), framing


@SETTINGS
@given(LINES)
def test_cached_lines_give_what_the_general_path_gives(lines):
    heads._FIELD_LINES.clear()
    cold = outcome(lines)
    warm = outcome(lines)                   # now from the cache, as far as it kept them
    assert cold == warm == general(lines)
    for line, entry in list(heads._FIELD_LINES.items()):
        heads._FIELD_LINES.clear()
        assert heads.parse_field_line(line) == entry   # only lines the general path accepts


def test_credentials_and_long_lines_are_not_kept():
    heads._FIELD_LINES.clear()
    long_line = "X-Long: " + "a" * 600
    heads.parse_fields(["Cookie: a=1", "Authorization: Basic eA==", long_line, "Accept: */*"],
                       100)
    assert list(heads._FIELD_LINES) == ["Accept: */*"]


def test_a_full_cache_starts_over():
    heads._FIELD_LINES.clear()
    heads.parse_fields([f"X-{n}: {n}" for n in range(heads._FIELD_LINES_MAX)], 10_000)
    assert len(heads._FIELD_LINES) == heads._FIELD_LINES_MAX
    heads.parse_fields(["Accept: */*"], 100)
    assert list(heads._FIELD_LINES) == ["Accept: */*"]


@SETTINGS
@given(st.lists(st.sampled_from([
    b"Host: a", b"Host: a\r", b"Host:\x00a", b"X: \x85", b"X:\ta\t", b"Connection: close",
    b"Bad Name: x", b"NoColon", b" folded: x", b"Content-Length: 5", b"X: a\nY: b"]),
    max_size=5))
def test_a_request_parsed_twice_gives_the_same_events_or_error(fields):
    wire = b"\r\n".join([b"POST / HTTP/1.1", *fields]) + b"\r\n\r\n"
    answers = []
    for _ in range(2):
        try:
            answers.append(RequestParser().feed(wire))
        except RemoteProtocolError as exc:
            answers.append(("error", exc.status, str(exc)))
    assert answers[0] == answers[1]


def block_outcome(block: str, max_headers: int = 100) -> object:
    try:
        return heads.parse_field_block(block, max_headers)
    except RemoteProtocolError as exc:
        return ("error", exc.status, str(exc))


@SETTINGS
@given(LINES.filter(lambda lines: all("\r\n" not in line for line in lines)),
       st.integers(min_value=0, max_value=7))
def test_cached_blocks_give_what_the_general_path_gives(lines, max_headers):
    heads._FIELD_LINES.clear()
    heads._FIELD_BLOCKS.clear()
    block = "\r\n".join(lines)
    cold = block_outcome(block)
    warm = block_outcome(block)                     # now from the cache, if it was kept
    assert cold == warm == general(lines if block else [])
    # A parser with a lower limit on the number of fields is not answered from the cache.
    if block:
        try:
            expected: object = heads.parse_fields(lines, max_headers)
        except RemoteProtocolError as exc:
            expected = ("error", exc.status, str(exc))
        assert block_outcome(block, max_headers) == expected
    for kept, entry in list(heads._FIELD_BLOCKS.items()):
        kept_lines = kept.split("\r\n") if kept else []
        assert entry == heads.parse_fields(kept_lines, 100)
        assert all(line.partition(":")[0].lower() not in heads._NEVER_KEPT
                   and len(line) <= heads._KEPT_LINE_MAX for line in kept_lines)


def test_blocks_with_credentials_or_for_responses_are_not_kept():
    heads._FIELD_BLOCKS.clear()
    heads.parse_field_block("Host: a\r\nCookie: s=1", 100)
    heads.parse_field_block("Date: now\r\nContent-Length: 5", 100, keep=False)
    assert heads._FIELD_BLOCKS == {}
    heads.parse_field_block("Host: a\r\nAccept: */*", 100)
    assert list(heads._FIELD_BLOCKS) == ["Host: a\r\nAccept: */*"]


# -- the third key: whole request heads (RequestParser, parser.py "Performance notes") ----------
START_LINES = st.sampled_from([
    "GET / HTTP/1.1", "GET /a?b=1 HTTP/1.1", "HEAD /x HTTP/1.0", "POST /p HTTP/1.1",
    "CONNECT a:1 HTTP/1.1", "G@T / HTTP/1.1", "GET  / HTTP/1.1", "GET / HTTP/2.0", "get / HTTP/1.1",
])
HEAD_FIELDS = st.lists(st.sampled_from([
    "Host: a", "Host: b", "Host: a b", "Accept: */*", "Connection: keep-alive", "Connection: close",
    "Connection: upgrade", "Upgrade: websocket", "Content-Length: 0", "Content-Length: 3",
    "Transfer-Encoding: chunked", "Expect: 100-continue", "Cookie: s=1", "Bad Name: x", "X:\x00",
    "X: " + "y" * 600]), max_size=5)
LIMITS = st.sampled_from([{}, {"max_headers": 2}, {"max_line_size": 10}, {"max_field_size": 8}])


def events_or_error(parser: RequestParser, wire: bytes) -> object:
    try:
        return parser.feed(wire)
    except RemoteProtocolError as exc:
        return ("error", exc.status, str(exc))


def uncached(parser: RequestParser) -> RequestParser:
    """A parser that always takes the general path (its cache is a dict no one keeps in)."""
    parser._head_event = lambda head: parser._parse_head(*parser._split_start(head))
    parser._kept_heads = {}
    return parser


@SETTINGS
@given(START_LINES, HEAD_FIELDS, LIMITS, st.integers(min_value=1, max_value=3))
def test_a_head_from_the_cache_gives_the_general_paths_events(start, fields, limits, times):
    from aioteach.http1 import parser as parser_module
    wire = ("\r\n".join([start, *fields]) + "\r\n\r\n" + "abc" * ("Content-Length: 3" in fields)
            ).encode("latin-1") * times
    general_parser = uncached(RequestParser(**limits))
    expected = events_or_error(general_parser, wire)
    parser_module._KEPT_HEADS.clear()
    for _ in range(2):                     # cold, then from the cache where it was kept
        parser = RequestParser(**limits)
        assert events_or_error(parser, wire) == expected
        assert (parser.paused, parser.mid_message) == (general_parser.paused,
                                                      general_parser.mid_message)
    # One read per message (feed's lookup before the buffer), with leading empty lines too.
    message = wire[:len(wire) // times]
    for reads in ([message] * times, [b"\r\n", message, message]):
        general_parser, parser = uncached(RequestParser(**limits)), RequestParser(**limits)
        assert [events_or_error(parser, data) for data in reads] == \
            [events_or_error(general_parser, data) for data in reads]
        assert (parser.paused, parser.mid_message) == (general_parser.paused,
                                                      general_parser.mid_message)
    for kept in parser_module._KEPT_HEADS.values():
        for head, entry in kept.items():
            text = head.decode("latin-1")
            assert "?" not in text.partition("\r\n")[0] and entry[1] is None
            assert "cookie:" not in text.lower()
            assert entry[0].upgrade is None and entry[0].method != "CONNECT"    # no switch
            assert head.endswith(b"\r\n\r\n")      # kept as feed() receives it
            assert entry == uncached(RequestParser(**limits))._head_event(head[:-4])


def test_heads_kept_and_not_kept():
    from aioteach.http1 import parser as parser_module
    parser_module._KEPT_HEADS.clear()
    for head in [b"GET / HTTP/1.1\r\nHost: a", b"GET /?q=1 HTTP/1.1\r\nHost: a",
                 b"GET / HTTP/1.1\r\nHost: a\r\nCookie: s=1",
                 b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3",
                 b"GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: h2c"]:
        RequestParser().feed(head + b"\r\n\r\nabc")
    assert [list(kept) for kept in parser_module._KEPT_HEADS.values()] == [
        [b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"]]
    # A parser with other limits has its own heads: a head kept under the defaults is refused
    # under a smaller max_line_size, as the general path refuses it.
    with pytest.raises(RemoteProtocolError) as refused:
        RequestParser(max_line_size=5).feed(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    assert refused.value.status == 414


def test_a_parser_answers_alternating_kept_heads_each_with_its_own_event():
    # feed() first compares a read with the kept head it answered last time: a different head
    # (same length, one byte apart) must get its own event, from the shared cache or the parser.
    heads = [b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n", b"GET /b HTTP/1.1\r\nHost: h\r\n\r\n"]
    parser = RequestParser()
    targets = [parser.feed(heads[n % 2])[0].target for n in range(8)]
    assert targets == ["/a", "/b"] * 4
    assert parser.feed(b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n")[0].target == "/a"
