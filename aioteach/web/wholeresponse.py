"""Response: a response that carries its whole body (aiohttp's ``web.Response``).

Theory of operation.  Most handlers return ``web.Response(text=...)``, ``body=b"..."`` or
``json_response(data)``: the body is known before anything is sent.  Such a response is the
fast one: while its header multidict was never built, the protocol asks it (``fast_bytes``,
the seam between the two) for head and body as one ``bytes`` (the head from
web/responsehead.py's ``fast_head``) and writes that, with nothing awaited.  Otherwise it
goes the general way of every ``StreamResponse`` (web/response.py): ``prepare()`` sends the
head, ``write_eof()`` the body.
The rule that keeps the two the same lives here: whatever adds a field of its own to the head
(``headers=``, reading ``.headers``, cookies, compression, ``force_close``, chunked coding)
builds the multidict, and so takes the general path.  ``tests/web/test_response_fast_path.py``
proves with hypothesis that both paths put the same bytes on the wire.

A body that is not bytes (a file, ``io.StringIO``, an async generator, a ``Payload``) is
wrapped by ``aioteach.payload`` and sent piece by piece: see web/payloadbody.py.  Such a
response always has headers, so the fast path never sees it.

Performance notes (valgrind, CPython 3.11, ``Response(text="Hello, World!")`` then
``fast_bytes``, in a loop: 14.8k instructions per response before the first four, 11.1k
after; the class call alone, nine keyword-only parameters, costs 4.7k of it.  Measured again
on 3.11.7 (Dec 2026): 10.8k, and 11.1k with the framing check below):

* ``fast_bytes`` tests one attribute (``_headers``) instead of seven, because the methods
  below build the multidict: 1.4k saved.
* ``__init__`` stores ``_reason`` and ``_headers`` even when they are the class's defaults:
  3.11 reads an instance attribute in a fraction of a class default's cost: 0.3k saved.
* ``__init__`` tests in the order the common ``text=`` call fails them, and UTF-8 text is
  encoded by ``str.encode()`` without an argument, its own quickest: 0.9k saved.
* ``fast_head`` hands back the whole head for the length (see its notes): 1.1k saved.
* Whether ``http1.rules.response_framing`` frames the answer by its length is asked once per
  (method, status) and kept in a dict of dicts, read by two subscripts: 0.25k a response.  A
  tuple key cost 0.6k, ``.get()`` twice 0.4k; the check itself is not optional (a 2xx to
  CONNECT is a switch, RFC 9110 9.3.6).
* ``json_response`` passes only ``text=`` and ``content_type=`` when the other options are at
  their defaults: each keyword given to a class costs a dict entry and a lookup on 3.11, and
  the usual ``json_response(data)`` paid for six: 20.7k -> 19.6k instructions with
  ``fast_bytes``.
* ``json_dumps``, ``json_response``'s encoder when the caller left ``dumps=`` at
  ``json.dumps``, gives json.dumps's own string.  json.dumps with its default arguments builds
  a new C encoder (``json.encoder.c_make_encoder``, an undocumented name) on every call, in
  ``JSONEncoder.iterencode``; ``json_dumps`` builds that same encoder once.  Encoding
  ``{"message": "Hello, World!"}`` costs 16.9k instructions with json.dumps and 6.5k with
  json_dumps (valgrind, a loop of calls).  ``tests/web/test_json_response.py`` checks with
  hypothesis that both give the same string for any JSON value.
"""
from __future__ import annotations

import json
from json import encoder as json_encoder
from http.cookies import SimpleCookie
from typing import Any, Callable, List, Optional

from ..http1 import LAST_CHUNK, encode_chunk
from ..http1.rules import LENGTH, NO_BODY_STATUSES, response_framing
from .payloadbody import PayloadBody
from .response import StreamResponse
from .responsehead import fast_head
from .responseheaders import ResponseHeaders, check_reason

__all__ = ["Response", "json_response", "json_dumps"]


