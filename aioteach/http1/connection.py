"""One HTTP/1.1 connection as a state machine: the rules of the conversation, as tables.

The parser knows how to read one message and the writer how to write one; neither knows
whose turn it is.  ``Connection`` does: it tracks a state for each side (the client and the
server), and every event either side sends moves that side's state along TRANSITIONS.
An event the table has no entry for is a protocol violation: a LocalProtocolError when we
tried to send it, a RemoteProtocolError when the peer did.

One request/response cycle (RFC 9112 sections 3-9)::

    client: IDLE --Request--> SEND_BODY --Data*--> --EndOfMessage--> DONE
    server: IDLE --(client's Request)--> SEND_RESPONSE --InformationalResponse*-->
            --Response--> SEND_BODY --Data*--> --EndOfMessage--> DONE

When both are DONE, ``start_next_cycle()`` puts them back to IDLE for the next request on
the same connection (keep-alive, RFC 9112 9.3).  If either message said the connection will
not persist, DONE becomes MUST_CLOSE instead, and after a 101 Switching Protocols (or a 2xx to
CONNECT) both sides are in SWITCHED_PROTOCOL: the bytes that follow are not HTTP any more.

Use: ``receive_data(bytes)`` (b"" means the peer closed), then ``next_event()`` until it
returns NEED_DATA (feed more) or PAUSED (the cycle is over: answer, or start the next
cycle); ``send(event) -> bytes`` to write.  This is the model h11 made popular; the asyncio
server and client skip it and drive the parsers and writer directly, to save the bookkeeping
per request.  Lesson 07 prints TRANSITIONS as "the connection state table".
"""
from __future__ import annotations

from collections import deque
from typing import Any

from .errors import LocalProtocolError, RemoteProtocolError
from .events import END_OF_MESSAGE, ConnectionClosed, EndOfMessage, Request, Response
from .heads import connection_tokens
from .parser import RequestParser, ResponseParser
from .writer import (
    LAST_CHUNK, encode_chunk, serialize_request_head, serialize_response_head,
    serialize_trailers,
)

__all__ = [
    "Connection", "TRANSITIONS", "CROSS_TRANSITIONS", "NEED_DATA", "PAUSED",
    "CLIENT", "SERVER", "IDLE", "SEND_RESPONSE", "SEND_BODY", "DONE", "MUST_CLOSE", "CLOSED",
    "SWITCHED_PROTOCOL", "ERROR",
]

CLIENT, SERVER = "client", "server"

IDLE = "IDLE"                      # between cycles: nothing sent yet
SEND_RESPONSE = "SEND_RESPONSE"    # server only: a request arrived, the answer is due
SEND_BODY = "SEND_BODY"            # the head is out, the body is going
DONE = "DONE"                      # this side's message of the cycle is complete
MUST_CLOSE = "MUST_CLOSE"          # DONE, and the connection will not be reused
CLOSED = "CLOSED"                  # this side closed the connection
SWITCHED_PROTOCOL = "SWITCHED_PROTOCOL"   # after 101 / CONNECT 2xx: no more HTTP/1.1
ERROR = "ERROR"                    # this side broke the protocol; the connection is done

# (role, its state, the event it sends) -> its new state.  "Switch" stands for the server
# accepting a protocol switch: a 101, or a 2xx answering CONNECT (RFC 9110 15.2.2, 9.3.6).
TRANSITIONS: dict[tuple[str, str, str], str] = {
    (CLIENT, IDLE, "Request"): SEND_BODY,
    (CLIENT, SEND_BODY, "Data"): SEND_BODY,
    (CLIENT, SEND_BODY, "EndOfMessage"): DONE,
    (SERVER, SEND_RESPONSE, "InformationalResponse"): SEND_RESPONSE,
    (SERVER, SEND_RESPONSE, "Response"): SEND_BODY,
    (SERVER, SEND_RESPONSE, "Switch"): SWITCHED_PROTOCOL,
    (SERVER, SEND_BODY, "Data"): SEND_BODY,
    (SERVER, SEND_BODY, "EndOfMessage"): DONE,
}
# Either side may close whenever it is not in the middle of a message.
for _role in (CLIENT, SERVER):
    for _state in (IDLE, DONE, MUST_CLOSE, CLOSED, SWITCHED_PROTOCOL):
        TRANSITIONS[(_role, _state, "ConnectionClosed")] = CLOSED

