"""A ``web.Response`` whose body is not bytes: a file, a StringIO, an async generator, a Payload.

Theory of operation.  ``web.Response(body=...)`` takes bytes on its fast path (web/response.py:
head and body become one ``bytes``, nothing awaited).  Anything else goes through
``aioteach.payload.get_payload(body)``, which wraps it in the Payload class for its type, and
this mixin sends it:

    headers     the payload's Content-Type unless the caller gave one (``headers=``,
                ``content_type=``), then its other headers (a file's Content-Disposition)
                where the caller's headers do not already say otherwise
    framing     a ``Content-Length`` the caller set wins; else the payload's ``size``; an
                unknown size (an async generator, a pipe) goes chunked on HTTP/1.1 and
                close-delimited on HTTP/1.0 (RFC 9112 6.3), as every StreamResponse does
    writing     ``await payload.write(response)``: the payload calls the response's own
                ``write()``, so chunked coding, compression, flow control and HEAD's empty
                body work exactly as for a handler's own StreamResponse
    closing     a payload that holds something open (a file) is closed once it has been sent:
                the handler handed it over with the response

A payload response always has headers (its Content-Type is put there), so the fast path,
which serves only responses whose headers nobody touched, never sees one: the plain
``text=``/``body=bytes`` responses pay nothing for this module.

Simplification: aiohttp closes file payloads in a background task (``_CLOSE_FUTURES``);
here ``close()`` is awaited right after the last byte was handed to the connection.
"""
from __future__ import annotations

from typing import Any, Optional

from .. import payload as payloads
from ..multipart import parse_options_header

__all__ = ["PayloadBody"]


class PayloadBody:
    """Mixed into ``web.Response``: adopting, measuring and sending a Payload body."""

    _payload: Optional[payloads.Payload] = None
    # What web.StreamResponse provides (annotations only: its definitions win).
    _compressor: Any
    _send_body: bool
    _headers: Any
    _ctype: Optional[str]
    _charset: Optional[str]
    headers: Any
    write: Any

    def _adopt_payload(self, body: Any, explicit_type: bool) -> None:
        """Wrap ``body`` and take its headers; ``explicit_type``: headers= has Content-Type."""
        try:
            payload = payloads.get_payload(body)
        except payloads.LookupError:
            raise TypeError(f"body must be bytes, a file, a StringIO, an async iterable of "
                            f"bytes or a Payload, got {type(body).__name__} "
                            "(use text= for str)") from None
        self._payload = payload
        if not explicit_type and self._ctype is None:
            mime, params = parse_options_header(payload.content_type)
            self._ctype, self._charset = mime, params.get("charset")
        headers = self.headers                       # built now, with the Content-Type
        for name, value in payload.headers.items():
            if name not in headers:
                headers[name] = value

    def _payload_length(self) -> Optional[int]:
        """The caller's Content-Length, else the payload's size; None when compressing."""
        if self._compressor is not None:
            return None                              # the compressed length is not known yet
        raw = self._headers.get("Content-Length") if self._headers is not None else None
        if raw is not None:
            return int(raw)
        return self._payload.size if self._payload is not None else None

    async def _write_payload(self) -> None:
        """Send the payload through ``self.write`` and close what it holds."""
        payload = self._payload
        assert payload is not None                   # only called when there is one
        try:
            if self._send_body:
                await payload.write(self)            # our write(): chunks, compression
        finally:
            await payload.close()