class Response(StreamResponse, PayloadBody):
    """A response with its whole body (aiohttp's ``web.Response``).

    ``text=`` gives ``text/plain; charset=utf-8`` unless told otherwise; ``body=`` bytes give
    ``application/octet-stream``; any other body becomes a Payload (web/payloadbody.py) with
    its own type.  Passing both, or a ``content_type`` that already holds a charset, is a
    ``ValueError`` (say ``charset=`` instead), as in aiohttp.
    """

    def __init__(self, *, body: Any = None, status: int = 200, reason: Optional[str] = None,
                 text: Optional[str] = None, headers: Optional[Any] = None,
                 content_type: Optional[str] = None, charset: Optional[str] = None,
                 zlib_executor_size: Optional[int] = None, zlib_executor: Any = None) -> None:
        # Ordered so that the common ``Response(text=...)`` takes the fewest steps: each test
        # below is False for it but the ``text`` ones (see "Performance notes" above).
        self._status = status
        self._reason = reason
        self._headers = None     # the class's default too; stored, fast_bytes reads it sooner
        if reason is not None:
            check_reason(reason)
        if body is not None:
            if text is not None:
                raise ValueError("pass body= or text=, not both")
            if isinstance(body, str):       # aiohttp takes a str body as text: so do we
                text, body = body, None
        if content_type is not None and "charset" in content_type:
            raise ValueError("content_type must not contain a charset: pass charset= instead")
        explicit = headers is not None and self._take_headers(headers, content_type, charset)
        if text is not None:
            if not isinstance(text, str):
                raise TypeError(f"text must be str, got {type(text).__name__}")
            if charset is None:              # UTF-8: str.encode()'s own default, its quickest
                charset, self._body = "utf-8", text.encode()
            else:
                self._body = text.encode(charset)
            if not explicit:
                self._ctype, self._charset = content_type or "text/plain", charset
        else:
            if not explicit and (content_type is not None or charset is not None):
                self._ctype, self._charset = content_type or "application/octet-stream", charset
            if body is not None:
                self._take_body(body, explicit)
        if headers is not None:
            _ = self.headers      # built now, Content-Type put in: off the fast path

    def _take_headers(self, headers: Any, content_type: Optional[str],
                      charset: Optional[str]) -> bool:
        """Copy ``headers=`` (CR/LF refused here); True when it holds a Content-Type."""
        self._init_headers = ResponseHeaders(headers)
        explicit = "Content-Type" in self._init_headers
        if explicit and (content_type is not None or charset is not None):
            raise ValueError("headers= already holds a Content-Type: passing content_type= or "
                             "charset= as well is refused (as in aiohttp); choose one")
        return explicit

    def _take_body(self, body: Any, explicit: bool) -> None:
        """``body=`` that is not text: bytes kept as they are, anything else a Payload."""
        if type(body) is not bytes:
            if not isinstance(body, (bytes, bytearray, memoryview)):
                self._adopt_payload(body, explicit)     # a file, a generator...: a Payload
                return
            body = bytes(body)
        if self._ctype is None and not explicit:
            self._ctype = "application/octet-stream"
        self._body = body

    @property
    def body(self) -> Any:
        """The bytes, or the Payload a file / generator body became (as in aiohttp)."""
        return self._body if self._payload is None else self._payload

    @body.setter
    def body(self, value: Any) -> None:
        self._payload = self._body = None
        if value is not None:                    # the same rules as Response(body=...)
            self._take_body(value, "Content-Type" in (self._headers or self._init_headers or ()))

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
        if self._body is not None:
            return len(self._body)
        return self._payload_length() if self._payload is not None else 0

    @content_length.setter
    def content_length(self, value: Optional[int]) -> None:
        raise RuntimeError("a Response's Content-Length comes from its body")

    def fast_bytes(self, version: str, method: str, keep_alive: bool) -> Optional[bytes]:
        """Head and body in one bytes, or None when the general path (prepare) is needed.

        The seam with web/protocol.py, which calls it for a whole ``Response`` whose request
        body is read and that no ``on_response_prepare`` receiver listens to; the protocol
        then makes the same moves in the tables as prepare() and write_eof() (a Response, not
        a Switch) and decides ``keep_alive``.  It covers what most handlers return: a header
        multidict never built (no headers, cookies, compression... see above) and an answer
        that ``http1.rules.response_framing`` frames by its Content-Length (a HEAD's
        describing its GET's): not a 1xx, 204 or 304, nor a 2xx to CONNECT (a switch).
        """
        if self._headers is not None:
            return None
        try:
            framed = _LENGTH_FRAMED[method][self._status]
        except KeyError:                    # a pair not seen yet: ask the rule
            framed = _framed_by_length(method, self._status)
        if not framed:
            return None
        body = self._body or b""
        length = len(body)
        head = fast_head(self._status, self._reason, version, self._ctype, self._charset,
                         keep_alive, length)
        self._keep_alive = keep_alive
        self._prepared = self._eof_sent = True
        self._body_length = length
        return head if method == "HEAD" else head + body


    async def write_eof(self, data: bytes = b"") -> None:
        if self._eof_sent:
            return
        if self._payload is not None:                  # piece by piece, through write()
            await self._write_payload()
            await super().write_eof()
            return
        body = self._body or b""
        if self._send_body:
            if self._chunked:                          # enable_chunked_encoding() on HTTP/1.1
                self._protocol.write(encode_chunk(body) + LAST_CHUNK if body else LAST_CHUNK)
            elif body:
                self._protocol.write(body)
        self._body_length = len(body)
        self._eof_sent = True
        self._protocol.end_response()

    # -- what takes a Response off the fast path: each builds the header multidict ----------
    # ``fast_bytes`` serves only a response whose header multidict was never built.  headers=
    # and prepare() build it; so does everything below, which adds a field of its own
    # (Transfer-Encoding, Connection: close, Set-Cookie, Content-Encoding).
    def enable_chunked_encoding(self) -> None:
        """Send the whole body as one chunk (aiohttp allows it on a Response too)."""
        super().enable_chunked_encoding()
        _ = self.headers

    def force_close(self) -> None:
        super().force_close()
        _ = self.headers

    @property
    def cookies(self) -> SimpleCookie:
        _ = self.headers
        return super().cookies

    def enable_compression(self, force: Optional[str] = None, strategy: Any = None) -> None:
        super().enable_compression(force, strategy)
        _ = self.headers

    async def prepare(self, request: Any) -> None:
        if self._body is None and self._payload is None and self._status not in NO_BODY_STATUSES:
            self._body = b""
            self._typeless = self._ctype is None
        await super().prepare(request)

    def _start_compression(self, request: Any) -> None:
        super()._start_compression(request)
        if self._compressor is not None and self._payload is None:  # the whole body at once
            compressor, self._compressor = self._compressor, None
            self._body = compressor.compress(self._body or b"") + compressor.flush()