# (role, event it sends) -> (the other role, from state, to state): one side's event that
# moves the other side.  A request makes a response due; an accepted switch switches both.
CROSS_TRANSITIONS: dict[tuple[str, str], tuple[str, str, str]] = {
    (CLIENT, "Request"): (SERVER, IDLE, SEND_RESPONSE),
    (SERVER, "Switch"): (CLIENT, DONE, SWITCHED_PROTOCOL),
}


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
        self.states = {CLIENT: IDLE, SERVER: IDLE}
        self._parser: Any = RequestParser() if our_role == SERVER else ResponseParser()
        self._events: deque = deque()       # parsed but not yet handed out
        self._eof = False
        self._keep_alive = True             # False once either head says "no reuse"
        self._method = "GET"                # the request method of this cycle
        self._switch_asked = False          # did this cycle's request ask to switch?
        self._body: Any = None              # how our outgoing body is framed (see _send_head)
        self._left = 0                      # bytes still due under a Content-Length

    # -- state -----------------------------------------------------------------------------

    @property
    def our_state(self) -> str:
        return self.states[self.our_role]

    @property
    def their_state(self) -> str:
        return self.states[self.their_role]

    def _check(self, role: str, event: Any) -> str:
        """The kind of ``event`` if the tables allow ``role`` to send it now; else raise."""
        kind = self._kind(role, event)
        key = (role, self.states[role], kind)
        if key not in TRANSITIONS:
            error = LocalProtocolError if role == self.our_role else RemoteProtocolError
            self.states[role] = ERROR
            raise error(f"the {role} cannot send {kind} in state {key[1]} "
                        "(see aioteach.http1.connection.TRANSITIONS)")
        return kind

    def _move(self, role: str, event: Any) -> None:
        """Apply one event to the tables."""
        kind = self._check(role, event)
        self.states[role] = TRANSITIONS[(role, self.states[role], kind)]
        cross = CROSS_TRANSITIONS.get((role, kind))
        if cross is not None:
            other, from_state, to_state = cross
            if self.states[other] == from_state:
                self.states[other] = to_state
        if isinstance(event, Request):
            self._method = event.method
            self._switch_asked = event.method == "CONNECT" or asks_to_upgrade(event)
        if isinstance(event, (Request, Response)) and not event.keep_alive:
            self._keep_alive = False
        self._settle()

    def _kind(self, role: str, event: Any) -> str:
        kind = type(event).__name__
        if role == SERVER and (
                (kind == "InformationalResponse" and event.status == 101)
                or (kind == "Response" and self._method == "CONNECT" and event.status < 300)):
            if not self._switch_asked:
                return "Switch without a request to switch"      # in no table: refused
            return "Switch"
        return kind

    def _settle(self) -> None:
        """State-driven moves: DONE becomes MUST_CLOSE when the connection cannot persist."""
        for role in (CLIENT, SERVER):
            if self.states[role] == DONE and not self._keep_alive:
                self.states[role] = MUST_CLOSE
            other = SERVER if role == CLIENT else CLIENT
            if self.states[other] == CLOSED and self.states[role] in (IDLE, DONE):
                self.states[role] = MUST_CLOSE

    def start_next_cycle(self) -> None:
        """Both messages are complete and the connection persists: back to IDLE."""
        if self.states != {CLIENT: DONE, SERVER: DONE}:
            raise LocalProtocolError(
                f"cannot start a new cycle: client is {self.states[CLIENT]}, server is "
                f"{self.states[SERVER]} (both must be DONE)")
        self.states = {CLIENT: IDLE, SERVER: IDLE}
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
            self.states[self.their_role] = ERROR
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
        return self._parser.take_trailing()

    # -- sending ---------------------------------------------------------------------------

    def send(self, event: Any) -> bytes:
        """Check ``event`` against the tables and return its bytes for the wire."""
        if self.our_state == ERROR:
            raise LocalProtocolError("this connection already failed on our side")
        try:
            self._check(self.our_role, event)          # refuse before changing anything
            data = self._serialize(event)
            self._move(self.our_role, event)
        except LocalProtocolError:
            self.states[self.our_role] = ERROR
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
        """Write a head, adding the framing fields the event's flags ask for."""
        headers = list(event.headers)
        names = {name.lower() for name, _ in headers}
        if event.chunked and "transfer-encoding" not in names:
            headers.append(("Transfer-Encoding", "chunked"))
        elif event.content_length is not None and "content-length" not in names:
            headers.append(("Content-Length", str(event.content_length)))
        # RFC 9112 6.3, as the sender sees it: which body, if any, follows this head?
        if isinstance(event, Response) and (
                self._method == "HEAD" or event.status in (204, 304)
                or self._kind(SERVER, event) == "Switch"):
            self._body = None                          # fields describe, no body follows
        elif event.chunked:
            self._body = "chunked"
        elif event.content_length is not None:
            self._body, self._left = "length", event.content_length
        elif isinstance(event, Request):
            self._body = None
        else:
            self._body = "until-close"                 # rule 8: closing ends the body
            event = event._replace(keep_alive=False)
        if isinstance(event, Request):
            self._parser.expect(event.method)
            if not event.keep_alive and "connection" not in names:
                headers.append(("Connection", "close"))
            data = serialize_request_head(event.method, event.target, headers, event.version)
        else:
            if (not event.keep_alive or not self._keep_alive) and "connection" not in names:
                headers.append(("Connection", "close"))
            data = serialize_response_head(event.status, headers, event.reason or None,
                                           event.version)
        if not event.keep_alive:
            self._keep_alive = False
        return data

    def _send_data(self, data: bytes) -> bytes:
        if self._body == "chunked":
            return encode_chunk(data)
        if self._body == "length":
            if len(data) > self._left:
                raise LocalProtocolError(
                    f"{len(data)} body bytes, but only {self._left} left of the Content-Length")
            self._left -= len(data)
            return data
        if self._body == "until-close" or not data:
            return data
        raise LocalProtocolError("this message has no body (HEAD response, 204, 304, or a "
                                 "request without Content-Length or chunked)")

    def _send_end(self, event: EndOfMessage) -> bytes:
        if self._body == "chunked":
            return serialize_trailers(event.trailers) if event.trailers else LAST_CHUNK
        if event.trailers:
            raise LocalProtocolError("trailers need a chunked body (RFC 9112 7.1.2)")
        if self._body == "length" and self._left:
            raise LocalProtocolError(f"the body ended {self._left} bytes short of its "
                                     "Content-Length")
        return b""
