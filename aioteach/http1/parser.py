"""RequestParser and ResponseParser: bytes in, events out (RFC 9112).

Feed the parser whatever bytes arrived, in any split; it returns every event it could
complete, across as many pipelined messages as the bytes hold::

    >>> parser = RequestParser()
    >>> events = parser.feed(b"GET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\nGET /2 HT")
    >>> [type(event).__name__ for event in events]
    ['Request', 'EndOfMessage']
    >>> events[0].method, events[0].target, events[0].headers
    ('GET', '/', (('Host', 'a'),))
    >>> parser.mid_message            # "GET /2 HT" waits for the rest of its head
    True

How it works: message_parser.py (MessageParser) buffers the bytes, finds each head and
refuses at once what can never become one; the two classes here read the start line and
apply RFC 9112's rules for Host, framing and persistence.  heads.py checks the field lines,
bodies.py reads the bodies.

Rules: a RemoteProtocolError kills the parser (a connection that sent garbage cannot be
resynchronised, so every later call raises again).  After a request that asks to switch
protocols (Upgrade, RFC 9110 7.8) or a CONNECT (RFC 9110 9.3.6), and after a 101 or a 2xx to
CONNECT on the client side, the parser *pauses*: the bytes after the message belong to another
protocol.  ``take_trailing()`` hands them over; ``resume()`` goes back to HTTP if the switch
was refused.

Limits, with their precedents:
    max_line_size   8190   request line; longer is 414 (aiohttp's default, nginx uses 8 KiB)
    max_field_size  8190   one field line; longer is 431
    max_headers     100    field lines per request head (Apache's LimitRequestFields); more
                           is 431.  Responses: 128, aiohttp's client default
    the whole head  4 x max(max_line_size, max_field_size), about 32 KiB: see MessageParser
    method          32     characters; a longer method is 501 (abnf.METHOD_MAX_LENGTH)
    max_body_size   None   when set, a longer body is 413 (Content-Length: before reading it)

Performance notes.  A browser or a load tester sends the same head, byte for byte, for every
request to the same URL.  RequestParser keeps the Request event it made of each such head (an
immutable tuple, shared): ``_head_event``, the general path, records its own answer, and
``feed`` looks a head up there when it arrives alone in a read with nothing buffered (a
keep-alive client's next request), before touching the buffer; pipelined or split heads take
the general path.  Only a head with no body, no protocol switch, no query string (queries may
carry secrets and are endless) and a field block that heads.py's block cache kept (so no
Cookie or Authorization line, none over 512 characters) is kept; one dict per set of limits,
at most 256 heads each, then it starts over.  tests/http1/test_fields_cache.py checks with
hypothesis that a head answered from the cache gives the general path's events.  Saving
(valgrind, ``RequestParser.feed`` of a Chromium-like head of 9 fields): 25.3k -> 5.7k
instructions.  Each parser first compares the read with the kept head it last answered from
(equal bytes compare with one memcmp, where a dict lookup hashes all ~500 bytes of a fresh
read): -1.8k more per request on /hello.
"""
from __future__ import annotations

from collections import deque
from typing import Any

from .abnf import METHOD_MAX_LENGTH, method_prefix_re, status_code_re, token_re
from .bodies import ChunkedReader, ContentLengthReader, UntilCloseReader
from .errors import RemoteProtocolError
from .events import END_OF_MESSAGE, Event, InformationalResponse, Request, Response
from .heads import (
    VALID_HOSTS, check_host, connection_tokens, is_chunked, is_kept_block, keeps_alive,
    parse_content_length, parse_field_block, parse_version,
)
from .message_parser import INTERIM, MAX_EMPTY_LINES, MessageParser

__all__ = ["MessageParser", "RequestParser", "ResponseParser", "Event", "MAX_EMPTY_LINES"]

# Methods seen on every request skip the token regex (any token is still a valid method).
_COMMON_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"})

_new_tuple = tuple.__new__
_KEEP_ALIVE = ["keep-alive"]        # the Connection values of a browser's request
# keeps_alive's answers for the heads the shortcut in _parse_head takes (no Connection field,
# or exactly "keep-alive"), worked out once by the rule itself: (version, said keep-alive) ->
# persists.  A cache of RFC 9112 9.3's one rule, not a second copy of it.
_PLAIN_PERSISTS = {(version, said): keeps_alive(version, connection_tokens(
                       _KEEP_ALIVE if said else None))
                   for version in ("1.0", "1.1") for said in (False, True)}

