"""How long a server connection may take: the slow-client defence and the idle limit.

A client that opens a connection and then sends its request a byte at a time ("slowloris")
holds a connection and its memory for as long as the server lets it.  So, in the spirit of
Apache's mod_reqtimeout (``header=20-40,MinRate=500 body=20,MinRate=500``):

* the request head must be complete within ``head_timeout`` (20 s), extended by one second
  for every ``min_rate`` bytes (500) that arrive, up to ``head_timeout_max`` (40 s): a slow
  but honest link gets there, a trickle does not; the answer is 408 and a close;
* a request body gets ``body_timeout`` (20 s) from the end of its head, extended the same way
  up to ``body_timeout_max`` (None: no cap, as mod_reqtimeout's default); a body that stalls
  (``Content-Length: 100`` and then 10 bytes) makes the handler's read fail with a 408, and
  the connection closes after it.  Time the server itself holds the client back (reading paused
  because the handler is slower than the upload) does not count;
* an idle keep-alive connection closes after ``keepalive_timeout`` (75 s, as in aiohttp).

``Timeouts`` holds the settings (``Server``/``AppRunner``/``run_app`` keywords of the same
names); ``deadline`` is the rule as a pure function, so a test can check it without a clock.
One timer per connection re-arms itself to the next deadline (``web/protocol.py``): a
deadline that moved because bytes arrived costs nothing until the timer fires.
"""
from __future__ import annotations

from typing import Any, NamedTuple, Optional

from ..http1 import RemoteProtocolError
from .lifecycle import TAKEN_OVER
from .request import RequestPayloadError

__all__ = ["Timeouts", "deadline", "TimedPhases", "IDLE", "HEAD", "BODY", "BUSY"]


class Timeouts(NamedTuple):
    """The time limits of a server connection, in seconds (``min_rate`` in bytes/s)."""

    keepalive_timeout: float = 75.0
    head_timeout: float = 20.0
    head_timeout_max: float = 40.0
    body_timeout: float = 20.0
    body_timeout_max: Optional[float] = None
    min_rate: float = 500.0


def deadline(started: float, received: int, timeout: float, timeout_max: Optional[float],
             min_rate: float) -> float:
    """When a phase that began at ``started`` and has received ``received`` bytes must end.

    >>> deadline(0.0, 0, 20.0, 40.0, 500.0), deadline(0.0, 5000, 20.0, 40.0, 500.0)
    (20.0, 30.0)
    >>> deadline(0.0, 10 ** 6, 20.0, 40.0, 500.0)
    40.0
    """
    due = started + timeout + (received / min_rate if min_rate > 0 else 0.0)
    if timeout_max is not None:
        due = min(due, started + timeout_max)
    return due


IDLE, HEAD, BODY, BUSY = "idle", "head", "body", "busy"   # what the one timer watches


class TimedPhases:
    """The one timer of a server connection, mixed into ``web.protocol.HttpProtocol``.

    The protocol says which phase it is in with ``_start_phase`` (IDLE between requests, HEAD
    while a head arrives, BODY while a request body does, BUSY while only the handler works,
    which has no limit), and counts received bytes in ``_received``.  The timer fires at the
    earliest deadline the phase could have, recomputes the real one with ``deadline()``, and
    either acts or re-arms.  It uses the protocol's ``transport``, ``_loop``, ``_parser``,
    ``_body``, ``_error``, ``_current``, ``_reading_paused``, ``_life``, ``_abandon()``,
    ``_send_error()``, ``_pause_reading()`` and ``_run_queue()``.
    """

    _timeouts: Timeouts
    _idle_delay: float               # min(keepalive_timeout, head_timeout), worked out once
    _timer: Any = None
    _timer_due = 0.0                 # when _timer fires (its when(), without the method call)
    _phase = IDLE
    _phase_since = 0.0
    _received = 0
    _loop: Any
    transport: Any
    _parser: Any
    _body: Any
    _error: Any
    _current: Any
    _reading_paused: bool
    _life: str

    def _abandon(self) -> None: ...
    def _send_error(self, exc: RemoteProtocolError) -> None: ...
    def _pause_reading(self) -> None: ...
    def _run_queue(self) -> None: ...

    def _start_phase(self, phase: str) -> None:
        """The timer now watches ``phase``: make sure it fires by that phase's first deadline.

        An IDLE timer fires within ``head_timeout`` too, because a head may begin at any
        moment of an idle period (the protocol does not look for one after every request).
        """
        now = self._phase_since = self._loop.time()
        self._phase, self._received = phase, 0
        if phase is IDLE:                                   # (after every response)
            due = now + self._idle_delay
        elif phase is HEAD:
            due = now + self._timeouts.head_timeout
        elif phase is BODY:
            due = now + self._timeouts.body_timeout
        else:
            return
        timer = self._timer
        if timer is None or self._timer_due > due:          # an earlier timer re-checks itself
            if timer is not None:
                timer.cancel()
            self._timer_due = due
            self._timer = self._loop.call_at(due, self._on_timer)

    def _on_timer(self) -> None:
        """One timer per connection, re-armed lazily: cheaper than one per request."""
        self._timer = None
        limits = self._timeouts
        if self.transport is None or self._life is TAKEN_OVER or self._phase is BUSY:
            return                          # re-armed when a timed phase starts again
        if self._phase is IDLE and self._parser.mid_message:
            self._phase = HEAD              # a head began while we were idle (counted from then)
        phase, now = self._phase, self._loop.time()
        if phase is IDLE:
            due = self._phase_since + limits.keepalive_timeout
            recheck = min(due, now + limits.head_timeout)
        else:
            timeout, most = ((limits.head_timeout, limits.head_timeout_max) if phase is HEAD
                             else (limits.body_timeout, limits.body_timeout_max))
            due = recheck = deadline(self._phase_since, self._received, timeout, most,
                                     limits.min_rate)
        if phase is BODY and self._reading_paused:
            self._phase_since, self._received = now, 0     # we hold it back: not its fault
            due = recheck = now + limits.body_timeout
        if now < due:
            self._timer_due = recheck
            self._timer = self._loop.call_at(recheck, self._on_timer)
        elif phase is IDLE:
            self._abandon()
        elif phase is HEAD:
            if self._parser.mid_message:      # a client that never sent a byte: no answer
                self._send_error(RemoteProtocolError("the request head took too long", 408))
            self._abandon()
        else:
            self._body_stalled()

    def _body_stalled(self) -> None:
        """A request body stopped arriving: its reader fails with 408, and we stop reading."""
        exc = RemoteProtocolError("the request body stopped arriving (timeout)", 408)
        if self._body is not None:
            self._body.set_exception(RequestPayloadError.from_parser(exc))
            self._body = None
        self._error = exc
        self._pause_reading()
        self._start_phase(BUSY)
        if self._current is None:
            self._run_queue()
