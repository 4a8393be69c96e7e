"""HTTP Basic authentication: a login and a password in one header.

Theory of operation (RFC 7617, framed by RFC 9110 section 11): the client sends

    Authorization: Basic base64("login:password")

on every request to the protected space.  The encoding is not encryption: anyone who sees
the request can decode it, so use it over https.  ``BasicAuth`` builds the header
(``encode()``), reads one back (``decode()``) and takes credentials out of a URL
(``http://user:pass@host/`` -> ``from_url``).  A login may not contain ":" (the separator).
``encode_basic_auth(login, password)`` is the header value in one call (UTF-8 by default,
RFC 7617 section 2.1's charset; ``BasicAuth`` keeps aiohttp's latin1 default).
The session drops the header when a redirect leads to another origin (see session.py).
"""
from __future__ import annotations

import base64
import binascii
from typing import Any, NamedTuple, Optional

__all__ = ["BasicAuth", "encode_basic_auth"]


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
