"""The events of a WebSocket conversation: what ``WebSocketConnection.receive_data`` hands up.

Frames are the wire's unit; an application thinks in *messages*.  The connection puts the
fragments of a message back together (RFC 6455 section 5.4) and reports each complete one once:

    TextMessage(data: str)        a whole text message, already decoded from UTF-8
    BytesMessage(data: bytes)     a whole binary message
    Ping(payload) / Pong(payload) control frames, reported as they come (section 5.5.2-5.5.3)
    CloseReceived(code, reason, by_peer)
                                  the conversation is ending (section 7).  ``by_peer=True``: the
                                  peer sent a Close frame.  ``by_peer=False``: the peer broke the
                                  protocol, and the connection failed it with ``code`` (1002,
                                  1007, 1009); the Close frame it answers with waits in
                                  ``data_to_send()``.

Events are small frozen dataclasses: they print well in a notebook and cannot be changed by
accident on their way up.  ``to_message()`` turns one into aiohttp's ``WSMessage``, the shape
``await ws.receive()`` returns in the asyncio layers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from .codes import WSMessage, WSMsgType

__all__ = ["TextMessage", "BytesMessage", "Ping", "Pong", "CloseReceived", "Event"]


@dataclass(frozen=True, slots=True)
class TextMessage:
    """A complete text message (opcode 0x1 and its continuations), decoded."""

    data: str

    def to_message(self) -> WSMessage:
        return WSMessage(WSMsgType.TEXT, self.data, None)


@dataclass(frozen=True, slots=True)
class BytesMessage:
    """A complete binary message (opcode 0x2 and its continuations)."""

    data: bytes

    def to_message(self) -> WSMessage:
        return WSMessage(WSMsgType.BINARY, self.data, None)


@dataclass(frozen=True, slots=True)
class Ping:
    """The peer asks for a Pong with the same payload (RFC 6455 section 5.5.2)."""

    payload: bytes = b""

    def to_message(self) -> WSMessage:
        return WSMessage(WSMsgType.PING, self.payload, None)


@dataclass(frozen=True, slots=True)
class Pong:
    """The peer answered a Ping, or sent an unsolicited heartbeat (section 5.5.3)."""

    payload: bytes = b""

    def to_message(self) -> WSMessage:
        return WSMessage(WSMsgType.PONG, self.payload, None)


@dataclass(frozen=True, slots=True)
class CloseReceived:
    """The conversation is ending.  See the module docstring for ``by_peer``.

    ``code`` is the peer's status code, 1005 (NO_STATUS_RCVD) when its Close frame was empty
    (section 7.1.5), or the code we failed the connection with.
    """

    code: int
    reason: str = ""
    by_peer: bool = True

    def to_message(self) -> WSMessage:
        return WSMessage(WSMsgType.CLOSE, self.code, self.reason)


Event = Union[TextMessage, BytesMessage, Ping, Pong, CloseReceived]
