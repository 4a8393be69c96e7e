"""HeadFields: what a request's header fields say, parsed when first asked for (RFC 9110).

Theory of operation.  ``web.Request`` keeps the parser's header pairs as they came and builds
nothing from them until a handler asks.  This mixin holds the fields' meanings, each a property
over ``self.headers``: the multidict itself, the cookies (RFC 6265 section 5.4), the media type
and its charset (RFC 9110 section 8.3), the date fields of conditional requests (section 13.1)
and the Range field (section 14.2).  A malformed field is treated as absent wherever RFC 9110
says a recipient ignores it, so a bad header never fails a request by itself.

``BaseRequest`` provides ``_message``, the parser's request event, whose ``headers`` are the
pairs; this class keeps its two caches, ``_headers`` and ``_cookies``.
"""
from __future__ import annotations

import datetime
import re
from email.utils import parsedate_to_datetime
from http.cookies import CookieError, SimpleCookie
from types import MappingProxyType
from typing import Any, Dict, Mapping, Optional, Tuple

from ..multidict import CIMultiDict, CIMultiDictProxy

__all__ = ["HeadFields", "parse_cookie_field"]

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_cookie_field(field: str) -> Dict[str, str]:
    """A Cookie field's pairs (RFC 6265 section 5.4): ``a=1; path=x`` -> ``{"a": "1", "path": "x"}``.

    A Cookie field carries no attributes, so ``path``, ``secure``... are cookie names here
    (``SimpleCookie.load`` would read them as attributes of the cookie before).  A value in
    double quotes is unquoted, with the escapes Python's ``SimpleCookie`` writes (``\\073``
    for ``;``) undone; a pair without ``=`` or a name is skipped; a later pair of the same
    name wins, as in aiohttp."""
    found: Dict[str, str] = {}
    for pair in field.split(";"):
        name, eq, value = pair.partition("=")
        name, value = name.strip(), value.strip()
        if not eq or not name:
            continue
        if len(value) >= 2 and value[0] == value[-1] == '"':
            decoder: SimpleCookie = SimpleCookie()
            try:
                decoder.load(f"v={value}")
                value = decoder["v"].value
            except (CookieError, KeyError):
                value = value[1:-1]
        found[name] = value
    return found


class HeadFields:
    """The header-field properties of ``web.Request`` (aiohttp's names)."""

    __slots__ = ("_headers", "_cookies")     # caches, set to None by BaseRequest.__init__
    _message: Any
    _headers: Optional[CIMultiDictProxy[str]]
    _cookies: Optional[Mapping[str, str]]

    @property
    def headers(self) -> CIMultiDictProxy[str]:
        headers = self._headers
        if headers is None:
            headers = self._headers = CIMultiDictProxy(CIMultiDict(self._message.headers))
        return headers

    @property
    def raw_headers(self) -> Tuple[Tuple[bytes, bytes], ...]:
        return tuple((k.encode("latin-1", "replace"), v.encode("latin-1", "replace"))
                     for k, v in self._message.headers)

    @property
    def cookies(self) -> Mapping[str, str]:
        """The Cookie field as a read-only dict (RFC 6265 section 5.4)."""
        if self._cookies is None:
            self._cookies = MappingProxyType(parse_cookie_field(self.headers.get("Cookie", "")))
        return self._cookies

    @property
    def content_type(self) -> str:
        raw = self.headers.get("Content-Type")
        return raw.partition(";")[0].strip().lower() if raw else "application/octet-stream"

    @property
    def charset(self) -> Optional[str]:
        """The Content-Type's ``charset`` parameter as written (``UTF-8`` stays ``UTF-8``)."""
        raw = self.headers.get("Content-Type", "")
        for param in raw.split(";")[1:]:
            key, _, value = param.strip().partition("=")
            if key.lower() == "charset":
                return value.strip().strip('"') or None
        return None

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
