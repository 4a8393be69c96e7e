"""What can go wrong in a WebSocket conversation, split by whose fault it is.

Two sides, as in ``aioteach.http1.errors``:

* The *peer* broke RFC 6455 after the handshake (an unmasked client frame, bad UTF-8 in a
  text message ...).  That is never an exception for the caller: the connection turns it into
  a ``CloseReceived`` event carrying the close code the RFC names, and queues the Close frame
  to send (RFC 6455 section 7.1.7, "Fail the WebSocket Connection").  Inside the package the
  frame parser signals it with ``FrameError(code, reason)``, which the connection catches.
* *Our* caller misused the API (sent text after closing, a ping payload over 125 bytes):
  ``LocalProtocolError``.  Nothing went on the wire; fix the calling code.

The opening handshake is plain HTTP, so its failures are ``HandshakeError`` with the HTTP
status a server answers with (400, 405, 426) or the status a client received, and the header
fields that go with the answer (``Sec-WebSocket-Version: 13`` on a 426).
"""
from __future__ import annotations

from typing import List, Sequence, Tuple

__all__ = ["WebSocketError", "FrameError", "LocalProtocolError", "HandshakeError",
           "WSMessageTypeError"]


class WebSocketError(Exception):
    """Base class: the WebSocket layer refused something."""


class FrameError(WebSocketError):
    """The peer's bytes break RFC 6455.  ``code`` is the close code to answer with."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"{reason} (close code {int(code)})")
        self.code = code
        self.reason = reason


class LocalProtocolError(WebSocketError):
    """The caller misused the API; nothing went on the wire."""


class WSMessageTypeError(TypeError):
    """``receive_str()``/``receive_bytes()``/``receive_json()`` got another kind of message
    (aiohttp's name; a TypeError, as it was in aiohttp before 3.11)."""


class HandshakeError(WebSocketError):
    """The opening handshake failed (RFC 6455 section 4).

    On the server, ``status`` and ``headers`` are the HTTP answer to send (400 Bad Request,
    405 Method Not Allowed with ``Allow: GET``, 400 with the version we speak).
    On the client, ``status`` is what the server answered and ``message`` says what was wrong.
    """

    def __init__(self, status: int, message: str,
                 headers: Sequence[Tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers: List[Tuple[str, str]] = list(headers)

    def __repr__(self) -> str:
        return f"HandshakeError({self.status}, {self.message!r}, headers={self.headers!r})"