# Whole request heads -> _parse_head's answer, one dict per set of limits (a head accepted
# under some limits may be refused under smaller ones).  See "Performance notes" above.
_KEPT_HEADS: dict[tuple[Any, ...], dict[bytes, tuple[Request, None]]] = {}
_KEPT_HEADS_MAX = 256
_LIMIT_SETS_MAX = 16


class RequestParser(MessageParser):
    """The server's parser: requests in (RFC 9112 section 3), Request/Data/EndOfMessage out.

    Simplification: the request-target and the Host value are checked only for what would
    break the framing (no whitespace, no control characters).  Their URI syntax (RFC 3986,
    RFC 9112 3.2) is left to the web layer, which parses the target anyway.
    """

    line_too_long_status = 414
    start_line_name = "request line"

    def __init__(self, *, max_line_size: int = 8190, max_field_size: int = 8190,
                 max_headers: int = 100, max_body_size: int | None = None) -> None:
        super().__init__(max_line_size=max_line_size, max_field_size=max_field_size,
                         max_headers=max_headers, max_body_size=max_body_size)
        limits = (max_line_size, max_field_size, max_headers, max_body_size)
        kept = _KEPT_HEADS.get(limits)
        if kept is None:
            kept = {}               # past _LIMIT_SETS_MAX sets of limits: this parser's own
            if len(_KEPT_HEADS) < _LIMIT_SETS_MAX:
                _KEPT_HEADS[limits] = kept
        self._kept_heads = kept
        self._last_head: bytes = b""            # the kept head this parser last answered from
        self._last_entry: Any = None

    def feed(self, data: bytes) -> list[Event]:
        # A head seen before, alone in a read with nothing buffered (a keep-alive client's
        # next request): the cache of whole heads answers at once.  A kept head never holds
        # CRLF CRLF, so pipelined heads in one read cannot match; they take the general path.
        if not self._buf and type(data) is bytes and data.endswith(b"\r\n\r\n") \
                and self._reader is None and not self.paused and self._error is None \
                and not self._eof:
            if data == self._last_head:             # the same head as last time: no hashing
                entry = self._last_entry
            else:
                entry = self._kept_heads.get(data)
                if entry is not None:
                    self._last_head, self._last_entry = data, entry
            if entry is not None:
                self._empty_lines = 0
                self._pause_after = False
                return [entry[0], END_OF_MESSAGE]
        return super().feed(data)

    def _head_event(self, head: bytes | bytearray) -> tuple[Any, Any]:
        # The general path, which also fills the cache of whole heads that feed() reads
        # ("Performance notes" above): only heads with no body, no switch, no query and a
        # field block heads.py kept.
        start, block = self._split_start(head)
        entry = self._parse_head(start, block)
        if entry[1] is None and not self._pause_after and "?" not in start \
                and is_kept_block(block):
            if len(self._kept_heads) >= _KEPT_HEADS_MAX:
                self._kept_heads.clear()          # start over, as heads.py's caches do
            self._kept_heads[bytes(head) + b"\r\n\r\n"] = entry   # as feed() receives it
        return entry

    def _check_start(self, buf: bytes | bytearray) -> None:
        # Can these bytes still begin "method SP"?  Decided within 34 bytes, so a TLS
        # handshake, binary junk or an endless method gets its answer at once.
        length = method_prefix_re.match(buf).end()          # type: ignore[union-attr]
        if length > METHOD_MAX_LENGTH:
            _refuse_long_method(bytes(buf[:length]).decode("latin-1"))
        if length == len(buf) or (length and buf[length] == 0x20) or buf == b"\r":
            return                   # a method so far, a method and its SP, an empty line's CR
        if length == 0 and buf[0] == 0x16:
            raise RemoteProtocolError(
                "this looks like a TLS handshake: the client speaks HTTPS to a plain-HTTP "
                "port (use an http:// URL, or serve with an ssl_context)")
        raise RemoteProtocolError(
            f"{bytes(buf[:length + 1])[:40]!r} cannot start a request line: expected a method "
            "(a token such as GET) and a space (RFC 9112 3)")

    def _parse_head(self, line: str, block: str) -> tuple[Request, Any]:
        # long because: the request line, then RFC 9112's rules for Host, framing and
        # persistence in the order the RFC gives them, so they read top to bottom (and one
        # call per request, not six: this runs for every request the server reads).
        if len(line) > self.max_line_size:
            raise RemoteProtocolError(
                f"request line longer than {self.max_line_size} bytes", status=414)
        # RFC 9112 3: request-line = method SP request-target SP HTTP-version, single spaces.
        parts = line.split(" ")
        if len(parts) != 3 or not parts[1]:
            raise RemoteProtocolError(
                f"malformed request line {line[:60]!r}: expected 'METHOD target HTTP/1.1' "
                "separated by single spaces (RFC 9112 3)")
        method, target, version = parts
        version = parse_version(version, "request line")
        if method not in _COMMON_METHODS:
            if token_re.fullmatch(method) is None:
                raise RemoteProtocolError(
                    f"invalid method {method[:20]!r}: a method is a token (RFC 9110 9.1)")
            if len(method) > METHOD_MAX_LENGTH:
                _refuse_long_method(method)
        headers, framing = parse_field_block(block, self.max_headers)

        # RFC 9112 3.2: exactly one Host in HTTP/1.1 requests, at most one in HTTP/1.0, and
        # its value an authority (RFC 3986 3.2).  VALID_HOSTS caches check_host's answers.
        hosts = framing.get("host")
        if hosts is None:
            if version == "1.1":
                raise RemoteProtocolError("HTTP/1.1 request without a Host header (RFC 9112 3.2)")
        elif len(hosts) > 1:
            raise RemoteProtocolError("request with more than one Host header (RFC 9112 3.2)")
        elif hosts[0] not in VALID_HOSTS:
            check_host(hosts[0])

        connection = framing.get("connection")
        if len(framing) == (hosts is not None) + (connection == _KEEP_ALIVE):
            # Host alone (or nothing, in 1.0), perhaps with "Connection: keep-alive" (every
            # browser sends it), decides nothing below but persistence (RFC 9112 9.3): no
            # body, no other Connection option, no upgrade, no expectation.  Most requests
            # are like this; skipping the rules they cannot trigger saves about 3% of a
            # whole GET's work in the server (valgrind, in-process, browser-like head).
            self._pause_after = method == "CONNECT"
            return _new_tuple(Request, (method, target, headers, version,
                                        _PLAIN_PERSISTS[version, connection is not None],
                                        False, None, False, None)), None

        # RFC 9112 6.1-6.3: Transfer-Encoding, then Content-Length, else no body.
        chunked = False
        content_length = None
        reader: ChunkedReader | ContentLengthReader | None = None
        codings = framing.get("transfer-encoding")
        lengths = framing.get("content-length")
        if codings is not None:
            if lengths is not None:
                raise RemoteProtocolError(
                    "request with both Transfer-Encoding and Content-Length: the body length "
                    "is ambiguous (RFC 9112 6.1)")
            if version == "1.0":
                raise RemoteProtocolError(
                    "Transfer-Encoding in an HTTP/1.0 request: its framing cannot be "
                    "trusted (RFC 9112 6.1)")
            chunked = is_chunked(codings, 501)
            reader = self._chunked_reader()
        elif lengths is not None:
            content_length = parse_content_length(lengths)
            reader = self._length_reader(content_length)

        # RFC 9112 9.3: 1.1 is persistent unless "close"; 1.0 only with "keep-alive".
        options = connection_tokens(connection)
        keep_alive = keeps_alive(version, options)
        # RFC 9110 7.8: Upgrade counts only with "Connection: upgrade", and never in 1.0.
        upgrade = None
        if "upgrade" in options and version == "1.1" and "upgrade" in framing:
            upgrade = ", ".join(framing["upgrade"])
        # RFC 9110 10.1.1: a 100-continue expectation in an HTTP/1.0 request is ignored; in
        # 1.1 any other expectation is None (falsy: no 100 Continue) for the server to refuse.
        expect = framing.get("expect")
        expect_continue: bool | None = False
        if expect is not None and version == "1.1":
            expect_continue = True if any(v.lower() == "100-continue" for v in expect) else None

        self._pause_after = upgrade is not None or method == "CONNECT"
        # tuple.__new__ builds the same Request as Request(...) without the NamedTuple's
        # Python-level __new__: 0.2 us of the ~5 a head costs, once per request (the
        # response parser does the same).
        return _new_tuple(Request, (method, target, headers, version, keep_alive, chunked,
                                    content_length, expect_continue, upgrade)), reader


