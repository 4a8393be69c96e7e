"""ClientResponse: what the server answered, and the body as it arrives.

Theory of operation.  The session creates a ``ClientResponse`` *before* it sends the request
and hands it to the connection, which then pushes what the parser finds into it:

    _on_head(Response)   status, reason, headers; a StreamReader is set up for the body,
                         unless the parser ended the message with its head (HEAD, 204,
                         304, Content-Length: 0: RFC 9112 6.3, decided in http1)
                         (with a gzip/deflate decoder when Content-Encoding asks, decoding.py)
    _on_data(bytes)      body bytes, decoded, into ``content``
    _on_eof()            the body is complete; the connection has gone back to the pool
    _on_error(exc)       the exchange broke: whoever waits (for the head or on ``content``) gets exc

The session awaits ``start()`` (the head), and returns the response; the body is then read
with ``read()``/``text()``/``json()`` or streamed from ``content``.  Because the connection is
handed back at the end of the *wire* message, not when the user reads it, a response whose body
was received in full frees its connection even if nobody ever calls ``release()``.  Releasing
before the end closes the connection (connection.py explains why).

Letting go, as in aiohttp: ``release()`` (also what ``async with`` does at the end) and
``close()`` end the response.  After either, reading the body raises
``ClientConnectionError("Connection closed")``, even if it had been read before (a body with
nothing in it, 204 or HEAD, still reads as ``b""``).  ``release()`` returns an awaitable that
has nothing to wait for, so aiohttp's ``await resp.release()`` works; it does not suspend
(aiohttp's yields once to the loop).  Inside ``async with``, ``raise_for_status()`` leaves the
release to the end of the block, so the error body can still be read in an ``except``.

Headers are kept as the parser's tuple of pairs and wrapped in a ``CIMultiDictProxy`` only on
first use of ``.headers``: the session itself only looks up a few fields (Location,
Set-Cookie, Content-Encoding), and a scan of a dozen pairs is cheaper than building a multidict
per response nobody inspects.
"""
from __future__ import annotations

import asyncio
import codecs
import json as jsonlib
from http.cookies import SimpleCookie
from types import MappingProxyType
from typing import Any, Callable, Dict, Generator, Mapping, NamedTuple, Optional, Tuple

from .. import trace
from ..multidict import CIMultiDict, CIMultiDictProxy
from ..multipart import parse_content_disposition
from ..streams import EMPTY_STREAM, StreamReader
from .decoding import ContentDecoder
from .errors import ClientConnectionError, ClientResponseError, ContentTypeError, RequestInfo
from .setcookie import cookies_of
from .tracing import send_all

__all__ = ["ClientResponse", "HttpVersion", "ContentDisposition", "parse_content_type"]


class Released:
    """What ``release()`` returns: ``await resp.release()`` works and returns at once."""

    __slots__ = ()

    def __await__(self) -> Generator[None, None, None]:
        # an iterator that is already finished: all ``await`` needs of __await__
        return iter(())                        # type: ignore[return-value]

    def __repr__(self) -> str:
        return "<released>"


RELEASED = Released()
CONNECTION_CLOSED = "Connection closed"      # aiohttp's words, for code that matches on them

# What ``resp.content`` is once a response with a body was released: every read raises at once
# (it never waits, so one stream serves every loop), as aiohttp's content does after release.
RELEASED_STREAM = StreamReader(1)
RELEASED_STREAM.set_exception(ClientConnectionError(
    f"{CONNECTION_CLOSED}: the response was released (or closed); read the body before that"))


class HttpVersion(NamedTuple):
    """``resp.version``: ``HttpVersion(major=1, minor=1)``, a tuple, as in aiohttp."""

    major: int
    minor: int


# The versions a server answers with, built once: a NamedTuple costs a Python call per build.
_VERSIONS = {"1.1": HttpVersion(1, 1), "1.0": HttpVersion(1, 0)}


class ContentDisposition(NamedTuple):
    """``resp.content_disposition``: ``attachment; filename="a.txt"`` taken apart (RFC 6266)."""

    type: str
    parameters: Mapping[str, str]
    filename: Optional[str]           # filename*= (RFC 8187) decoded, if the server sent one


