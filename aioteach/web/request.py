"""The request a handler receives: head facts, the body stream, and room for the app's state.

Theory of operation.  The protocol (``web/protocol.py``) parses a request head into an
``aioteach.http1.Request`` event (method, target, header pairs, framing facts) and wraps it,
with a ``StreamReader`` for the body, in a ``Request``.  Everything else is derived from those
on demand and cached: the header multidict, the URL, the query, cookies.  A handler that reads
only ``request.match_info`` never pays for parsing anything else.

What the router and the application need (the web package's contract): ``method``, ``path``
(percent-decoded, without the query), ``raw_path``, ``rel_url``, ``headers``, ``match_info``
(set by ``Application._handle``), ``app`` and ``config_dict``, ``clone()``.

The body (RFC 9112 section 6) arrives through ``request.content``, a ``StreamReader`` fed by
the protocol; ``read()``, ``text()``, ``json()`` and ``post()`` are conveniences over it that
stop at ``client_max_size`` (1 MiB by default) with 413, and ``post()`` at
``client_max_fields`` fields (1000), as in aiohttp 3.14.  Touching ``content`` is what "the
handler reads the body" means: that is when a client that sent ``Expect: 100-continue`` is told
to go ahead (RFC 9110 section 10.1.1).  A body whose framing breaks half-way (a chunk size
that is not hex, chunk data longer than its size line) makes those reads raise
``RequestPayloadError``; a client that disconnects makes them raise ``ConnectionResetError``.
Both as in aiohttp.

A ``Request`` is also a small dict for per-request state (``request["user"] = ...``), which is
how middlewares hand things to handlers, as in aiohttp (``web/state.py``, shared with responses).

Forms: ``post()`` reads ``application/x-www-form-urlencoded`` bodies itself (decoded with the
Content-Type's ``charset``, UTF-8 by default) and hands ``multipart/form-data`` to the one form
reader, ``web.multipart.read_form``; both stop at ``client_max_size`` with 413.

The seams.  The application writes one slot, ``_match_info``, once it has routed the request
(as aiohttp's does; a plain slot because a property setter measured 1.3k more instructions per
request).  The server side (``web/protocol.py``, ``web/response.py``) reads the documented
members below instead of the request's private attributes: ``protocol`` (the connection,
aiohttp's name, a ``web.writer.ResponseWriter``), ``version``, ``keep_alive``, ``apps`` (the
applications on the request's path), ``body_complete``, ``body_error`` and ``continue_pending``
(a plain attribute, read for every request).
"""
from __future__ import annotations

import asyncio
import collections
import json
import warnings
from types import MappingProxyType
from typing import Any, Callable, Mapping, NamedTuple, Optional, Tuple, Union
from urllib.parse import parse_qsl, unquote

from ..http1 import RemoteProtocolError
from ..multidict import CIMultiDict, MultiDict, MultiDictProxy
from ..streams import StreamReader
from ..url import URL
from .exceptions import HTTPRequestEntityTooLarge
from .headfields import HeadFields
from .multipart import FileField, MultipartReader, read_form, too_many_fields
from .state import StateMapping

__all__ = ["HttpVersion", "HttpVersion10", "HttpVersion11", "BaseRequest", "Request", "FileField",
           "RequestPayloadError"]


class RequestPayloadError(RemoteProtocolError):
    """The request body broke RFC 9112's framing while the handler was reading it.

    aiohttp's name, for ``except web.RequestPayloadError`` around ``await request.read()``.
    It is also a ``RemoteProtocolError`` (the peer's fault, carrying the 4xx to answer), so a
    handler that lets it propagate gets that answer sent and the connection closed.
    """

    @classmethod
    def from_parser(cls, exc: RemoteProtocolError) -> "RequestPayloadError":
        error = cls(exc.hint, exc.status)
        error.__cause__ = exc             # the parser's own error stays visible in tracebacks
        return error


class HttpVersion(NamedTuple):
    """``request.version``: ``HttpVersion(major=1, minor=1)``; compares like a tuple."""

    major: int
    minor: int


HttpVersion10 = HttpVersion(1, 0)
HttpVersion11 = HttpVersion(1, 1)
_VERSIONS = {"1.1": HttpVersion11, "1.0": HttpVersion10}


_EMPTY_MATCH_INFO: Mapping[str, str] = MappingProxyType({})


