"""Reading ``Set-Cookie`` fields the way browsers do (RFC 6265 section 5.2), one field each.

Theory of operation.  A server sends one ``Set-Cookie`` field per cookie::

    Set-Cookie: session=abc123; Path=/; HttpOnly; Max-Age=3600
                \\___ pair ___/ \\________ attributes ________/

The standard library's ``SimpleCookie.load`` is the parser for the attributes, but it is too
strict for the pair: it refuses names that real servers use (``ISAWPLB{A7F5...}`` with braces,
RFC 6265 5.2 step 5 takes any name) and reads a first pair named like an attribute
(``path=unquoted``, ``secure="quoted"``) as an attribute instead of as the cookie.  So:

    1. the pair is everything before the first ";": name and value split at the first "="
       (no "=": the field is ignored, 5.2 step 2); a double-quoted value is unquoted
    2. the name must be printable ASCII without separators such as "," or ";" (aiohttp's
       allowlist); otherwise the field is skipped and the client logger says
       "Can not load cookies: Illegal cookie name ..." (a warning, as aiohttp logs it)
    3. the attributes (Path, Domain, Max-Age, Expires, Secure, HttpOnly, SameSite) are read
       by ``SimpleCookie`` from the rest, so "Path=/ Max-Age=1" (a space for a ";") and
       Expires dates with commas read as they always did

``parse_set_cookie(field)`` gives a ``Morsel`` or None; ``make_morsel(name, value)`` builds one
without the standard library's name check (``Morsel.__setstate__``, its pickling hook), so
the jar can store and send back what it accepted.  ``cookies_of(fields)`` is a response's
``resp.cookies``.
"""
from __future__ import annotations

import logging
import re
from http.cookies import CookieError, Morsel, SimpleCookie
from typing import Iterable, Optional

__all__ = ["parse_set_cookie", "make_morsel", "cookies_of", "COOKIE_NAME"]

logger = logging.getLogger("aioteach.client")

# Printable ASCII except space, '"', ',', ';', '\\' and '=' (the separators of the field).
COOKIE_NAME = re.compile(r"[!#$%&'()*+\-./0-9:<>?@A-Z\[\]^_`a-z{|}~]+\Z")
_ATTRIBUTE_HOLDER = "x"                        # the stand-in pair SimpleCookie reads attributes on


def make_morsel(name: str, value: str, coded_value: Optional[str] = None) -> Morsel:
    """A Morsel for ``name=value``, any name (no reserved-word or character check)."""
    morsel: Morsel = Morsel()
    morsel.__setstate__({"key": name, "value": value,  # type: ignore[attr-defined]
                         "coded_value": value if coded_value is None else coded_value})
    return morsel


def unquote(value: str) -> str:
    """``"a b"`` -> ``a b``: a double-quoted cookie value, its backslash escapes undone."""
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def parse_set_cookie(field: str) -> Optional[Morsel]:
    """One Set-Cookie field -> its Morsel (attributes included), or None if it is ignored."""
    pair, _, attributes = field.partition(";")
    name, equals, coded = pair.partition("=")
    name, coded = name.strip(), coded.strip()
    if not equals or not name:
        return None                            # RFC 6265 5.2 steps 2 and 5
    if not COOKIE_NAME.match(name):
        logger.warning("Can not load cookies: Illegal cookie name %r", name)
        return None
    morsel = make_morsel(name, unquote(coded), coded)
    if attributes.strip():
        holder = SimpleCookie()
        try:
            holder.load(f"{_ATTRIBUTE_HOLDER}=;{attributes}")
        except CookieError:
            return morsel                      # attributes we cannot read: the pair alone
        read = holder.get(_ATTRIBUTE_HOLDER)
        if read is not None:
            for attribute, value in read.items():
                if value:
                    dict.__setitem__(morsel, attribute, value)
    return morsel


def cookies_of(fields: Iterable[str]) -> SimpleCookie:
    """The cookies of a response's Set-Cookie fields (a later one of a name wins)."""
    jar = SimpleCookie()
    for field in fields:
        morsel = parse_set_cookie(field)
        if morsel is not None:
            dict.__setitem__(jar, morsel.key, morsel)   # no second name check
    return jar