def _parse_version(text: str) -> HttpVersion:
    major, _, minor = text.partition(".")
    return HttpVersion(int(major), int(minor or 0))


def parse_content_type(value: str) -> Tuple[str, Dict[str, str]]:
    """``'text/html; charset="UTF-8"'`` -> ``('text/html', {'charset': 'UTF-8'})`` (RFC 9110 8.3.1)."""
    media, *params = value.split(";")
    found: Dict[str, str] = {}
    for param in params:
        name, sep, val = param.partition("=")
        if sep:
            found[name.strip().lower()] = val.strip().strip('"')
    return media.strip().lower(), found


class ClientResponse:
    """A response: status line and headers at once, the body when you read it."""

    _continue: Optional[asyncio.Future] = None   # made by continued(): Expect: 100-continue
    writer: Optional[asyncio.Task] = None      # a streamed request body still being sent

    def __init__(self, method: str, url: Any, *, real_url: Any = None, request_headers: Any = (),
                 connection: Any = None, auto_decompress: bool = True, read_bufsize: int = 2 ** 16,
                 history: Tuple["ClientResponse", ...] = (),
                 loop: Optional[asyncio.AbstractEventLoop] = None) -> None:
        self.method = method
        self.url = url
        self.real_url = real_url if real_url is not None else url
        self.history = history
        self.status = 0
        self.reason = ""
        self.version: Optional[HttpVersion] = None
        self.content: StreamReader = EMPTY_STREAM
        self.head_received = False
        self.body_bytes_received = 0           # on the wire, before decoding
        self._request_headers = request_headers
        self._connection = connection          # None once the exchange is over
        self._auto_decompress = auto_decompress
        self._read_bufsize = read_bufsize
        self._trace_req: Any = None            # set by _trace_end, see there
        self._raw: Tuple[Tuple[str, str], ...] = ()
        self._headers: Optional[CIMultiDictProxy] = None
        self._decoder: Optional[ContentDecoder] = None
        self._body: Optional[bytes] = None
        self._content_length: Optional[int] = None
        self._released = False                 # release() or close() was called
        self._in_context = False               # handed out by ``async with`` (contexts.py)
        self._traces: Any = None               # the request's TraceConfig traces, if any
        # The caller's loop when given: on Python 3.11, get_running_loop() costs a getpid() call.
        self._head_waiter = (loop or asyncio.get_running_loop()).create_future()

    # -- what the connection pushes in -----------------------------------------------------
    def _on_head(self, event: Any, ended: bool = False) -> None:
        self.status, self.reason, self._raw = event.status, event.reason, event.headers
        self.version = _VERSIONS.get(event.version) or _parse_version(event.version)
        self.head_received = True
        self._content_length = getattr(event, "content_length", None)
        if self.status == 101:
            pass                               # the connection is about to leave HTTP
        elif ended:                            # no body (the parser's verdict, RFC 9112 6.3):
            self._connection_done()            # EMPTY_STREAM says so at once
        else:
            self.content = StreamReader(self._read_bufsize, on_pause=self._pause,
                                        on_resume=self._resume)
            if self._auto_decompress:
                coding = self._header("content-encoding")
                if coding:
                    self._decoder = ContentDecoder.for_encoding(coding)
        if not self._head_waiter.done():
            self._head_waiter.set_result(None)
        if self._continue is not None and not self._continue.done():
            self._continue.set_result(False)   # a final answer, not 100 Continue

    def _on_continue(self) -> None:
        """``100 Continue`` arrived: a request waiting to send its body may (request.py)."""
        if self._continue is not None and not self._continue.done():
            self._continue.set_result(True)

    async def continued(self) -> bool:
        """Wait for the server's word on ``Expect: 100-continue``: True for ``100 Continue``,
        False when the final answer came first."""
        if self.head_received:
            return False
        if self._continue is None:
            self._continue = self._head_waiter.get_loop().create_future()
        return await self._continue

    def _on_data(self, data: bytes) -> None:
        self.body_bytes_received += len(data)
        if self._decoder is not None:
            try:
                data = self._decoder.decode(data)
            except Exception as exc:           # the rest of the body is unreadable too
                connection = self._connection
                self._on_error(exc)
                if connection is not None:
                    connection.release_early()
                return
            # content.total_raw_bytes: what came over the wire, not what decoding made of it
            self.content.total_compressed_bytes = self.body_bytes_received
        self.content.feed_data(data)

    def _on_eof(self, event: Any = None) -> None:
        if self._decoder is not None:
            try:
                self.content.feed_data(self._decoder.finish())
            except Exception as exc:
                self._on_error(exc)
                return
        self.content.feed_eof()
        self._connection_done()

    def _on_error(self, exc: BaseException) -> None:
        if self._continue is not None and not self._continue.done():
            self._continue.set_exception(exc)
        if not self._head_waiter.done():
            self._head_waiter.set_exception(exc)
        elif (self.content is not EMPTY_STREAM and not self.content.is_eof()
              and self.content.exception() is None):   # the first error is the one to tell
            self.content.set_exception(exc)
        self._connection_done(error=exc)

    def _connection_done(self, error: Optional[BaseException] = None) -> None:
        self._connection = None
        if self._trace_req is not None and trace.enabled:
            trace.emit("client.request_end", req=self._trace_req, status=self.status or None,
                       **({"error": type(error).__name__} if error is not None else {}))
        self._trace_req = None                 # emit once

    def _trace_end(self, req_id: Any) -> None:
        """Trace ``client.request_end`` when the body is complete (now, if it already is).

        Only the response handed to the caller does this: the hops of a redirect chain are
        part of one traced request.
        """
        if self._connection is None:
            trace.emit("client.request_end", req=req_id, status=self.status)
        else:
            self._trace_req = req_id

    def _pause(self) -> None:
        if self._connection is not None:
            self._connection.pause_reading()

    def _resume(self) -> None:
        if self._connection is not None:
            self._connection.resume_reading()

    async def start(self) -> "ClientResponse":
        """Wait for the status line and headers (the session does this for you)."""
        await self._head_waiter
        return self

    # -- the head --------------------------------------------------------------------------
    def _header(self, lowered: str) -> Optional[str]:
        for name, value in self._raw:
            if name.lower() == lowered:
                return value
        return None

    @property
    def headers(self) -> CIMultiDictProxy:
        if self._headers is None:
            self._headers = CIMultiDictProxy(CIMultiDict(self._raw))
        return self._headers

    @property
    def raw_headers(self) -> Tuple[Tuple[bytes, bytes], ...]:
        return tuple((n.encode("latin-1"), v.encode("latin-1")) for n, v in self._raw)

    @property
    def ok(self) -> bool:
        """True unless the status is 400 or more (a redirect is "ok"), as in aiohttp."""
        return self.status < 400

    @property
    def content_type(self) -> str:
        value = self._header("content-type")
        return parse_content_type(value)[0] if value else "application/octet-stream"

    @property
    def charset(self) -> Optional[str]:
        value = self._header("content-type")
        return parse_content_type(value)[1].get("charset") if value else None

    @property
    def content_disposition(self) -> Optional[ContentDisposition]:
        value = self._header("content-disposition")
        if value is None:
            return None
        kind, params = parse_content_disposition(value)
        return ContentDisposition(kind, MappingProxyType(params), params.get("filename"))

    @property
    def content_length(self) -> Optional[int]:
        value = self._header("content-length")
        return int(value) if value is not None and value.isdigit() else None

    @property
    def cookies(self) -> SimpleCookie:
        # One Set-Cookie field at a time (RFC 6265 3), read as browsers do: setcookie.py.
        return cookies_of(value for name, value in self._raw if name.lower() == "set-cookie")

    @property
    def request_info(self) -> RequestInfo:
        headers = self._request_headers
        if not isinstance(headers, CIMultiDictProxy):
            headers = self._request_headers = CIMultiDictProxy(CIMultiDict(headers))
        return RequestInfo(self.url, self.method, headers, self.real_url)

    @property
    def connection(self) -> Any:
        """The ClientConnection while the exchange is in progress (after 101: until detached)."""
        return self._connection

    def get_encoding(self) -> str:
        """The charset from Content-Type by its codec's name (``latin-1`` -> ``iso8859-1``, as
        aiohttp says it); without one, or with one Python does not know, UTF-8."""
        charset = self.charset
        if charset:
            try:
                return codecs.lookup(charset).name
            except LookupError:
                pass
        return "utf-8"

    # -- the body --------------------------------------------------------------------------
    async def read(self) -> bytes:
        """The whole body (decoded if it was compressed).  Cached: read it as often as you like,
        until the response is released."""
        if self._released and self.content is not EMPTY_STREAM:
            raise ClientConnectionError(f"{CONNECTION_CLOSED}: the response was released "
                                        f"(or closed); read the body before that")
        if self._body is None:
            content = self.content
            # Small bodies are complete by now: taking them needs no coroutine.
            self._body = content.read_nowait() if content.is_eof() else await content.read()
            if self._traces:
                await send_all(self._traces, "response_chunk_received", self.method, self.url,
                               self._body)
        return self._body

    async def text(self, encoding: Optional[str] = None, errors: str = "strict") -> str:
        body = await self.read()
        return body.decode(encoding or self.get_encoding(), errors)

    async def json(self, *, encoding: Optional[str] = None,
                   loads: Callable[[str], Any] = jsonlib.loads,
                   content_type: Optional[str] = "application/json") -> Any:
        """The body parsed as JSON; None for an empty body.

        ``content_type`` is checked first (``application/json`` also accepts ``*/*+json``), so
        an HTML error page raises ContentTypeError instead of a confusing JSONDecodeError; pass
        ``content_type=None`` to skip the check.
        """
        body = await self.read()
        if content_type is not None and not self._is_json(content_type):
            raise ContentTypeError(
                self.request_info, self.history, status=self.status, headers=self.headers,
                message=f"Attempt to decode JSON with unexpected mimetype: {self.content_type} "
                        f"(pass content_type=None to decode anyway)")
        if not body.strip():
            return None
        return loads(body.decode(encoding or self.get_encoding()))

    def _is_json(self, expected: str) -> bool:
        actual = self.content_type
        if expected == "application/json":
            return actual == expected or (actual.startswith("application/")
                                          and actual.endswith("+json"))
        return expected in actual

    def raise_for_status(self) -> None:
        """Raise ClientResponseError for a 4xx or 5xx status."""
        if self.status >= 400:
            if not self._in_context:
                self.release()
            raise ClientResponseError(self.request_info, self.history, status=self.status,
                                      message=self.reason, headers=self.headers)

    # -- letting go ------------------------------------------------------------------------
    def release(self) -> Released:
        """Done with this response.  If its body had not fully arrived, the connection closes."""
        self._released = True
        if self.status != 101:
            self._let_go()
            if self.content is not EMPTY_STREAM:
                self.content = RELEASED_STREAM
        return RELEASED

    def close(self) -> None:
        """Close the connection now, whatever state it is in."""
        self._released = True
        self._let_go()
        if self.content is not EMPTY_STREAM:
            self.content = RELEASED_STREAM

    def _let_go(self) -> None:
        if self.writer is not None and not self.writer.done():
            self.writer.cancel()               # as aiohttp: released means the upload stops
        connection, self._connection = self._connection, None
        if connection is None:
            return
        connection.release_early()
        if self.content is not EMPTY_STREAM and not self.content.is_eof():
            # Nothing more will arrive: a later read() must fail, not wait forever.
            self.content.set_exception(ClientConnectionError(
                f"{CONNECTION_CLOSED}: the response was released before its body was read"))
        self._connection_done(error=None)

    @property
    def closed(self) -> bool:
        return self._connection is None

    async def wait_for_close(self) -> None:
        self.release()

    async def __aenter__(self) -> "ClientResponse":
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"<ClientResponse({self.url}) [{self.status} {self.reason}]>"
