"""ClientSession: where requests are made, redirects followed and cookies kept.

Theory of operation.  A session bundles what many requests share: a connection pool
(``TCPConnector``), a cookie jar, default headers, auth and timeouts.  One request goes:

    build      ClientRequest: URL (+ params, base_url), head bytes and body.  Anything wrong
               with the request fails here, before any connection is made.
    connect    connector.connect(key): a pooled connection, or a new one, or a wait in line
    send       connection.start(response); request.write(connection)
    head       await response.start(): the status line and headers
    cookies    Set-Cookie -> the jar
    redirect?  301/302/303/307/308 with a Location: go again at the new URL (below)
    return     the response; its body is read by the caller, ``await resp.text()``

Redirects follow RFC 9110 section 15.4 and what browsers (and aiohttp) do:

    303 See Other            -> GET without a body (HEAD stays HEAD)
    301, 302 after a POST    -> GET without a body (the RFC allows it; every browser does it)
    307, 308                 -> the same method and the same body
    to another origin        -> the Authorization header and auth= are dropped (RFC 9110 15.4:
                                credentials are not forwarded to a host they were not meant for)

Each response on the way lands in ``resp.history``; like aiohttp, the ``max_redirects``-th
redirect (10) raises ``TooManyRedirects`` instead of being followed.

Timeouts (timeouts.py): ``total`` and ``connect`` interrupt this coroutine through a
``Deadline``; once the response is handed back, the connection enforces what is left of
``total`` on the body (and ``sock_read`` all along), so reading the body can never hang either.

Discussion: which error for an answer that is not HTTP?  For a malformed status line or a
head over the parser's limits (one that never ends), aiohttp raises ``ClientResponseError``
with status 400 and the parser's message, and so do we (the parser's hint, e.g. "malformed
status line 'HTTP/1.1 abc'", becomes ``message``; 431 for a head too large), so ``except
ClientResponseError`` code ports.  A server that closes before its head is complete is
``ServerDisconnectedError``; one that stops mid-body is ``ClientPayloadError`` on the read.

Discussion: the keep-alive race.  A server may close an idle connection at the very moment we
send a request on it; the request then fails without a byte of answer.  The request is sent
again, once, on a fresh connection, but only if it was idempotent (RFC 9110 9.2.2: GET, HEAD,
PUT, DELETE, OPTIONS, TRACE) and its body can be replayed; a POST gets the error.

``session.get(url)`` returns a ``RequestContextManager``: await it for the response, or use it
in ``async with`` to have the response released at the end of the block.

Simplification: no HTTP proxies (``proxy=`` raises ``ClientError``; aiohttp sends a proxy
absolute-form targets, RFC 9112 3.2.2, and tunnels https with CONNECT, RFC 9110 9.3.6), and
``compress``, ``expect100``, ``read_until_eof``, ``server_hostname`` and ``trace_request_ctx``
are accepted and ignored.
"""
from __future__ import annotations

import asyncio
import itertools
import json as jsonlib
import warnings
from http.cookies import Morsel, SimpleCookie
from collections.abc import Coroutine
from typing import Any, Awaitable, Callable, Generator, List, Optional, Union

from .. import trace
from ..http1 import RemoteProtocolError
from ..multidict import CIMultiDict
from ..url import URL
from .auth import BasicAuth
from .connector import ConnectionKey, TCPConnector
from .cookiejar import CookieJar
from .errors import (ClientError, ClientResponseError, ConnectionTimeoutError,
                     InvalidUrlClientError, InvalidUrlRedirectClientError, NonHttpUrlClientError,
                     NonHttpUrlRedirectClientError, ServerDisconnectedError, TooManyRedirects)
from .request import ClientRequest, merge_headers, normalize_headers
from .response import ClientResponse
from .timeouts import DEFAULT_TIMEOUT, Alarm, ClientTimeout, Deadline
from .websocket import WSConnectContext, ws_connect

__all__ = ["ClientSession", "RequestContextManager", "request"]

REDIRECTS = frozenset({301, 302, 303, 307, 308})
# RFC 9110 9.2.2: a request the server may safely see twice, so a keep-alive connection that
# the server had closed just as we reused it may be retried once on a fresh connection.
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
HTTP_SCHEMES = {"http": False, "https": True, "ws": False, "wss": True}   # scheme -> TLS?
TOTAL_HINT = "the request took longer than ClientTimeout.total ({delay} s)"
CONNECT_HINT = ("no connection within ClientTimeout.connect ({delay} s): waiting for a free "
                "one in the pool, then connecting")
