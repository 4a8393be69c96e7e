"""Percent-encoding and query strings: the text rules every part of a URL obeys.

A URL may carry only a few ASCII characters as they are; anything else travels as ``%XX``, the
hex of its UTF-8 bytes (RFC 3986 section 2.1): ``/a b`` is sent as ``/a%20b``.  Which
characters may stay depends on the part: ``/`` is structure in a path but data in a query
value; ``&`` and ``=`` split a query into pairs, so inside a name or value they must be escaped.

This module holds those rules, for ``aioteach.url`` and for form bodies alike:

    quote / unquote        escape and unescape one piece of text
    requote                normalise text that may already hold escapes (RFC 3986 6.2.2)
    encode_query           pairs -> ``a=1&b=x+y``  (HTML forms write space as ``+``)
    parse_query            ``a=1&b=x+y`` -> MultiDict; also application/x-www-form-urlencoded

Rules: escapes are upper-case hex; an escaped unreserved character is decoded (``%7E`` -> ``~``)
because it means the same (RFC 3986 6.2.2.2); a stray ``%`` becomes ``%25``; bytes that do not
decode stay escaped rather than turning into U+FFFD.  Standard library only, no I/O.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Optional, Union
from urllib.parse import quote as _stdlib_quote, quote_plus as _stdlib_quote_plus

from .multidict import MultiDict

__all__ = ["quote", "unquote", "requote", "encode_query", "parse_query", "query_pairs",
           "InvalidURLError", "UNRESERVED", "PATH_SAFE", "QUERY_SAFE", "QUERY_PART_SAFE",
           "USERINFO_SAFE"]

# -- character sets (RFC 3986 section 2) -----------------------------------------------------
# unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"   never need escaping (urllib's own set)
UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
SUB_DELIMS = "!$&'()*+,;="
PATH_SAFE = SUB_DELIMS + ":@/"          # pchar plus "/"           (section 3.3)
QUERY_SAFE = PATH_SAFE + "?"            # the whole query / fragment (sections 3.4, 3.5)
QUERY_PART_SAFE = "!$'()*,:@/?"         # one name or value: "&", "=", "+" must be escaped,
                                        # and ";" too (old servers split queries on it)
USERINFO_SAFE = "!$&'()*+,;="           # ":" separates user from password: always escaped

_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")               # a run of escaped bytes
_STRAY_BYTE = re.compile("[\udc80-\udcff]")                  # undecodable byte, kept escaped


def _plain(safe: str) -> Any:
    """A matcher for text that is already fine as it is: the fast lane of ``requote``."""
    return re.compile("[A-Za-z0-9%s]*\\Z" % re.escape("-._~" + safe)).match


_PLAIN = {safe: _plain(safe) for safe in (PATH_SAFE, QUERY_SAFE, USERINFO_SAFE)}


class InvalidURLError(ValueError):
    """The text is not a URL we can accept; the message says which part and why."""


# -- percent-encoding (RFC 3986 section 2.1) -------------------------------------------------

def quote(text: str, safe: str = "/") -> str:
    """Escape every character except unreserved ones and ``safe``, as UTF-8 ``%XX``.

    >>> quote("/a b/ü?")
    '/a%20b/%C3%BC%3F'
    """
    return _stdlib_quote(text, safe=safe)


def unquote(text: str, *, plus: bool = False, encoding: str = "utf-8", keep: str = "") -> str:
    """Decode ``%XX`` escapes (and ``+`` as space when ``plus``).

    Escapes in ``keep`` stay escaped, so that a decoded query string can still be split.
    Bytes that are not valid in ``encoding`` stay escaped too, instead of turning into
    U+FFFD: ``unquote("%FF") == "%FF"``.
    """
    if plus:
        text = text.replace("+", " ")
    if "%" not in text:
        return text

    def decode_run(match: re.Match[str]) -> str:
        decoded = bytes.fromhex(match.group().replace("%", "")).decode(encoding, "surrogateescape")
        decoded = _STRAY_BYTE.sub(lambda m: "%%%02X" % (ord(m.group()) - 0xDC00), decoded)
        for char in keep:
            decoded = decoded.replace(char, "%%%02X" % ord(char))
        return decoded

    return _ESCAPES.sub(decode_run, text)


def requote(text: str, safe: str, *, plus: bool = False) -> str:
    """Normalise text that may already hold escapes: keep valid ``%XX`` (upper-cased; decoded
    if unreserved, RFC 3986 6.2.2.2), escape a stray ``%`` and every character not allowed.
    With ``plus``, a space becomes ``+`` (query strings)."""
    plain = _PLAIN.get(safe)
    if plain is not None and plain(text):
        return text                                  # the common case: nothing to do
    try:
        pieces = text.split("%")
        out = [_quote_piece(pieces[0], safe, plus)]
        for piece in pieces[1:]:
            hex_digits = piece[:2]
            if len(hex_digits) == 2 and all(c in "0123456789abcdefABCDEF" for c in hex_digits):
                char = chr(int(hex_digits, 16))
                out.append(char if char in UNRESERVED else "%" + hex_digits.upper())
                out.append(_quote_piece(piece[2:], safe, plus))
            else:
                out.append("%25" + _quote_piece(piece, safe, plus))
        return "".join(out)
    except UnicodeEncodeError:
        raise InvalidURLError(f"{text!r} holds a character that UTF-8 cannot encode "
                              "(a lone surrogate?)") from None


def _quote_piece(text: str, safe: str, plus: bool) -> str:
    quoted = _stdlib_quote(text, safe=safe)
    return quoted.replace("%20", "+") if plus else quoted   # a "+" already there stays "+"


# -- query strings ---------------------------------------------------------------------------


def _query_value(value: Any) -> str:
    # bool is an int, but "True" in a URL is almost always a bug: refuse it, like yarl.
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    raise TypeError(f"query values must be str, int or float, not {type(value).__name__} "
                    f"{value!r}; convert it yourself (e.g. str(value).lower() for a bool)")


def query_pairs(query: Any) -> list[tuple[str, str]]:
    """Flatten a dict, MultiDict or list of pairs into ``(name, str value)`` pairs; a list or
    tuple value repeats the name: ``{"tag": ["a", "b"]}`` -> ``tag=a&tag=b``."""
    items = query.items() if isinstance(query, Mapping) else query
    pairs: list[tuple[str, str]] = []
    for name, value in items:
        if not isinstance(name, str):
            raise TypeError(f"query names must be str, not {type(name).__name__} {name!r}")
        if isinstance(value, (list, tuple)):
            pairs.extend((name, _query_value(v)) for v in value)
        else:
            pairs.append((name, _query_value(value)))
    return pairs


def encode_query(query: Any) -> str:
    """Encode pairs as ``a=1&b=x+y`` (names and values escaped, space as ``+``).

    >>> encode_query({"q": "fish & chips", "page": 2})
    'q=fish+%26+chips&page=2'
    """
    return "&".join(_stdlib_quote_plus(name, safe=QUERY_PART_SAFE) + "="
                    + _stdlib_quote_plus(value, safe=QUERY_PART_SAFE)
                    for name, value in query_pairs(query))


def parse_query(text: Union[str, bytes], encoding: str = "utf-8", *,
                max_fields: Optional[int] = None) -> MultiDict[str]:
    """Decode ``a=1&b=x+y&b`` into ``MultiDict([('a','1'), ('b','x y'), ('b','')])``.

    Empty pieces (``&&``) are skipped.  ``max_fields`` bounds the pairs accepted from a peer
    (a form body is attacker-controlled; Python's own parser offers the same knob).
    """
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode(encoding, "replace")
    pairs: list[tuple[str, str]] = []
    for piece in text.split("&"):
        if not piece:
            continue
        if max_fields is not None and len(pairs) >= max_fields:
            raise InvalidURLError(f"more than {max_fields} fields in a query string or form; "
                                  "raise max_fields if this is expected")
        name, _, value = piece.partition("=")
        pairs.append((unquote(name, plus=True, encoding=encoding),
                      unquote(value, plus=True, encoding=encoding)))
    return MultiDict(pairs)
