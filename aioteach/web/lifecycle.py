"""The life of one server connection, as a table: reading, handling, closing, taken over.

The HTTP/1.1 tables (``aioteach.http1.states``) say whose turn it is within one request and
response; this one says what the asyncio side of the connection is doing between them::

    READING  --request-->    HANDLING  --answered-->  READING     (keep-alive: the next one)
    READING  --half_close--> DRAINING                             (the client shut its sending
    HANDLING --half_close--> DRAINING                              side: answer what came)
    DRAINING --request-->    DRAINING  --answered-->  DRAINING    (the rest of the queue)
    READING  --close-->      CLOSING                              (timeout, shutdown, bad
    HANDLING --close-->      CLOSING                               bytes, Connection: close)
    DRAINING --close-->      CLOSING
    CLOSING  --answered-->   CLOSING   (the response in progress goes out, then the close)
    HANDLING --take_over-->  TAKEN_OVER                           (101: a WebSocket owns it)
    DRAINING --take_over-->  TAKEN_OVER
    any      --lost-->       CLOSED

A half-closed client has sent all it will send, but the requests it sent before still get
their answers, in order and as usual (RFC 9112 9.6 lets a client half-close after its last
request); once none is left the server closes (``web/protocol.py``'s ``_all_answered``).

``web/protocol.py`` moves its state only through ``advance``; an event the table has no entry
for is a bug in the server, not the peer's fault (``advance`` raises RuntimeError naming it).
``closing`` is true in CLOSING, TAKEN_OVER and CLOSED: the response being sent is the last.
"""
from __future__ import annotations

__all__ = ["READING", "HANDLING", "DRAINING", "CLOSING", "TAKEN_OVER", "CLOSED", "LIFECYCLE",
           "CLOSING_STATES", "advance"]

READING = "READING"          # waiting for (or reading) the next request head
HANDLING = "HANDLING"        # a handler is answering a request
DRAINING = "DRAINING"        # the client half-closed: answer the requests read, then close
CLOSING = "CLOSING"          # no further requests: finish what is going out, then close
TAKEN_OVER = "TAKEN_OVER"    # after a 101, another protocol (a WebSocket) owns the bytes
CLOSED = "CLOSED"            # the transport is gone

LIFECYCLE: dict[tuple[str, str], str] = {
    (READING, "request"): HANDLING,
    (HANDLING, "answered"): READING,
    (READING, "half_close"): DRAINING,
    (HANDLING, "half_close"): DRAINING,
    (DRAINING, "request"): DRAINING,
    (DRAINING, "answered"): DRAINING,
    (READING, "close"): CLOSING,
    (HANDLING, "close"): CLOSING,
    (DRAINING, "close"): CLOSING,
    (CLOSING, "close"): CLOSING,
    (CLOSING, "answered"): CLOSING,
    (CLOSING, "half_close"): CLOSING,
    (HANDLING, "take_over"): TAKEN_OVER,
    (DRAINING, "take_over"): TAKEN_OVER,
    (TAKEN_OVER, "close"): TAKEN_OVER,
    (TAKEN_OVER, "answered"): TAKEN_OVER,
}
for _state in (READING, HANDLING, DRAINING, CLOSING, TAKEN_OVER, CLOSED):
    LIFECYCLE[(_state, "lost")] = CLOSED
LIFECYCLE[(CLOSED, "close")] = CLOSED
LIFECYCLE[(CLOSED, "answered")] = CLOSED
LIFECYCLE[(CLOSED, "half_close")] = CLOSED

CLOSING_STATES = frozenset({CLOSING, TAKEN_OVER, CLOSED})


def advance(state: str, event: str) -> str:
    """The state after ``event``; RuntimeError if the table has no such move."""
    new = LIFECYCLE.get((state, event))
    if new is None:
        raise RuntimeError(f"server connection: no move for {event!r} in state {state} "
                           "(see aioteach.web.lifecycle.LIFECYCLE)")
    return new
