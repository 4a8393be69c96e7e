"""Reading a message body: three framings, one small reader class each.

Once a head is parsed, RFC 9112 section 6.3 decides how its body is delimited (parser.py
applies its rules in order), and the parser creates one of these readers:

    ContentLengthReader  exactly N bytes follow (Content-Length: N)
    ChunkedReader        a series of "size CRLF data CRLF" chunks, a zero-size last chunk
                         and optional trailer fields (Transfer-Encoding: chunked, RFC 9112 7.1)
    UntilCloseReader     everything until the peer closes the connection (responses only,
                         RFC 9112 6.3 rule 8)

(A message with no body at all gets no reader: the parser emits EndOfMessage at once.)

Every reader has the same two methods, so the parser's loop never asks which one it holds:

    read(buf, events) -> bool   consume what it can from the front of ``buf`` (a bytearray),
                                append Data events, and when the body is complete append the
                                EndOfMessage and return True.
    at_eof(events)              the peer closed: finish the body, or raise if it was cut short.

A Data event's bytes are copied out of the buffer (once, when the buffer holds no more than
the body still needs: the usual case) and deleted from its front, which CPython's bytearray
does by moving its start, not the bytes after it.
"""
from __future__ import annotations

from typing import Callable

from .abnf import chunk_size_line_re
from .errors import RemoteProtocolError
from .events import END_OF_MESSAGE, Data, EndOfMessage, Event

__all__ = [
    "take_front", "ContentLengthReader", "ChunkedReader", "UntilCloseReader",
    "MAX_CHUNK_LINE_SIZE",
]

# A chunk-size line is at most 16 hex digits plus chunk extensions, which real clients never
# send.  4 KiB leaves room for any honest extension and stops a peer that streams an endless
# size line at us.
MAX_CHUNK_LINE_SIZE = 4096

_new_tuple = tuple.__new__


def take_front(buf: bytearray, limit: int, events: list[Event]) -> int:
    """Move up to ``limit`` bytes from the front of ``buf`` into a Data event; return how many."""
    if len(buf) <= limit:                 # all of it: one copy, and the buffer is empty
        data = bytes(buf)
        buf.clear()
    else:
        data = bytes(buf[:limit])
        del buf[:limit]
    events.append(_new_tuple(Data, (data,)))    # = Data(data), minus the NamedTuple's __new__
    return len(data)


class ContentLengthReader:
    """Exactly ``length`` bytes of body (RFC 9112 6.2)."""

    __slots__ = ("length", "remaining")

    def __init__(self, length: int) -> None:
        self.length = length
        self.remaining = length

    def read(self, buf: bytearray, events: list[Event]) -> bool:
        if buf:
            self.remaining -= take_front(buf, self.remaining, events)
        if self.remaining:
            return False
        events.append(END_OF_MESSAGE)
        return True

    def at_eof(self, events: list[Event]) -> None:
        raise RemoteProtocolError(
            f"connection closed after {self.length - self.remaining} of {self.length} "
            "body bytes (Content-Length promised more)")


class UntilCloseReader:
    """Everything until the connection closes: the oldest framing, for responses only."""

    __slots__ = ()

    def read(self, buf: bytearray, events: list[Event]) -> bool:
        if buf:
            events.append(Data(bytes(buf)))
            buf.clear()
        return False

    def at_eof(self, events: list[Event]) -> None:
        events.append(END_OF_MESSAGE)


# The chunked reader's states, in the order a body goes through them.
SIZE, DATA, DATA_CRLF, TRAILERS = "SIZE", "DATA", "DATA_CRLF", "TRAILERS"


