"""The numbers of RFC 6455: frame opcodes, close codes, and aiohttp's message vocabulary.

A WebSocket frame carries a 4-bit opcode that says what its payload is (RFC 6455 section 5.2,
registry in 11.8), and a Close frame may carry a 2-byte status code that says why the
connection ends (section 7.4, registry in 11.7).  Both are small tables, so both are IntEnums:
they compare equal to the plain ints on the wire and print with their names in a notebook.

Three names here are aiohttp's public API and keep aiohttp's values exactly, so code written
for one library runs on the other:

    WSCloseCode   the close codes an application sends or reads (1000 OK, 1009 MESSAGE_TOO_BIG...)
    WSMsgType     a message's type: the data and control opcodes plus three local states
                  (CLOSING, CLOSED, ERROR) that never appear on the wire
    WSMessage     what ``await ws.receive()`` returns: ``(type, data, extra)``

Two codes of the RFC are missing from aiohttp's WSCloseCode because they never travel in a
frame: 1005 ("no status code was present") and 1015 ("the TLS handshake failed").  They live
here as the plain constants NO_STATUS_RCVD and TLS_HANDSHAKE.
"""
from __future__ import annotations

import json
from enum import IntEnum
from typing import Any, Callable, NamedTuple

__all__ = [
    "Opcode", "WSCloseCode", "WSMsgType", "WSMessage", "NO_STATUS_RCVD", "TLS_HANDSHAKE",
    "is_valid_close_code", "is_sendable_close_code",
]


class Opcode(IntEnum):
    """The frame opcodes of RFC 6455 section 5.2.  0x3-0x7 and 0xB-0xF are reserved."""

    CONTINUATION = 0x0   # the next piece of a fragmented message (5.4)
    TEXT = 0x1           # a UTF-8 text message, or its first fragment (5.6)
    BINARY = 0x2         # a binary message, or its first fragment (5.6)
    CLOSE = 0x8          # start or answer the closing handshake (5.5.1)
    PING = 0x9           # "are you there?"; the peer answers with a Pong (5.5.2)
    PONG = 0xA           # the answer to a Ping, or an unsolicited heartbeat (5.5.3)

    @property
    def is_control(self) -> bool:
        """Control frames have the high bit of the opcode set (5.5): 0x8-0xF."""
        return self >= 0x8


class WSCloseCode(IntEnum):
    """The close status codes of RFC 6455 section 7.4.1 (and IANA's later 1012-1014)."""

    OK = 1000                   # normal closure: the purpose of the connection is fulfilled
    GOING_AWAY = 1001           # a server shutting down, a browser leaving the page
    PROTOCOL_ERROR = 1002       # the peer broke RFC 6455 (bad framing, bad masking ...)
    UNSUPPORTED_DATA = 1003     # a type of data the endpoint cannot accept (binary to a text app)
    ABNORMAL_CLOSURE = 1006     # local only: the TCP connection died without a Close frame
    INVALID_TEXT = 1007         # a text message (or close reason) that is not valid UTF-8
    POLICY_VIOLATION = 1008     # a generic "you broke our rules"
    MESSAGE_TOO_BIG = 1009      # a message over the receiver's size limit
    MANDATORY_EXTENSION = 1010  # (client) the server did not agree to a required extension
    INTERNAL_ERROR = 1011       # (server) an unexpected condition, like an HTTP 500
    SERVICE_RESTART = 1012      # IANA registry: the server is restarting
    TRY_AGAIN_LATER = 1013      # IANA registry: temporary overload
    BAD_GATEWAY = 1014          # IANA registry: a gateway got a bad answer upstream


# Reserved codes that an endpoint reports to its application but never puts in a frame
# (RFC 6455 section 7.4.1).
NO_STATUS_RCVD = 1005   # the peer's Close frame had an empty payload (7.1.5)
TLS_HANDSHAKE = 1015    # the connection failed during the TLS handshake


def is_valid_close_code(code: int) -> bool:
    """May this code appear in a received Close frame?  (RFC 6455 sections 7.4.1 and 7.4.2)

    1000-1003 and 1007-1014 are defined; 1004 is reserved, 1005 and 1006 are local-only, 1015
    is TLS-only, 1016-2999 are for future revisions of the RFC; 3000-3999 are registered by
    libraries and frameworks and 4000-4999 are private: both are valid on the wire.  Anything
    below 1000 or from 5000 up is not a close code at all.
    """
    return 1000 <= code <= 1003 or 1007 <= code <= 1014 or 3000 <= code <= 4999


# What we may send is exactly what we accept: the same table read from the other side.
is_sendable_close_code = is_valid_close_code


class WSMsgType(IntEnum):
    """aiohttp's message types: the opcodes, plus three states a reader can observe."""

    CONTINUATION = 0x0
    TEXT = 0x1
    BINARY = 0x2
    PING = 0x9
    PONG = 0xA
    CLOSE = 0x8
    CLOSING = 0x100   # local: we sent Close and wait for the peer's
    CLOSED = 0x101    # local: the connection is gone; receive() has nothing more to give
    ERROR = 0x102     # local: an exception ended the connection; it is in ``data``

    # aiohttp keeps lower-case aliases for code written against its early versions.
    text = TEXT
    binary = BINARY
    ping = PING
    pong = PONG
    close = CLOSE
    closing = CLOSING
    closed = CLOSED
    error = ERROR


class WSMessage(NamedTuple):
    """One received message, as aiohttp hands it out: ``msg.type``, ``msg.data``, ``msg.extra``.

    For TEXT ``data`` is a str, for BINARY bytes; for CLOSE ``data`` is the close code and
    ``extra`` the reason; for ERROR ``data`` is the exception.
    """

    type: WSMsgType
    data: Any
    extra: Any

    def json(self, *, loads: Callable[[Any], Any] = json.loads) -> Any:
        """Decode a TEXT (or BINARY) message holding JSON."""
        return loads(self.data)
