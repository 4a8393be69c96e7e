"""One WebSocket connection as a state machine: bytes in, events out, bytes to send.

``WebSocketConnection`` is the whole protocol after the opening handshake, without any I/O:

    conn = WebSocketConnection("server")
    for event in conn.receive_data(bytes_from_the_socket):   # -> TextMessage, Ping, ...
        ...
    socket.send(conn.send_text("hello"))                     # every send_* returns bytes
    socket.send(conn.data_to_send())                         # bytes the connection owes

Rules, in the order a learner meets them (RFC 6455):

* Frames become messages: fragments are joined (section 5.4), text is checked as UTF-8 piece
  by piece so a bad byte is caught in the fragment that brings it (section 8.1), and Ping/Pong
  may come between fragments (section 5.5).
* A peer's violation is never an exception here: the connection *fails* (section 7.1.7): it
  reports ``CloseReceived(code, reason, by_peer=False)`` with the code the RFC names, queues
  its Close frame, moves to CLOSED and ignores any further input.  The one way to get those
  bytes is ``data_to_send()``; call it after every ``receive_data``.  Nothing else is queued:
  the connection never answers a Ping or a Close by itself, the glue above decides (aiohttp's
  ``autoping`` and ``autoclose``) and calls ``send_pong`` / ``send_close``.
* The closing handshake (section 7.1.2-7.1.4) is the table ``_TRANSITIONS`` below.  In
  REMOTE_CLOSING (the peer closed, we have not) the caller should answer with ``send_close``;
  in CLOSED the transport should be closed, the server first (section 7.1.1).
* Misuse by the caller (text after our Close, a 200-byte ping) raises ``LocalProtocolError``.

The asyncio layers (``web.WebSocketResponse``, ``ClientSession.ws_connect``) are thin glue
around this class; the opening handshake is in ``handshake.py``.

Performance notes: ``receive_data`` reads a frame cut into several reads once, when it is
whole (``frames.keep_piece``; valgrind, a 64 KiB frame in 45 reads: 694k -> 249k instructions,
as the header is no longer parsed again on each read; 36k in one read).  Then, for a read or
a joined frame, the one named fast path, ``receive_whole_message`` (``fastpath.py``, with its
saving).  ``_INPUT_DONE`` and ``_OUTPUT_DONE`` are tuples and ``TEXT``/``BINARY`` module
globals, because an Enum member's hash and class lookups are Python code.
"""
from __future__ import annotations

import codecs
import os
from enum import Enum
from typing import Any, Callable, Dict, List, Optional, Union

from .codes import NO_STATUS_RCVD, Opcode, WSCloseCode, is_sendable_close_code, is_valid_close_code
from .errors import FrameError, LocalProtocolError
from .events import BytesMessage, CloseReceived, Event, Ping, Pong, TextMessage
from .fastpath import receive_whole_message
from .deflate import DeflateParams, MessageDeflate
from .frames import (MAX_CONTROL_PAYLOAD, Frame, build_frame, bytes_needed, keep_piece,
                     parse_frame)

__all__ = ["ConnectionState", "WebSocketConnection", "DEFAULT_MAX_MSG_SIZE"]

# 4 MiB, aiohttp's default: a chat message or a JSON document fits with room to spare, and a
# peer cannot make us buffer more than this for one message.  0 means no limit.
DEFAULT_MAX_MSG_SIZE = 4 * 1024 * 1024

# A Close frame's payload is 2 bytes of code plus the reason: 125 - 2 = 123 bytes of UTF-8.
MAX_CLOSE_REASON = MAX_CONTROL_PAYLOAD - 2


class ConnectionState(Enum):
    """Where the closing handshake stands (RFC 6455 section 7)."""

    OPEN = "OPEN"                       # messages flow both ways
    CLOSING = "CLOSING"                 # we sent Close and wait for the peer's
    REMOTE_CLOSING = "REMOTE_CLOSING"   # the peer sent Close; we owe ours
    CLOSED = "CLOSED"                   # both Close frames went by, or the connection failed


OPEN, CLOSING, REMOTE_CLOSING, CLOSED = (ConnectionState.OPEN, ConnectionState.CLOSING,
                                         ConnectionState.REMOTE_CLOSING, ConnectionState.CLOSED)