class ChunkedReader:
    """A chunked body (RFC 9112 7.1)::

        5;name=value\\r\\n      chunk size in hex, optional extensions (ignored)
        hello\\r\\n             that many bytes, then CR LF
        0\\r\\n                 the last chunk
        Expires: never\\r\\n    optional trailer fields
        \\r\\n                  the end

    ``parse_trailers(raw) -> headers`` is the parser's field-line reader (it gets the
    trailer section's bytes), so trailers obey the same syntax and limits as the head.  ``max_body_size`` counts the data as announced:
    a chunk size that would cross it is refused before its bytes arrive.
    """

    __slots__ = ("state", "remaining", "total", "max_body_size", "max_trailer_size",
                 "parse_trailers")

    def __init__(self, max_body_size: int | None, max_trailer_size: int,
                 parse_trailers: Callable[[bytes], tuple[tuple[str, str], ...]]) -> None:
        self.state = SIZE
        self.remaining = 0
        self.total = 0
        self.max_body_size = max_body_size
        self.max_trailer_size = max_trailer_size
        self.parse_trailers = parse_trailers

    def read(self, buf: bytearray, events: list[Event]) -> bool:
        while buf:
            state = self.state
            if state is DATA:
                self.remaining -= take_front(buf, self.remaining, events)
                if not self.remaining:
                    self.state = DATA_CRLF
            elif state is SIZE:
                if not self._read_size_line(buf):
                    return False
            elif state is DATA_CRLF:
                if len(buf) < 2:
                    return False
                if buf[:2] != b"\r\n":
                    raise RemoteProtocolError(
                        "missing CR LF after chunk data: the chunk was longer than its size "
                        "line said (RFC 9112 7.1)")
                del buf[:2]
                self.state = SIZE
            else:  # TRAILERS
                return self._read_trailers(buf, events)
        return False

    def _read_size_line(self, buf: bytearray) -> bool:
        end = buf.find(b"\r\n", 0, MAX_CHUNK_LINE_SIZE + 2)
        if end < 0:
            if buf.find(b"\n", 0, MAX_CHUNK_LINE_SIZE + 2) >= 0:     # never stuck on "5\n"
                raise RemoteProtocolError(
                    "chunk size line ends in a bare LF: it must end with CR LF (RFC 9112 7.1)")
            if len(buf) > MAX_CHUNK_LINE_SIZE:
                raise RemoteProtocolError(
                    f"chunk size line longer than {MAX_CHUNK_LINE_SIZE} bytes")
            return False
        match = chunk_size_line_re.fullmatch(buf, 0, end)
        if match is None:
            raise RemoteProtocolError(
                f"malformed chunk size line {bytes(buf[:min(end, 40)])!r}: expected hex "
                "digits (at most 16), optionally ';name=value' extensions (RFC 9112 7.1)")
        size = int(match.group(1), 16)
        del buf[:end + 2]
        if size == 0:
            self.state = TRAILERS
            return True
        self.total += size
        if self.max_body_size is not None and self.total > self.max_body_size:
            raise RemoteProtocolError(
                f"chunked body grows past the limit of {self.max_body_size} bytes",
                status=413)
        self.remaining = size
        self.state = DATA
        return True

    def _read_trailers(self, buf: bytearray, events: list[Event]) -> bool:
        if buf[:2] == b"\r\n":                # no trailers: the common case
            del buf[:2]
            events.append(END_OF_MESSAGE)
            return True
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            if len(buf) > self.max_trailer_size:
                raise RemoteProtocolError(
                    f"trailer section longer than {self.max_trailer_size} bytes",
                    status=431)
            return False
        if end > self.max_trailer_size:
            raise RemoteProtocolError(
                f"trailer section longer than {self.max_trailer_size} bytes", status=431)
        trailers = self.parse_trailers(bytes(buf[:end]))
        del buf[:end + 4]
        events.append(EndOfMessage(trailers) if trailers else END_OF_MESSAGE)
        return True

    def at_eof(self, events: list[Event]) -> None:
        raise RemoteProtocolError(
            f"connection closed in the middle of a chunked body (after {self.total} "
            "announced bytes, before the last chunk)")
