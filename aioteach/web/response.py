"""Responses: what a handler hands back, and how it becomes bytes on the wire.

Theory of operation.  There are two kinds of response, as in aiohttp:

* ``Response`` carries its whole body (``text=``, ``body=`` or JSON via ``json_response``).
  The handler returns it; the protocol turns it into one ``bytes`` (head and body together)
  and writes it.  This is the common case and the fast one: nothing is awaited.  It lives in
  web/wholeresponse.py (and a body that is a file or a generator in web/payloadbody.py);
  both names are importable from here too.
* ``StreamResponse`` is written piece by piece by the handler itself::

      resp = web.StreamResponse()
      await resp.prepare(request)       # the head goes out now
      await resp.write(b"first part")   # each write may wait for a slow client (flow control)
      await resp.write_eof()

Framing (RFC 9112 section 6): a known length is sent as ``Content-Length``; an unknown one as
``Transfer-Encoding: chunked`` on HTTP/1.1 and by closing the connection on HTTP/1.0 (which has
no chunked coding).  Responses to HEAD and 1xx/204/304 responses carry no body (RFC 9110 sections
9.3.2, 15.3.5 and 15.4.5); a HEAD response keeps the Content-Length a GET would have had.

Hand-offs: the bytes go through ``request.protocol``, the connection seen through the seam
of ``web/writer.py``: ``start_response`` moves the connection's state and says whether it
persists, ``write(data)`` queues or sends, ``drain()`` waits while the socket's buffer is
full, ``end_response`` says the body is complete.  The head itself is rendered by
``web/responsehead.py`` (one renderer, one cache in front of it for plain responses).  ``prepare()`` fires
the application's ``on_response_prepare`` signal so an app can add headers at the last moment.

Headers are built lazily: a ``Response(text=...)`` whose ``headers`` nobody touches never builds
a ``CIMultiDict``; the protocol renders its head straight from the content type and length.
"""
from __future__ import annotations

import datetime
import enum
import warnings
from email.utils import formatdate, parsedate_to_datetime
from http.cookies import SimpleCookie
from typing import Any, Optional, Tuple, Union

from ..http1 import LAST_CHUNK, encode_chunk, reason_phrase
from ..http1.rules import CHUNKED, NO_BODY, is_switch, response_framing
from ..multidict import CIMultiDict
from .responseheaders import ResponseHeaders, check_reason
from .responsehead import http_date, render_head
from .responseoptions import CookiesAndCompression
from .state import StateMapping

__all__ = ["ContentCoding", "StreamResponse", "http_date"]   # Response: web/wholeresponse.py

class ContentCoding(enum.Enum):
    """The content codings (RFC 9110 8.4.1), an Enum as aiohttp's: ``enable_compression(
    force=ContentCoding.gzip)``; ``.value`` is the token sent in Content-Encoding."""

    deflate = "deflate"
    gzip = "gzip"
    identity = "identity"


def _parse_content_type(value: str) -> Tuple[str, Optional[str]]:
    """``"text/html; charset=UTF-8"`` -> ``("text/html", "utf-8")``."""
    mime, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.strip().partition("=")
        if key.lower() == "charset":
            charset = val.strip().strip('"').lower() or None
    return mime.strip().lower(), charset


