"""One HTTP/1.1 connection, h11-style: a parser, a writer and the state tables, in one object.

The parser knows how to read one message and the writer how to write one; neither knows
whose turn it is.  The tables in ``states.py`` do (TRANSITIONS, printed by lesson 08 as "the
connection state table"): every event either side sends moves that side's state, and an event
the table has no entry for is a protocol violation, a LocalProtocolError when we tried to send
it, a RemoteProtocolError when the peer did.  How a body we send is framed and whether the
connection persists come from ``rules.py``.

Use: ``receive_data(bytes)`` (b"" means the peer closed), then ``next_event()`` until it
returns NEED_DATA (feed more) or PAUSED (the cycle is over: answer, or start the next
cycle); ``send(event) -> bytes`` to write.  This is the model h11 made popular, for driving a
connection by hand (a notebook cell, a test).  The asyncio server does not build one of these
per connection: it keeps the same ``ConnectionState`` next to its own parser and writer, so
every request it serves moves through the same tables.  The client sends one request at a time
on a connection and takes its framing and keep-alive decisions from the same ``rules.py``; it
keeps no state table of its own.  Differences from them: an event that asks for neither Content-Length nor chunked is
sent close-delimited, because here the event's flags are the caller's choice.
"""
from __future__ import annotations

from collections import deque
from typing import Any

from .errors import LocalProtocolError, RemoteProtocolError
from .events import END_OF_MESSAGE, ConnectionClosed, EndOfMessage, Request, Response
from .heads import connection_tokens
from .parser import RequestParser, ResponseParser
from .rules import CHUNKED, LENGTH, NO_BODY, UNTIL_CLOSE, is_switch, response_framing
from .states import (
    CLIENT, CLOSED, CROSS_TRANSITIONS, DONE, ERROR, IDLE, MUST_CLOSE, SEND_BODY, SEND_RESPONSE,
    SERVER, SWITCHED_PROTOCOL, TRANSITIONS, ConnectionState,
)
from .writer import (
    LAST_CHUNK, encode_chunk, serialize_request_head, serialize_response_head,
    serialize_trailers,
)

__all__ = [
    "Connection", "TRANSITIONS", "CROSS_TRANSITIONS", "NEED_DATA", "PAUSED",
    "CLIENT", "SERVER", "IDLE", "SEND_RESPONSE", "SEND_BODY", "DONE", "MUST_CLOSE", "CLOSED",
    "SWITCHED_PROTOCOL", "ERROR", "asks_to_upgrade",
]


def asks_to_upgrade(request: Request) -> bool:
    """Does this request ask to switch protocols?  The parser sets ``upgrade``; a request we
    build ourselves may only carry the fields (RFC 9110 7.8: Upgrade plus Connection: upgrade).
    """
    if request.upgrade is not None:
        return True
    connection = [value for name, value in request.headers if name.lower() == "connection"]
    return ("upgrade" in connection_tokens(connection)
            and any(name.lower() == "upgrade" for name, _ in request.headers))


