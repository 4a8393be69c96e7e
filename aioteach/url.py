"""URLs: the immutable ``URL`` value, with yarl's API (the URL type aiohttp hands out).

``URL`` keeps each part of a URL (RFC 3986 section 3) *percent-encoded* ("raw_path") and
decodes on request ("path"), because decoding loses information: ``/a%2Fb`` (one segment) and
``/a/b`` (two) decode to the same text.  ``aioteach.urlparts`` splits a string into those parts
and checks each one; this module is the value built from them: its properties, comparison, and
the new URLs made from it (``join``, ``/``, ``with_*``, ``*_query``).

Rules it follows:
- Normalising (RFC 3986 section 6.2.2, RFC 9110 section 4.2.3): scheme and host lower-cased,
  hex digits of escapes upper-cased, escaped unreserved characters decoded (``%7E`` -> ``~``),
  characters a part may not hold escaped (``/a b`` -> ``/a%20b``), dot segments removed from
  absolute URLs, the default port (80/443, RFC 9110 sections 4.2.1-4.2.2) left out of ``str()``.
- ``join`` is RFC 3986 section 5.2, checked against the examples of section 5.4.
- Percent-encoding and query strings follow the rules of ``aioteach.urlencoding``, whose
  ``quote``, ``unquote``, ``encode_query`` and ``parse_query`` this module re-exports.

Hand-offs: the server wraps a request-target (RFC 9112 section 3.2) as ``URL("/path?q")`` on
demand, so that path has a fast lane; the client builds absolute URLs and joins redirects.
"""
from __future__ import annotations

import functools
from typing import Any, Optional, Union

from .multidict import MultiDictProxy
from .urlencoding import (PATH_SAFE, QUERY_SAFE, USERINFO_SAFE, InvalidURLError, encode_query,
                          parse_query, query_pairs, quote, requote, unquote)
from .urlparts import (DEFAULT_PORTS, SCHEME, build_parts, decode_host, encode_host,
                       format_authority, remove_dot_segments, split_url)

__all__ = ["URL", "InvalidURLError", "quote", "unquote", "encode_query", "parse_query",
           "DEFAULT_PORTS"]


# -- the URL value ---------------------------------------------------------------------------

