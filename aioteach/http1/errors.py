"""What can go wrong in an HTTP/1.1 conversation, split by whose fault it is.

Two sides, as in h11 and wsproto:

* ``RemoteProtocolError``: the *peer* sent bytes that break RFC 9112. It carries the status
  code a server should answer with (400, 413, 414, 431, 501, 505) and a hint for the log.
  After one of these the parser is dead: the connection cannot be trusted any more, so the
  server answers once and closes.
* ``LocalProtocolError``: *our* caller misused the API (a header value with CR or LF in it,
  a body longer than its Content-Length).  Nothing was sent; fix the calling code.

Both derive from ``ProtocolError`` so that "anything the HTTP layer refused" is one except.
"""
from __future__ import annotations

__all__ = ["ProtocolError", "RemoteProtocolError", "LocalProtocolError"]


class ProtocolError(Exception):
    """Base class: the HTTP/1.1 layer refused something.  ``status`` is the answer to send."""

    status: int = 400

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status

    @property
    def hint(self) -> str:
        return str(self.args[0]) if self.args else ""


class RemoteProtocolError(ProtocolError):
    """The peer broke the protocol; ``status`` (default 400) is what a server should reply."""


class LocalProtocolError(ProtocolError):
    """The caller misused the API; nothing went on the wire."""

    status = 500
