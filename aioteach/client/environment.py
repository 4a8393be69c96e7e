"""``trust_env=True``: proxies from HTTP_PROXY / HTTPS_PROXY / NO_PROXY, passwords from .netrc.

Theory of operation.  Command-line tools share a convention for proxies: environment variables
named after the scheme they serve (``http_proxy``, ``https_proxy``, ``ws_proxy``, ``wss_proxy``,
any case) and ``no_proxy``, a comma-separated list of hosts (``example.com`` also covers
``www.example.com``; ``*`` covers every host) that are reached directly.  Passwords live in
``~/.netrc`` (or the file ``$NETRC`` names), one ``machine HOST login USER password PASS`` entry
per host.  The standard library reads both (``urllib.request.getproxies``, ``proxy_bypass``,
``netrc``), and so do we, only when the session says ``trust_env=True``, as in aiohttp:

    choose_proxy(url, ...)   the proxy for this URL: an explicit ``proxy=`` wins; else, with
                             trust_env, the variable of the URL's scheme unless no_proxy
                             names the host; the proxy's password comes from its URL
                             (``http://user:pass@proxy:3128``) or from .netrc
    netrc_auth(host)         BasicAuth for a host from .netrc, when the request has no auth

Both read the environment on every call (a notebook may set ``os.environ`` between two
requests); a session without trust_env never calls them.

Simplification: an ``https://`` proxy URL (TLS to the proxy itself) is refused with a
ClientError, as aiohttp ignores it; the proxy is always spoken to in plain HTTP, and an https
origin is reached through a CONNECT tunnel inside it (proxy.py).
"""
from __future__ import annotations

import netrc
import os
import urllib.request
from typing import Any, Optional

from ..url import URL
from .auth import BasicAuth
from .errors import ClientError, InvalidURL
from .proxy import Proxy

__all__ = ["choose_proxy", "netrc_auth", "request_netrc_auth", "env_proxy", "proxy_url_of"]


def netrc_auth(host: Optional[str]) -> Optional[BasicAuth]:
    """Credentials for ``host`` from ``$NETRC`` or ``~/.netrc``; None if there are none."""
    if not host:
        return None
    path = os.environ.get("NETRC") or os.path.join(os.path.expanduser("~"), ".netrc")
    try:
        found = netrc.netrc(path).authenticators(host)
    except (OSError, netrc.NetrcParseError):   # no file, or one we cannot read: no password
        return None
    if found is None:
        return None
    login, account, password = found
    return BasicAuth(login or account or "", password or "")


def proxy_url_of(proxy: Any) -> URL:
    """``proxy=`` as a URL: a TypeError unless it is a str or URL, InvalidURL unless absolute."""
    if not isinstance(proxy, (str, URL)):
        raise TypeError(f"proxy= must be a str or URL like 'http://proxy:3128', not "
                        f"{type(proxy).__name__}")
    try:
        proxy_url = proxy if isinstance(proxy, URL) else URL(proxy)
    except ValueError as exc:
        raise InvalidURL(proxy, str(exc)) from None
    if not proxy_url.scheme or not proxy_url.raw_host:
        raise InvalidURL(proxy, "a proxy URL must be absolute, like 'http://proxy:3128'")
    return proxy_url


def request_netrc_auth(url: URL, headers: Any) -> Optional[BasicAuth]:
    """trust_env: credentials for the URL's host from .netrc, unless the request has its own
    (credentials in the URL, or an Authorization header)."""
    if url.raw_user is not None or any(name.lower() == "authorization" for name, _ in headers):
        return None
    return netrc_auth(url.raw_host)


def env_proxy(url: URL) -> Optional[URL]:
    """The proxy the environment names for ``url``'s scheme, unless no_proxy covers the host."""
    proxies = urllib.request.getproxies()
    value = proxies.get(url.scheme)
    if not value or urllib.request.proxy_bypass(url.raw_host or ""):
        return None
    return URL(value if "://" in value else f"http://{value}")


def choose_proxy(url: URL, proxy: Any, proxy_auth: Optional[BasicAuth], headers: Any,
                 trust_env: bool) -> Optional[Proxy]:
    """The ``Proxy`` this request goes through, or None (see the module docstring)."""
    proxy_url = proxy_url_of(proxy) if proxy is not None else (
        env_proxy(url) if trust_env else None)
    if proxy_url is None:
        return None
    if proxy_url.scheme != "http":
        raise ClientError(f"only http:// proxies are supported, not {proxy_url}: the proxy is "
                          f"spoken to in plain HTTP (https origins go through CONNECT)")
    if proxy_auth is None and proxy_url.raw_user is not None:
        proxy_auth = BasicAuth.from_url(proxy_url)
    if proxy_auth is None and trust_env:
        proxy_auth = netrc_auth(proxy_url.raw_host)
    return Proxy(proxy_url.raw_host or "", proxy_url.port or 80,
                 proxy_auth.encode() if proxy_auth is not None else None,
                 tuple(headers or ()))