class BaseRequest(HeadFields, StateMapping):
    """aiohttp's ``BaseRequest`` and ``Request`` in one class (see the module docstring)."""

    # Slots keep the per-request object small and its attributes quick to set.
    __slots__ = ("_message", "method", "_payload", "_protocol", "_root_app", "_match_info",
                 "_state", "_rel_url", "_path", "_read_bytes", "_post", "continue_pending",
                 "_query", "__weakref__")

    def __init__(self, message: Any, payload: StreamReader, protocol: Any, app: Any,
                 state: Optional[dict] = None) -> None:
        self._message = message          # the parser's aioteach.http1.Request event
        self.method: str = message.method
        self._payload = payload
        self._protocol = protocol
        self._root_app = app
        self._match_info: Any = None
        self._state = state
        self._headers = None
        self._rel_url: Optional[URL] = None
        self._path: Optional[str] = None
        self._read_bytes: Optional[bytes] = None
        self._post: Optional[MultiDictProxy] = None
        self._cookies = None
        self._query: Optional[MultiDictProxy] = None
        # True while the client waits for ``100 Continue`` (RFC 9110 10.1.1).
        self.continue_pending: Optional[bool] = message.expect_continue  # None: another Expect

    # -- the connection ----------------------------------------------------------------------
    @property
    def protocol(self) -> Any:
        """The connection's protocol (``web.protocol.HttpProtocol``), as in aiohttp."""
        return self._protocol

    @property
    def task(self) -> "Optional[asyncio.Task[Any]]":
        """The Task running the handler (aiohttp's ``request.task``).

        Simplification: read from inside the handler's own Task, which is where handlers ask;
        ``AppRunner(inline_first_step=True)`` runs a first step outside any Task (None then).
        """
        task = getattr(self._protocol, "handler_task", None)
        return task if task is not None else asyncio.current_task()

    # -- the request line -------------------------------------------------------------------
    @property
    def version(self) -> HttpVersion:
        return _VERSIONS.get(self._message.version, HttpVersion11)

    @property
    def raw_path(self) -> str:
        """The target as sent, query included: ``/caf%C3%A9?x=1``."""
        target = self._message.target
        if target[:1] != "/" and "://" in target:          # absolute-form (RFC 9112 3.2.2)
            rest = target.partition("://")[2]
            slash = rest.find("/")
            return rest[slash:] if slash >= 0 else "/"
        return target

    @property
    def path(self) -> str:
        """The percent-decoded path without the query: ``/café``."""
        path = self._path
        if path is None:
            target = self._message.target
            path = (target if target[:1] == "/" else self.raw_path).partition("?")[0]
            if "%" in path:
                path = unquote(path)
            self._path = path
        return path

    @property
    def rel_url(self) -> URL:
        if self._rel_url is None:
            self._rel_url = URL(self.raw_path)
        return self._rel_url

    @property
    def path_qs(self) -> str:
        return self.raw_path

    @property
    def query_string(self) -> str:
        """The decoded query, like aiohttp's: ``tag=b c&q=Zoë %26 co`` ("&", "=" stay escaped)."""
        return self.rel_url.query_string

    @property
    def query(self) -> MultiDictProxy:
        """The query as a read-only multidict: ``?tag=a&tag=b`` -> ``getall("tag")``."""
        if self._query is None:
            raw_query = self.raw_path.partition("?")[2]
            self._query = MultiDictProxy(MultiDict(parse_qsl(raw_query, keep_blank_values=True)))
        return self._query

    @property
    def scheme(self) -> str:
        transport = self.transport
        return "https" if transport is not None and transport.get_extra_info("sslcontext") \
            else "http"

    @property
    def secure(self) -> bool:
        return self.scheme == "https"

    @property
    def host(self) -> str:
        """The Host field (RFC 9110 7.2), or this server's address when the client sent none."""
        host = self.headers.get("Host")
        if host:
            return host
        sockname = self.transport.get_extra_info("sockname") if self.transport else None
        return f"{sockname[0]}:{sockname[1]}" if sockname else "localhost"

    @property
    def url(self) -> URL:
        """The absolute URL, rebuilt from the scheme, the Host field and the target."""
        return URL(f"{self.scheme}://{self.host}{self.raw_path}")

    @property
    def remote(self) -> Optional[str]:
        """The peer's IP address (a proxy's, behind a proxy)."""
        peer = self.transport.get_extra_info("peername") if self.transport else None
        if isinstance(peer, (list, tuple)):
            return str(peer[0])
        return str(peer) if peer else None

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """The transport's extra info (``"peername"``, ``"sslcontext"``...), as in aiohttp."""
        transport = self.transport
        return transport.get_extra_info(name, default) if transport is not None else default

    @property
    def transport(self) -> Any:
        return self._protocol.transport if self._protocol is not None else None

    # -- header fields (more in web/headfields.py) -----------------------------------------
    @property
    def keep_alive(self) -> bool:
        return self._message.keep_alive

    @property
    def content_length(self) -> Optional[int]:
        return self._message.content_length

    # -- routing and the application -------------------------------------------------------------
    @property
    def match_info(self) -> Any:
        return self._match_info if self._match_info is not None else _EMPTY_MATCH_INFO

    @property
    def apps(self) -> Tuple[Any, ...]:
        """The applications on the request's path, outermost first (just the root's before
        routing): whose ``on_response_prepare`` runs, for instance."""
        apps = getattr(self._match_info, "apps", None)
        return apps or ((self._root_app,) if self._root_app is not None else ())

    @property
    def app(self) -> Any:
        info = self._match_info
        if info is not None and getattr(info, "current_app", None) is not None:
            return info.current_app
        return self._root_app

    @property
    def config_dict(self) -> "collections.ChainMap[Any, Any]":
        """The state of the app and of the apps it is nested in, innermost first."""
        return collections.ChainMap(*reversed(self.apps))

    def clone(self, *, method: Optional[str] = None, rel_url: Any = None,
              headers: Any = None) -> "BaseRequest":
        """A copy with some head facts replaced (``normalize_path_middleware`` uses it)."""
        changes: dict = {}
        if method is not None:
            changes["method"] = method
        if rel_url is not None:
            changes["target"] = str(rel_url)
        if headers is not None:
            changes["headers"] = tuple(CIMultiDict(headers).items())
        clone = type(self)(self._message._replace(**changes), self._payload, self._protocol,
                           self._root_app, dict(self._state) if self._state else None)
        clone.continue_pending = self.continue_pending
        clone._match_info = self._match_info     # routing is done: the route stays (aiohttp too)
        return clone

    # -- the body -----------------------------------------------------------------------------------
    @property
    def content(self) -> StreamReader:
        """The body stream.  The first access sends ``100 Continue`` when the client asked."""
        if self.continue_pending:
            self.continue_pending = False
            self._protocol.send_continue()
        return self._payload

    @property
    def body_exists(self) -> bool:
        message = self._message
        return message.chunked or bool(message.content_length)

    @property
    def can_read_body(self) -> bool:
        return self.body_exists and not self._payload.at_eof()

    @property
    def has_body(self) -> bool:
        """Deprecated (aiohttp too): ``can_read_body``."""
        warnings.warn("request.has_body is deprecated: use request.can_read_body",
                      DeprecationWarning, stacklevel=2)
        return self.can_read_body

    @property
    def body_complete(self) -> bool:
        """Every byte of the body has arrived (or there is none): the server's seam."""
        return self._payload.is_eof()

    @property
    def body_error(self) -> Optional[BaseException]:
        """Why reading the body failed (a framing error, a lost client), or None."""
        return self._payload.exception()

    @property
    def _client_max_size(self) -> int:
        app = self._root_app
        return app.client_max_size if app is not None else 1024 ** 2

    @property
    def _client_max_fields(self) -> int:
        app = self._root_app
        return app.client_max_fields if app is not None else 1000

    async def read(self) -> bytes:
        """The whole body, at most ``client_max_size`` bytes (else 413)."""
        if self._read_bytes is None:
            limit = self._client_max_size
            declared = self._message.content_length
            if limit and declared is not None and declared > limit:
                raise HTTPRequestEntityTooLarge(limit, declared)   # before a byte is read
            if not self.body_exists:
                self._read_bytes = b""
                return b""
            body = bytearray()
            stream = self.content
            while True:
                chunk = await stream.readany()
                if not chunk:
                    break
                body += chunk
                if limit and len(body) > limit:
                    raise HTTPRequestEntityTooLarge(limit, len(body))
            self._read_bytes = bytes(body)
        return self._read_bytes

    async def text(self) -> str:
        return (await self.read()).decode(self.charset or "utf-8")

    async def json(self, *, loads: Callable[[str], Any] = json.loads) -> Any:
        return loads(await self.text())

    async def multipart(self) -> MultipartReader:
        """The body's parts, one at a time; ``part.read()`` stops at ``client_max_size``."""
        return MultipartReader(self.headers, self.content, client_max_size=self._client_max_size)

    async def post(self) -> "MultiDictProxy[Union[str, bytes, FileField]]":
        """The form: urlencoded, or multipart (``web.multipart.read_form``'s rules: files as
        ``FileField``, text parts as ``str``, other parts as ``bytearray``, as in aiohttp).
        A method without a body, or another Content-Type, gives an empty form."""
        if self._post is not None:
            return self._post
        ctype = self.content_type
        if self.method not in ("POST", "PUT", "PATCH", "TRACE", "DELETE") or ctype not in (
                "", "application/x-www-form-urlencoded", "multipart/form-data"):
            self._post = MultiDictProxy(MultiDict())
        elif ctype == "multipart/form-data":
            self._post = await read_form(self, self._client_max_size, self._client_max_fields)
        else:
            charset, fields = self.charset or "utf-8", self._client_max_fields
            text = (await self.read()).rstrip().decode(charset)
            try:
                pairs = parse_qsl(text, keep_blank_values=True, encoding=charset,
                                  max_num_fields=fields or None)
            except ValueError:                   # more than max_num_fields
                raise too_many_fields(fields) from None
            self._post = MultiDictProxy(MultiDict(pairs))
        return self._post

    async def release(self) -> None:
        """Read and drop whatever is left of the body."""
        stream = self._payload
        while not stream.at_eof():
            if not await stream.readany():
                break

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.raw_path} >"


class Request(BaseRequest):
    """The request handlers receive (aiohttp's ``web.Request``)."""

    __slots__ = ()
