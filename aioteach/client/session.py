"""ClientSession: where requests are made, redirects followed and cookies kept.

Theory of operation.  A session bundles what many requests share: a connection pool
(``TCPConnector``), a cookie jar, default headers, auth and timeouts.  One request goes:

    build      ClientRequest: URL (+ params, base_url), head bytes and body.  Anything wrong
               with the request fails here, before any connection is made.  A plain request
               (a GET of a URL string, nothing of its own) was maybe built before, exactly
               so: requestcache.py keeps it.
    exchange   exchange.py: a pooled connection, a new one, or a wait in line (through a
               proxy when one applies: proxy.py); the request sent; the head awaited.  A
               keep-alive connection the server had just closed is retried once there.
    cookies    Set-Cookie -> the jar
    redirect?  301/302/303/307/308 with a Location: go again at the new URL (redirects.py)
    return     the response; its body is read by the caller, ``await resp.text()``

Each response on the way lands in ``resp.history``; like aiohttp, the ``max_redirects``-th
redirect (10) raises ``TooManyRedirects`` instead of being followed.

Timeouts (timeouts.py): ``total`` and ``connect`` interrupt this coroutine through a
``Deadline``; once the response is handed back, the connection enforces what is left of
``total`` on the body (and ``sock_read`` all along), so reading the body can never hang either.

Observers: ``aioteach.trace`` records the request's moments for timelines (one attribute check
when off), and ``trace_configs=[TraceConfig()]`` calls aiohttp-style async callbacks at the same
moments (tracing.py); with no trace configs that costs one truth test per moment.

Plain ``with ClientSession()`` raises a TypeError saying to write ``async with``
(contexts.py has the message).

Simplification: ``compress`` and ``read_until_eof`` are accepted and ignored.
"""
from __future__ import annotations

import asyncio
import itertools
import json as jsonlib
import warnings
from typing import Any, Awaitable, Callable, Iterable, List, Optional, Sequence, Tuple, Union

from .. import trace
from ..multidict import CIMultiDict
from ..url import URL
from . import environment
from .auth import BasicAuth, hop_auth
from .connector import TCPConnector
from .contexts import WITH_SESSION_HINT, RequestContextManager
from .cookiejar import CookieJar, cookie_header
from .errors import TooManyRedirects
from .exchange import exchange
from .redirects import REDIRECTS, drain_redirect, next_hop
from .requestcache import RequestCache
from .request import ClientRequest, close_payload, merge_headers, normalize_headers
from .response import ClientResponse
from .timeouts import DEFAULT_TIMEOUT, Alarm, ClientTimeout, Deadline
from .options import RequestOptions, build_url
from .tracing import TraceConfig, request_traces, send_all, send_exception, start_all
from .upload import UploadTracker
from .middlewares import ClientMiddlewareType, chain
from .websocket import WSConnectContext, ws_connect

__all__ = ["ClientSession"]

TOTAL_HINT = "the request took longer than ClientTimeout.total ({delay} s)"
_SENTINEL: Any = object()
_request_ids = itertools.count(1)


