"""Property: parse_fields' cache of field lines gives what the general path gives.

``heads.parse_fields`` keeps ``parse_field_line``'s answer for each line it has seen
(heads.py, "Performance notes").  Whatever the lines, a head parsed with an empty cache, the
same head parsed again from the cache, and each line parsed on its own by the general path
must give the same headers, framing and errors; and the cache never keeps a line that the
general path refuses.
"""
from __future__ import annotations

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
