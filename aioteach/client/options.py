"""RequestOptions: what the exchanges of one request share, from its keywords and the session.

Theory of operation.  ``session.get(url, timeout=..., ssl=..., proxy=..., max_headers=...)``
takes many keywords that do not change the request's bytes but how it travels: the deadline,
TLS, the proxy, the parser's limits, the read buffer, decompression and the TraceConfig traces.
``RequestOptions`` gathers them once per request, each falling back to the session's default,
so the redirect loop and each exchange in session.py read ``options.timeout`` rather than a
dozen arguments.  A request that gives none of them (the common case) shares one
``RequestOptions`` per session and loop: building it per request would be the same object
again.  An unknown keyword is a TypeError, as a misspelt argument would be.

``expect100=True`` sends ``Expect: 100-continue`` and holds the body back until the server
says ``100 Continue`` (request.py).  ``server_hostname=`` is the name TLS checks the
certificate against and sends as SNI, instead of the URL's host; it is part of the pool key,
so a connection made for one name never carries a request for another.  Accepted and
ignored, so that aiohttp code runs: ``compress``, ``read_until_eof``.  (``compress`` stays
off on purpose for now: aioteach's server does not inflate a compressed request body yet, as
aiohttp's does, so a compressing aioteach client could not talk to an aioteach server.)

``key(url, proxy)`` is the pool's ``ConnectionKey`` for a URL: host, port, TLS or not, which
TLS settings, and which proxy, since only a connection that agrees on all of them may carry
the request.
"""
from __future__ import annotations

import asyncio
import ssl as ssllib
from typing import Any, Optional, Union

from ..url import URL
from . import environment
from .connector import ConnectionKey
from .fingerprint import Fingerprint
from .errors import InvalidUrlClientError, NonHttpUrlClientError
from .request import normalize_headers
from .timeouts import ClientTimeout

__all__ = ["RequestOptions", "HTTP_SCHEMES", "build_url"]

HTTP_SCHEMES = {"http": False, "https": True, "ws": False, "wss": True}   # scheme -> TLS?
SSL_TYPES = (bool, ssllib.SSLContext, Fingerprint)   # what ssl= may be (None: the default)
LIMIT_NAMES = ("max_line_size", "max_field_size", "max_headers")
KNOWN = frozenset({"timeout", "ssl", "verify_ssl", "proxy", "proxy_auth", "proxy_headers",
                   "read_bufsize", "auto_decompress", *LIMIT_NAMES,
                   "compress", "expect100", "read_until_eof", "server_hostname"})


class RequestOptions:
    """What one request's exchanges share: its loop, timeout, limits, TLS and proxy settings,
    and its TraceConfig traces.  Built from the request's keywords over the session's
    defaults; a request that gives none shares one per session (``_options``)."""

    __slots__ = ("session", "loop", "timeout", "limits", "ssl", "proxy", "proxy_auth",
                 "proxy_headers", "proxied", "read_bufsize", "auto_decompress", "traces", "_keys",
                 "expect100", "server_hostname", "alarm")

    def __init__(self, session: Any, loop: asyncio.AbstractEventLoop, given: dict,
                 traces: Any) -> None:
        unknown = given.keys() - KNOWN
        if unknown:
            raise TypeError(f"request() got an unexpected keyword argument "
                            f"{sorted(unknown)[0]!r}")
        self.session, self.loop, self.traces = session, loop, traces
        self.alarm = session._alarm            # the loop timer the session's deadlines share
        self._keys: dict = {}                  # (scheme, host, port) -> its ConnectionKey
        timeout = given.get("timeout")
        timeout = session._timeout if timeout is None else timeout
        if not isinstance(timeout, ClientTimeout):   # a number means total=, as in aiohttp
            timeout = ClientTimeout(total=timeout)
        self.timeout = timeout
        limits = session._limits
        self.limits = limits if not any(given.get(name) for name in LIMIT_NAMES) else tuple(
            given.get(name) or default for name, default in zip(LIMIT_NAMES, limits))
        self.ssl = False if given.get("verify_ssl") is False else given.get("ssl", True)
        if not (self.ssl is None or isinstance(self.ssl, SSL_TYPES)):
            raise TypeError(f"ssl should be SSLContext, Fingerprint, bool or None, got "
                            f"{self.ssl!r} instead")
        proxy, proxy_auth = given.get("proxy"), given.get("proxy_auth")
        self.proxy = proxy if proxy is not None else session._default_proxy
        self.proxy_auth = proxy_auth if proxy_auth is not None else session._default_proxy_auth
        self.proxy_headers = normalize_headers(given.get("proxy_headers"))
        self.proxied = self.proxy is not None or session._trust_env   # proxy_for() may say yes
        self.read_bufsize = given.get("read_bufsize") or session._read_bufsize
        self.expect100 = bool(given.get("expect100"))
        self.server_hostname = given.get("server_hostname")
        decompress = given.get("auto_decompress")
        self.auto_decompress = session._auto_decompress if decompress is None else decompress

    def proxy_for(self, url: URL) -> Any:
        """The proxy this URL goes through (proxy.py's ``Proxy``), or None: straight there."""
        return environment.choose_proxy(url, self.proxy, self.proxy_auth, self.proxy_headers,
                                        self.session._trust_env)

    def key(self, url: URL, proxy: Any) -> ConnectionKey:
        """The pool key: only a connection with all of these may carry this request."""
        where = (url.scheme, url.raw_host, url.port)
        key = self._keys.get(where) if proxy is None else None
        if key is None:                        # made once per origin (options are shared)
            is_ssl = HTTP_SCHEMES[url.scheme]
            ssl = (self.session._connector.ssl if self.ssl is True else self.ssl) if is_ssl \
                else True
            # (build_url has checked that the host is there; the port has a default)
            key = ConnectionKey(url.raw_host, url.port, is_ssl, ssl, proxy,  # type: ignore[arg-type]
                                self.server_hostname if is_ssl else None)
            if proxy is None:
                self._keys[where] = key
        return key


def build_url(base_url: Optional[URL], str_or_url: Union[str, URL], params: Any) -> URL:
    """The URL a request goes to: joined to the session's ``base_url``, ``params`` added.

    Refused here, before any connection: a URL that does not parse or has no host
    (``InvalidUrlClientError``), a scheme other than http(s)/ws(s) (``NonHttpUrlClientError``).
    """
    try:
        url = str_or_url if isinstance(str_or_url, URL) else URL(str(str_or_url))
        if base_url is not None and not url.is_absolute():
            url = base_url.join(url)
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