class ClientSession:
    """A set of requests sharing a connection pool, cookies, headers, auth and timeouts."""

    def __init__(self, base_url: Union[str, URL, None] = None, *,
                 connector: Optional[TCPConnector] = None, cookies: Any = None,
                 headers: Any = None, skip_auto_headers: Any = None,
                 auth: Optional[BasicAuth] = None,
                 json_serialize: Callable[[Any], str] = jsonlib.dumps,
                 json_serialize_bytes: Optional[Callable[[Any], bytes]] = None,
                 cookie_jar: Optional[CookieJar] = None, connector_owner: bool = True,
                 raise_for_status: Union[bool, Callable[[ClientResponse], Awaitable[None]]] = False,
                 timeout: ClientTimeout = _SENTINEL, auto_decompress: bool = True,
                 read_bufsize: int = 2 ** 16, max_line_size: int = 8190,
                 max_field_size: int = 8190, max_headers: int = 128, version: Any = "1.1",
                 loop: Any = None, trust_env: bool = False, requote_redirect_url: bool = True,
                 trace_configs: Optional[Iterable[TraceConfig]] = None,
                 proxy: Any = None, proxy_auth: Optional[BasicAuth] = None,
                 middlewares: Sequence[ClientMiddlewareType] = ()) -> None:
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
        # aiohttp 3.14's json_serialize_bytes (orjson.dumps, say) wins: no str in between
        self._json_serialize: Callable[[Any], Any] = json_serialize_bytes or json_serialize
        self._raise_for_status = raise_for_status
        self._timeout = DEFAULT_TIMEOUT if timeout is _SENTINEL else timeout
        self._auto_decompress = auto_decompress
        self._read_bufsize = read_bufsize
        # The parser's limits for this session's responses (aiohttp's defaults), one tuple so
        # a pooled connection can tell by identity whether it already has them.
        self._limits = (max_line_size, max_field_size, max_headers)
        self._version = ".".join(map(str, version)) if isinstance(version, tuple) else version
        self._trust_env = trust_env
        self._default_proxy = proxy
        self._default_proxy_auth = proxy_auth
        self._middlewares = tuple(middlewares)  # middlewares.py: around each exchange
        self._trace_configs = list(trace_configs or ())
        for config in self._trace_configs:
            config.freeze()                    # as aiohttp: no callbacks added once in use
        self._closed = False
        self._alarm: Optional[Alarm] = None   # the loop timer our deadlines share (timeouts.py)
        self._plain_options: Optional[RequestOptions] = None   # for requests without options
        # Plain requests as first built (requestcache.py); none if every request gets extras
        self._requests = RequestCache() if (
            auth is None and not trust_env and proxy is None and not self._middlewares
            and not self._trace_configs) else None

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
                       raise_for_status: Any = None, trace_request_ctx: Any = None,
                       upload_tracker: Optional[UploadTracker] = None,
                       middlewares: Optional[Sequence[ClientMiddlewareType]] = None,
                       **options: Any) -> ClientResponse:
        """Make one request, following redirects; see the module docstring for the steps.

        ``options`` are what the exchanges share (``timeout``, ``ssl``, ``proxy``, limits...:
        ``RequestOptions`` below); aiohttp's ``compress`` and ``read_until_eof`` are taken
        there too, and ignored.
        """
        # long because: the redirect loop, its two observers and its clean-up are one story
        if upload_tracker is not None:
            upload_tracker.bind()              # before the try: not ours to settle if bound
        req: Optional[ClientRequest] = None
        resp: Optional[ClientResponse] = None
        try:
            if self._closed:
                raise RuntimeError("Session is closed: make requests inside 'async with "
                                   "ClientSession() as session:'")
            # A plain request (requestcache.py) may have been built before, exactly so.
            plain_key = (method, str_or_url) if (
                self._requests is not None and type(str_or_url) is str and not options
                and params is None and data is None and json is None and not cookies
                and not headers and not skip_auto_headers and auth is None and chunked is None
                and upload_tracker is None and middlewares is None
                and not len(self._cookie_jar)) else None
            plain = self._requests.get(plain_key) if plain_key is not None else None  # type: ignore[union-attr]
            if plain is None:
                url = build_url(self._base_url, str_or_url, params)
                headers = merge_headers(self._default_headers, normalize_headers(headers))
                skip = self._skip_auto_headers
                if skip_auto_headers:
                    skip = skip | {h.lower() for h in skip_auto_headers}
            else:                             # the same request again: what a redirect needs
                url, headers, skip = plain[0].url, self._default_headers, self._skip_auto_headers
            opts = self._options(options, trace_request_ctx)
            method, redirects_left = method.upper(), max_redirects if allow_redirects else 0
            req_id = next(_request_ids)
            if trace.enabled:
                trace.emit("client.request_start", req=req_id, method=method, url=str(url))
            traces = opts.traces
            history: List[ClientResponse] = []
            deadline = Deadline(opts.loop, opts.timeout.total, hint=TOTAL_HINT, alarm=self._alarm)
            try:
                with deadline:
                    while True:                   # one turn per hop of a redirect chain
                        if plain is None:
                            url, auth, req = self._build(method, url, headers, skip, data, json,
                                                         cookies, auth, chunked, opts, history)
                            key = opts.key(url, req.proxy)
                            if plain_key is not None and auth is None and not history:
                                self._requests.remember(plain_key, req, key)  # type: ignore[union-attr]
                        else:
                            req, key = plain
                        if upload_tracker is not None:
                            req.tracker = upload_tracker
                        if traces:
                            await start_all(traces, method, url, CIMultiDict(req.headers))
                        if middlewares is None and not self._middlewares:
                            resp = await exchange(self._connector, req, url, key, opts, req_id,
                                                  history)
                        else:
                            resp = await self._through_middlewares(
                                middlewares, req, opts, req_id, history)
                        if resp._header("set-cookie") is not None:
                            self._cookie_jar.update_cookies(resp.cookies, resp.url)
                        location = resp._header("location") if (
                            redirects_left and resp.status in REDIRECTS) else None
                        if location is None:      # not a redirect (a 3xx without Location is not)
                            break
                        history.append(resp)
                        if traces:
                            await send_all(traces, "request_redirect", method, url,
                                           CIMultiDict(req.headers), resp)
                        if len(history) >= redirects_left:
                            resp.close()
                            raise TooManyRedirects(history[0].request_info, tuple(history),
                                                   status=resp.status, message=resp.reason)
                        await drain_redirect(resp)
                        method, url, data, json, headers, auth, cookies = next_hop(
                            resp.status, req, location, data, json, headers, auth, cookies)
                        plain = None               # the next hop is built the general way
            except BaseException as exc:
                if trace.enabled:
                    trace.emit("client.request_end", req=req_id, status=None,
                               error=type(exc).__name__)
                if traces and isinstance(exc, Exception):
                    await send_exception(traces, method, url, CIMultiDict(headers), exc)
                raise
            if deadline.when is not None and resp._connection is not None and resp.status != 101:
                resp._connection.arm_deadline(deadline.when)   # the body is still to come
            if trace.enabled:
                resp._trace_end(req_id)
            resp.history = tuple(history)
            if traces:
                resp._traces = traces
                await send_all(traces, "request_end", method, url, CIMultiDict(req.headers), resp)
            check = self._raise_for_status if raise_for_status is None else raise_for_status
            if check is True:
                resp.raise_for_status()
            elif callable(check):
                await check(resp)
            return resp
        finally:
            if upload_tracker is not None:     # no attempt follows: settle its future
                upload_tracker.finalize()
            if req is not None and req.payload is not None:
                await close_payload(req.payload, resp.writer if resp is not None else None)

    def _build(self, method: str, url: URL, headers: List[Any], skip: Any, data: Any, json: Any,
               cookies: Any, auth: Optional[BasicAuth], chunked: Optional[bool],
               opts: RequestOptions, history: List[ClientResponse]
               ) -> Tuple[URL, Optional[BasicAuth], ClientRequest]:
        """(url, auth, ClientRequest) of one hop: the URL's credentials become ``auth``."""
        if url.raw_user is not None or self._default_auth is not None:
            url, auth = hop_auth(url, auth, bool(history), self._default_auth, self._base_url)
        if auth is None and self._trust_env:
            auth = environment.request_netrc_auth(url, headers)
        req = ClientRequest(
            method, url, headers=headers, skip_auto_headers=skip, data=data, json=json,
            cookie_header=cookie_header(self._cookie_jar, url, cookies), auth=auth,
            version=self._version, chunked=chunked, json_serialize=self._json_serialize,
            proxy=opts.proxy_for(url) if opts.proxied else None, traces=opts.traces,
            expect100=opts.expect100)
        return url, auth, req

    async def _through_middlewares(self, middlewares: Any, req: ClientRequest,
                                   opts: RequestOptions, req_id: int,
                                   history: List[ClientResponse]) -> ClientResponse:
        """One hop through the client middlewares (middlewares.py); headers editable there."""
        async def send(request: ClientRequest) -> ClientResponse:
            request.rebuild_head()
            key = opts.key(request.url, request.proxy)
            return await exchange(self._connector, request, request.url, key, opts, req_id,
                                  history)
        req.headers = CIMultiDict(req.headers)  # type: ignore[assignment]
        chosen = self._middlewares if middlewares is None else middlewares
        return await chain(chosen, send)(req)

    def _options(self, given: dict, trace_request_ctx: Any) -> RequestOptions:
        """The RequestOptions of a request; without any given, the session's (made once)."""
        loop = asyncio.get_running_loop()     # asked once, passed down: a getpid() call on 3.11
        if self._alarm is None or self._alarm.loop is not loop:
            self._alarm = Alarm(loop)        # one timer for the deadlines of all our requests
        if not given and not self._trace_configs:
            options = self._plain_options
            if options is None or options.loop is not loop:
                options = self._plain_options = RequestOptions(self, loop, {}, None)
            return options
        traces = (request_traces(self, self._trace_configs, trace_request_ctx)
                  if self._trace_configs else None)
        return RequestOptions(self, loop, given, traces)

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

    @property
    def trust_env(self) -> bool:
        return self._trust_env

    @property
    def trace_configs(self) -> List[TraceConfig]:
        return self._trace_configs

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
    # on every Python; without them Python 3.10 says "AttributeError: __enter__".
    def __enter__(self) -> None:
        raise TypeError(WITH_SESSION_HINT)

    def __exit__(self, *exc_info: Any) -> None:
        pass                                   # never reached: __enter__ raises

    def __repr__(self) -> str:
        state = "closed" if self._closed else repr(self._connector)
        return f"<ClientSession {state}>"