_SENTINEL: Any = object()
_request_ids = itertools.count(1)


class RequestContextManager(Coroutine):
    """``await session.get(url)`` or ``async with session.get(url) as resp``.

    It is also a coroutine in its own right (it passes ``send``/``throw``/``close`` on), so
    ``asyncio.create_task(session.get(url))`` and ``asyncio.gather(...)`` take it, as in aiohttp.
    """

    __slots__ = ("_coro", "_resp")

    def __init__(self, coro: Coroutine) -> None:
        self._coro = coro
        self._resp: Optional[ClientResponse] = None

    def send(self, value: Any) -> Any:
        return self._coro.send(value)

    def throw(self, *args: Any) -> Any:
        return self._coro.throw(*args)

    def close(self) -> None:
        self._coro.close()

    def __await__(self) -> Generator[Any, None, ClientResponse]:
        return self._coro.__await__()

    async def __aenter__(self) -> ClientResponse:
        self._resp = await self._coro
        return self._resp

    async def __aexit__(self, *exc_info: Any) -> None:
        if self._resp is not None:
            self._resp.release()


class ClientSession:
    """A set of requests sharing a connection pool, cookies, headers, auth and timeouts."""

    def __init__(self, base_url: Union[str, URL, None] = None, *,
                 connector: Optional[TCPConnector] = None, cookies: Any = None,
                 headers: Any = None, skip_auto_headers: Any = None,
                 auth: Optional[BasicAuth] = None,
                 json_serialize: Callable[[Any], str] = jsonlib.dumps,
                 cookie_jar: Optional[CookieJar] = None, connector_owner: bool = True,
                 raise_for_status: Union[bool, Callable[[ClientResponse], Awaitable[None]]] = False,
                 timeout: ClientTimeout = _SENTINEL, auto_decompress: bool = True,
                 read_bufsize: int = 2 ** 16, max_line_size: int = 8190,
                 max_field_size: int = 8190, version: Any = "1.1", loop: Any = None,
                 trust_env: bool = False, requote_redirect_url: bool = True) -> None:
        self._base_url = None if base_url is None else URL(str(base_url))
        if self._base_url is not None and not self._base_url.is_absolute():
            raise ValueError("base_url must be absolute, like 'http://127.0.0.1:8080/'")
        self._connector = connector if connector is not None else TCPConnector()
        self._connector_owner = connector_owner
        self._cookie_jar = cookie_jar if cookie_jar is not None else CookieJar()
        if cookies:
            self._cookie_jar.update_cookies(cookies)
        self._default_headers = normalize_headers(headers)
        self._skip_auto_headers = frozenset(h.lower() for h in skip_auto_headers or ())
        self._default_auth = auth
        self._json_serialize = json_serialize
        self._raise_for_status = raise_for_status
        self._timeout = DEFAULT_TIMEOUT if timeout is _SENTINEL else timeout
        self._auto_decompress = auto_decompress
        self._read_bufsize = read_bufsize
        self._max_line_size = max_line_size
        self._max_field_size = max_field_size
        self._version = ".".join(map(str, version)) if isinstance(version, tuple) else version
        self._closed = False
        self._alarm: Optional[Alarm] = None   # the loop timer our deadlines share (timeouts.py)

    # -- the requests ----------------------------------------------------------------------
    def request(self, method: str, url: Union[str, URL], **kwargs: Any) -> RequestContextManager:
        return RequestContextManager(self._request(method, url, **kwargs))

    def get(self, url: Union[str, URL], *, allow_redirects: bool = True, **kwargs: Any
            ) -> RequestContextManager:
        return RequestContextManager(
            self._request("GET", url, allow_redirects=allow_redirects, **kwargs))

    def head(self, url: Union[str, URL], *, allow_redirects: bool = False, **kwargs: Any
             ) -> RequestContextManager:
        return RequestContextManager(
            self._request("HEAD", url, allow_redirects=allow_redirects, **kwargs))

    def options(self, url: Union[str, URL], **kwargs: Any) -> RequestContextManager:
        return RequestContextManager(self._request("OPTIONS", url, **kwargs))

    def post(self, url: Union[str, URL], *, data: Any = None, **kwargs: Any) -> RequestContextManager:
        return RequestContextManager(self._request("POST", url, data=data, **kwargs))

    def put(self, url: Union[str, URL], *, data: Any = None, **kwargs: Any) -> RequestContextManager:
        return RequestContextManager(self._request("PUT", url, data=data, **kwargs))

    def patch(self, url: Union[str, URL], *, data: Any = None, **kwargs: Any) -> RequestContextManager:
        return RequestContextManager(self._request("PATCH", url, data=data, **kwargs))

    def delete(self, url: Union[str, URL], **kwargs: Any) -> RequestContextManager:
        return RequestContextManager(self._request("DELETE", url, **kwargs))

    def ws_connect(self, url: Union[str, URL], **kwargs: Any) -> WSConnectContext:
        """Open a WebSocket: ``async with session.ws_connect(url) as ws`` (client/websocket.py)."""
        return WSConnectContext(ws_connect(self, url, **kwargs))

    async def _request(self, method: str, str_or_url: Union[str, URL], *, params: Any = None,
                       data: Any = None, json: Any = None, cookies: Any = None,
                       headers: Any = None, skip_auto_headers: Any = None,
                       auth: Optional[BasicAuth] = None, allow_redirects: bool = True,
                       max_redirects: int = 10, chunked: Optional[bool] = None,
                       raise_for_status: Any = None, timeout: Any = _SENTINEL,
                       ssl: Any = True, verify_ssl: Optional[bool] = None,
                       proxy: Any = None, read_bufsize: Optional[int] = None,
                       auto_decompress: Optional[bool] = None, compress: Any = None,
                       expect100: bool = False, read_until_eof: bool = True,
                       server_hostname: Any = None, trace_request_ctx: Any = None,
                       ) -> ClientResponse:
        """Make one request, following redirects; see the module docstring for the steps.

        ``compress``, ``expect100``, ``read_until_eof``, ``server_hostname`` and
        ``trace_request_ctx`` are accepted so that aiohttp code runs, and ignored.
        """
        if self._closed:
            raise RuntimeError("Session is closed: make requests inside 'async with "
                               "ClientSession() as session:'")
        if proxy is not None:
            raise ClientError("aioteach's client does not speak to proxies: connect to the "
                              "server directly")
        if verify_ssl is False:
            ssl = False
        method = method.upper()
        url = self._build_url(str_or_url, params)
        timeout = self._timeout if timeout is _SENTINEL or timeout is None else timeout
        if not isinstance(timeout, ClientTimeout):   # a number means total=, as in aiohttp
            timeout = ClientTimeout(total=timeout)
        loop = asyncio.get_running_loop()     # asked once, passed down: a getpid() call on 3.11
        if self._alarm is None or self._alarm.loop is not loop:
            self._alarm = Alarm(loop)        # one timer for the deadlines of all our requests
        deadline = Deadline(loop, timeout.total, hint=TOTAL_HINT, alarm=self._alarm)
        req_id = next(_request_ids)
        if trace.enabled:
            trace.emit("client.request_start", req=req_id, method=method, url=str(url))
        headers_pairs = merge_headers(self._default_headers, normalize_headers(headers))
        skip = self._skip_auto_headers
        if skip_auto_headers:
            skip = skip | {h.lower() for h in skip_auto_headers}
        auth = auth if auth is not None else self._default_auth
        history: List[ClientResponse] = []
        try:
            with deadline:
                while True:                   # one turn per hop of a redirect chain
                    req = ClientRequest(
                        method, url, headers=headers_pairs, skip_auto_headers=skip, data=data,
                        json=json, cookie_header=self._cookie_header(url, cookies), auth=auth,
                        version=self._version, chunked=chunked,
                        json_serialize=self._json_serialize)
                    resp = await self._exchange(req, url, ssl, timeout, req_id, history,
                                                read_bufsize, auto_decompress, loop)
                    if resp._header("set-cookie") is not None:
                        self._cookie_jar.update_cookies(resp.cookies, resp.url)
                    location = resp._header("location") if (
                        allow_redirects and resp.status in REDIRECTS) else None
                    if location is None:      # not a redirect (a 3xx without Location is not)
                        break
                    history.append(resp)
                    if max_redirects and len(history) >= max_redirects:
                        resp.close()
                        raise TooManyRedirects(history[0].request_info, tuple(history),
                                               status=resp.status, message=resp.reason)
                    await self._drain_redirect(resp)
                    method, url, data, json, headers_pairs, auth = self._next_hop(
                        resp, req, location, data, json, headers_pairs, auth)
        except BaseException as exc:
            if trace.enabled:
                trace.emit("client.request_end", req=req_id, status=None,
                           error=type(exc).__name__)
            raise
        if deadline.when is not None and resp._connection is not None and resp.status != 101:
            resp._connection.arm_deadline(deadline.when)   # the body is still to come
        if trace.enabled:
            resp._trace_end(req_id)
        resp.history = tuple(history)
        check = self._raise_for_status if raise_for_status is None else raise_for_status
        if check is True:
            resp.raise_for_status()
        elif callable(check):
            await check(resp)
        return resp

    def _next_hop(self, resp: ClientResponse, req: ClientRequest, location: str, data: Any,
                  json: Any, headers: list, auth: Optional[BasicAuth]) -> tuple:
        """The request a redirect asks for: the table in the module docstring."""
        method, url = req.method, req.url
        new_url = self._redirect_url(url, location)
        if resp.status == 303 and method != "HEAD" or (
                resp.status in (301, 302) and method == "POST"):
            method, data, json = "GET", None, None
            headers = [p for p in headers if p[0].lower() not in
                       ("content-length", "content-type", "transfer-encoding")]
        elif not req.replayable:
            raise ClientError(
                f"cannot follow the {resp.status} redirect to {new_url}: the request body was "
                f"a stream and has been consumed (send bytes, or pass allow_redirects=False "
                f"and handle the redirect)")
        if new_url.origin() != url.origin():
            auth = None
            headers = [p for p in headers if p[0].lower() != "authorization"]
        return method, new_url, data, json, headers, auth

    async def _exchange(self, req: ClientRequest, url: URL, ssl: Any, timeout: ClientTimeout,
                        req_id: int, history: List[ClientResponse], read_bufsize: Any,
                        auto_decompress: Any, loop: asyncio.AbstractEventLoop) -> ClientResponse:
        """One request on one connection: connect, send, wait for the head (retry once, above)."""
        is_ssl = HTTP_SCHEMES[url.scheme]
        key = ConnectionKey(url.raw_host, url.port, is_ssl,
                            (self._connector.ssl if ssl is True else ssl) if is_ssl else True)
        may_retry = True
        while True:
            # An idle keep-alive connection is taken at once (no coroutine, no connect limit
            # to watch); otherwise wait for a slot and maybe connect, within ``connect``.
            conn = self._connector.reuse(key, loop, trace_req=req_id)
            if conn is None:
                with Deadline(loop, timeout.connect, ConnectionTimeoutError, CONNECT_HINT,
                              alarm=self._alarm):
                    conn = await self._connector.connect(
                        key, trace_req=req_id, sock_connect=timeout.sock_connect,
                        max_line_size=self._max_line_size, max_field_size=self._max_field_size,
                        loop=loop)
            resp = ClientResponse(
                req.method, url.with_fragment(None) if url.raw_fragment else url, real_url=url,
                request_headers=req.headers, connection=conn,
                auto_decompress=self._auto_decompress if auto_decompress is None
                else auto_decompress, read_bufsize=read_bufsize or self._read_bufsize,
                history=tuple(history), loop=loop)
            reused = conn.exchanges > 0
            try:
                conn.start(resp, req.method, req_id, sock_read=timeout.sock_read)
                if not req.keep_alive:
                    conn.should_close = True
                await req.write(conn)
                if trace.enabled:
                    trace.emit("client.request_sent", req=req_id)
                await resp.start()
                return resp
            except ServerDisconnectedError:
                resp.close()
                if (may_retry and reused and not resp.head_received
                        and req.method in IDEMPOTENT and req.replayable):
                    may_retry = False
                    continue                   # the keep-alive race: see IDEMPOTENT
                raise
            except ClientError:
                resp.close()
                raise
            except RemoteProtocolError as exc:
                # A status line or head that is not HTTP: aiohttp's choice, a 400 error.
                resp.close()
                raise ClientResponseError(resp.request_info, tuple(history),
                                          status=exc.status, message=exc.hint) from None
            except BaseException:
                resp.close()
                raise

    async def _drain_redirect(self, resp: ClientResponse) -> None:
        """Read a small redirect body so the connection can be reused; close for a big one."""
        length = resp.content_length
        if resp._connection is None or (length is not None and length <= 65536):
            await resp.read()
        resp.release()

    def _redirect_url(self, url: URL, location: str) -> URL:
        try:
            new_url = url.join(URL(location))
        except ValueError as exc:
            raise InvalidUrlRedirectClientError(
                location, f"the server redirected to a malformed URL ({exc})") from None
        if new_url.scheme not in ("http", "https"):
            raise NonHttpUrlRedirectClientError(
                location, "the server redirected to a URL that is not http(s)")
        if not new_url.host:
            raise InvalidUrlRedirectClientError(location, "the server redirected to a URL "
                                                          "without a host")
        if url.fragment and not new_url.fragment:  # RFC 9110 10.2.2: the fragment carries over
            new_url = URL(f"{new_url}#{url.fragment}")
        return new_url

    def _build_url(self, str_or_url: Union[str, URL], params: Any) -> URL:
        try:
            url = str_or_url if isinstance(str_or_url, URL) else URL(str(str_or_url))
            if self._base_url is not None and not url.is_absolute():
                url = self._base_url.join(url)
        except ValueError as exc:
            raise InvalidUrlClientError(str_or_url, str(exc)) from None
        if url.scheme and url.scheme not in HTTP_SCHEMES:
            raise NonHttpUrlClientError(str_or_url, "this client speaks http(s) and ws(s) only")
        if not url.scheme or not url.raw_host:     # raw: the same answer, no IDNA decoding
            raise InvalidUrlClientError(str_or_url, "expected an absolute http:// or https:// URL "
                                                    "(or give the session a base_url=)")
        if params:
            url = url.extend_query(params)
        return url

    def _cookie_header(self, url: URL, cookies: Any) -> Optional[str]:
        jar = self._cookie_jar
        if not len(jar) and not cookies:
            return None
        found = jar.filter_cookies(url) if len(jar) else SimpleCookie()
        if cookies:
            items = cookies.items() if hasattr(cookies, "items") else cookies
            for name, value in items:
                found[name] = value.value if isinstance(value, Morsel) else str(value)
        if not found:
            return None
        return "; ".join(f"{name}={morsel.coded_value}" for name, morsel in found.items())

    # -- the session's own state -----------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def connector(self) -> TCPConnector:
        return self._connector

    @property
    def cookie_jar(self) -> CookieJar:
        return self._cookie_jar

    @property
    def timeout(self) -> ClientTimeout:
        return self._timeout

    @property
    def headers(self) -> Any:
        return CIMultiDict(self._default_headers)

    @property
    def auth(self) -> Optional[BasicAuth]:
        return self._default_auth

    async def close(self) -> None:
        """Close the pool's connections (if the session owns its connector)."""
        if not self._closed:
            self._closed = True
            if self._alarm is not None:
                self._alarm.close()
            if self._connector_owner:
                await self._connector.close()

    def __del__(self) -> None:
        # Like aiohttp: a session dropped with connections still open leaks sockets.  Say so
        # (a ResourceWarning: shown by pytest and ``python -X dev``, silent otherwise).
        try:
            if not self._closed and self._connector_owner and self._connector.open_connections:
                warnings.warn(f"Unclosed client session {self!r}: use 'async with "
                              f"ClientSession() as session:' or 'await session.close()'",
                              ResourceWarning, source=self)
        except Exception:                      # during interpreter shutdown anything goes
            pass

    async def __aenter__(self) -> "ClientSession":
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()

    # Plain `with` is a common slip.  Defining both methods makes it a TypeError with a hint
    # on every Python, as on aiohttp; without them Python 3.10 says "AttributeError: __enter__".
    def __enter__(self) -> None:
        raise TypeError("ClientSession is an asynchronous context manager: "
                        "use 'async with ClientSession() as session:'")

    def __exit__(self, *exc_info: Any) -> None:
        pass                                   # never reached: __enter__ raises

    def __repr__(self) -> str:
        state = "closed" if self._closed else repr(self._connector)
        return f"<ClientSession {state}>"


class _SessionRequest:
    """``async with aioteach.request("GET", url) as resp``: a session for one request."""

    def __init__(self, method: str, url: Union[str, URL], kwargs: Any) -> None:
        self._method, self._url, self._kwargs = method, url, kwargs
        self._session: Optional[ClientSession] = None
        self._resp: Optional[ClientResponse] = None

    async def __aenter__(self) -> ClientResponse:
        session_args = {name: self._kwargs.pop(name) for name in
                        ("connector", "cookies", "version", "loop") if name in self._kwargs}
        session_args.setdefault("connector", TCPConnector(force_close=True))
        self._session = ClientSession(**session_args)
        try:
            self._resp = await self._session._request(self._method, self._url, **self._kwargs)
        except BaseException:
            await self._session.close()
            raise
        return self._resp

    async def __aexit__(self, *exc_info: Any) -> None:
        if self._resp is not None:
            self._resp.release()
        if self._session is not None:
            await self._session.close()


def request(method: str, url: Union[str, URL], **kwargs: Any) -> _SessionRequest:
    """One request without a session of your own: ``async with aioteach.request('GET', url)``."""
    return _SessionRequest(method, url, kwargs)
