"""The cookie jar: remember what servers Set-Cookie, send it back where it belongs.

Theory of operation (RFC 6265, the rules browsers follow).  A response's ``Set-Cookie``
header stores a name=value pair plus attributes saying where it may go back:

    Domain   absent: only this exact host ("host-only").  Present: this domain and its
             subdomains, and only if the response came from inside that domain (5.3 step 6).
    Path     the cookie goes with requests whose path starts with it, on "/" boundaries (5.1.4);
             absent: the directory of the request's path ("/a/b" -> "/a").
    Max-Age  seconds to live; wins over Expires.  Zero or negative: delete it now.
    Expires  a date; in the past: delete it now.  Neither: lives as long as the jar.
    Secure   sent only over https (and wss), or to an origin given in
             ``CookieJar(treat_as_secure_origin=[...])``.

Each cookie is stored once per (domain, path, name): a newer Set-Cookie replaces it.
``filter_cookies(url)`` picks what goes into the next request's ``Cookie`` header, longer
paths first (5.4).  Like aiohttp, the jar refuses cookies of IP-address hosts
(``http://127.0.0.1/``) unless made with ``CookieJar(unsafe=True)``: cookie scopes are made
for host names (an IP address has no parent domain to share with, RFC 6265 5.1.3), and a test
against a local server is exactly when you want ``unsafe=True``.
``update_cookies({...})`` without a URL stores "shared" cookies sent to every host: that is
what ``ClientSession(cookies=...)`` does.

Simplification: no public-suffix list (a server could set a cookie for ``com``), and
``filter_cookies`` returns a SimpleCookie, so two cookies with one name but different paths
collapse to the most specific one.
"""
from __future__ import annotations

import calendar
import ipaddress
import re
import time
from http.cookies import Morsel, SimpleCookie
from typing import Any, Callable, Dict, Iterable, Iterator, Mapping, Optional, Tuple, Union

from ..url import URL
from .setcookie import make_morsel

__all__ = ["CookieJar", "DummyCookieJar", "cookie_header"]

_Key = Tuple[str, str, str]          # (domain, path, name)


def is_ip_address(host: Optional[str]) -> bool:
    if not host:
        return False
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def domain_match(host: str, domain: str) -> bool:
    """RFC 6265 5.1.3: ``www.example.com`` is inside ``example.com``; an IP is only itself."""
    if host == domain:
        return True
    return host.endswith("." + domain) and not is_ip_address(host)


def path_match(request_path: str, cookie_path: str) -> bool:
    """RFC 6265 5.1.4: ``/docs/a`` is under ``/docs`` and ``/docs/``, not under ``/do``."""
    if request_path == cookie_path:
        return True
    if not request_path.startswith(cookie_path):
        return False
    return cookie_path.endswith("/") or request_path[len(cookie_path)] == "/"


def default_path(request_path: str) -> str:
    """RFC 6265 5.1.4: the request path up to, not including, its last "/" (at least "/")."""
    if not request_path.startswith("/"):
        return "/"
    head = request_path[: request_path.rfind("/")]
    return head or "/"


# RFC 6265 5.1.1: a cookie date is read token by token, whatever the order.
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_DATE_TOKENS = re.compile(r"[\x09\x20-\x2f\x3b-\x40\x5b-\x60\x7b-\x7e]*([^\x09\x20-\x2f\x3b-\x40"
                          r"\x5b-\x60\x7b-\x7e]+)")
_TIME = re.compile(r"(\d{1,2}):(\d{1,2}):(\d{1,2})")


def parse_cookie_date(text: str) -> Optional[float]:
    """``"Wed, 21 Oct 2015 07:28:00 GMT"`` -> seconds since the epoch, or None if unreadable."""
    hms: Optional[Tuple[int, ...]] = None
    day: Optional[int] = None
    month: Optional[int] = None
    year: Optional[int] = None
    for token in _DATE_TOKENS.findall(text):
        if hms is None and _TIME.match(token):
            hms = tuple(int(x) for x in _TIME.match(token).groups())  # type: ignore[union-attr]
        elif day is None and token.isdigit() and len(token) <= 2:
            day = int(token)
        elif month is None and token[:3].lower() in _MONTHS:
            month = _MONTHS[token[:3].lower()]
        elif year is None and token.isdigit() and len(token) in (2, 4):
            year = int(token)
    if hms is None or day is None or month is None or year is None:
        return None
    if year < 100:
        year += 1900 if year >= 70 else 2000
    try:
        return float(calendar.timegm((year, month, day, *hms)))
    except (ValueError, OverflowError):
        return None