# (state, what happened) -> next state.  A failure goes to CLOSED from anywhere.
_TRANSITIONS = {
    (OPEN, "send_close"): CLOSING,
    (OPEN, "receive_close"): REMOTE_CLOSING,
    (CLOSING, "receive_close"): CLOSED,
    (REMOTE_CLOSING, "send_close"): CLOSED,
}
# The peer sends nothing after its Close (section 5.5.1), so from then on input is ignored.
# (Tuples, not sets: ``in`` on a tuple tries ``is`` first, and an Enum's hash is Python code.)
_INPUT_DONE = (REMOTE_CLOSING, CLOSED)
# We send no data after our Close (section 5.5.1).
_OUTPUT_DONE = (CLOSING, CLOSED)

# Known close codes print with their names in events; others stay plain ints.
_CLOSE_CODES: Dict[int, int] = {int(code): code for code in WSCloseCode}

# Looking a member up on an Enum class costs more than a global; the hot paths use these.
TEXT, BINARY, CONTINUATION = Opcode.TEXT, Opcode.BINARY, Opcode.CONTINUATION


class WebSocketConnection:
    """The sans-I/O WebSocket protocol for one side of one connection.

    ``role`` is ``"client"`` (frames we send are masked, frames we read must not be) or
    ``"server"`` (the other way round).  ``max_msg_size`` caps a reassembled message in bytes;
    a bigger one fails the connection with 1009 (MESSAGE_TOO_BIG).  0 means no limit.

    A client and a server talking through nothing but bytes:

    >>> client, server = WebSocketConnection("client"), WebSocketConnection("server")
    >>> server.receive_data(client.send_text("hello"))
    [TextMessage(data='hello')]
    >>> client.receive_data(server.send_close(1000, "bye"))
    [CloseReceived(code=<WSCloseCode.OK: 1000>, reason='bye', by_peer=True)]
    >>> client.state.name, server.state.name
    ('REMOTE_CLOSING', 'CLOSING')
    >>> server.receive_data(client.send_close(1000))
    [CloseReceived(code=<WSCloseCode.OK: 1000>, reason='', by_peer=True)]
    >>> client.state.name, server.state.name
    ('CLOSED', 'CLOSED')

    A peer that breaks the rules gets a Close frame, not an exception:

    >>> server = WebSocketConnection("server")
    >>> unmasked_hi = bytes.fromhex("8102") + b"hi"     # clients must mask: a violation
    >>> server.receive_data(unmasked_hi)
    [CloseReceived(code=<WSCloseCode.PROTOCOL_ERROR: 1002>, reason='unmasked ...', by_peer=False)]
    >>> server.data_to_send()[:4].hex()        # a Close frame (88), 67 bytes, code 1002 (03ea)
    '884303ea'
    """

    def __init__(self, role: str, *, max_msg_size: int = DEFAULT_MAX_MSG_SIZE,
                 deflate: Optional[DeflateParams] = None) -> None:
        if role not in ("client", "server"):
            raise LocalProtocolError(f"role must be 'client' or 'server', not {role!r}")
        self.role = role
        self.max_msg_size = max_msg_size
        self.state = OPEN
        # The code of the peer's Close, or of the failure: aiohttp's ``ws.close_code``.
        self.close_code: Optional[int] = None
        self._is_client = role == "client"
        # A frame cut short: the reads that hold it so far, their length, and the length the
        # frame needs before it is worth parsing again (receive_data).
        self._pieces: List[Union[bytes, bytearray]] = []
        self._buffered = 0
        self._needed = 0
        self._outgoing = bytearray()        # what data_to_send() hands out
        # The fragmented message being received (section 5.4): its opcode, pieces and size.
        self._msg_opcode: Optional[Opcode] = None
        self._msg_parts: List[Any] = []     # str pieces for TEXT, bytes for BINARY
        self._msg_size = 0
        self._msg_compressed = False        # its first frame had RSV1 (permessage-deflate)
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        # permessage-deflate (RFC 7692), if the handshake negotiated it: see deflate.py.
        self.deflate = deflate
        self._deflate = MessageDeflate(deflate, role) if deflate is not None else None
        # The fragmented message being sent, if the caller passed fin=False.
        self._send_opcode: Optional[Opcode] = None

    def __repr__(self) -> str:
        return (f"<WebSocketConnection {self.role} {self.state.name}, "
                f"{self._buffered} bytes buffered, {len(self._outgoing)} to send>")

    # -- receiving ----------------------------------------------------------------------------

    def receive_data(self, data: Union[bytes, bytearray, memoryview]) -> List[Event]:
        """Feed bytes from the peer; get back the events they complete (maybe none).

        Any split of the input works.  A frame cut short has its header read once, when it
        arrives (``frames.bytes_needed`` says how long the frame is); the reads that bring the
        rest are only kept, then joined once (one copy) and the frame is read as if it had
        come whole: the fast path first.  ``b""`` is no data; the end is ``receive_eof()``.
        """
        if self.state in _INPUT_DONE:
            return []
        pieces = self._pieces
        if pieces:                              # the rest of a frame cut short
            keep_piece(pieces, data)
            self._buffered += len(data)
            if self._buffered < self._needed:   # still short: nothing to parse yet
                return []
            data = b"".join(pieces)
            pieces.clear()
            self._buffered = 0
        # The fast path, for a read or a joined frame alike: one whole message -> its data.
        message = self.receive_whole_message(data)
        if message is not None:
            return [TextMessage(message) if isinstance(message, str) else BytesMessage(message)]
        events: List[Event] = []
        pos, size = 0, len(data)
        expect_mask = not self._is_client
        try:
            while pos < size:
                limit = self.max_msg_size - self._msg_size if self.max_msg_size else None
                parsed = parse_frame(data, pos, expect_mask=expect_mask, max_payload=limit,
                                     deflate=self._deflate is not None)
                if parsed is None:          # the rest of a frame is still on its way
                    self._needed = bytes_needed(data, pos)
                    break
                frame, pos = parsed
                event = _FRAME_HANDLERS[frame.opcode](self, frame)
                if event is not None:
                    events.append(event)
                    if self.state in _INPUT_DONE:   # the peer's Close: nothing may follow
                        break
        except FrameError as exc:
            events.append(self._fail(exc.code, exc.reason))
        if self.state in _INPUT_DONE:
            pieces.clear()
            self._buffered = 0
        elif pos < size:
            keep_piece(pieces, data[pos:])
            self._buffered = size - pos
        return events

    # The codec's one fast path (fastpath.py): one whole message alone in a read -> its data.
    receive_whole_message = receive_whole_message
    INPUT_DONE = _INPUT_DONE            # the states in which input is ignored
    OPEN = OPEN                         # the one state the fast path works in

    def receive_eof(self) -> List[Event]:
        """The peer's byte stream ended.  Without its Close first, that is 1006 (section 7.1.5)."""
        if self.state in _INPUT_DONE:
            return []
        self.state = CLOSED
        self.close_code = WSCloseCode.ABNORMAL_CLOSURE
        self._pieces.clear()
        self._buffered = 0
        return [CloseReceived(WSCloseCode.ABNORMAL_CLOSURE,
                              "the connection ended without a Close frame", by_peer=False)]

    def data_to_send(self) -> bytes:
        """Bytes the connection owes the peer: after a failure, its Close frame.  Then b""."""
        data = bytes(self._outgoing)
        self._outgoing.clear()
        return data

    def _on_message_start(self, frame: Frame) -> Optional[Event]:
        """A TEXT or BINARY frame: a whole message, or the first fragment of one."""
        if self._msg_opcode is not None:
            raise FrameError(WSCloseCode.PROTOCOL_ERROR,
                             f"a {frame.opcode.name} frame started a new message inside a "
                             f"fragmented {self._msg_opcode.name} message (RFC 6455 section 5.4)")
        if frame.compressed:                   # RFC 7692: inflated once the message is whole
            if frame.fin:
                return self._inflated(frame.opcode, frame.payload)
            self._msg_compressed = True
        elif frame.fin:
            # The common case, kept short: one frame, one message.
            if frame.opcode is TEXT:
                try:
                    return TextMessage(frame.payload.decode("utf-8"))
                except UnicodeDecodeError as exc:
                    raise FrameError(WSCloseCode.INVALID_TEXT,
                                     f"text message is not valid UTF-8 ({exc.reason})") from None
            return BytesMessage(frame.payload)
        self._msg_opcode = frame.opcode
        self._msg_size = len(frame.payload)
        if frame.opcode is TEXT and not self._msg_compressed:
            self._decoder.reset()
            self._msg_parts = [self._decode(frame.payload, final=False)]
        else:
            self._msg_parts = [frame.payload]
        return None

    def _on_continuation(self, frame: Frame) -> Optional[Event]:
        """The next fragment of the message in progress; the last one completes it."""
        opcode = self._msg_opcode
        if opcode is None:
            raise FrameError(WSCloseCode.PROTOCOL_ERROR,
                             "continuation frame, but no fragmented message is in progress "
                             "(RFC 6455 section 5.4)")
        self._msg_size += len(frame.payload)
        if opcode is TEXT and not self._msg_compressed:
            self._msg_parts.append(self._decode(frame.payload, final=frame.fin))
        else:
            self._msg_parts.append(frame.payload)
        if not frame.fin:
            return None
        parts, self._msg_parts = self._msg_parts, []
        compressed, self._msg_compressed = self._msg_compressed, False
        self._msg_opcode = None
        self._msg_size = 0
        if compressed:
            return self._inflated(opcode, b"".join(parts))
        if opcode is TEXT:
            return TextMessage("".join(parts))
        return BytesMessage(b"".join(parts))

    def _inflated(self, opcode: Opcode, data: bytes) -> Event:
        """A whole permessage-deflate message, inflated (RFC 7692 section 7.2.2)."""
        payload = self._deflate.decompress(data, self.max_msg_size)   # type: ignore[union-attr]
        if opcode is not TEXT:
            return BytesMessage(payload)
        try:
            return TextMessage(payload.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise FrameError(WSCloseCode.INVALID_TEXT,
                             f"text message is not valid UTF-8 ({exc.reason})") from None

    def _decode(self, payload: bytes, final: bool) -> str:
        # The incremental decoder keeps an incomplete character (a 4-byte emoji cut between
        # two fragments) for the next call, but rejects a byte that can never be valid at
        # once: a receiver should fail fast on bad text (RFC 6455 section 8.1).
        try:
            return self._decoder.decode(payload, final)
        except UnicodeDecodeError as exc:
            raise FrameError(WSCloseCode.INVALID_TEXT,
                             f"text message is not valid UTF-8 ({exc.reason})") from None

    def _on_close(self, frame: Frame) -> Event:
        """The peer's Close frame (section 5.5.1): an optional code, then an optional reason."""
        payload = frame.payload
        if not payload:
            code: int = NO_STATUS_RCVD
            reason = ""
        elif len(payload) == 1:
            raise FrameError(WSCloseCode.PROTOCOL_ERROR,
                             "Close frame with a 1-byte payload (a status code is 2 bytes)")
        else:
            code = int.from_bytes(payload[:2], "big")
            if not is_valid_close_code(code):
                raise FrameError(WSCloseCode.PROTOCOL_ERROR,
                                 f"Close frame with status code {code}, which may not be sent "
                                 "(RFC 6455 section 7.4)")
            try:
                reason = payload[2:].decode("utf-8")
            except UnicodeDecodeError:
                raise FrameError(WSCloseCode.INVALID_TEXT,
                                 "Close frame reason is not valid UTF-8") from None
            code = _CLOSE_CODES.get(code, code)
        self.close_code = code
        self.state = _TRANSITIONS[self.state, "receive_close"]
        return CloseReceived(code, reason, True)

    def _on_ping(self, frame: Frame) -> Event:
        return Ping(frame.payload)

    def _on_pong(self, frame: Frame) -> Event:
        return Pong(frame.payload)

    def _fail(self, code: int, reason: str) -> Event:
        """Fail the WebSocket connection (section 7.1.7): queue our Close, stop reading."""
        if self.state not in _OUTPUT_DONE:
            # Our reasons are ASCII; cut to the 123 bytes a Close frame has room for.
            reason_bytes = reason.encode("utf-8")[:MAX_CLOSE_REASON]
            self._outgoing += self._frame(Opcode.CLOSE, int(code).to_bytes(2, "big") + reason_bytes)
        self.state = CLOSED
        self.close_code = code
        self._msg_opcode = None
        self._msg_parts = []
        self._msg_size = 0
        self._msg_compressed = False
        return CloseReceived(code, reason, by_peer=False)

    # -- sending ------------------------------------------------------------------------------

    def send_text(self, text: str, fin: bool = True) -> bytes:
        """A text message.  ``fin=False`` sends a fragment; continue with more ``send_text``."""
        if not isinstance(text, str):
            raise TypeError(f"send_text() takes a str, not {type(text).__name__}: "
                            "use send_bytes() for bytes")
        return self._send_data(TEXT, text.encode("utf-8"), fin)

    def send_bytes(self, data: Union[bytes, bytearray, memoryview], fin: bool = True) -> bytes:
        """A binary message.  ``fin=False`` sends a fragment; continue with more ``send_bytes``."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"send_bytes() takes bytes, not {type(data).__name__}: "
                            "use send_text() for a str")
        return self._send_data(BINARY, data, fin)

    def send_ping(self, payload: bytes = b"") -> bytes:
        """A Ping (at most 125 bytes of payload); the peer should answer with a Pong."""
        return self._send_control(Opcode.PING, payload)

    def send_pong(self, payload: bytes = b"") -> bytes:
        """A Pong, the answer to a Ping: echo its payload (section 5.5.3)."""
        return self._send_control(Opcode.PONG, payload)

    def send_close(self, code: Optional[int] = WSCloseCode.OK, reason: str = "") -> bytes:
        """Our Close frame, or b"" if we already sent one.

        To answer a peer's Close, echo its code: ``send_close(event.code)``.  ``code=None`` or
        1005 (NO_STATUS_RCVD) sends an empty Close frame, as the RFC allows (section 5.5.1).
        """
        if self.state in _OUTPUT_DONE:
            return b""
        if code is None or code == NO_STATUS_RCVD:
            if reason:
                raise LocalProtocolError("a close reason needs a close code")
            payload = b""
        else:
            if not is_sendable_close_code(code):
                raise LocalProtocolError(
                    f"close code {code} may not be sent: use 1000-1003, 1007-1014 or "
                    "3000-4999 (RFC 6455 section 7.4)")
            reason_bytes = reason.encode("utf-8")
            if len(reason_bytes) > MAX_CLOSE_REASON:
                raise LocalProtocolError(
                    f"close reason is {len(reason_bytes)} bytes of UTF-8; at most "
                    f"{MAX_CLOSE_REASON} fit in a Close frame")
            payload = int(code).to_bytes(2, "big") + reason_bytes
        self.state = _TRANSITIONS[self.state, "send_close"]
        return self._frame(Opcode.CLOSE, payload)

    def _send_data(self, opcode: Opcode, payload: Union[bytes, bytearray, memoryview],
                   fin: bool) -> bytes:
        state = self.state
        if state is CLOSING or state is CLOSED:     # _OUTPUT_DONE, by identity: cheaper than `in`
            raise LocalProtocolError(
                f"cannot send a {opcode.name} message in state {self.state.name}: no data "
                "may follow our Close frame (RFC 6455 section 5.5.1)")
        wire_opcode = opcode
        if self._send_opcode is not None:
            if opcode is not self._send_opcode:
                raise LocalProtocolError(
                    f"a fragmented {self._send_opcode.name} message is in progress: finish it "
                    f"(fin=True) before sending {opcode.name}")
            wire_opcode = CONTINUATION
        self._send_opcode = None if fin else opcode
        compressed = False
        if self._deflate is not None:
            payload = self._deflate.compress(bytes(payload), fin)
            compressed = wire_opcode is not CONTINUATION     # RSV1 on the first frame only
        return build_frame(wire_opcode, payload, fin=fin, compressed=compressed,
                           mask=os.urandom(4) if self._is_client else None)

    def _send_control(self, opcode: Opcode, payload: bytes) -> bytes:
        # Discussion: the RFC forbids only *data* after our Close, and a peer that keeps
        # talking may ping us while we wait for its Close; so Ping and Pong stay allowed in
        # CLOSING.  Once CLOSED the transport is going away and sending is a mistake.
        if self.state is CLOSED:
            raise LocalProtocolError(f"cannot send a {opcode.name}: the connection is closed")
        if len(payload) > MAX_CONTROL_PAYLOAD:
            raise LocalProtocolError(
                f"{opcode.name} payload is {len(payload)} bytes; control frames carry at most "
                f"{MAX_CONTROL_PAYLOAD} (RFC 6455 section 5.5)")
        return self._frame(opcode, payload)

    def _frame(self, opcode: Opcode, payload: bytes) -> bytes:
        # A client masks every frame with a fresh, unpredictable key (section 5.3): that is
        # what stops a script in a browser from steering the bytes a proxy sees (section 10.3).
        return build_frame(opcode, payload, mask=os.urandom(4) if self._is_client else None)


# Which method handles which opcode: the dispatch table of section 5.2.
_FRAME_HANDLERS: Dict[Opcode, Callable[[WebSocketConnection, Frame], Optional[Event]]] = {
    Opcode.TEXT: WebSocketConnection._on_message_start,
    Opcode.BINARY: WebSocketConnection._on_message_start,
    Opcode.CONTINUATION: WebSocketConnection._on_continuation,
    Opcode.CLOSE: WebSocketConnection._on_close,
    Opcode.PING: WebSocketConnection._on_ping,
    Opcode.PONG: WebSocketConnection._on_pong,
}