# request method -> {status: does response_framing frame that answer by its length?}: the
# rule asked once per pair, the fast path's cache of it (see "Performance notes").  Capped
# like responsehead's heads, since a client may send any method token and a handler any status.
_LENGTH_FRAMED: dict[str, dict[int, bool]] = {}
_PAIRS_MAX = 256


def _framed_by_length(method: str, status: int) -> bool:
    """http1.rules' answer for a body of known length; a HEAD's fields describe its GET's."""
    framing = response_framing("GET" if method == "HEAD" else method, status, "1.1", 0, False)
    framed = framing == LENGTH
    if sum(map(len, _LENGTH_FRAMED.values())) < _PAIRS_MAX:
        _LENGTH_FRAMED.setdefault(method, {})[status] = framed
    return framed


# -- JSON bodies (see "Performance notes" above) ------------------------------------------------
def _reused_json_encoder() -> Optional[Callable[[Any, int], List[str]]]:
    """The C encoder that ``json.dumps(data)`` builds, built once; None without the C module."""
    make = getattr(json_encoder, "c_make_encoder", None)
    defaults = json.JSONEncoder()
    try:
        # No circular-reference marks (None instead of a dict): the C encoder leaves the marks
        # of a failed call behind, and one dict would be shared by every call and thread.
        return make(None, defaults.default, json_encoder.encode_basestring_ascii, None,
                    defaults.key_separator, defaults.item_separator, defaults.sort_keys,
                    defaults.skipkeys, defaults.allow_nan) if make else None
    except TypeError:                   # another Python's C encoder takes other arguments
        return None


_JSON_ENCODE = _reused_json_encoder()


def json_dumps(data: Any) -> str:
    """``json.dumps(data)``: the same string, with its encoder built once, not per call."""
    if _JSON_ENCODE is not None:
        try:
            return "".join(_JSON_ENCODE(data, 0))
        except Exception:
            pass    # json.dumps below raises its own error (circular data: ValueError, as ever)
    return json.dumps(data)


# json_response's "no data given" (None is data: it becomes ``null``, as in aiohttp).
_NO_DATA: Any = object()


def json_response(data: Any = _NO_DATA, *, text: Optional[str] = None,
                  body: Optional[bytes] = None, status: int = 200, reason: Optional[str] = None,
                  headers: Optional[Any] = None, content_type: str = "application/json",
                  dumps: Callable[[Any], str] = json.dumps) -> Response:
    """A ``Response`` holding ``dumps(data)`` as ``application/json``.

    Left at ``json.dumps``, ``dumps`` runs as ``json_dumps`` above: the same string,
    with json.dumps's encoder built once instead of on every call."""
    if data is not _NO_DATA:
        if text is not None or body is not None:
            raise ValueError("pass data, text= or body=, only one of them")
        text = (json_dumps if dumps is json.dumps else dumps)(data)
    if body is None and status == 200 and reason is None and headers is None:
        return Response(text=text, content_type=content_type)    # the usual call: see notes
    return Response(text=text, body=body, status=status, reason=reason, headers=headers,
                    content_type=content_type)