class URL:
    """An immutable, normalised URL with yarl's API.

    >>> url = URL("http://example.com/a b/?q=fish+%26+chips")
    >>> url.raw_path, url.path, url.query["q"], url.port
    ('/a%20b/', '/a b/', 'fish & chips', 80)
    >>> str(url / "c"), str(url.with_query(page=2))
    ('http://example.com/a%20b/c', 'http://example.com/a%20b/?page=2')
    """

    __slots__ = ("_scheme", "_user", "_password", "_host", "_port", "_path", "_query",
                 "_fragment", "_str", "_query_proxy")

    # The parts are kept raw: percent-encoded and normalised (urlparts.Parts says which may be
    # None).  ``_str`` and ``_query_proxy`` are caches, filled on first use.
    _scheme: str
    _user: Optional[str]
    _password: Optional[str]
    _host: Optional[str]
    _port: Optional[int]
    _path: str
    _query: str
    _fragment: str
    _str: Optional[str]
    _query_proxy: Optional[MultiDictProxy[str]]

    def __new__(cls, val: Union[str, URL] = "", *, encoded: bool = False) -> URL:
        if type(val) is str and not encoded and len(val) <= _CACHED_LENGTH:
            return _parse_cached(val)
        if type(val) is cls:
            return val                                # immutable: no need to copy
        if isinstance(val, URL):
            val = str(val)
        if not isinstance(val, str):
            raise TypeError(f"URL() takes a str, not {type(val).__name__}; "
                            "for parts use URL.build(scheme=..., host=..., path=...)")
        return cls._make(*split_url(val, encoded))

    @classmethod
    def _make(cls, scheme: str, user: Optional[str], password: Optional[str],
              host: Optional[str], port: Optional[int], path: str, query: str,
              fragment: str) -> URL:
        """Assemble a URL from raw, already-normalised parts (no checks: internal use)."""
        self = object.__new__(cls)
        self._scheme, self._user, self._password, self._host = scheme, user, password, host
        self._port, self._path, self._query, self._fragment = port, path, query, fragment
        self._str = self._query_proxy = None
        return self

    def _replace(self, **parts: Any) -> URL:
        fields = {name: getattr(self, "_" + name) for name in
                  ("scheme", "user", "password", "host", "port", "path", "query", "fragment")}
        fields.update(parts)
        return URL._make(**fields)

    @classmethod
    def build(cls, *, scheme: str = "", user: Optional[str] = None,
              password: Optional[str] = None, host: Optional[str] = None,
              port: Optional[int] = None, path: str = "", query: Any = None,
              query_string: str = "", fragment: str = "", encoded: bool = False) -> URL:
        """A URL from its parts.  Parts are plain text and get escaped, unless ``encoded``.

        >>> str(URL.build(scheme="http", host="h", port=8080, path="/a b", query={"q": "x"}))
        'http://h:8080/a%20b?q=x'
        """
        return cls._make(*build_parts(scheme, user, password, host, port, path, query,
                                      query_string, fragment, encoded))

    # -- the parts, raw and decoded --------------------------------------------------------

    @property
    def scheme(self) -> str:
        """'http', or '' for a relative URL."""
        return self._scheme

    @property
    def raw_user(self) -> Optional[str]:
        return self._user

    @property
    def raw_password(self) -> Optional[str]:
        return self._password

    @property
    def raw_host(self) -> Optional[str]:
        """ASCII; IPv6 without brackets."""
        return self._host or None

    @property
    def explicit_port(self) -> Optional[int]:
        """The port written in the URL, or None."""
        return self._port

    @property
    def raw_path(self) -> str:
        return self._path if self._path or self._host is None else "/"

    @property
    def raw_query_string(self) -> str:
        return self._query

    @property
    def raw_fragment(self) -> str:
        return self._fragment

    @property
    def user(self) -> Optional[str]:
        return None if self._user is None else unquote(self._user)

    @property
    def password(self) -> Optional[str]:
        return None if self._password is None else unquote(self._password)

    @property
    def host(self) -> Optional[str]:
        """The host, IDNA labels decoded: ``URL("http://xn--d1acufc.xn--p1ai").host``."""
        return decode_host(self._host) if self._host else None

    @property
    def port(self) -> Optional[int]:
        """The explicit port, else the scheme's default (80 for http), else None."""
        return self._port if self._port is not None else DEFAULT_PORTS.get(self._scheme)

    @property
    def path(self) -> str:
        return unquote(self.raw_path)

    @property
    def query_string(self) -> str:
        # "&", "=", "+" and "#" stay escaped: the decoded string must still split correctly.
        return unquote(self._query, plus=True, keep="&=+#")

    @property
    def query(self) -> MultiDictProxy[str]:
        """The decoded query pairs, as a read-only MultiDict (parsed once, then cached)."""
        if self._query_proxy is None:
            self._query_proxy = MultiDictProxy(parse_query(self._query))
        return self._query_proxy

    @property
    def fragment(self) -> str:
        return unquote(self._fragment)

    @property
    def raw_path_qs(self) -> str:
        return self.raw_path + "?" + self._query if self._query else self.raw_path

    @property
    def path_qs(self) -> str:
        return self.path + "?" + self.query_string if self._query else self.path

    @property
    def raw_authority(self) -> str:
        """``user:password@host:port`` as written (escaped, the port only if explicit)."""
        return format_authority(self._user, self._password, self._host, self._port)

    @property
    def authority(self) -> str:
        """The authority decoded, with the effective port (yarl's rule): ``h:80``."""
        host = self.host
        if host is None:
            return ""
        userinfo = format_authority(self.user, self.password, "", None)
        return f"{userinfo}{host}:{self.port}" if self.port is not None else userinfo + host

    @property
    def raw_name(self) -> str:
        """The last path segment: ``'q.txt'`` for ``/p/q.txt``, ``''`` for ``/p/``."""
        return self.raw_path.rpartition("/")[2]

    @property
    def name(self) -> str:
        return unquote(self.raw_name)

    @property
    def parent(self) -> URL:
        """This URL without its last path segment, query or fragment."""
        path = self.raw_path
        if path in ("", "/"):
            return self._replace(query="", fragment="")
        parent = path.rpartition("/")[0]                # "http://h/x" -> "http://h"
        return self._replace(path=parent or ("/" if self._host is None and path[0] == "/" else ""),
                             query="", fragment="")

    # -- questions ---------------------------------------------------------------------------

    def is_absolute(self) -> bool:
        """True when the URL names a host (``http://h/x``, ``//h/x``), like yarl."""
        return bool(self._host)

    def is_default_port(self) -> bool:
        """True when no port is written, or the written one is the scheme's default."""
        if not self._host:
            return False
        return self._port is None or self._port == DEFAULT_PORTS.get(self._scheme)

    def origin(self) -> URL:
        """Scheme, host and port only (RFC 6454): ``http://h:81/x?y`` -> ``http://h:81``."""
        if self._host is None or not self._scheme:
            raise ValueError(f"{self} has no origin: it is not an absolute URL with a scheme")
        return URL._make(self._scheme, None, None, self._host, self._port, "", "", "")

    # -- new URLs from this one --------------------------------------------------------------

    def join(self, other: URL) -> URL:
        """Resolve a reference against this base URL (RFC 3986 section 5.2.2).

        >>> str(URL("http://a/b/c/d;p?q").join(URL("../g")))
        'http://a/b/g'
        """
        if not isinstance(other, URL):
            raise TypeError(f"join() takes a URL, not {type(other).__name__}")
        r = other
        # "http:g" against an http base is read as "g": the backward-compatible choice the
        # RFC allows (5.4.2), and yarl's.  A strict parser would keep "http:g".
        if r._scheme and (r._scheme != self._scheme or r._host is not None):
            return r._replace(path=remove_dot_segments(r._path))
        if r._host is not None:
            return r._replace(scheme=self._scheme, path=remove_dot_segments(r._path))
        if not r._path:
            return self._replace(query=r._query or self._query, fragment=r._fragment)
        if r._path.startswith("/"):
            path = remove_dot_segments(r._path)
        elif self._host is not None and not self._path:   # 5.2.3 merge, base path empty
            path = remove_dot_segments("/" + r._path)
        else:
            path = remove_dot_segments(self._path.rpartition("/")[0] + "/" + r._path
                                       if "/" in self._path else r._path)
        return self._replace(path=path, query=r._query, fragment=r._fragment)

    def __truediv__(self, segment: str) -> URL:
        """Append a path segment (escaped); the query and fragment are dropped."""
        if not isinstance(segment, str):
            return NotImplemented
        base = self._path[:-1] if self._path.endswith("/") else self._path
        if not base and self._host is None:
            path = quote(segment, PATH_SAFE)
        else:
            path = base + "/" + quote(segment, PATH_SAFE)
        return self._replace(path=path, query="", fragment="")

    def with_scheme(self, scheme: str) -> URL:
        if not SCHEME.match(scheme):
            raise InvalidURLError(f"scheme {scheme!r} must start with a letter")
        return self._replace(scheme=scheme.lower())

    def with_host(self, host: str) -> URL:
        if not host:
            raise InvalidURLError("with_host() needs a non-empty host")
        return self._replace(host=encode_host(host), path=self._path or "/")

    def with_user(self, user: Optional[str]) -> URL:
        """Replace the user name; None removes the credentials (the client does that before
        sending: they travel in an Authorization header instead, RFC 9110 11.6.2)."""
        if self._host is None:
            raise ValueError(f"{self} has no host, so no user name either")
        if user is None:
            return self._replace(user=None, password=None)
        return self._replace(user=quote(user, USERINFO_SAFE))

    def with_password(self, password: Optional[str]) -> URL:
        if self._host is None:
            raise ValueError(f"{self} has no host, so no password either")
        if password is None:
            return self._replace(password=None)
        return self._replace(user=self._user or "", password=quote(password, USERINFO_SAFE))

    def with_port(self, port: Optional[int]) -> URL:
        if port is not None and (isinstance(port, bool) or not isinstance(port, int)
                                 or not 0 <= port <= 65535):
            raise InvalidURLError(f"port {port!r} is not a number from 0 to 65535")
        if self._host is None:
            raise ValueError(f"{self} has no host to give a port to")
        return self._replace(port=port)

    def with_path(self, path: str, *, encoded: bool = False) -> URL:
        """Replace the path (the query and fragment are dropped, like yarl)."""
        if not encoded:
            path = quote(path, PATH_SAFE)
        if self._host is not None:
            path = remove_dot_segments("/" + path if path[:1] != "/" and path else path)
        return self._replace(path=path, query="", fragment="")

    def with_name(self, name: str) -> URL:
        """Replace the last path segment: ``/p/q.txt`` -> ``/p/r.txt``."""
        if "/" in name or name in ("", ".", ".."):
            raise ValueError(f"with_name() takes one path segment, not {name!r}")
        head = self.raw_path.rpartition("/")[0]
        if self._host is not None or self.raw_path.startswith("/") or head:
            head += "/"
        return self._replace(path=head + quote(name, PATH_SAFE), query="", fragment="")

    def with_fragment(self, fragment: Optional[str]) -> URL:
        return self._replace(fragment=quote(fragment, QUERY_SAFE) if fragment else "")

    def with_query(self, *args: Any, **kwargs: Any) -> URL:
        """Replace the query: a dict, MultiDict, list of pairs, str, None, or keywords.

        A str keeps the escapes already in it (``"b=%20"`` stays ``b=%20``); yarl escapes its
        ``%`` again (``b=%2520``), so ``params="b=%20"`` reaches an aiohttp-client server as
        the text ``%20`` but an aioteach-client one as a space.

        >>> str(URL("http://h/p?a=1").with_query({"b": "x y", "n": 2}))
        'http://h/p?b=x+y&n=2'
        """
        return self._replace(query=self._query_text(args, kwargs))

    def update_query(self, *args: Any, **kwargs: Any) -> URL:
        """Replace the named keys, keep the others (MultiDict.update rules)."""
        merged = parse_query(self._query)
        merged.update(query_pairs(parse_query(self._query_text(args, kwargs))))
        return self._replace(query=encode_query(merged))

    def extend_query(self, *args: Any, **kwargs: Any) -> URL:
        """Append pairs to the query, keeping every existing one."""
        extra = self._query_text(args, kwargs)
        query = self._query + "&" + extra if self._query and extra else self._query or extra
        return self._replace(query=query)

    @staticmethod
    def _query_text(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
        if kwargs:
            if args:
                raise ValueError("give the query as one argument or as keywords, not both")
            return encode_query(kwargs)
        if len(args) != 1:
            raise ValueError("the query is one argument: a dict, list of pairs, str or None")
        query = args[0]
        if query is None:
            return ""
        if isinstance(query, str):
            return requote(query, QUERY_SAFE, plus=True)
        return encode_query(query)

    # -- text, comparison --------------------------------------------------------------------

    def __str__(self) -> str:
        if self._str is None:
            text = self._scheme + ":" if self._scheme else ""
            if self._host is not None:                 # a default port goes unwritten
                port = None if self.is_default_port() else self._port
                text += "//" + format_authority(self._user, self._password, self._host, port)
            text += self._path or ("/" if self._host is not None and (self._query or self._fragment)
                                   else "")
            if self._query:
                text += "?" + self._query
            if self._fragment:
                text += "#" + self._fragment
            self._str = text
        return self._str

    def human_repr(self) -> str:
        """The URL decoded for people to read (not for sending: it may be ambiguous)."""
        text = self._scheme + ":" if self._scheme else ""
        if self._host is not None:
            text += "//" + format_authority(self._user, self._password, self.host, self._port)
        text += self.path
        if self._query:
            text += "?" + self.query_string
        if self._fragment:
            text += "#" + self.fragment
        return text

    def __repr__(self) -> str:
        return f"URL({str(self)!r})"

    def _key(self) -> tuple[Any, ...]:
        # "http://h" and "http://h/" are the same resource (RFC 9110 4.2.3), and so are
        # "http://h:80/" and "http://h/".
        port = None if self.is_default_port() else self._port
        return (self._scheme, self._user, self._password, self._host, port, self.raw_path,
                self._query, self._fragment)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, URL):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self) -> tuple[Any, ...]:
        return (URL, (str(self),), None)


# Discussion: why a cache?  A server sees the same few request-targets over and over
# ("/", "/api/items?page=2"), and a URL is immutable, so parsing one string twice would only
# build an equal twin.  An LRU cache of recent strings turns a repeat into a dict lookup (yarl
# does the same).  Strings longer than 512 characters are parsed afresh, which bounds what a
# peer sending unique targets can make the cache hold: 1024 entries of at most 512 characters.
_CACHED_LENGTH = 512
_parse_cached = functools.lru_cache(maxsize=1024)(lambda val: URL._make(*split_url(val)))
