"""How long the client waits, and how a wait is cut short.

Theory of operation.  ``ClientTimeout`` holds four limits, with aiohttp's names and meaning:

    total         the whole request: connecting, sending, the head, *and* reading the body
    connect       getting a connection: waiting for a free one in the pool plus connecting
    sock_connect  the TCP (and TLS) connect alone
    sock_read     the longest silence between two pieces of the response

``None`` means "no limit".  The session's default is ``total=300, sock_connect=30`` like
aiohttp's: five minutes for anything, and a dead host is reported after half a minute.

``Deadline`` enforces ``total`` (and ``connect``).  asyncio.timeout() would do it but only
exists from Python 3.11, so here is the idea in a dozen lines: when the deadline passes, the
loop calls ``task.cancel()`` on the waiting task; the ``CancelledError`` that comes out of the
``await`` is then turned into ``asyncio.TimeoutError`` on the way out of ``with deadline:``.
A cancellation that did *not* come from our timer (the caller cancelled us) passes through
untouched.  ``sock_read`` is enforced by the connection itself (see connection.py), since only
it knows when bytes last arrived.

``Alarm`` lets a session's deadlines share one loop timer.  Every request has a ``total``
deadline (300 s by default) that is almost never reached; arming and cancelling a timer per
request would cost a heap push, a cancel and the loop's sweeps of cancelled timers.  The alarm
instead rings at the earliest deadline it has been told about, fires the deadlines that are due,
and re-arms for the earliest one still entered: with requests of 300 s each, one timer serves
every request that starts within those 300 s.  A deadline earlier than the alarm's (a
``total=0.1``) re-arms it at once, so no deadline fires late.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Dict, Optional, Type

__all__ = ["ClientTimeout", "DEFAULT_TIMEOUT", "Deadline", "Alarm"]


@dataclass(frozen=True)
class ClientTimeout:
    """Time limits in seconds (``None``: no limit).  Immutable: use ``dataclasses.replace``."""

    total: Optional[float] = None
    connect: Optional[float] = None
    sock_read: Optional[float] = None
    sock_connect: Optional[float] = None
    ceil_threshold: float = 5          # accepted for aiohttp compatibility; not used


#: Five minutes for a whole request and 30 s for a TCP connect, as in aiohttp.
DEFAULT_TIMEOUT = ClientTimeout(total=300, sock_connect=30)


class Alarm:
    """One loop timer for many deadlines on ``loop`` (see the module docstring)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._entered: Dict["Deadline", None] = {}   # an ordered set: entered, not yet left
        self._handle: Optional[asyncio.TimerHandle] = None
        self._at = float("inf")                      # when the timer rings

    def add(self, deadline: "Deadline") -> None:
        self._entered[deadline] = None
        if deadline.when < self._at:                 # type: ignore[operator]
            self._arm(deadline.when)                 # type: ignore[arg-type]

    def remove(self, deadline: "Deadline") -> None:
        self._entered.pop(deadline, None)            # the timer stays: it re-arms when it rings

    def _arm(self, when: float) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._at = when
        self._handle = self.loop.call_at(when, self._ring)

    def _ring(self) -> None:
        self._handle, self._at = None, float("inf")
        now = self.loop.time()
        for deadline in [d for d in self._entered if d.when <= now]:  # type: ignore[operator]
            del self._entered[deadline]
            deadline._fire()
        if self._entered:
            # every entered deadline has a ``when``; mypy sees Optional[float]
            self._arm(min(d.when for d in self._entered))  # type: ignore[type-var,arg-type]

    def close(self) -> None:
        """Cancel the timer, unless a deadline still needs it."""
        if self._handle is not None and not self._entered:
            self._handle.cancel()
            self._handle, self._at = None, float("inf")


class Deadline:
    """A point in time after which the task using ``with deadline:`` is interrupted.

    One ``Deadline`` may be entered many times (connect, then each body read): each entry arms
    the timer for the task that is running, each exit disarms it.  Entering after the moment
    has passed raises its error (``asyncio.TimeoutError`` unless told otherwise) at once.
    With an ``alarm``, the timer is the alarm's, shared with other deadlines.
    """

    __slots__ = ("when", "delay", "_loop", "_handle", "_task", "_fired", "_error", "_hint",
                 "_alarm")

    def __init__(self, loop: asyncio.AbstractEventLoop, delay: Optional[float],
                 error: Type[BaseException] = asyncio.TimeoutError, hint: str = "",
                 alarm: Optional[Alarm] = None) -> None:
        self._loop = loop
        self._alarm = alarm
        self.delay = delay
        self.when = None if delay is None else loop.time() + delay
        self._handle: Optional[asyncio.TimerHandle] = None
        self._task: Optional[asyncio.Task] = None
        self._fired = False
        self._error = error
        self._hint = hint                      # formatted only if it is ever raised

    def remaining(self) -> Optional[float]:
        return None if self.when is None else max(0.0, self.when - self._loop.time())

    def __enter__(self) -> "Deadline":
        if self.when is None:
            return self
        if self._loop.time() >= self.when:
            raise self._error(self._hint.format(delay=self.delay))
        self._task = asyncio.current_task(self._loop)   # our loop: no getpid() call on 3.11
        if self._task is None:                 # nothing to cancel: the limit could never fire
            raise RuntimeError("a client timeout needs a running Task to cancel, and this code "
                               "runs outside one (a server with inline_first_step=True?); "
                               "call it from a Task, as aiohttp requires too")
        self._fired = False
        if self._alarm is not None:
            self._alarm.add(self)
        else:
            self._handle = self._loop.call_at(self.when, self._fire)
        return self

    def _fire(self) -> None:
        self._fired = True
        if self._task is not None:
            self._task.cancel()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self._alarm is not None:
            self._alarm.remove(self)
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        task, self._task = self._task, None
        if self._fired and exc_type is asyncio.CancelledError:
            self._fired = False
            # Python 3.11+ counts cancellations; take back ours so the task is not left
            # "being cancelled" (3.10 has no counter and needs nothing).
            uncancel = getattr(task, "uncancel", None)
            if uncancel is not None:
                uncancel()
            raise self._error(self._hint.format(delay=self.delay)) from exc
