"""The optional parts of a response: cookies (RFC 6265) and compression (RFC 9110 8.4).

Mixed into ``web.StreamResponse`` (``web/response.py``), which provides ``headers``,
``_status``, ``_content_length`` and the class defaults ``_cookies``, ``_compression`` and
``_compressor`` these methods read and set.  ``prepare()`` calls ``_start_compression`` and
renders the ``Set-Cookie`` lines; nothing here runs for a response that uses neither.
"""
from __future__ import annotations

import zlib
from http.cookies import SimpleCookie
from typing import Any, Optional, Union

from ..http1.rules import NO_BODY_STATUSES
from ..multidict import CIMultiDict

__all__ = ["CookiesAndCompression"]


class CookiesAndCompression:
    """``set_cookie``/``del_cookie``/``cookies`` and ``enable_compression``, aiohttp's names."""

    _cookies: Optional[SimpleCookie] = None
    _compression: Optional[str] = None            # enable_compression(): "" or a forced coding
    _compressor: Any = None                       # the zlib compressor once prepare() chose
    _status: int
    _content_length: Optional[int]

    @property
    def headers(self) -> CIMultiDict[str]:
        raise NotImplementedError

    # -- cookies (RFC 6265 Set-Cookie) --------------------------------------------------------
    @property
    def cookies(self) -> SimpleCookie:
        if self._cookies is None:
            self._cookies = SimpleCookie()
        return self._cookies

    def set_cookie(self, name: str, value: str, *, expires: Optional[str] = None,
                   domain: Optional[str] = None, max_age: Optional[Union[int, str]] = None,
                   path: str = "/", secure: Optional[bool] = None,
                   httponly: Optional[bool] = None, version: Optional[str] = None,
                   samesite: Optional[str] = None) -> None:
        cookies = self.cookies
        cookies[name] = value
        morsel = cookies[name]
        for key, val in (("expires", expires), ("domain", domain), ("max-age", max_age),
                         ("path", path), ("version", version), ("samesite", samesite)):
            if val is not None:
                morsel[key] = str(val)
        if secure:
            morsel["secure"] = True
        if httponly:
            morsel["httponly"] = True

    def del_cookie(self, name: str, *, domain: Optional[str] = None, path: str = "/") -> None:
        """Ask the client to forget a cookie: an empty value that expired in 1970."""
        self.cookies.pop(name, None)
        self.set_cookie(name, "", max_age=0, expires="Thu, 01 Jan 1970 00:00:00 GMT",
                        domain=domain, path=path)

    def enable_compression(self, force: Optional[str] = None, strategy: Any = None) -> None:
        """Compress the body if the client accepts it (or always, with ``force="gzip"``).

        At ``prepare()`` the first of deflate, gzip (aiohttp's order) named in the request's
        Accept-Encoding becomes the Content-Encoding (RFC 9110 8.4.1); the compressed length is
        unknown in advance, so a StreamResponse goes chunked.  Simplification: q-values in
        Accept-Encoding are not weighed, and ``strategy`` is ignored.
        """
        self._compression = getattr(force, "value", force) or ""

    def _start_compression(self, request: Any) -> None:
        accepted = request.headers.get("Accept-Encoding", "").lower()
        coding = self._compression or next(
            (name for name in ("deflate", "gzip") if name in accepted), None)
        if coding not in ("deflate", "gzip") or self._status in NO_BODY_STATUSES:
            return                                          # identity: nothing to do
        self.headers["Content-Encoding"] = coding
        self.headers.popall("Content-Length", None)         # the length is the compressed one
        self._content_length = None
        # wbits: 16 + 15 writes the gzip wrapper, 15 the zlib one ("deflate", RFC 9110 8.4.1.2)
        self._compressor = zlib.compressobj(wbits=31 if coding == "gzip" else 15)

