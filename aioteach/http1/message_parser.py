"""MessageParser: the buffer, the loop and the limits the request and response parsers share.

How it works.  Bytes collect in one bytearray.  Between messages the parser waits for the
empty line that ends a head (one ``find(b"\\r\\n\\r\\n")``, resumed where the last search
stopped so a head trickling in byte by byte is not rescanned), then hands the whole head to
heads.py, which checks it in a few C-speed passes and returns the fields and framing facts.
From those facts, RFC 9112 section 6.3 picks the body reader (bodies.py); the reader consumes
body bytes and emits Data events, then EndOfMessage, and the parser is between messages again.

Never stuck: while a head is incomplete, each feed checks the bytes that arrived for what
can never become a valid head, so the answer comes at once instead of at a timeout: a byte
that cannot start a request line (a TLS ClientHello sent to a plain port, binary junk), a
method longer than any this server implements, a bare LF (RFC 9112 2.2 lets a recipient
accept one as a line end; we refuse it, as we refuse it in a complete head: two parties that
split lines differently is how smuggling starts), a control character, a line over its limit.

The limits and their precedents are listed in parser.py; the budget for a whole head is
explained below, in MessageParser.
"""
from __future__ import annotations

from typing import Any

from .abnf import METHOD_MAX_LENGTH, never_in_head_re
from .bodies import ChunkedReader, ContentLengthReader
from .errors import LocalProtocolError, RemoteProtocolError
from .events import END_OF_MESSAGE, Event
from .heads import (
    check_line, check_line_sizes, check_lines, parse_fields, refuse_head_byte, split_head,
)

__all__ = ["MessageParser", "MAX_EMPTY_LINES", "INTERIM"]

# RFC 9112 2.2: "a server that is expecting to receive and parse a request-line SHOULD ignore
# at least one empty line (CRLF) received prior to the request-line" (old clients sent an
# extra CRLF after a POST body).  We ignore up to 4 before each message: a few, not a stream.
MAX_EMPTY_LINES = 4