def _refuse_long_method(method: str) -> None:
    raise RemoteProtocolError(
        f"method {method[:20]!r}... is longer than {METHOD_MAX_LENGTH} characters: no method "
        "this server implements (RFC 9110 9.1: 501 Not Implemented)", status=501)


class ResponseParser(MessageParser):
    """The client's parser: responses in (RFC 9112 section 4).

    A response's framing depends on the request it answers (HEAD has no body; a 2xx to
    CONNECT opens a tunnel), so tell the parser each request's method with ``expect()``, in
    the order the requests were sent.  Without it, GET is assumed.
    """

    start_line_name = "status line"

    def __init__(self, *, max_line_size: int = 8190, max_field_size: int = 8190,
                 max_headers: int = 128, max_body_size: int | None = None) -> None:
        super().__init__(max_line_size=max_line_size, max_field_size=max_field_size,
                         max_headers=max_headers, max_body_size=max_body_size)
        # A client trusts its server more than a server trusts the world: as in aiohttp's
        # client (max_headers=128 and no budget for the whole head), any head whose lines
        # each fit their limits is accepted, up to max_headers of them.
        self.max_head_size = (max_headers + 1) * max(max_line_size, max_field_size)
        self._methods: deque[str] = deque()

    def _check_start(self, buf: bytes | bytearray) -> None:
        if not b"HTTP/".startswith(buf[:5]) and buf != b"\r":    # (an empty line's CR)
            raise RemoteProtocolError(
                f"{bytes(buf[:20])!r} cannot start a status line: expected 'HTTP/1.1 NNN "
                "reason' (RFC 9112 4)")

    def expect(self, method: str) -> None:
        """Queue the method of a request whose response is still to come."""
        self._methods.append(method)

    def _parse_head(self, line: str, block: str) -> tuple[Any, Any]:
        # long because: the status line, then the body rules of RFC 9112 6.3 in their order,
        # top to bottom (see RequestParser).
        if len(line) > self.max_line_size:
            raise RemoteProtocolError(f"status line longer than {self.max_line_size} bytes")
        # RFC 9112 4: status-line = HTTP-version SP status-code SP [ reason-phrase ].
        # A missing final SP ("HTTP/1.1 204") is tolerated: the reason is for humans anyway.
        version, _, rest = line.partition(" ")
        version = parse_version(version, "status line")
        code, _, reason = rest.partition(" ")
        status = int(code) if status_code_re.fullmatch(code) is not None else 0
        if not 100 <= status <= 599:
            raise RemoteProtocolError(
                f"malformed status line {line[:60]!r}: expected 'HTTP/1.1 NNN reason' with a "
                "status code from 100 to 599 (RFC 9112 4, RFC 9110 15)")
        # keep=False: a response's block differs each time (its Date, its length).
        headers, framing = parse_field_block(block, self.max_headers, keep=False)
        if status < 200:
            # 1xx: interim, the final response follows (RFC 9110 15.2); 101 switches now.
            self._pause_after = status == 101
            if status == 101 and self._methods:
                self._methods.popleft()
            return InformationalResponse(status, reason, headers, version), INTERIM
        method = self._methods.popleft() if self._methods else "GET"

        keep_alive = keeps_alive(version, connection_tokens(framing.get("connection")))
        chunked = False
        content_length = None
        reader: Any = None
        self._pause_after = False
        # RFC 9112 6.3, in its order.  Rule 1: HEAD, 204 and 304 responses have no body,
        # whatever their fields say.  Rule 2: a 2xx to CONNECT starts a tunnel.
        if method == "HEAD" or status == 204 or status == 304:
            pass
        elif method == "CONNECT" and status < 300:
            self._pause_after = True
        else:
            codings = framing.get("transfer-encoding")
            lengths = framing.get("content-length")
            if codings is not None:                    # rules 3 and 4
                if lengths is not None:
                    raise RemoteProtocolError(
                        "response with both Transfer-Encoding and Content-Length: the body "
                        "length is ambiguous (RFC 9112 6.1)")
                chunked = is_chunked(codings, 502)
                reader = self._chunked_reader()
            elif lengths is not None:                  # rules 5 and 6
                content_length = parse_content_length(lengths)
                reader = self._length_reader(content_length)
            else:                                      # rule 8: until the server closes
                reader = UntilCloseReader()
                keep_alive = False
        return _new_tuple(Response, (status, reason, headers, version, keep_alive, chunked,
                                     content_length)), reader
