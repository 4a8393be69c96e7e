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
stop at ``client_max_size`` (1 MiB by default) with 413.  Touching ``content`` is what "the
handler reads the body" means: that is when a client that sent ``Expect: 100-continue`` is told
to go ahead (RFC 9110 section 10.1.1).  A body whose framing breaks half-way (a chunk size
that is not hex, chunk data longer than its size line) makes those reads raise
``RequestPayloadError``; a client that disconnects makes them raise ``ConnectionResetError``.
Both as in aiohttp.

A ``Request`` is also a small dict for per-request state (``request["user"] = ...``), which is
how middlewares hand things to handlers, as in aiohttp.
"""
from __future__ import annotations

import collections
import datetime
import json
import re
from email.utils import parsedate_to_datetime
from http.cookies import CookieError, SimpleCookie
from types import MappingProxyType
from typing import Any, Callable, Iterator, Mapping, MutableMapping, NamedTuple, Optional
from urllib.parse import parse_qsl, unquote

from ..http1 import RemoteProtocolError
from ..multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy
from ..streams import StreamReader
from ..url import URL
from .exceptions import HTTPRequestEntityTooLarge

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


class FileField(NamedTuple):
    """An uploaded file from a multipart form, as ``await request.post()`` returns it."""

    name: str
    filename: str
    file: Any                       # a binary file object positioned at 0
    content_type: str
    headers: CIMultiDictProxy


_EMPTY_MATCH_INFO: Mapping[str, str] = MappingProxyType({})
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class BaseRequest(MutableMapping[str, Any]):
    """aiohttp's ``BaseRequest`` and ``Request`` in one class (see the module docstring)."""

    # Slots keep the per-request object small and its attributes quick to set.
    __slots__ = ("_message", "method", "_payload", "_protocol", "_root_app", "_match_info",
                 "_state", "_headers", "_rel_url", "_path", "_read_bytes", "_post",
                 "_cookies", "_continue_sent", "_query", "__weakref__")

    def __init__(self, message: Any, payload: StreamReader, protocol: Any, app: Any,
                 state: Optional[dict] = None) -> None:
        self._message = message          # the parser's aioteach.http1.Request event
        self.method: str = message.method
        self._payload = payload
        self._protocol = protocol
        self._root_app = app
        self._match_info: Any = None
        self._state = state
        self._headers: Optional[CIMultiDictProxy] = None
        self._rel_url: Optional[URL] = None
        self._path: Optional[str] = None
        self._read_bytes: Optional[bytes] = None
        self._post: Optional[MultiDictProxy] = None
        self._cookies: Optional[Mapping[str, str]] = None
        self._query: Optional[MultiDictProxy] = None
        self._continue_sent = not message.expect_continue

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

    # -- header fields ---------------------------------------------------------------------------
    @property
    def headers(self) -> CIMultiDictProxy:
        headers = self._headers
        if headers is None:
            headers = self._headers = CIMultiDictProxy(CIMultiDict(self._message.headers))
        return headers

    @property
    def raw_headers(self) -> tuple:
        return tuple((k.encode("latin-1", "replace"), v.encode("latin-1", "replace"))
                     for k, v in self._message.headers)

    @property
    def keep_alive(self) -> bool:
        return self._message.keep_alive

    @property
    def cookies(self) -> Mapping[str, str]:
        """The Cookie field as a read-only dict (RFC 6265 section 5.4)."""
        if self._cookies is None:
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(self.headers.get("Cookie", ""))
            except CookieError:
                pass                      # a malformed Cookie field is ignored, not fatal
            self._cookies = MappingProxyType({k: m.value for k, m in jar.items()})
        return self._cookies

    @property
    def content_type(self) -> str:
        raw = self.headers.get("Content-Type")
        return raw.partition(";")[0].strip().lower() if raw else "application/octet-stream"

    @property
    def charset(self) -> Optional[str]:
        raw = self.headers.get("Content-Type", "")
        for param in raw.split(";")[1:]:
            key, _, value = param.strip().partition("=")
            if key.lower() == "charset":
                return value.strip().strip('"').lower() or None
        return None

    @property
    def content_length(self) -> Optional[int]:
        return self._message.content_length

    def _date_field(self, name: str) -> Optional[datetime.datetime]:
        raw = self.headers.get(name)
        if not raw:
            return None
        try:
            return parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None                 # an invalid date is ignored (RFC 9110 13.1.3)

    @property
    def if_modified_since(self) -> Optional[datetime.datetime]:
        return self._date_field("If-Modified-Since")

    @property
    def if_unmodified_since(self) -> Optional[datetime.datetime]:
        return self._date_field("If-Unmodified-Since")

    @property
    def if_range(self) -> Optional[datetime.datetime]:
        return self._date_field("If-Range")

    @property
    def http_range(self) -> slice:
        """The Range field (RFC 9110 14.2) as a slice of the representation's bytes.

        ``bytes=0-499`` -> ``slice(0, 500)``; ``bytes=500-`` -> ``slice(500, None)``;
        ``bytes=-500`` (the last 500) -> ``slice(-500, None)``; no field -> ``slice(None)``.
        Simplification: one range only; several (``bytes=0-1,5-6``) raise ``ValueError``.
        """
        raw = self.headers.get("Range")
        if raw is None:
            return slice(None, None, 1)
        match = _RANGE.match(raw.strip())
        if match is None:
            raise ValueError(f"range not in acceptable format: {raw!r}")
        first, last = match.groups()
        if not first and not last:
            raise ValueError("a range needs a start or an end ('bytes=0-99')")
        if not first:
            return slice(-int(last), None, 1)
        start = int(first)
        end = int(last) + 1 if last else None
        if end is not None and start >= end:
            raise ValueError("a range cannot end before it starts")
        return slice(start, end, 1)

    # -- routing and the application -------------------------------------------------------------
    @property
    def match_info(self) -> Any:
        return self._match_info if self._match_info is not None else _EMPTY_MATCH_INFO

    @property
    def app(self) -> Any:
        info = self._match_info
        if info is not None and getattr(info, "current_app", None) is not None:
            return info.current_app
        return self._root_app

    @property
    def config_dict(self) -> collections.ChainMap:
        """The state of the app and of the apps it is nested in, innermost first."""
        apps = getattr(self._match_info, "apps", None) or ([self._root_app] if self._root_app
                                                           is not None else [])
        return collections.ChainMap(*reversed(list(apps)))

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
        clone._continue_sent = self._continue_sent
        clone._match_info = self._match_info     # routing is done: the route stays (aiohttp too)
        return clone

    # -- the body -----------------------------------------------------------------------------------
    @property
    def content(self) -> StreamReader:
        """The body stream.  The first access sends ``100 Continue`` when the client asked."""
        if not self._continue_sent:
            self._continue_sent = True
            self._protocol.send_continue()
        return self._payload

    @property
    def body_exists(self) -> bool:
        message = self._message
        return message.chunked or bool(message.content_length)

    @property
    def can_read_body(self) -> bool:
        return self.body_exists and not self._payload.at_eof()

    has_body = can_read_body

    @property
    def _client_max_size(self) -> int:
        app = self._root_app
        return getattr(app, "_client_max_size", 1024 ** 2) if app is not None else 1024 ** 2

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

    async def multipart(self) -> Any:
        from .multipart import MultipartReader       # web-app's module; only forms need it
        return MultipartReader(self.headers, self.content)

    async def post(self) -> MultiDictProxy:
        """Form fields: urlencoded, or multipart (files become ``FileField``s; a part with a
        non-text Content-Type and no filename stays a ``bytearray``, as in aiohttp)."""
        if self._post is not None:
            return self._post
        if self.method not in ("POST", "PUT", "PATCH", "TRACE", "DELETE"):
            self._post = MultiDictProxy(MultiDict())
            return self._post
        ctype = self.content_type
        form: MultiDict = MultiDict()
        if ctype == "multipart/form-data":
            await self._read_multipart(form)
        elif ctype in ("", "application/x-www-form-urlencoded"):
            text = await self.text()
            form.extend(parse_qsl(text, keep_blank_values=True, encoding=self.charset or "utf-8"))
        self._post = MultiDictProxy(form)
        return self._post

    async def _read_multipart(self, form: MultiDict) -> None:
        import io
        limit = self._client_max_size
        size = 0
        reader = await self.multipart()
        part = await reader.next()
        while part is not None:
            data = await part.read(decode=True)
            size += len(data)
            if limit and size > limit:
                raise HTTPRequestEntityTooLarge(limit, size)
            if part.filename:
                ctype = part.headers.get("Content-Type", "application/octet-stream")
                form.add(part.name, FileField(part.name, part.filename, io.BytesIO(data), ctype,
                                              CIMultiDictProxy(CIMultiDict(part.headers))))
            elif part.headers.get("Content-Type", "text/").lower().startswith("text/"):
                form.add(part.name, data.decode(part.get_charset(default="utf-8")))
            else:                   # application/json...: only the handler knows (aiohttp too)
                form.add(part.name, bytearray(data))
            part = await reader.next()

    async def release(self) -> None:
        """Read and drop whatever is left of the body."""
        stream = self._payload
        while not stream.at_eof():
            if not await stream.readany():
                break

    # -- the state dict ---------------------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        if self._state is None:
            raise KeyError(key)
        return self._state[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if self._state is None:
            self._state = {}
        self._state[key] = value

    def __delitem__(self, key: str) -> None:
        if self._state is None:
            raise KeyError(key)
        del self._state[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._state or ())

    def __len__(self) -> int:
        return len(self._state or ())

    def __bool__(self) -> bool:
        return True

    __hash__ = object.__hash__

    def __eq__(self, other: object) -> bool:
        return self is other

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.raw_path} >"


class Request(BaseRequest):
    """The request handlers receive (aiohttp's ``web.Request``)."""

    __slots__ = ()
