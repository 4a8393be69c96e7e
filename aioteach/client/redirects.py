"""Following redirects: which request a 3xx answer asks for (RFC 9110 section 15.4).

Theory of operation.  The session (session.py) calls ``next_hop`` when a response has a
redirect status and a ``Location``.  The rules, as RFC 9110 and browsers (and aiohttp) apply
them::

    303 See Other            -> GET without a body (HEAD stays HEAD)
    301, 302 after a POST    -> GET without a body (the RFC allows it; every browser does it)
    301, 302 otherwise       -> the same method and the same body
    307, 308                 -> the same method and the same body
    to another origin        -> Authorization, Proxy-Authorization and Cookie headers, auth=
                                and cookies= are dropped (RFC 9110 15.4: credentials are not
                                forwarded to a host they were not meant for; the jar's cookies
                                still apply by their own rules, the session's auth= comes back)

"The same body" means sending it again.  Bytes, text and forms are kept in memory; a file's
payload goes along to the next hop and seeks back to where the first send started
(``ClientRequest.rewind``); an async iterator cannot be replayed, and the redirect is then a
``ClientPayloadError`` that says what to do (aiohttp's class and first sentence).

``redirect_url`` resolves the Location against the request's URL (RFC 3986 5.2, a relative
reference is the usual case) and keeps the request's fragment when the Location has none
(RFC 9110 10.2.2).  ``drain_redirect`` reads a small redirect body so that its connection can
carry the next hop; a big one (over 64 KiB) closes the connection instead.
"""
from __future__ import annotations

from typing import Any, Optional, Tuple

from ..url import URL
from .auth import BasicAuth
from .errors import (ClientPayloadError, InvalidUrlRedirectClientError,
                     NonHttpUrlRedirectClientError)

__all__ = ["REDIRECTS", "next_hop", "redirect_url", "drain_redirect"]

REDIRECTS = frozenset({301, 302, 303, 307, 308})
DRAIN_LIMIT = 65536                          # read up to 64 KiB of a redirect's body to reuse
BODY_FIELDS = ("content-length", "content-type", "transfer-encoding")
CREDENTIAL_FIELDS = ("authorization", "proxy-authorization", "cookie")   # every copy of each


def next_hop(status: int, req: Any, location: str, data: Any, json: Any, headers: list,
             auth: Optional[BasicAuth], cookies: Any = None
             ) -> Tuple[str, URL, Any, Any, list, Any, Any]:
    """(method, url, data, json, headers, auth, cookies) of the request a redirect asks for."""
    method, url = req.method, req.url
    new_url = redirect_url(url, location)
    if status == 303 and method != "HEAD" or (status in (301, 302) and method == "POST"):
        method, data, json = "GET", None, None
        headers = [p for p in headers if p[0].lower() not in BODY_FIELDS]
    elif req.rewind():
        if req.payload is not None:
            data = req.payload                 # the same payload: it seeks back when written
    else:
        raise ClientPayloadError(
            f"Cannot follow redirect with a consumed request body: the {status} redirect to "
            f"{new_url} asks for the body again, and it was a stream (send bytes or a file, "
            f"or pass allow_redirects=False and handle the redirect)")
    if new_url.origin() != url.origin():      # credentials stay with their origin
        auth = cookies = None
        headers = [p for p in headers if p[0].lower() not in CREDENTIAL_FIELDS]
    return method, new_url, data, json, headers, auth, cookies


def redirect_url(url: URL, location: str) -> URL:
    """The absolute http(s) URL that ``Location: location`` names, seen from ``url``."""
    try:
        new_url = url.join(URL(location))
    except ValueError as exc:
        raise InvalidUrlRedirectClientError(
            location, f"Server attempted redirecting to a location that does not look like "
                      f"a URL ({exc})") from None
    if new_url.scheme not in ("http", "https"):
        raise NonHttpUrlRedirectClientError(
            location, "the server redirected to a URL that is not http(s)")
    if not new_url.host:
        raise InvalidUrlRedirectClientError(location, "Invalid redirect URL origin: the "
                                                      "server redirected to a URL without a host")
    if url.fragment and not new_url.fragment:  # RFC 9110 10.2.2: the fragment carries over
        new_url = URL(f"{new_url}#{url.fragment}")
    return new_url


async def drain_redirect(resp: Any) -> None:
    """Read a small redirect body so the connection can be reused; close for a big one."""
    length = resp.content_length
    if resp.connection is None or (length is not None and length <= DRAIN_LIMIT):
        await resp.read()
    resp.release()
