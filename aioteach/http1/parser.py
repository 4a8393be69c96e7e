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

How it works.  Bytes collect in one bytearray.  Between messages the parser waits for the
empty line that ends a head (one ``find(b"\\r\\n\\r\\n")``, resumed where the last search
stopped so a head trickling in byte by byte is not rescanned), then hands the whole head to
heads.py, which checks it in a few C-speed passes and returns the fields and framing facts.
From those facts, RFC 9112 section 6.3 picks the body reader (bodies.py); the reader consumes
body bytes and emits Data events, then EndOfMessage, and the parser is between messages again.

Rules: a RemoteProtocolError kills the parser (a connection that sent garbage cannot be
resynchronised, so every later call raises again).  After a request that asks to switch
protocols (Upgrade, RFC 9110 7.8) or a CONNECT (RFC 9110 9.3.6), and after a 101 or a 2xx to
CONNECT on the client side, the parser *pauses*: the bytes after the message belong to another
protocol.  ``take_trailing()`` hands them over; ``resume()`` goes back to HTTP if the switch
was refused.

Limits, with their precedents:
    max_line_size   8190   request line; longer is 414 (aiohttp's default, nginx uses 8 KiB)
    max_field_size  8190   one field line; longer is 431
    max_headers     100    field lines per head (Apache's LimitRequestFields); more is 431
    the whole head  4 x max(max_line_size, max_field_size), about 32 KiB: see MessageParser
    max_body_size   None   when set, a longer body is 413 (Content-Length: before reading it)
"""
from __future__ import annotations

from collections import deque
from typing import Any, Union

from .abnf import status_code_re, token_re
from .bodies import ChunkedReader, ContentLengthReader, UntilCloseReader
from .errors import LocalProtocolError, RemoteProtocolError
from .events import END_OF_MESSAGE, Data, EndOfMessage, InformationalResponse, Request, Response
from .heads import (
    check_line_sizes, connection_tokens, is_chunked, keeps_alive, parse_content_length,
    parse_fields, parse_version, split_head,
)

__all__ = ["MessageParser", "RequestParser", "ResponseParser", "Event", "MAX_EMPTY_LINES"]

Event = Union[Request, Response, InformationalResponse, Data, EndOfMessage]

# RFC 9112 2.2: "a server that is expecting to receive and parse a request-line SHOULD ignore
# at least one empty line (CRLF) received prior to the request-line" (old clients sent an
# extra CRLF after a POST body).  We ignore up to 4 before each message: a few, not a stream.
MAX_EMPTY_LINES = 4

# Methods seen on every request skip the token regex (any token is still a valid method).
_COMMON_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"})

_new_tuple = tuple.__new__

# What _parse_head returns as the body of a 1xx response: no body, and no EndOfMessage
# either, because the final response to the same request is still to come.
_INTERIM = "interim"


class MessageParser:
    """What the request and response parsers share: buffering, the event loop, limits.

    Discussion: how big may a whole head be?  Each line has its own limit, but 100 fields of
    8 KiB would still be 800 KiB of memory per connection before the server sees a request.
    nginx reads heads into ``large_client_header_buffers`` (4 buffers of 8 KiB by default):
    a line must fit one buffer, the head all four.  We do the same arithmetic with our own
    limits: ``max_head_size = 4 * max(max_line_size, max_field_size)``, 32760 bytes by default.
    Beyond it the answer is 431.  Chunked trailers get the same budget.
    """

    line_too_long_status = 400            # RequestParser: 414 URI Too Long
    start_line_name = "start line"

    def __init__(self, *, max_line_size: int = 8190, max_field_size: int = 8190,
                 max_headers: int = 100, max_body_size: int | None = None) -> None:
        self.max_line_size = max_line_size
        self.max_field_size = max_field_size
        self.max_headers = max_headers
        self.max_body_size = max_body_size
        self.max_head_size = 4 * max(max_line_size, max_field_size)
        self._buf = bytearray()
        self._reader: Any = None          # the body reader while inside a body, else None
        self._scanned = 0                 # the head search resumes here (see _read_head)
        self._empty_lines = 0             # empty lines skipped before the current head
        self._pause_after = False         # set by _parse_head: pause when this message ends
        self._paused = False
        self._eof = False
        self._error: RemoteProtocolError | None = None

    # -- the public surface ---------------------------------------------------------------

    def feed(self, data: bytes) -> list[Event]:
        """Add bytes from the peer; return the events they completed (maybe none)."""
        if self._error is not None:
            self._raise_dead()
        if self._eof:
            raise LocalProtocolError("feed() after feed_eof(): the peer has already closed")
        self._buf += data
        if self._paused:
            return []
        return self._parse()

    def feed_eof(self) -> list[Event]:
        """The peer closed.  [] between messages; the end of an until-close body; else raise."""
        if self._error is not None:
            self._raise_dead()
        if self._eof or self._paused:
            self._eof = True
            return []
        self._eof = True
        events: list[Event] = []
        try:
            if self._reader is not None:
                self._reader.at_eof(events)
                self._reader = None
            elif self._buf.strip(b"\r\n"):
                raise RemoteProtocolError(
                    f"connection closed in the middle of a message head ({len(self._buf)} "
                    "bytes received)")
        except RemoteProtocolError as exc:
            self._error = exc
            raise
        return events

    @property
    def mid_message(self) -> bool:
        """Have some bytes of a message arrived whose EndOfMessage is not out yet?"""
        return self._reader is not None or (bool(self._buf) and not self._paused)

    @property
    def paused(self) -> bool:
        """True after a protocol switch: the bytes that follow are not HTTP/1.1."""
        return self._paused

    def take_trailing(self) -> bytes:
        """Return and forget the bytes received after the switching message (when paused)."""
        data = bytes(self._buf)
        self._buf.clear()
        return data

    def resume(self) -> list[Event]:
        """The switch was refused: go on parsing HTTP/1.1 from the kept bytes."""
        if self._error is not None:
            self._raise_dead()
        if not self._paused:
            return []
        self._paused = False
        return self._parse()

    # -- the loop ---------------------------------------------------------------------------

    def _parse(self) -> list[Event]:
        events: list[Event] = []
        buf = self._buf
        try:
            while buf:
                if self._reader is None:
                    head = self._read_head()
                    if head is None:
                        break
                    event, reader = head
                    events.append(event)
                    if reader is _INTERIM:
                        if self._pause_after:          # 101 Switching Protocols
                            self._paused = True
                            break
                        continue
                    if reader is None:
                        events.append(END_OF_MESSAGE)
                    else:
                        self._reader = reader
                        continue                       # read whatever body bytes are here
                elif self._reader.read(buf, events):
                    self._reader = None
                else:
                    break
                if self._pause_after:                  # the message is over: switch now
                    self._paused = True
                    break
        except RemoteProtocolError as exc:
            self._error = exc
            raise
        return events

    def _read_head(self) -> tuple[Any, Any] | None:
        buf = self._buf
        while buf.startswith(b"\r\n") and self._empty_lines < MAX_EMPTY_LINES:
            del buf[:2]
            self._empty_lines += 1
            self._scanned = 0
        end = buf.find(b"\r\n\r\n", self._scanned)
        if end < 0:
            # Next time, search from the last 3 bytes: they may hold the start of the CRLFCRLF.
            self._scanned = max(0, len(buf) - 3)
            self._check_partial_head()
            return None
        if end > self.max_head_size:
            self._refuse_head_size()
        self._scanned = 0
        self._empty_lines = 0
        head = buf[:end].decode("latin-1")
        del buf[:end + 4]
        return self._parse_head(self._split(head))

    def _split(self, head: str) -> list[str]:
        lines = split_head(head)
        if len(head) > self.max_field_size:        # else no line can be too long: skip the walk
            check_line_sizes(lines, self.max_field_size)
        return lines

    def _check_partial_head(self) -> None:
        buf = self._buf
        if len(buf) > self.max_line_size and buf.find(b"\r\n", 0, self.max_line_size + 2) < 0:
            raise RemoteProtocolError(
                f"{self.start_line_name} longer than {self.max_line_size} bytes",
                status=self.line_too_long_status)
        if len(buf) > self.max_head_size:
            self._refuse_head_size()

    def _refuse_head_size(self) -> None:
        raise RemoteProtocolError(
            f"message head longer than {self.max_head_size} bytes", status=431)

    def _raise_dead(self) -> None:
        error: RemoteProtocolError = self._error  # type: ignore[assignment]
        raise type(error)(f"the connection already failed: {error.hint}", error.status)

    def _parse_trailers(self, text: str) -> tuple:
        # The trailer section has no start line: a dummy one lets _split check every line.
        lines = self._split("\r\n" + text)[1:]
        headers, _ = parse_fields(lines, self.max_headers)
        return headers

    def _chunked_reader(self) -> ChunkedReader:
        return ChunkedReader(self.max_body_size, self.max_head_size, self._parse_trailers)

    def _length_reader(self, length: int) -> ContentLengthReader | None:
        if self.max_body_size is not None and length > self.max_body_size:
            raise RemoteProtocolError(
                f"Content-Length {length} is over the limit of {self.max_body_size} bytes",
                status=413)
        return ContentLengthReader(length) if length else None

    def _parse_head(self, lines: list[str]) -> tuple[Any, Any]:
        raise NotImplementedError


class RequestParser(MessageParser):
    """The server's parser: requests in (RFC 9112 section 3), Request/Data/EndOfMessage out.

    Simplification: the request-target and the Host value are checked only for what would
    break the framing (no whitespace, no control characters).  Their URI syntax (RFC 3986,
    RFC 9112 3.2) is left to the web layer, which parses the target anyway.
    """

    line_too_long_status = 414
    start_line_name = "request line"

    def _parse_head(self, lines: list[str]) -> tuple[Request, Any]:
        # One function, longer than most: the request line, then RFC 9112's rules for Host,
        # framing and persistence in the order the RFC gives them, so they read top to bottom.
        line = lines[0]
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
        if method not in _COMMON_METHODS and token_re.fullmatch(method) is None:
            raise RemoteProtocolError(
                f"invalid method {method[:20]!r}: a method is a token (RFC 9110 9.1)")
        headers, framing = parse_fields(lines[1:], self.max_headers)

        # RFC 9112 3.2: exactly one Host in HTTP/1.1 requests, at most one in HTTP/1.0.
        hosts = framing.get("host")
        if hosts is None:
            if version == "1.1":
                raise RemoteProtocolError("HTTP/1.1 request without a Host header (RFC 9112 3.2)")
        elif len(hosts) > 1:
            raise RemoteProtocolError("request with more than one Host header (RFC 9112 3.2)")

        if len(framing) == (hosts is not None):
            # Host alone (or nothing, in 1.0) decides nothing below: no body, no Connection
            # options, no upgrade, no expectation.  Most requests are like this; skipping the
            # rules they cannot trigger saves about 2% of a whole GET's work in the server.
            self._pause_after = method == "CONNECT"
            return _new_tuple(Request, (method, target, headers, version, version == "1.1",
                                        False, None, False, None)), None

        # RFC 9112 6.1-6.3: Transfer-Encoding, then Content-Length, else no body.
        chunked = False
        content_length = None
        reader = None
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
        options = connection_tokens(framing.get("connection"))
        keep_alive = keeps_alive(version, options)
        # RFC 9110 7.8: Upgrade counts only with "Connection: upgrade", and never in 1.0.
        upgrade = None
        if "upgrade" in options and version == "1.1" and "upgrade" in framing:
            upgrade = ", ".join(framing["upgrade"])
        # RFC 9110 10.1.1: a 100-continue expectation in an HTTP/1.0 request is ignored.
        expect = framing.get("expect")
        expect_continue = (expect is not None and version == "1.1"
                           and any(v.lower() == "100-continue" for v in expect))

        self._pause_after = upgrade is not None or method == "CONNECT"
        # tuple.__new__ builds the same Request as Request(...) without the NamedTuple's
        # Python-level __new__: 0.2 us of the ~5 a head costs, once per request (the
        # response parser does the same).
        return _new_tuple(Request, (method, target, headers, version, keep_alive, chunked,
                                    content_length, expect_continue, upgrade)), reader


class ResponseParser(MessageParser):
    """The client's parser: responses in (RFC 9112 section 4).

    A response's framing depends on the request it answers (HEAD has no body; a 2xx to
    CONNECT opens a tunnel), so tell the parser each request's method with ``expect()``, in
    the order the requests were sent.  Without it, GET is assumed.
    """

    start_line_name = "status line"

    def __init__(self, *, max_line_size: int = 8190, max_field_size: int = 8190,
                 max_headers: int = 100, max_body_size: int | None = None) -> None:
        super().__init__(max_line_size=max_line_size, max_field_size=max_field_size,
                         max_headers=max_headers, max_body_size=max_body_size)
        self._methods: deque[str] = deque()

    def expect(self, method: str) -> None:
        """Queue the method of a request whose response is still to come."""
        self._methods.append(method)

    def _parse_head(self, lines: list[str]) -> tuple[Any, Any]:
        # The status line, then the body rules of RFC 9112 6.3 in their order (see RequestParser).
        line = lines[0]
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
        headers, framing = parse_fields(lines[1:], self.max_headers)
        if status < 200:
            # 1xx: interim, the final response follows (RFC 9110 15.2); 101 switches now.
            self._pause_after = status == 101
            if status == 101 and self._methods:
                self._methods.popleft()
            return InformationalResponse(status, reason, headers, version), _INTERIM
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
