"""Responses: what a handler hands back, and how it becomes bytes on the wire.

Theory of operation.  There are two kinds of response, as in aiohttp:

* ``Response`` carries its whole body (``text=``, ``body=`` or JSON via ``json_response``).
  The handler returns it; the protocol turns it into one ``bytes`` (head and body together)
  and writes it.  This is the common case and the fast one: nothing is awaited.
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
import json
from email.utils import formatdate, parsedate_to_datetime
from http.cookies import SimpleCookie
from typing import Any, Callable, Optional, Tuple, Union

from ..http1 import LAST_CHUNK, encode_chunk, reason_phrase
from ..http1.rules import CHUNKED, NO_BODY, NO_BODY_STATUSES, response_framing
from ..multidict import CIMultiDict
from .responseheaders import ResponseHeaders, check_reason
from .responsehead import fast_head, http_date, render_head
from .responseoptions import CookiesAndCompression
from .state import StateMapping

__all__ = ["ContentCoding", "StreamResponse", "Response", "json_response", "http_date"]

class ContentCoding:
    """Names of the content codings (RFC 9110 8.4.1), for code written against aiohttp."""

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
        apps = getattr(request._match_info, "apps", None) or (request._root_app,)
        for app in apps:
            if app is not None and app.on_response_prepare:
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
                           keep_alive, cookies, default_type=not self._typeless)
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


class Response(StreamResponse):
    """A response with its whole body (aiohttp's ``web.Response``).

    ``text=`` gives ``text/plain; charset=utf-8`` unless told otherwise; ``body=`` bytes give
    ``application/octet-stream``.  Passing both, or a ``content_type`` that already holds a
    charset, is a ``ValueError`` (say ``charset=`` instead), as in aiohttp.
    """

    def __init__(self, *, body: Any = None, status: int = 200, reason: Optional[str] = None,
                 text: Optional[str] = None, headers: Optional[Any] = None,
                 content_type: Optional[str] = None, charset: Optional[str] = None,
                 zlib_executor_size: Optional[int] = None, zlib_executor: Any = None) -> None:
        if body is not None and text is not None:
            raise ValueError("pass body= or text=, not both")
        if content_type is not None and "charset" in content_type:
            raise ValueError("content_type must not contain a charset: pass charset= instead")
        self._status = status
        if reason is not None:
            check_reason(reason)
            self._reason = reason
        if isinstance(body, str):       # aiohttp takes a str body as text: so do we
            text, body = body, None
        explicit = False
        if headers is not None:
            self._init_headers = ResponseHeaders(headers)     # CR/LF refused here, a copy
            explicit = "Content-Type" in self._init_headers
            if explicit and (content_type is not None or charset is not None):
                raise ValueError("headers= already holds a Content-Type: passing content_type= or "
                                 "charset= as well is refused (as in aiohttp); choose one")
        if text is not None:
            if not isinstance(text, str):
                raise TypeError(f"text must be str, got {type(text).__name__}")
            if charset is None:
                charset = "utf-8"
            body = text.encode(charset)
            if not explicit:
                self._ctype, self._charset = content_type or "text/plain", charset
        elif not explicit and (content_type is not None or charset is not None):
            self._ctype, self._charset = content_type or "application/octet-stream", charset
        elif body is not None and not explicit:
            self._ctype = "application/octet-stream"
        if body is not None:
            if type(body) is not bytes:
                if not isinstance(body, (bytes, bytearray, memoryview)):
                    raise TypeError(f"body must be bytes, got {type(body).__name__} "
                                    "(use text= for str)")
                body = bytes(body)
            self._body = body
        if headers is not None and self._ctype is not None:
            _ = self.headers           # put Content-Type into the caller's headers now

    @property
    def body(self) -> Optional[bytes]:
        return self._body

    @body.setter
    def body(self, value: Optional[bytes]) -> None:
        self._body = bytes(value) if value is not None else None

    @property
    def text(self) -> Optional[str]:
        if self._body is None:
            return None
        return self._body.decode(self.charset or "utf-8")

    @text.setter
    def text(self, value: str) -> None:
        if self._ctype is None and (self._headers is None or "Content-Type" not in self._headers):
            self._set_content_type("text/plain", "utf-8")
        self._body = value.encode(self.charset or "utf-8")

    @property
    def content_length(self) -> Optional[int]:
        return len(self._body) if self._body is not None else 0

    @content_length.setter
    def content_length(self, value: Optional[int]) -> None:
        raise RuntimeError("a Response's Content-Length comes from its body")

    def _fast_bytes(self, version: str, method: str, keep_alive: bool) -> Optional[bytes]:
        """Head and body in one bytes, or None when the general path (prepare) is needed.

        The fast path (see web/responsehead.py) covers what most handlers return: no custom
        headers touched, no cookies, no compression, a status with a body, and no
        ``on_response_prepare`` receivers (the protocol checks that last one, makes the
        same seam moves as prepare() and write_eof(), and decides ``keep_alive``).
        """
        if self._headers is not None or self._init_headers or self._cookies or \
                self._keep_alive is not None or self._status in NO_BODY_STATUSES or \
                self._compression is not None or self._prepared:
            return None
        body = self._body or b""
        self._keep_alive = keep_alive
        before, after = fast_head(self._status, self._reason, version, self._ctype,
                                  self._charset, keep_alive)
        self._prepared = self._eof_sent = True
        self._body_length = len(body)
        if method == "HEAD":
            return b"".join((before, b"%d" % len(body), after))
        return b"".join((before, b"%d" % len(body), after, body))

    async def write_eof(self, data: bytes = b"") -> None:
        if self._eof_sent:
            return
        if self._body and self._send_body:
            self._protocol.write(self._body)
        self._body_length = len(self._body or b"")
        self._eof_sent = True
        self._protocol.end_response()

    async def prepare(self, request: Any) -> None:
        if self._body is None and self._status not in NO_BODY_STATUSES:
            self._body = b""
            self._typeless = self._ctype is None
        await super().prepare(request)

    def _start_compression(self, request: Any) -> None:
        super()._start_compression(request)
        if self._compressor is not None:               # the whole body, compressed at once
            compressor, self._compressor = self._compressor, None
            self._body = compressor.compress(self._body or b"") + compressor.flush()


def json_response(data: Any = None, *, text: Optional[str] = None, body: Optional[bytes] = None,
                  status: int = 200, reason: Optional[str] = None, headers: Optional[Any] = None,
                  content_type: str = "application/json",
                  dumps: Callable[[Any], str] = json.dumps) -> Response:
    """A ``Response`` holding ``dumps(data)`` as ``application/json``."""
    if data is not None:
        if text is not None or body is not None:
            raise ValueError("pass data, text= or body=, only one of them")
        text = dumps(data)
    return Response(text=text, body=body, status=status, reason=reason, headers=headers,
                    content_type=content_type)