class StreamResponse(CookiesAndCompression, StateMapping):
    """A response whose body the handler writes itself (aiohttp's ``web.StreamResponse``).

    It is also a small dict for the handler's own state (``resp["key"] = value``), as in aiohttp
    (``web/state.py``'s StateMapping, the same as a request's).
    """

    # The defaults live on the class; an instance stores only what differs from them.  A
    # response is built for every request, and most set nothing but a status and a body.
    _body: Optional[bytes] = None                 # set by Response
    _reason: Optional[str] = None
    _headers: Optional[CIMultiDict] = None        # built on first access, see ``headers``
    _init_headers: Any = None                     # what the caller passed as headers=
    _ctype: Optional[str] = None                  # the content type while _headers is None
    _charset: Optional[str] = None
    _content_length: Optional[int] = None
    _cookies: Optional[SimpleCookie] = None
    _state: Optional[dict] = None                 # resp["key"] = value
    _keep_alive: Optional[bool] = None            # None: decided by the request
    _chunked = False
    _prepared = False
    _eof_sent = False
    _send_body = True
    _req: Any = None
    _protocol: Any = None                         # request.protocol, once prepared
    _body_length = 0
    _compression: Optional[str] = None            # enable_compression(): "" or a forced coding
    _compressor: Any = None                       # the zlib compressor once prepare() chose
    _typeless = False                             # a Response() without body: no Content-Type

    def __init__(self, *, status: int = 200, reason: Optional[str] = None,
                 headers: Optional[Any] = None) -> None:
        self._status = status
        if reason is not None:
            check_reason(reason)
            self._reason = reason
        if headers is not None:
            self._init_headers = ResponseHeaders(headers)     # CR/LF refused here, a copy

    # -- status ---------------------------------------------------------------------------
    @property
    def status(self) -> int:
        return self._status

    @property
    def reason(self) -> str:
        return self._reason if self._reason is not None else reason_phrase(self._status)

    def set_status(self, status: int, reason: Optional[str] = None) -> None:
        if self._prepared:
            raise RuntimeError("cannot change the status after the headers were sent (prepare())")
        check_reason(reason)
        self._status = status
        self._reason = reason

    # -- headers ----------------------------------------------------------------------------
    @property
    def headers(self) -> CIMultiDict:
        headers = self._headers
        if headers is None:
            headers = self._init_headers or ResponseHeaders()    # __init__ built and checked it
            if self._ctype is not None and "Content-Type" not in headers:
                headers["Content-Type"] = self._content_type_value()
            if self._content_length is not None and "Content-Length" not in headers:
                headers["Content-Length"] = str(self._content_length)
            self._headers = headers
        return headers

    def _content_type_value(self) -> str:
        if self._charset is not None:
            return f"{self._ctype}; charset={self._charset}"
        return self._ctype or "application/octet-stream"

    @property
    def content_type(self) -> str:
        if self._headers is None and not self._init_headers:
            return self._ctype or "application/octet-stream"
        raw = self.headers.get("Content-Type")
        return _parse_content_type(raw)[0] if raw else "application/octet-stream"

    @content_type.setter
    def content_type(self, value: str) -> None:
        self._set_content_type(str(value), self.charset if value else None)

    @property
    def charset(self) -> Optional[str]:
        if self._headers is None and not self._init_headers:
            return self._charset
        raw = self.headers.get("Content-Type")
        return _parse_content_type(raw)[1] if raw else None

    @charset.setter
    def charset(self, value: Optional[str]) -> None:
        ctype = self.content_type
        if ctype == "application/octet-stream" and value:
            raise RuntimeError("set content_type before charset (octet-stream has no charset)")
        self._set_content_type(ctype, value.lower() if value else None)

    def _set_content_type(self, ctype: str, charset: Optional[str]) -> None:
        self._ctype, self._charset = ctype, charset
        if self._headers is not None or self._init_headers:
            self.headers["Content-Type"] = self._content_type_value()

    @property
    def content_length(self) -> Optional[int]:
        if self._headers is None:
            return self._content_length
        raw = self._headers.get("Content-Length")
        return int(raw) if raw is not None else None

    @content_length.setter
    def content_length(self, value: Optional[int]) -> None:
        if self._prepared:
            raise RuntimeError("cannot change Content-Length after prepare()")
        if value is not None and self._chunked:
            raise RuntimeError("a chunked response has no Content-Length")
        self._content_length = int(value) if value is not None else None
        if self._headers is not None:
            if value is None:
                self._headers.popall("Content-Length", None)
            else:
                self._headers["Content-Length"] = str(int(value))

    @property
    def last_modified(self) -> Optional[datetime.datetime]:
        raw = self.headers.get("Last-Modified")
        if not raw:
            return None
        try:
            return parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None

    @last_modified.setter
    def last_modified(self, value: Union[int, float, datetime.datetime, str, None]) -> None:
        if value is None:
            self.headers.popall("Last-Modified", None)
        elif isinstance(value, (int, float)):
            self.headers["Last-Modified"] = formatdate(value, usegmt=True)
        elif isinstance(value, datetime.datetime):
            self.headers["Last-Modified"] = formatdate(value.timestamp(), usegmt=True)
        else:
            self.headers["Last-Modified"] = value

    # -- connection handling --------------------------------------------------------------------
    @property
    def keep_alive(self) -> Optional[bool]:
        return self._keep_alive

    def force_close(self) -> None:
        """Close the connection after this response (sends ``Connection: close``)."""
        self._keep_alive = False

    @property
    def chunked(self) -> bool:
        return self._chunked

    def enable_chunked_encoding(self) -> None:
        if self._content_length is not None or (self._headers and "Content-Length" in self._headers):
            raise RuntimeError("a response with Content-Length cannot be chunked")
        self._chunked = True

    @property
    def prepared(self) -> bool:
        return self._prepared

    @property
    def eof_sent(self) -> bool:
        """The whole response is out (``write_eof()`` ran, or the fast path sent it): the
        protocol's seam reads this, read-only, to know nothing is left to send."""
        return self._eof_sent

    @property
    def body_length(self) -> int:
        return self._body_length

    # -- writing --------------------------------------------------------------------------------
    async def prepare(self, request: Any) -> None:
        """Send the head.  Fires ``app.on_response_prepare`` first; a second call does nothing."""
        if self._prepared:
            return
        if self._eof_sent:
            raise RuntimeError("the response was already sent")
        # The signal of every app on the request's path, outermost first (as in aiohttp).
        for app in request.apps:
            if app.on_response_prepare:
                await app.on_response_prepare.send(request, self)
        self._req = request
        self._protocol = request.protocol
        if self._compression is not None:
            self._start_compression(request)
        head = self._render_head(request, self._body)    # may refuse a bad header value
        self._prepared = True
        self._protocol.write(head)

    def _render_head(self, request: Any, body: Optional[bytes]) -> bytes:
        """Choose the framing and the persistence (``http1.rules``), then render the head."""
        status = self._status
        version = "1.0" if request.version.minor == 0 else "1.1"
        headers = self.headers
        length = len(body) if body is not None else self.content_length
        framing = response_framing(request.method, status, version, length,
                                   self._chunked or (body is None and length is None))
        self._chunked = framing == CHUNKED
        self._send_body = framing != NO_BODY
        writer = self._protocol
        keep_alive = writer.response_keep_alive(request, framing, self._keep_alive)
        cookies = [("Set-Cookie", m.OutputString()) for m in self._cookies.values()] \
            if self._cookies else ()
        head = render_head(status, self._reason, version, headers, framing, length,
                           keep_alive, cookies, default_type=not self._typeless,
                           tunnel=framing == NO_BODY and is_switch(request.method, status))
        self._keep_alive = keep_alive
        writer.start_response(request, status, keep_alive)
        return head

    async def write(self, data: Union[bytes, bytearray, memoryview]) -> None:
        """Send a piece of the body; waits while the client is slower than we are."""
        if not self._prepared:
            raise RuntimeError("call 'await resp.prepare(request)' before write()")
        if self._eof_sent:
            raise RuntimeError("cannot write() after write_eof()")
        if not data:
            return
        self._body_length += len(data)
        if self._compressor is not None:
            data = self._compressor.compress(bytes(data))
            if not data:
                return                          # zlib holds it until it has a block's worth
        if self._send_body:
            protocol = self._protocol
            protocol.write(encode_chunk(bytes(data)) if self._chunked else bytes(data))
            await protocol.drain()

    async def drain(self) -> None:
        """Deprecated, as in aiohttp: ``await resp.write(data)`` already waits for the client."""
        warnings.warn("drain method is deprecated, use await resp.write()", DeprecationWarning,
                      stacklevel=2)
        if self._protocol is not None:
            await self._protocol.drain()

    async def write_eof(self, data: bytes = b"") -> None:
        """Finish the body (the last chunk, when chunked).  Further calls do nothing."""
        if self._eof_sent:
            return
        if not self._prepared:
            raise RuntimeError("call 'await resp.prepare(request)' before write_eof()")
        if data:
            await self.write(data)
        if self._compressor is not None:
            tail, self._compressor = self._compressor.flush(), None
            if self._send_body:
                self._protocol.write(encode_chunk(tail) if self._chunked else tail)
        if self._chunked and self._send_body:
            self._protocol.write(LAST_CHUNK)
        self._eof_sent = True
        self._protocol.end_response()
        await self._protocol.drain()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._status} {self.reason}>"

