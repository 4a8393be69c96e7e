"""The events of an HTTP/1.1 conversation: what the parser hands up, what the writer takes.

A message on the wire (RFC 9112 section 2.1) is a start line, header fields, and an optional
body.  The parser turns bytes into this small vocabulary:

    Request / Response / InformationalResponse   the head (start line + header fields)
    Data                                         a piece of the body, in arrival order
    EndOfMessage                                 the body is complete (trailers, if chunked)
    ConnectionClosed                             the peer hung up (only connection.py uses it)

Reading a whole request is therefore ``Request, Data*, EndOfMessage``, and a notebook can print
each event as it comes.

Discussion: why NamedTuples and not frozen dataclasses?  Both are immutable and print well, but
the server builds one ``Request`` per request, and a NamedTuple is built about three times
faster than a frozen dataclass (a frozen dataclass's ``__init__`` goes through
``object.__setattr__`` for every field).  They also unpack: ``method, target, *_ = event``.

Headers are a tuple of ``(name, value)`` string pairs exactly as received, names in their
original case and order, repeated names kept: the web and client layers wrap them in a
case-insensitive multidict (``aioteach.multidict.CIMultiDict``) only when asked.

The framing facts the parser had to work out anyway (RFC 9112 sections 6 and 9.3) ride along
on the head events, so the layers above never re-derive them: ``keep_alive``, ``chunked``,
``content_length``, ``expect_continue`` and ``upgrade``.
"""
from __future__ import annotations

from typing import NamedTuple, Optional, Tuple, Union

__all__ = [
    "Event",
    "Headers", "Request", "Response", "InformationalResponse", "Data", "EndOfMessage",
    "END_OF_MESSAGE", "ConnectionClosed",
]

Headers = Tuple[Tuple[str, str], ...]


class Request(NamedTuple):
    """A request head: ``GET /hello?x=1 HTTP/1.1`` and its fields."""

    method: str                      # "GET", case kept (methods are case-sensitive, RFC 9110 9.1)
    target: str                      # the request-target as sent: "/path?query" or absolute-form
    headers: Headers = ()
    version: str = "1.1"             # "1.1" or "1.0"
    keep_alive: bool = True          # may the connection carry another request after this one?
    chunked: bool = False            # body framed by Transfer-Encoding: chunked
    content_length: Optional[int] = None  # body framed by Content-Length (None: no such field)
    expect_continue: Optional[bool] = False  # "Expect: 100-continue" (RFC 9110 10.1.1);
    # None: a 1.1 request expects something else, which the server refuses with 417
    upgrade: Optional[str] = None    # the Upgrade field when "Connection: upgrade" asks for it


class Response(NamedTuple):
    """A final response head: ``HTTP/1.1 200 OK`` and its fields (status 200-599)."""

    status: int
    reason: str = ""
    headers: Headers = ()
    version: str = "1.1"
    keep_alive: bool = True          # may the connection carry another request after this one?
    chunked: bool = False
    content_length: Optional[int] = None  # None: chunked, until-close, or no body at all


class InformationalResponse(NamedTuple):
    """An interim 1xx response (100 Continue, 101 Switching Protocols, 103 Early Hints)."""

    status: int
    reason: str = ""
    headers: Headers = ()
    version: str = "1.1"


class Data(NamedTuple):
    """Some body bytes.  Many Data events may make up one body; their split means nothing."""

    data: bytes


class EndOfMessage(NamedTuple):
    """The body is complete.  ``trailers`` holds fields sent after a chunked body."""

    trailers: Headers = ()


class ConnectionClosed(NamedTuple):
    """The peer closed its side (or we close ours): used by the Connection state machine."""


# The common case has no trailers: one shared instance saves an allocation per message.
END_OF_MESSAGE = EndOfMessage()

#: What a parser's feed() returns a list of.
Event = Union[Request, Response, InformationalResponse, Data, EndOfMessage]
