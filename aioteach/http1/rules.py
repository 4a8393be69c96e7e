"""The sender's rules of an HTTP/1.1 message: how its body is framed, whether the connection lives on.

The parser applies RFC 9112's rules to what arrives; these pure functions apply the same rules
to what we are about to send, so every sender asks them instead of working the answer out
again.  ``http1.Connection``, the asyncio server (``web/response.py``, ``web/protocol.py``) and
the client (``client/request.py``) all call them.

Framing (RFC 9112 section 6) is one of four answers::

    NO_BODY      nothing follows the head (HEAD responses, 1xx, 204, 304, a switch, a
                 request without content)
    LENGTH       Content-Length: N, then exactly N bytes
    CHUNKED      Transfer-Encoding: chunked (HTTP/1.1 only, RFC 9112 7)
    UNTIL_CLOSE  the body ends when the server closes (a response of unknown length to an
                 HTTP/1.0 client, RFC 9112 6.3 rule 8): the connection cannot persist

Persistence (RFC 9112 section 9.3): ``keeps_alive(version, options)`` is the parsers' rule for
a received head; ``response_keeps_alive`` adds what the server knows when it answers, and
``connection_option`` says which ``Connection`` field the head must carry for the peer to
reach the same conclusion.

>>> response_framing("GET", 200, "1.0", None, False)
'until-close'
>>> connection_option("1.0", True, 200), connection_option("1.1", False, 200)
('keep-alive', 'close')
"""
from __future__ import annotations

from typing import Optional

from .heads import keeps_alive

__all__ = [
    "NO_BODY", "LENGTH", "CHUNKED", "UNTIL_CLOSE", "NO_BODY_STATUSES", "METHODS_WITH_CONTENT",
    "response_framing", "request_framing", "given_request_framing", "response_keeps_alive",
    "connection_option", "is_switch", "keeps_alive",
]

NO_BODY, LENGTH, CHUNKED, UNTIL_CLOSE = "no body", "length", "chunked", "until-close"

# Status codes whose responses never carry a body (RFC 9110 15.2, 15.3.5, 15.4.5).
NO_BODY_STATUSES = frozenset({100, 101, 102, 103, 204, 304})

# Methods whose requests are expected to carry content: a client sends Content-Length: 0 for an
# empty one, so the server need not wonder (RFC 9110 8.6).
METHODS_WITH_CONTENT = frozenset({"POST", "PUT", "PATCH"})


def is_switch(request_method: str, status: int) -> bool:
    """Does this response switch protocols: a 101, or a 2xx to CONNECT (RFC 9110 15.2.2, 9.3.6)?"""
    return status == 101 or (request_method == "CONNECT" and 200 <= status < 300)


def response_framing(request_method: str, status: int, version: str,
                     content_length: Optional[int], chunked: bool) -> str:
    """How the body after this response head is delimited (RFC 9112 6.3, the sender's view).

    ``content_length`` is the body's length when known, ``chunked`` whether the caller asked
    for chunked coding; ``version`` is the HTTP version of the exchange ("1.1" or "1.0").
    A HEAD response sends no body, though its fields describe the one a GET would get.
    """
    if status in NO_BODY_STATUSES or request_method == "HEAD" or is_switch(request_method, status):
        return NO_BODY
    if content_length is not None and not chunked:
        return LENGTH
    return CHUNKED if version == "1.1" else UNTIL_CLOSE


def request_framing(method: str, content_length: Optional[int], chunked: bool) -> str:
    """How a request body is delimited: chunked when asked or when the length is unknown,
    else its length; no body for a method without content and an empty body."""
    if chunked:
        return CHUNKED
    if content_length is None:
        return CHUNKED                   # a stream of unknown size (RFC 9112 7)
    if content_length or method in METHODS_WITH_CONTENT:
        return LENGTH
    return NO_BODY


def given_request_framing(lengths: list[str], codings: list[str],
                          chunked: bool) -> Optional[str]:
    """How a request body is delimited when the caller wrote the framing fields itself.

    ``lengths`` and ``codings`` are the values of the caller's Content-Length and
    Transfer-Encoding fields (empty lists when absent), ``chunked`` whether it also asked for
    chunked coding.  None: it wrote neither, and ``request_framing`` decides from the body.
    A request the peer could not delimit is refused with ValueError (aiohttp's error for the
    first two of these), before a byte is sent:

    * ``chunked=True`` with a Content-Length, or with a Transfer-Encoding that already says
      chunked (the coding would be announced, or applied, twice);
    * Content-Length together with Transfer-Encoding: a sender MUST NOT send both (RFC 9112
      6.2); aiohttp sends them, and the server must then refuse or guess (6.3 rule 3);
    * a Transfer-Encoding whose final coding is not chunked, or with chunked twice (RFC 9112
      6.1): the server could not find the body's end.  Earlier codings ("gzip, chunked") are
      the caller's to apply to the bytes; the client applies the final chunked.

    >>> given_request_framing(["5"], [], False), given_request_framing([], ["gzip, chunked"], False)
    ('length', 'chunked')
    >>> given_request_framing(["5"], ["chunked"], False)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Content-Length and Transfer-Encoding cannot both be set: ...
    """
    if codings:
        if lengths:
            raise ValueError("Content-Length and Transfer-Encoding cannot both be set: a "
                             "request carries one or the other (RFC 9112 6.2)")
        names = [name.strip(" \t").lower() for value in codings for name in value.split(",")]
        if chunked and "chunked" in names:
            raise ValueError('chunked can not be set if "Transfer-Encoding: chunked" header '
                             "is set")
        if names[-1] != "chunked" or names.count("chunked") > 1:
            raise ValueError(f"Transfer-Encoding {', '.join(codings)!r}: chunked must be the "
                             "final coding, and appear once (RFC 9112 6.1)")
        return CHUNKED
    if lengths:
        if chunked:
            raise ValueError("chunked can not be set if Content-Length header is set")
        return LENGTH
    return None


def response_keeps_alive(request_keeps_alive: bool, framing: str, closing: bool) -> bool:
    """May the connection carry another request after this response (RFC 9112 9.3, 9.6)?

    Not if the request said no, nor if the server is closing (shutting down, or unsure where
    the next request starts), nor if the body can only end with the close.
    """
    return request_keeps_alive and not closing and framing != UNTIL_CLOSE


def connection_option(version: str, keep_alive: bool, status: int) -> Optional[str]:
    """The ``Connection`` value a response head needs so the client decides as we did.

    HTTP/1.1 persists by default, so only "close" is said; HTTP/1.0 closes by default, so a
    connection kept alive says "keep-alive" (RFC 9112 9.3, appendix C.2.2).  A 101 carries
    the handler's own ``Connection: upgrade``.
    """
    if status == 101:
        return None
    if version == "1.1":
        return None if keep_alive else "close"
    return "keep-alive" if keep_alive else None
