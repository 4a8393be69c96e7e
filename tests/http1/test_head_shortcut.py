"""Property: the request parser's shortcut for plain heads gives what the general rules give.

``RequestParser._parse_head`` skips the framing rules (RFC 9112 6, 9.3, RFC 9110 7.8, 10.1.1)
for a head whose only framing fields are Host and ``Connection: keep-alive``.  With the
shortcut's pattern made unmatchable, every head takes the general rules: the events must be
the same.
"""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aioteach.http1 import RemoteProtocolError, RequestParser
from aioteach.http1 import parser as parser_module

FIELDS = st.lists(st.sampled_from([
    b"Host: a", b"Host: b:80", b"Connection: keep-alive", b"Connection: close",
    b"Connection: Keep-Alive", b"Accept: */*", b"Content-Length: 0", b"Expect: 100-continue",
    b"Upgrade: x", b"Connection: upgrade"]), max_size=4)


def events(wire: bytes) -> object:
    try:
        return RequestParser().feed(wire)
    except RemoteProtocolError as exc:
        return ("error", exc.status, str(exc))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([b"GET", b"POST", b"CONNECT"]), st.sampled_from([b"1.0", b"1.1"]), FIELDS)
def test_the_shortcut_gives_the_general_rules_events(method, version, fields):
    wire = b"\r\n".join([method + b" / HTTP/" + version, *fields]) + b"\r\n\r\n"
    with_shortcut = events(wire)
    saved = parser_module._KEEP_ALIVE
    parser_module._KEEP_ALIVE = object()      # never equal to a list of values
    try:
        general = events(wire)
    finally:
        parser_module._KEEP_ALIVE = saved
    assert with_shortcut == general
