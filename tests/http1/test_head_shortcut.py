"""Property: the request parser's shortcut for plain heads gives what the general rules give.

``RequestParser._parse_head`` skips the framing rules (RFC 9112 6, 9.3, RFC 9110 7.8, 10.1.1)
for a head whose only framing fields are Host and ``Connection: keep-alive``.  For the general
run, the parser's field-block reader is wrapped so that the framing fields it reports hold one
more name, which no rule reads: the shortcut's test ("these framing fields and no others")
never matches, and every head takes the general rules.  The events must be the same.

Both runs parse for real: each parser gets an empty cache of whole heads of its own, since a
head the first run parsed would otherwise be answered from ``_KEPT_HEADS`` in the second, and
the test would compare the shortcut with itself.
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
    parser = RequestParser()
    parser._kept_heads = {}                  # no answer from an earlier run: parse it
    try:
        return parser.feed(wire)
    except RemoteProtocolError as exc:
        return ("error", exc.status, str(exc))


def general_events(wire: bytes) -> object:
    """``events(wire)`` with the shortcut out of reach (see the module docstring)."""
    read_block = parser_module.parse_field_block

    def with_one_more_name(block, max_headers):
        headers, framing = read_block(block, max_headers)
        return headers, {**framing, "x-no-rule-reads-this": []}   # a copy: framing is cached

    parser_module.parse_field_block = with_one_more_name
    try:
        return events(wire)
    finally:
        parser_module.parse_field_block = read_block


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([b"GET", b"POST", b"CONNECT"]), st.sampled_from([b"1.0", b"1.1"]), FIELDS)
def test_the_shortcut_gives_the_general_rules_events(method, version, fields):
    wire = b"\r\n".join([method + b" / HTTP/" + version, *fields]) + b"\r\n\r\n"
    assert events(wire) == general_events(wire)


def test_the_general_run_takes_the_general_path():
    calls = []
    plain = parser_module._PLAIN_PERSISTS
    parser_module._PLAIN_PERSISTS = type("Spy", (dict,), {
        "__getitem__": lambda self, key: calls.append(key) or plain[key]})()
    try:
        events(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        assert len(calls) == 1                     # the shortcut answered
        general_events(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        assert len(calls) == 1                     # it did not
    finally:
        parser_module._PLAIN_PERSISTS = plain
