"""HTTP Basic authentication: a login and a password in one header.

Theory of operation (RFC 7617, framed by RFC 9110 section 11): the client sends

    Authorization: Basic base64("login:password")

on every request to the protected space.  The encoding is not encryption: anyone who sees
the request can decode it, so use it over https.  ``BasicAuth`` builds the header
(``encode()``), reads one back (``decode()``) and takes credentials out of a URL
(``http://user:pass@host/`` -> ``from_url``).  A login may not contain ":" (the separator).
``encode_basic_auth(login, password)`` is the header value in one call (UTF-8 by default,
RFC 7617 section 2.1's charset; ``BasicAuth`` keeps aiohttp's latin1 default).

Which credentials a request carries (``hop_auth``, asked by the session at each hop of a
redirect chain, in aiohttp's order):

    1. credentials in the URL (``http://user:pass@host/``) are taken out of it (the URL the
       response reports has none) and are the request's; with ``auth=`` as well that is a
       ValueError, on the first hop only: a redirect's URL credentials win (the server chose)
    2. else ``auth=``, kept along the chain while it stays on one origin
    3. else the session's ``auth=``, unless the session has a ``base_url`` of another origin
A redirect to another origin drops the request's credentials (redirects.py).
"""
from __future__ import annotations

import base64
import binascii
from typing import Any, NamedTuple, Optional, Tuple

__all__ = ["BasicAuth", "encode_basic_auth", "hop_auth"]


class BasicAuth(NamedTuple("BasicAuth", [("login", str), ("password", str), ("encoding", str)])):
    """``BasicAuth(login, password="", encoding="latin1")``, aiohttp's signature."""

    def __new__(cls, login: str, password: str = "", encoding: str = "latin1") -> "BasicAuth":
        if login is None:
            raise ValueError("None is not allowed as login value")
        if password is None:
            raise ValueError("None is not allowed as password value")
        if ":" in login:
            raise ValueError('A ":" is not allowed in login (RFC 7617 section 2)')
        return super().__new__(cls, login, password, encoding)

    def encode(self) -> str:
        """The ``Authorization`` header value: ``"Basic bG9naW46cGFzcw=="``."""
        raw = f"{self.login}:{self.password}".encode(self.encoding)
        return "Basic " + base64.b64encode(raw).decode("ascii")

    @classmethod
    def decode(cls, auth_header: str, encoding: str = "latin1") -> "BasicAuth":
        """Read an ``Authorization: Basic ...`` value back into login and password."""
        try:
            scheme, credentials = auth_header.split(" ", 1)
        except ValueError:
            raise ValueError("Could not parse authorization header: expected 'Basic <b64>'")
        if scheme.lower() != "basic":
            raise ValueError(f"Unknown authorization method {scheme!r}")
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode(encoding)
        except (binascii.Error, UnicodeDecodeError):
            raise ValueError("Invalid base64 encoding in the Basic credentials")
        login, sep, password = decoded.partition(":")
        if not sep:
            raise ValueError("Basic credentials hold no ':' between login and password")
        return cls(login, password, encoding=encoding)

    @classmethod
    def from_url(cls, url: Any, *, encoding: str = "latin1") -> Optional["BasicAuth"]:
        """Credentials written in a URL (``http://user:pass@host/``), or None if it has none."""
        if url.user is None and url.password is None:
            return None
        return cls(url.user or "", url.password or "", encoding=encoding)

    def __repr__(self) -> str:      # never print the password in a log or a notebook
        return f"BasicAuth(login={self.login!r}, password='***', encoding={self.encoding!r})"


def encode_basic_auth(login: str, password: str = "", encoding: str = "utf-8") -> str:
    """``"Basic <base64>"`` for an Authorization header: ``encode_basic_auth("u", "p")``."""
    return BasicAuth(login, password, encoding).encode()


def hop_auth(url: Any, auth: Optional[BasicAuth], redirected: bool,
             session_auth: Optional[BasicAuth], base_url: Any) -> Tuple[Any, Optional[BasicAuth]]:
    """(the URL without credentials, the BasicAuth for it): the rules of the docstring."""
    if url.raw_user is not None or url.raw_password is not None:
        from_url = BasicAuth.from_url(url)
        url = url.with_user(None)
        if auth is not None and not redirected:
            raise ValueError("Cannot combine AUTH argument with credentials encoded in URL: "
                             "pass auth= or put them in the URL, not both")
        if auth is None or redirected:
            auth = from_url
    if auth is None and session_auth is not None and (
            base_url is None or base_url.origin() == url.origin()):
        auth = session_auth
    return url, auth