class CookieJar:
    """Stores cookies by (domain, path, name) and hands back the ones a URL may see."""

    def __init__(self, *, unsafe: bool = False, quote_cookie: bool = True,
                 treat_as_secure_origin: Any = None) -> None:
        self._unsafe = unsafe
        self._quote_cookie = quote_cookie
        # Origins trusted like https for Secure cookies (aiohttp's option: a local http test
        # server, say); a str or URL, or a list of them.
        if treat_as_secure_origin is None:
            treat_as_secure_origin = []
        elif isinstance(treat_as_secure_origin, (str, URL)):
            treat_as_secure_origin = [treat_as_secure_origin]
        self._secure_origins = frozenset(
            (URL(o) if isinstance(o, str) else o).origin() for o in treat_as_secure_origin)
        self._cookies: Dict[_Key, Morsel] = {}
        self._expires: Dict[_Key, float] = {}      # key -> time.time() when it expires
        self._host_only: set = set()

    @property
    def quote_cookie(self) -> bool:
        return self._quote_cookie

    def is_secure(self, url: URL) -> bool:
        """May a Secure cookie go to ``url``: https/wss, or an origin the jar was told to trust."""
        return url.scheme in ("https", "wss") or (
            bool(self._secure_origins) and url.origin() in self._secure_origins)

    # -- storing ---------------------------------------------------------------------------
    def update_cookies(self, cookies: Union[Mapping[str, Any], Iterable[Tuple[str, Any]], SimpleCookie],
                       response_url: Union[URL, str, None] = None) -> None:
        """Store ``cookies`` (a SimpleCookie, a mapping or pairs) received from ``response_url``."""
        url = URL(response_url) if isinstance(response_url, str) else response_url
        host = (url.host or "").lower() if url is not None else ""
        if not self._unsafe and is_ip_address(host):
            return                                   # see the module docstring
        items = cookies.items() if isinstance(cookies, Mapping) else cookies
        now = time.time()
        for name, value in items:
            morsel = value if isinstance(value, Morsel) else self._morsel(name, value)
            self._store(morsel, url, host, now)

    @staticmethod
    def _morsel(name: str, value: Any) -> Morsel:
        if isinstance(value, Morsel):          # as received: the server's own coding
            return make_morsel(name, value.value, value.coded_value)
        jar = SimpleCookie()                   # a plain value: quoted as needed
        jar[name] = str(value)
        return jar[name]

    def _store(self, morsel: Morsel, url: Optional[URL], host: str, now: float) -> None:
        domain = morsel["domain"].lower().lstrip(".")
        if domain and host and not domain_match(host, domain):
            return                                   # 5.3 step 6: not this server's to set
        host_only = not domain
        if host_only:
            domain = host
        path = morsel["path"]
        if not path.startswith("/"):
            path = default_path(url.path if url is not None and url.host else "/")
        key = (domain, path, morsel.key)
        expires = self._expiry(morsel, now)
        if expires is not None and expires <= now:   # a deletion: Max-Age=0 or a past date
            self._forget(key)
            return
        stored = self._morsel(morsel.key, morsel)
        for attribute in ("secure", "httponly", "samesite", "max-age", "expires"):
            if morsel.get(attribute):
                stored[attribute] = morsel[attribute]
        stored["domain"], stored["path"] = domain, path
        self._cookies[key] = stored
        if expires is None:
            self._expires.pop(key, None)
        else:
            self._expires[key] = expires
        (self._host_only.add if host_only else self._host_only.discard)(key)

    @staticmethod
    def _expiry(morsel: Morsel, now: float) -> Optional[float]:
        max_age = morsel["max-age"]
        if max_age:
            try:
                return now + int(max_age)            # 5.2.2: Max-Age wins over Expires
            except ValueError:
                pass
        if morsel["expires"]:
            return parse_cookie_date(morsel["expires"])
        return None

    def _forget(self, key: _Key) -> None:
        self._cookies.pop(key, None)
        self._expires.pop(key, None)
        self._host_only.discard(key)

    def _drop_expired(self) -> None:
        if not self._expires:                        # nothing can expire: skip the clock
            return
        now = time.time()
        for key in [k for k, when in self._expires.items() if when <= now]:
            self._forget(key)

    # -- sending back ----------------------------------------------------------------------
    def filter_cookies(self, request_url: Union[URL, str]) -> SimpleCookie:
        """The cookies a request to ``request_url`` should carry, as a SimpleCookie."""
        url = URL(request_url) if isinstance(request_url, str) else request_url
        self._drop_expired()
        found = SimpleCookie()
        host = (url.host or "").lower()
        if not self._unsafe and is_ip_address(host):
            shared_only = True                       # IP host: only the shared cookies
        else:
            shared_only = False
        secure = self.is_secure(url)
        path = url.path or "/"
        # Shorter paths first, so that a more specific cookie overwrites a general one.
        for key in sorted(self._cookies, key=lambda k: len(k[1])):
            domain, cookie_path, name = key
            morsel = self._cookies[key]
            if domain:
                if shared_only:
                    continue
                if key in self._host_only:
                    if host != domain:
                        continue
                elif not domain_match(host, domain):
                    continue
            if not path_match(path, cookie_path):
                continue
            if morsel["secure"] and not secure:
                continue
            dict.__setitem__(found, name, make_morsel(name, morsel.value, morsel.coded_value))
        return found

    # -- the jar as a collection -----------------------------------------------------------
    def clear(self, predicate: Optional[Callable[[Morsel], bool]] = None) -> None:
        """Forget every cookie, or those for which ``predicate(morsel)`` is true."""
        if predicate is None:
            self._cookies.clear()
            self._expires.clear()
            self._host_only.clear()
            return
        for key in [k for k, m in self._cookies.items() if predicate(m)]:
            self._forget(key)

    def clear_domain(self, domain: str) -> None:
        """Forget the cookies of ``domain`` and its subdomains."""
        self.clear(lambda m: domain_match(m["domain"], domain))

    def __iter__(self) -> Iterator[Morsel]:
        self._drop_expired()
        return iter(list(self._cookies.values()))

    def __len__(self) -> int:
        if self._expires:                            # asked on every request (session.py)
            self._drop_expired()
        return len(self._cookies)

    def __repr__(self) -> str:
        names = ", ".join(f"{m.key}@{m['domain'] or '*'}{m['path']}" for m in self)
        return f"<CookieJar {len(self)} cookies: {names}>"


