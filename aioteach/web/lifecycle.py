"""The life of one server connection, as a table: reading, handling, closing, taken over.

The HTTP/1.1 tables (``aioteach.http1.states``) say whose turn it is within one request and
response; this one says what the asyncio side of the connection is doing between them::

    READING  --request-->   HANDLING  --answered-->  READING      (keep-alive: the next one)
    READING  --close-->     CLOSING                                (client half-closed, timeout,
    HANDLING --close-->     CLOSING                                 shutdown, bad bytes)
    CLOSING  --answered-->  CLOSING   (the response in progress goes out, then the close)
    HANDLING --take_over--> TAKEN_OVER                             (101: a WebSocket owns it)
    any      --lost-->      CLOSED

``web/protocol.py`` moves its state only through ``LIFECYCLE``; an event the table has no entry
for is a bug in the server, not the peer's fault (``advance`` raises RuntimeError naming it).
``closing`` is true in CLOSING, TAKEN_OVER and CLOSED: no further request is read.
"""
from __future__ import annotations

__all__ = ["READING", "HANDLING", "CLOSING", "TAKEN_OVER", "CLOSED", "LIFECYCLE", "CLOSING_STATES",
           "advance"]

READING = "READING"          # waiting for (or reading) the next request head
HANDLING = "HANDLING"        # a handler is answering a request
CLOSING = "CLOSING"          # no further requests: finish what is going out, then close
TAKEN_OVER = "TAKEN_OVER"    # after a 101, another protocol (a WebSocket) owns the bytes
CLOSED = "CLOSED"            # the transport is gone

LIFECYCLE: dict[tuple[str, str], str] = {
    (READING, "request"): HANDLING,
    (HANDLING, "answered"): READING,
    (READING, "close"): CLOSING,
    (HANDLING, "close"): CLOSING,
    (CLOSING, "close"): CLOSING,
    (CLOSING, "answered"): CLOSING,
    (HANDLING, "take_over"): TAKEN_OVER,
    (TAKEN_OVER, "close"): TAKEN_OVER,
    (TAKEN_OVER, "answered"): TAKEN_OVER,
}
for _state in (READING, HANDLING, CLOSING, TAKEN_OVER, CLOSED):
    LIFECYCLE[(_state, "lost")] = CLOSED
LIFECYCLE[(CLOSED, "close")] = CLOSED
LIFECYCLE[(CLOSED, "answered")] = CLOSED

CLOSING_STATES = frozenset({CLOSING, TAKEN_OVER, CLOSED})


def advance(state: str, event: str) -> str:
    """The state after ``event``; RuntimeError if the table has no such move."""
    new = LIFECYCLE.get((state, event))
    if new is None:
        raise RuntimeError(f"server connection: no move for {event!r} in state {state} "
                           "(see aioteach.web.lifecycle.LIFECYCLE)")
    return new
