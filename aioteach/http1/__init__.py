"""Sans-I/O HTTP/1.1 (RFC 9112): bytes in, events out; events in, bytes out.

Nothing here reads a socket, starts a task or looks at a clock: the same code serves the
asyncio server and client, the toy event loop, and a notebook cell feeding bytes by hand.
Read it in this order:

    events.py      the vocabulary: Request, Response, InformationalResponse, Data, EndOfMessage,
                   ConnectionClosed
    errors.py      RemoteProtocolError (the peer's fault, with a status) / LocalProtocolError
    abnf.py        the RFC grammar, as regexes with the ABNF above each
    status.py      status codes and reason phrases (RFC 9110 section 15)
    heads.py       start lines, field lines, framing facts
    bodies.py      Content-Length, chunked and until-close body readers
    parser.py      RequestParser, ResponseParser
    writer.py      serialize_response_head, serialize_request_head, encode_chunk ...
    states.py      whose turn it is: the state tables and ConnectionState
    rules.py       the sender's framing and keep-alive rules (RFC 9112 6 and 9.3)
    connection.py  an h11-style connection object: parser + writer + states
"""
from __future__ import annotations

from .connection import NEED_DATA, PAUSED, TRANSITIONS, Connection
from .errors import LocalProtocolError, ProtocolError, RemoteProtocolError
from .events import (
    END_OF_MESSAGE, ConnectionClosed, Data, EndOfMessage, Headers, InformationalResponse,
    Request, Response,
)
from .parser import Event, RequestParser, ResponseParser
from .states import ConnectionState
from .status import STATUS_REASONS, reason_phrase
from .writer import (
    LAST_CHUNK, encode_chunk, serialize_request_head, serialize_response_head,
    serialize_trailers, validate_field,
)

__all__ = [
    "ProtocolError", "RemoteProtocolError", "LocalProtocolError",
    "Headers", "Request", "Response", "InformationalResponse", "Data", "EndOfMessage",
    "END_OF_MESSAGE", "ConnectionClosed",
    "Event", "RequestParser", "ResponseParser",
    "serialize_response_head", "serialize_request_head", "validate_field", "encode_chunk",
    "LAST_CHUNK", "serialize_trailers", "STATUS_REASONS", "reason_phrase",
    "Connection", "TRANSITIONS", "NEED_DATA", "PAUSED", "ConnectionState",
]