# What _parse_head returns as the body of a 1xx response: no body, and no EndOfMessage
# either, because the final response to the same request is still to come.
INTERIM = "interim"


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
        # True after a protocol switch: the bytes that follow are not HTTP/1.1 (read it;
        # resume() clears it).  A plain attribute: the server reads it after every response.
        self.paused = False
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
        if self.paused:
            return []
        return self._parse()

    def feed_eof(self) -> list[Event]:
        """The peer closed.  [] between messages; the end of an until-close body; else raise."""
        if self._error is not None:
            self._raise_dead()
        if self._eof or self.paused:
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
        return self._reader is not None or (bool(self._buf) and not self.paused)

    def take_trailing(self) -> bytes:
        """Return and forget the bytes received after the switching message (when paused)."""
        data = bytes(self._buf)
        self._buf.clear()
        return data

    def resume(self) -> list[Event]:
        """The switch was refused: go on parsing HTTP/1.1 from the kept bytes."""
        if self._error is not None:
            self._raise_dead()
        if not self.paused:
            return []
        self.paused = False
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
                    if reader is INTERIM:
                        if self._pause_after:          # 101 Switching Protocols
                            self.paused = True
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
                    self.paused = True
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
            self._check_partial_head(self._scanned)
            # Next time, search from the last 3 bytes: they may hold the start of the CRLFCRLF.
            self._scanned = max(0, len(buf) - 3)
            return None
        if end > self.max_head_size:
            self._check_start(buf)                  # the verdicts a byte-by-byte feed
            self._check_line_lengths(0, end)        # reaches first, so both give the same
            self._refuse_head_size()
        self._scanned = 0
        self._empty_lines = 0
        head = buf[:end]
        del buf[:end + 4]
        try:
            return self._head_event(head)
        except RemoteProtocolError:
            # Fed byte by byte, these bytes would have been judged as they arrived: by
            # _check_start before the head was complete (a 501, not a 400, for an endless
            # method followed by a malformed line), and a bad byte where it stands (a 400,
            # whatever else is wrong).  Give the same answer.
            self._check_start(head[:METHOD_MAX_LENGTH + 2])
            check_lines(head.decode("latin-1").split("\r\n"))
            raise

    def _head_event(self, head: bytes | bytearray) -> tuple[Any, Any]:
        """A complete head (without its empty line) -> (event, body reader or None)."""
        return self._parse_head(*self._split_start(head))

    def _split_start(self, head: bytes | bytearray) -> tuple[str, str]:
        """A head as (start line, field block): the block's lines stay joined by CRLF, so
        heads.parse_field_block can find a block it has seen in one lookup.  The start line
        is checked for bad bytes here, the block's lines for their length."""
        start, _, block = head.decode("latin-1").partition("\r\n")
        if not start.isprintable():
            check_line(start)
        if len(block) > self.max_field_size:      # else no line can be too long: skip the walk
            check_line_sizes(["", *block.split("\r\n")], self.max_field_size)
        return start, block

    def _split(self, head: bytes | bytearray) -> list[str]:
        lines = split_head(head)
        if len(head) > self.max_field_size:        # else no line can be too long: skip the walk
            check_line_sizes(lines, self.max_field_size)
        return lines

    def _check_partial_head(self, start: int) -> None:
        """The head is incomplete: refuse now what can never become a valid head, so that
        no peer waits for a timeout.  The bytes before ``start`` passed an earlier call, so a
        head trickling in byte by byte is checked once, not once per byte."""
        buf = self._buf
        if start <= METHOD_MAX_LENGTH + 2:          # later, the start was decided already
            self._check_start(buf)
        bad = never_in_head_re.search(buf, start)
        if bad is not None:
            refuse_head_byte(bad.group())
        if len(buf) > min(self.max_line_size, self.max_field_size):
            self._check_line_lengths(start, len(buf))
        if len(buf) > self.max_head_size:
            self._refuse_head_size()

    def _check_start(self, buf: bytes | bytearray) -> None:
        """Raise if ``buf`` cannot be the beginning of a start line."""

    def _check_line_lengths(self, start: int, stop: int) -> None:
        """414 (400 for a status line) or 431 for a line of ``buf[:stop]`` over its limit.
        Only the lines that reach past ``start`` are measured, the unfinished last one too."""
        buf = self._buf
        pos = buf.rfind(b"\n", 0, start) + 1       # the start of the line holding ``start``
        while True:
            end = buf.find(b"\r\n", pos, stop)
            last = end < 0
            if last:                                # unfinished: its CR may be here already
                end = stop - 1 if buf[stop - 1:stop] == b"\r" else stop
            if pos == 0:
                if end > self.max_line_size:
                    raise RemoteProtocolError(
                        f"{self.start_line_name} longer than {self.max_line_size} bytes",
                        status=self.line_too_long_status)
            elif end - pos > self.max_field_size:
                name = bytes(buf[pos:pos + 40]).partition(b":")[0].decode("latin-1")
                raise RemoteProtocolError(
                    f"header field {name!r} is longer than the limit of "
                    f"{self.max_field_size} bytes", status=431)
            if last:
                return
            pos = end + 2

    def _refuse_head_size(self) -> None:
        raise RemoteProtocolError(
            f"message head longer than {self.max_head_size} bytes", status=431)

    def _raise_dead(self) -> None:
        error: RemoteProtocolError = self._error  # type: ignore[assignment]
        raise type(error)(f"the connection already failed: {error.hint}", error.status)

    def _parse_trailers(self, raw: bytes) -> tuple[tuple[str, str], ...]:
        # The trailer section has no start line: a dummy one lets _split check every line.
        lines = self._split(b"\r\n" + raw)[1:]
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

    def _parse_head(self, start: str, block: str) -> tuple[Any, Any]:
        """The event and body reader for a head: its start line and its field block."""
        raise NotImplementedError