class Sentinel:
    """A named marker that prints as its name in a notebook."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


NEED_DATA = Sentinel("NEED_DATA")   # next_event(): feed more bytes with receive_data()
PAUSED = Sentinel("PAUSED")         # next_event(): this cycle is over for the peer


class Connection:
    """The state of one HTTP/1.1 connection, seen from ``our_role`` ("client" or "server").

    >>> from aioteach.http1 import END_OF_MESSAGE, Data, Response
    >>> server = Connection("server")
    >>> server.receive_data(b"GET / HTTP/1.1\\r\\nHost: example.org\\r\\n\\r\\n")
    >>> server.next_event().target, server.next_event(), server.next_event()
    ('/', EndOfMessage(trailers=()), PAUSED)
    >>> server.states
    {'client': 'DONE', 'server': 'SEND_RESPONSE'}
    >>> server.send(Response(200, content_length=2)) + server.send(Data(b"hi"))
    b'HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nhi'
    >>> server.send(END_OF_MESSAGE), server.states
    (b'', {'client': 'DONE', 'server': 'DONE'})
    >>> server.start_next_cycle(); server.states
    {'client': 'IDLE', 'server': 'IDLE'}
    """

    def __init__(self, our_role: str) -> None:
        if our_role not in (CLIENT, SERVER):
            raise LocalProtocolError(f"our_role must be 'client' or 'server', not {our_role!r}")
        self.our_role = our_role
        self.their_role = SERVER if our_role == CLIENT else CLIENT
        self._state = ConnectionState(our_role)      # the tables' bookkeeper (states.py)
        self._parser: Any = RequestParser() if our_role == SERVER else ResponseParser()
        self._events: deque[Any] = deque()       # parsed but not yet handed out
        self._eof = False
        self._method = "GET"                # the request method of this cycle
        self._switch_asked = False          # did this cycle's request ask to switch?
        self._body: Any = None              # how our outgoing body is framed (rules.py)
        self._left = 0                      # bytes still due under a Content-Length

    # -- state -----------------------------------------------------------------------------

    @property
    def states(self) -> dict[str, str]:
        """``{"client": state, "server": state}``, as the tables in states.py moved them."""
        return self._state.states

    @property
    def our_state(self) -> str:
        return self._state.states[self.our_role]

    @property
    def their_state(self) -> str:
        return self._state.states[self.their_role]

    def _move(self, role: str, event: Any) -> None:
        """Apply one event to the tables (which raise if it is out of turn)."""
        self._state.process_event(role, self._kind(role, event))
        if isinstance(event, Request):
            self._method = event.method
            self._switch_asked = event.method == "CONNECT" or asks_to_upgrade(event)
        if isinstance(event, (Request, Response)) and not event.keep_alive:
            self._state.process_keep_alive_disabled()

    def _kind(self, role: str, event: Any) -> str:
        kind = type(event).__name__
        if role == SERVER and kind in ("InformationalResponse", "Response") and \
                is_switch(self._method, event.status):
            if not self._switch_asked:
                return "Switch without a request to switch"      # in no table: refused
            return "Switch"
        return kind

    def start_next_cycle(self) -> None:
        """Both messages are complete and the connection persists: back to IDLE."""
        self._state.start_next_cycle()
        self._method, self._switch_asked = "GET", False

    # -- receiving -------------------------------------------------------------------------

    def receive_data(self, data: bytes) -> None:
        """Bytes from the peer; b"" means the peer closed its side."""
        parser = self._parser
        try:
            if data:
                self._events.extend(parser.feed(data))
            elif not self._eof:
                self._eof = True
                self._events.extend(parser.feed_eof())
        except RemoteProtocolError:
            self._state.process_error(self.their_role)
            raise

    def next_event(self) -> Any:
        """The peer's next event, or NEED_DATA, or PAUSED (their message is complete)."""
        state = self.their_state
        if state == ERROR:
            raise RemoteProtocolError("the peer already broke the protocol")
        if self._events:
            event = self._events[0]
            if state in (DONE, MUST_CLOSE, SWITCHED_PROTOCOL):
                return PAUSED                          # belongs to the next cycle
            self._events.popleft()
            self._move(self.their_role, event)
            if (self.their_state == SWITCHED_PROTOCOL and self._events
                    and self._events[0] == END_OF_MESSAGE):
                self._events.popleft()                 # a tunnel's 2xx has no body to end
            return event
        if state in (DONE, MUST_CLOSE, SWITCHED_PROTOCOL) and not self._eof:
            return PAUSED
        if self._eof:
            event = ConnectionClosed()
            if state != CLOSED:
                self._move(self.their_role, event)
            return event
        return NEED_DATA

    def take_trailing(self) -> bytes:
        """After SWITCHED_PROTOCOL: the bytes the peer sent after the switch."""
        trailing: bytes = self._parser.take_trailing()
        return trailing

    # -- sending ---------------------------------------------------------------------------

    def send(self, event: Any) -> bytes:
        """Check ``event`` against the tables and return its bytes for the wire."""
        if self.our_state == ERROR:
            raise LocalProtocolError("this connection already failed on our side")
        try:
            kind = self._kind(self.our_role, event)    # refuse before changing anything
            if (self.our_role, self.our_state, kind) not in TRANSITIONS:
                self._state.process_event(self.our_role, kind)     # raises, naming the rule
            data = self._serialize(event)
            self._move(self.our_role, event)
        except LocalProtocolError:
            self._state.process_error(self.our_role)
            raise
        if (self.our_role == SERVER and self._parser.paused
                and self.our_state not in (SWITCHED_PROTOCOL, ERROR)
                and isinstance(event, Response)):
            self._events.extend(self._parser.resume())   # switch refused: HTTP goes on
        return data

    def _serialize(self, event: Any) -> bytes:
        kind = type(event).__name__
        if kind == "Request" or kind == "Response":
            return self._send_head(event)
        if kind == "InformationalResponse":
            return serialize_response_head(event.status, event.headers, event.reason or None,
                                           event.version)
        if kind == "Data":
            return self._send_data(event.data)
        if kind == "EndOfMessage":
            return self._send_end(event)
        if kind == "ConnectionClosed":
            return b""
        raise LocalProtocolError(f"{event!r} is not an HTTP/1.1 event")

    def _send_head(self, event: Any) -> bytes:
        """Write a head, adding the framing fields the rules (rules.py) choose."""
        headers = list(event.headers)
        names = {name.lower() for name, _ in headers}
        if isinstance(event, Request):
            body = CHUNKED if event.chunked else LENGTH if event.content_length is not None \
                else NO_BODY
        else:
            body = response_framing(self._method, event.status, event.version,
                                    event.content_length, event.chunked)
            if body == CHUNKED and not event.chunked:
                body = UNTIL_CLOSE       # the event asked for neither: close-delimited
        if event.chunked and "transfer-encoding" not in names:
            headers.append(("Transfer-Encoding", "chunked"))
        elif event.content_length is not None and "content-length" not in names:
            headers.append(("Content-Length", str(event.content_length)))
        self._body, self._left = body, event.content_length or 0
        keep_alive = event.keep_alive and self._state.keep_alive and body != UNTIL_CLOSE
        if not keep_alive and "connection" not in names:
            headers.append(("Connection", "close"))
        if not keep_alive:
            self._state.process_keep_alive_disabled()
        if isinstance(event, Request):
            self._parser.expect(event.method)
            return serialize_request_head(event.method, event.target, headers, event.version)
        return serialize_response_head(event.status, headers, event.reason or None,
                                       event.version)

    def _send_data(self, data: bytes) -> bytes:
        if self._body == CHUNKED:
            return encode_chunk(data)
        if self._body == LENGTH:
            if len(data) > self._left:
                raise LocalProtocolError(
                    f"{len(data)} body bytes, but only {self._left} left of the Content-Length")
            self._left -= len(data)
            return data
        if self._body == UNTIL_CLOSE or not data:
            return data
        raise LocalProtocolError("this message has no body (HEAD response, 204, 304, or a "
                                 "request without Content-Length or chunked)")

    def _send_end(self, event: EndOfMessage) -> bytes:
        if self._body == CHUNKED:
            return serialize_trailers(event.trailers) if event.trailers else LAST_CHUNK
        if event.trailers:
            raise LocalProtocolError("trailers need a chunked body (RFC 9112 7.1.2)")
        if self._body == LENGTH and self._left:
            raise LocalProtocolError(f"the body ended {self._left} bytes short of its "
                                     "Content-Length")
        return b""
