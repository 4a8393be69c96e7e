"""The server's own answers: to bytes that broke HTTP, and to a handler that failed.

Two kinds, as the errors have two sides (STYLE.md habit 6):

* the client broke the protocol (``RemoteProtocolError``, from the parser or from a body that
  broke or stalled while the handler read it): the status the error carries (400, 408, 413,
  414, 431, 501, 505 ...), a one-line plain-text hint, and ``Connection: close``: a connection
  that sent garbage cannot be trusted to say where its next request starts;
* the handler failed (any other exception, or a non-response returned): a logged 500,
  ``HTTPInternalServerError``'s plain page, and the connection serves on.

Differs from aiohttp: aiohttp words its own 500 page, in HTML for browsers.
"""
from __future__ import annotations

from typing import Tuple

from ..http1 import RemoteProtocolError, reason_phrase
from ..http1.rules import LENGTH
from ..multidict import CIMultiDict
from .wholeresponse import Response
from .responsehead import render_head

__all__ = ["protocol_error_answer", "protocol_error_bytes", "protocol_error_response"]


def protocol_error_answer(exc: RemoteProtocolError) -> Tuple[int, bytes]:
    """The status the error chose and a one-line hint, for bytes that broke the protocol."""
    status = getattr(exc, "status", 400) or 400
    return status, f"{status} {reason_phrase(status)}: {exc}\n".encode("utf-8", "replace")


def protocol_error_bytes(exc: RemoteProtocolError) -> bytes:
    """The whole answer (head and body) for bytes we cannot parse; the connection closes.

    The head comes from the one renderer, ``responsehead.render_head`` (framing, Date, Server
    and ``Connection: close``), as every other response head does.
    """
    status, body = protocol_error_answer(exc)
    headers: CIMultiDict[str] = CIMultiDict({"Content-Type": "text/plain; charset=utf-8"})
    return render_head(status, None, "1.1", headers, LENGTH, len(body), False) + body


def protocol_error_response(exc: RemoteProtocolError) -> Response:
    """The same answer as a Response, for a body that broke while a handler read it."""
    status, body = protocol_error_answer(exc)
    response = Response(status=status, body=body, content_type="text/plain", charset="utf-8")
    response.force_close()
    return response