class DummyCookieJar(CookieJar):
    """A jar that keeps nothing: for clients that must not remember cookies."""

    def update_cookies(self, cookies: Any, response_url: Any = None) -> None:
        return None

    def filter_cookies(self, request_url: Any) -> SimpleCookie:
        return SimpleCookie()


def cookie_header(jar: CookieJar, url: URL, cookies: Any) -> Optional[str]:
    """The ``Cookie`` field of a request: the jar's cookies for ``url``, then ``cookies=``.

    A ``cookies=`` value may be a Morsel: its own name is used (as aiohttp does), and a
    Secure one goes only where the jar's Secure cookies go (``is_secure``).
    """
    stored = len(jar)                          # (len() drops expired cookies: ask once)
    if not stored and not cookies:
        return None
    found = jar.filter_cookies(url) if stored else SimpleCookie()
    if cookies:
        secure = (jar.is_secure(url) if isinstance(jar, CookieJar)   # or a jar of your own
                  else url.scheme in ("https", "wss"))
        for name, value in cookies.items() if hasattr(cookies, "items") else cookies:
            if not isinstance(value, Morsel):
                found[name] = str(value)
            elif secure or not value["secure"]:
                dict.__setitem__(found, value.key, value)
    if not found:
        return None
    return "; ".join(f"{name}={morsel.coded_value}" for name, morsel in found.items())
