"""The parts of a URL: split a reference, then check and normalise each part (RFC 3986).

A URL (RFC 3986 section 3) is five parts, each with its own set of allowed characters::

    http://user:pw@example.com:8080/over/there?name=ferret#nose
    \\__/   \\______________________/\\_________/ \\_________/ \\__/
   scheme          authority           path       query    fragment

``split_url`` turns a string into those parts (``build_parts`` checks and escapes them when
they come one by one, for ``URL.build``), raw (percent-encoded) and normalised, which is
all ``aioteach.url.URL`` stores.  The rules, each a small function here:

- Splitting uses the regular expression of RFC 3986 Appendix B, which matches any string; then
  the scheme (section 3.1), the authority (3.2: ``user:password@host:port``) and the port
  (3.2.3) are checked.
- Hosts (3.2.2): IDNA for non-ASCII names (the stdlib ``idna`` codec), IPv6 literals in
  brackets, lower case.
- Paths: dot segments removed (section 5.2.4) from URLs with an authority; characters a part
  may not hold are escaped by ``aioteach.urlencoding.requote``.

Hand-offs: ``url.URL`` calls ``split_url`` when it parses, ``encode_host``/``remove_dot_segments``
when it builds or joins, and ``format_authority`` when it prints itself.
"""
from __future__ import annotations

import ipaddress
import re
from typing import Any, Optional

from .urlencoding import (PATH_SAFE, QUERY_SAFE, USERINFO_SAFE, InvalidURLError, encode_query,
                          quote, requote, unquote)

__all__ = ["DEFAULT_PORTS", "SCHEME", "split_url", "split_authority", "build_parts", "encode_host",
           "decode_host", "parse_port", "remove_dot_segments", "format_authority", "Parts"]

# Ports a scheme implies when the URL names none (RFC 9110 4.2, RFC 6455 3).
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}

# RFC 3986 Appendix B: the one regular expression that splits any URI reference.
SPLIT = re.compile(r"(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?", re.S)
SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*\Z")         # section 3.1
REG_NAME = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=]*\Z")    # section 3.2.2, unescaped

# scheme, user, password, host, port, path, query, fragment: what a URL keeps.  ``host`` is None
# for a URL without an authority ("/path", "mailto:x") and "" for "file:///x"; ``port`` is the
# explicit port or None; query and fragment are "" when absent.
Parts = tuple[str, Optional[str], Optional[str], Optional[str], Optional[int], str, str, str]


def split_url(val: str, encoded: bool = False) -> Parts:
    """The eight raw parts of ``val``; unless ``encoded``, escaped and normalised on the way."""
    if val[:1] == "/" and val[1:2] != "/":
        # Fast lane for an origin-form request-target (RFC 9112 3.2.1): "/path?query".
        path, _, fragment = val.partition("#")
        path, _, query = path.partition("?")
        scheme = netloc = None
    else:
        match = SPLIT.match(val)
        if match is None:                          # cannot happen: Appendix B matches all
            raise InvalidURLError(f"{val!r} does not split into URL parts")
        scheme, netloc, path, query, fragment = match.groups()
        if scheme is not None and not SCHEME.match(scheme):
            raise InvalidURLError(f"{val!r}: scheme {scheme!r} must start with a letter and "
                                  "hold only letters, digits, '+', '-' and '.'")
    user = password = host = None
    port = None
    if netloc is not None:
        user, password, host, port = split_authority(netloc, encoded, val)
        if not encoded:
            path = remove_dot_segments(path)
    if not encoded:
        path = requote(path, PATH_SAFE)
        query = requote(query, QUERY_SAFE, plus=True) if query else ""
        fragment = requote(fragment, QUERY_SAFE) if fragment else ""
    return ((scheme or "").lower(), user, password, host, port, path, query or "",
            fragment or "")


