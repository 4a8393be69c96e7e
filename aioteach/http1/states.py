"""Whose turn it is: the state tables of one HTTP/1.1 connection, and the object that keeps them.

Each side of a connection (the client and the server) has a state, and every event a side
sends moves that side along TRANSITIONS.  An event the table has no entry for is a protocol
violation.  One request/response cycle (RFC 9112 sections 3-9)::

    client: IDLE --Request--> SEND_BODY --Data*--> --EndOfMessage--> DONE
    server: IDLE --(client's Request)--> SEND_RESPONSE --InformationalResponse*-->
            --Response--> SEND_BODY --Data*--> --EndOfMessage--> DONE

When both are DONE, ``start_next_cycle()`` puts them back to IDLE for the next request on the
same connection (keep-alive, RFC 9112 9.3).  If either message said the connection will not
persist, DONE becomes MUST_CLOSE instead, and after a 101 Switching Protocols (or a 2xx to
CONNECT, "Switch" below) both sides are in SWITCHED_PROTOCOL: what follows is not HTTP.

``ConnectionState`` holds the two states and applies the tables.  It is the one bookkeeper:
``http1.Connection`` (the h11-style object a notebook drives by hand) and the asyncio server
(``web/protocol.py``) move their connections through it, so the table lesson 08 prints is the
one every request the server answers goes through.  (The client, one request at a time per
connection, takes its framing and keep-alive decisions from ``rules.py`` instead.)  It knows
event *kinds* (the class names "Request", "Data", ...), not events: callers that already know
what they hold skip building an event object just to name it.

Performance notes.  A Python call costs about 1.5k instructions, and a plain GET would take
six of them here.  So the one fast path of this module, ``process_events(moves)``, applies a
whole sequence (``WHOLE_REQUEST``: Request then EndOfMessage; ``WHOLE_RESPONSE``) in one call:
it is a cache of ``process_event``, keyed by the states before and the sequence, filled by
running ``process_event`` itself on a scratch copy the first time (tests/web/
test_server_limits.py checks with hypothesis that both give the same states and errors).  With
``next_cycle()`` a whole cycle costs three calls; that saved about 6k instructions per request
(valgrind, in-process /hello).  Data events never change a state, so the server does not
look them up (its parser emits Data only inside a body).
"""
from __future__ import annotations

from typing import Optional

from .errors import LocalProtocolError, RemoteProtocolError

