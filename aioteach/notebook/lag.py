"""The loop-lag monitor: a callback that notices when the event loop was blocked.

Theory of operation.  An event loop runs one callback (or one coroutine step) at a time; while
one runs, nothing else can, and a timer that is due simply waits.  So the loop measures its own
freedom: ``LagMonitor`` asks the loop to call it back every ``interval`` seconds, and each time
it is called it compares the clock with the time it was due.  A few milliseconds late is
normal; ``threshold`` late (20 ms by default) means something held the loop: a ``time.sleep``
in a handler, a blocking ``requests.get``, a long computation in a cell.  The monitor then
records ``loop.blocked`` in a ``trace.Recorder``, with ``start`` (when the callback was due)
and the event's own time (when it finally ran)::

    monitor = LagMonitor(recorder)
    monitor.start()          # on the running loop
    ...                      # a handler calls time.sleep(0.3)
    monitor.stop()
    recorder.of_kind("loop.blocked")   # [TraceEvent(..., fields={'start': ..., 'lag': 0.29})]

A block of B seconds shows as a bar of at least ``B - interval`` seconds: the callback was
due at most ``interval`` after the block began, and it runs only after the block ends.

Rules: the monitor costs one timer callback per ``interval`` while it runs, and nothing when
stopped.  It uses ``loop.call_later``, never a thread, so what it measures is the loop itself.
Timestamps are ``time.perf_counter()``, the recorder's clock; the loop's own clock
(``loop.time()``) decides lateness.
"""
from __future__ import annotations

import asyncio
import time
from typing import Optional

from ..trace import Recorder

__all__ = ["LagMonitor"]


class LagMonitor:
    """Records ``loop.blocked`` in ``recorder`` whenever the loop ran a callback late."""

    def __init__(self, recorder: Recorder, interval: float = 0.01,
                 threshold: float = 0.02) -> None:
        self.recorder = recorder
        self.interval = interval          # 10 ms: fine-grained, and only ~100 calls a second
        self.threshold = threshold        # 20 ms: well above a busy loop's ordinary jitter
        self.worst = 0.0                  # the longest lateness seen, in seconds
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._handle: Optional[asyncio.TimerHandle] = None
        self._due = 0.0

    @property
    def running(self) -> bool:
        return self._handle is not None

    def start(self, loop: Optional[asyncio.AbstractEventLoop] = None) -> None:
        """Start measuring on ``loop`` (default: the running loop)."""
        if self._handle is not None:
            return
        self._loop = loop or asyncio.get_running_loop()
        self._schedule()

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _schedule(self) -> None:
        loop = self._loop
        assert loop is not None
        self._due = loop.time() + self.interval
        self._handle = loop.call_later(self.interval, self._tick)

    def _tick(self) -> None:
        loop = self._loop
        assert loop is not None
        late = loop.time() - self._due
        self.worst = max(self.worst, late)
        if late >= self.threshold:
            now = time.perf_counter()
            self.recorder.note("loop.blocked", t=now, start=now - late, lag=late)
        self._schedule()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return (f"<LagMonitor {state}, every {self.interval * 1000:.0f} ms, worst "
                f"{self.worst * 1000:.0f} ms>")