def split_authority(netloc: str, encoded: bool, val: str
                    ) -> tuple[Optional[str], Optional[str], str, Optional[int]]:
    """``user:password@host:port`` -> its four parts (section 3.2); ``val`` is for errors."""
    userinfo, at, hostport = netloc.rpartition("@")
    user = password = None
    if at:
        user, colon, pw = userinfo.partition(":")
        password = pw if colon else None
        if not encoded:
            user = requote(user, USERINFO_SAFE)
            password = None if password is None else requote(password, USERINFO_SAFE)
    if hostport.startswith("["):                  # an IP literal: [v6 address]:port
        host, bracket, rest = hostport[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise InvalidURLError(f"{val!r}: an IPv6 host needs its closing ']' "
                                  "before the port")
        if ":" not in host:
            raise InvalidURLError(f"{val!r}: brackets hold an IPv6 address, not {host!r}")
        port_text, host = rest[1:], encode_host(host)
    else:
        host, _, port_text = hostport.partition(":")
        host = encode_host(unquote(host) if "%" in host else host)
    return user, password, host, parse_port(port_text)


def build_parts(scheme: str, user: Optional[str], password: Optional[str], host: Optional[str],
                port: Optional[int], path: str, query: Any, query_string: str, fragment: str,
                encoded: bool) -> Parts:
    """The raw parts of ``URL.build(...)``: checked, and escaped unless ``encoded``."""
    if query is not None and query_string:
        raise ValueError("give query or query_string, not both")
    if host is None and (user is not None or password is not None or port is not None):
        raise ValueError("user, password and port belong to an authority: give a host too")
    if host is not None and path and not path.startswith("/"):
        raise ValueError(f"path {path!r} must start with '/' in a URL with a host")
    if port is not None and not (isinstance(port, int) and 0 <= port <= 65535):
        raise InvalidURLError(f"port {port!r} is not a number from 0 to 65535")
    if scheme and not SCHEME.match(scheme):
        raise InvalidURLError(f"scheme {scheme!r} must start with a letter")
    if query is not None:
        query_string, encoded_query = encode_query(query), True
    else:
        encoded_query = encoded
    if not encoded:
        user = None if user is None else quote(user, USERINFO_SAFE)
        password = None if password is None else quote(password, USERINFO_SAFE)
        host = None if host is None else encode_host(host)
        path = quote(path, PATH_SAFE)
        fragment = quote(fragment, QUERY_SAFE)
    if host is not None:
        path = remove_dot_segments(path)
    if not encoded_query:
        query_string = requote(query_string, QUERY_SAFE, plus=True)
    return (scheme.lower(), user, password, host, port, path, query_string, fragment)


# -- hosts, ports and paths ------------------------------------------------------------------

def encode_host(host: str) -> str:
    """The ASCII, lower-case form of a host: IDNA for names, compressed form for IPv6."""
    if ":" in host:                                    # only an IPv6 literal holds ":"
        try:
            return str(ipaddress.IPv6Address(host))
        except ValueError:
            raise InvalidURLError(f"invalid IPv6 address {host!r} "
                                  "(write it in brackets inside a URL: http://[::1]/)") from None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")  # Simplification: IDNA 2003 (stdlib)
        except UnicodeError as exc:
            raise InvalidURLError(f"host {host!r} cannot be IDNA-encoded: {exc}") from None
    if not REG_NAME.match(host):
        raise InvalidURLError(f"host {host!r} holds characters a host name may not have "
                              "(letters, digits, '-', '.', and few others)")
    return host.lower()


def decode_host(raw_host: str) -> str:
    """The readable form of an ASCII host: ``xn--`` labels decoded back to Unicode."""
    if "xn--" not in raw_host:
        return raw_host
    try:
        return raw_host.encode("ascii").decode("idna")
    except UnicodeError:
        return raw_host                               # not valid IDNA: show it as it is


def parse_port(text: str) -> Optional[int]:
    """The port of section 3.2.3: digits, at most 65535; an empty port means none."""
    if not text:
        return None                                   # "http://h:/" -- an empty port is allowed
    if not (text.isascii() and text.isdigit()) or int(text) > 65535:
        raise InvalidURLError(f"port {text!r} is not a number from 0 to 65535")
    return int(text)


def format_authority(user: Optional[str], password: Optional[str], host: Optional[str],
                     port: Optional[int]) -> str:
    """``user:password@host:port``, brackets around an IPv6 host; "" without a host."""
    if host is None:
        return ""
    text = f"[{host}]" if ":" in host else host
    if port is not None:
        text += f":{port}"
    if user is not None:
        text = (user if password is None else f"{user}:{password}") + "@" + text
    return text


def remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, step by step: ``/a/b/../c/./d`` -> ``/a/c/d``.

    The letters are the RFC's steps.  An index walks the input instead of slicing it, so a
    long path of ``/./`` costs linear time.
    """
    if "." not in path:
        return path
    output: list[str] = []
    i, end = 0, len(path)
    while i < end:
        if path.startswith("../", i):                       # A: a leading "../" or "./"
            i += 3
        elif path.startswith("./", i):
            i += 2
        elif path.startswith("/./", i):                     # B: "/./" -> "/"
            i += 2
        elif path.startswith("/.", i) and i + 2 == end:     # B: a final "/." -> "/"
            output.append("/")
            i = end
        elif path.startswith("/../", i):                    # C: "/../" -> "/", drop a segment
            i += 3
            if output:
                output.pop()
        elif path.startswith("/..", i) and i + 3 == end:    # C: a final "/.." likewise
            if output:
                output.pop()
            output.append("/")
            i = end
        elif path[i:] in (".", ".."):                       # D: nothing but dots is left
            i = end
        else:                                               # E: move one segment across
            stop = path.find("/", i + 1)
            stop = end if stop == -1 else stop
            output.append(path[i:stop])
            i = stop
    return "".join(output)