__all__ = [
    "ConnectionState", "TRANSITIONS", "CROSS_TRANSITIONS", "WHOLE_REQUEST", "WHOLE_RESPONSE",
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


# Sequences the server applies in one call (process_events): a request or response complete.
WHOLE_REQUEST = ((CLIENT, "Request"), (CLIENT, "EndOfMessage"))
WHOLE_RESPONSE = ((SERVER, "Response"), (SERVER, "EndOfMessage"))

# (id(moves), client state, server state, keep_alive) -> (client state, server state) after the
# moves.  Keyed by identity because hashing a tuple of tuples costs more than the lookup it
# saves.  Only the two module constants are cached: they live as long as the module, so their
# ids are never reused, whereas a caller's own tuple could die and a new one take its id (and
# its cached answer).  Refused moves are not cached: the general path raises, naming them.
_MOVES_CACHE: dict[tuple[int, str, str, bool], tuple[str, str]] = {}
_CACHED_MOVES = (WHOLE_REQUEST, WHOLE_RESPONSE)


class ConnectionState:
    """The two sides' states, moved only by the tables above.

    ``our_role`` (optional) says which refusals are ours: an event of ours the table refuses is
    a LocalProtocolError (a bug in the calling code), one of the peer's a RemoteProtocolError.

    >>> state = ConnectionState(SERVER)
    >>> state.process_event(CLIENT, "Request"); state.process_event(CLIENT, "EndOfMessage")
    >>> state.states
    {'client': 'DONE', 'server': 'SEND_RESPONSE'}
    >>> state.process_event(SERVER, "Response"); state.process_event(SERVER, "EndOfMessage")
    >>> state.start_next_cycle(); state.states
    {'client': 'IDLE', 'server': 'IDLE'}
    """

    __slots__ = ("states", "keep_alive", "our_role")

    def __init__(self, our_role: Optional[str] = None) -> None:
        self.states = {CLIENT: IDLE, SERVER: IDLE}
        self.keep_alive = True            # False once either side said "no reuse"
        self.our_role = our_role

    def process_event(self, role: str, kind: str) -> None:
        """Move ``role`` along TRANSITIONS for an event of ``kind``; refuse what is not there."""
        states = self.states
        new = TRANSITIONS.get((role, states[role], kind))
        if new is None:
            self._refuse(role, kind)
        cross = CROSS_TRANSITIONS.get((role, kind))
        if cross is not None and states[cross[0]] == cross[1]:
            states[cross[0]] = cross[2]
        if new == DONE and (not self.keep_alive or CLOSED in states.values()):
            new = MUST_CLOSE                  # this cycle is the connection's last
        states[role] = new                                    # type: ignore[assignment]
        if new == CLOSED:
            self._settle_after_close()

    def _settle_after_close(self) -> None:
        """Once one side has closed, the other cannot start anything new: DONE or IDLE
        becomes MUST_CLOSE."""
        states = self.states
        for role, other in ((CLIENT, SERVER), (SERVER, CLIENT)):
            if states[other] == CLOSED and states[role] in (IDLE, DONE):
                states[role] = MUST_CLOSE

    def process_events(self, moves: tuple[tuple[str, str], ...]) -> None:
        """``process_event(role, kind)`` for each move, in order, from a cache (see above)."""
        states = self.states
        key = (id(moves), states[CLIENT], states[SERVER], self.keep_alive)
        after = _MOVES_CACHE.get(key)
        if after is None:
            after = self._apply_on_scratch(moves)
            if any(moves is cached for cached in _CACHED_MOVES):
                _MOVES_CACHE[key] = after
        states[CLIENT], states[SERVER] = after

    def _apply_on_scratch(self, moves: tuple[tuple[str, str], ...]) -> tuple[str, str]:
        """The states after ``moves``, worked out by process_event on a copy of this state;
        if the table refuses one, the moves are made here instead, so that it raises."""
        scratch = ConnectionState(self.our_role)
        scratch.states = dict(self.states)
        scratch.keep_alive = self.keep_alive
        try:
            for role, kind in moves:
                scratch.process_event(role, kind)
        except (LocalProtocolError, RemoteProtocolError):
            for role, kind in moves:
                self.process_event(role, kind)
            raise                              # (not reached: the same move is refused)
        return scratch.states[CLIENT], scratch.states[SERVER]

    def next_cycle(self) -> bool:
        """``start_next_cycle()`` if both sides are DONE; say whether it happened."""
        states = self.states
        if states[CLIENT] == DONE and states[SERVER] == DONE:
            states[CLIENT] = states[SERVER] = IDLE
            return True
        return False

    def process_keep_alive_disabled(self) -> None:
        """A message said the connection will not persist (RFC 9112 9.3, 9.6)."""
        self.keep_alive = False
        states = self.states
        for role in (CLIENT, SERVER):
            if states[role] == DONE:
                states[role] = MUST_CLOSE

    def process_error(self, role: str) -> None:
        """``role`` broke the protocol: its side of the connection is over."""
        self.states[role] = ERROR

    @property
    def cycle_done(self) -> bool:
        """Are both messages complete with the connection persisting?"""
        states = self.states
        return states[CLIENT] == DONE and states[SERVER] == DONE

    def start_next_cycle(self) -> None:
        """Both messages are complete and the connection persists: back to IDLE."""
        states = self.states
        if states[CLIENT] != DONE or states[SERVER] != DONE:
            raise LocalProtocolError(
                f"cannot start a new cycle: client is {states[CLIENT]}, server is "
                f"{states[SERVER]} (both must be DONE)")
        states[CLIENT] = states[SERVER] = IDLE

    def _refuse(self, role: str, kind: str) -> None:
        state = self.states[role]
        self.states[role] = ERROR
        error = RemoteProtocolError if self.our_role not in (None, role) else LocalProtocolError
        raise error(f"the {role} cannot send {kind} in state {state} "
                    "(see aioteach.http1.states.TRANSITIONS)")
