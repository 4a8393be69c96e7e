"""One Task per connection, lent to each handler's first step (Python 3.11).

Theory of operation.  A handler must run inside a Task: ``asyncio.current_task()``,
``asyncio.timeout()``, ``TaskGroup``, aiohttp's client timeouts and anyio all ask for the Task
running them.  On Python 3.12+ an *eager* Task per request gives that for free (its first step
runs at once, see web/eager.py).  Python 3.11 has no eager Tasks: a plain Task per
request takes its first step only on the loop's next turn, and that trip (the Task, its
scheduled step, one more turn of the loop) cost more than parsing the request and routing it.

So on those versions each connection gets one Task, as tornado's connections and aiohttp's
before 3.8 do.  Its requests are answered one after another, so it runs at most one handler at
a time::

    data_received -> ConnectionTask.start(coro)      the first step, now, *as* the Task
        the handler returned           -> done: no trip through the loop at all
        the handler awaits a future f  -> the Task wakes and awaits f for it, then steps on

"As the Task" means that, for the length of the first step, asyncio's record of the running
task (``asyncio.tasks._current_tasks``, the dict ``current_task()`` reads) names the
connection's Task, and is put back after.  A Task parked between handlers is waiting for
``_wake``, so a ``cancel()`` from the first step (an ``asyncio.timeout`` expiring later)
reaches the Task and, through ``_step_on``, the handler, as it would its own Task.

Each request still gets its own copy of the context (``contextvars``) the connection began
in, as a Task per request would: a context variable a handler sets is not seen by the next
request (not even a pipelined one started when it finished, which a plain Task made at that
moment would copy).

Discussion: the one private name.  ``_current_tasks`` is asyncio's own table, not public API
(3.12 added ``_swap_current_task`` for its eager Tasks; 3.14 keeps the running task elsewhere).
``LENDING`` is true only where it is the dict we expect; elsewhere the server makes a plain Task
per request.  Differences from a Task per request, on purpose: ``request.task`` and trace
events name the connection's Task, so a lesson that counts distinct Tasks sees one per
connection; a handler that cancels its own Task and then returns without waiting leaves that
cancel to the next handler of the connection that waits (a Task of its own would have ended
cancelled).

Performance notes (valgrind, bench_server.py --instructions --headers browser, in-process,
Python 3.11, /hello): one connection 137.2k -> 99.6k instructions per request (no Task, no
scheduled step, one turn of the loop fewer), 50 connections 106.6k -> 94.2k.
"""
from __future__ import annotations

import asyncio
import contextvars
import sys
import types
from typing import Any, Optional, Tuple

__all__ = ["ConnectionTask", "LENDING"]

_current_tasks = getattr(asyncio.tasks, "_current_tasks", None)

#: Does this Python start handlers in their connection's Task?  (3.11: see above; 3.10 lacks
#: Task.uncancel, so it makes a plain Task per request.)
LENDING = (3, 11) <= sys.version_info < (3, 12) and isinstance(_current_tasks, dict)


@types.coroutine
def _suspend(yielded: Any) -> Any:
    """Hand one object up to the Task running us (as ``await future`` does), then return."""
    yield yielded


async def _step_on(coro: Any, context: contextvars.Context, yielded: Any,
                   thrown: Optional[BaseException]) -> None:
    """Drive ``coro`` on from a first step taken by hand, inside our Task, in its context.

    ``coro`` stopped inside ``await future``, having yielded that future: we pass it up to the
    Task, which waits for it, then resume ``coro`` (the future's ``__await__`` picks up its own
    result).  Whatever the Task throws at us (``cancel()``) is thrown into ``coro`` instead.
    """
    while True:
        if thrown is None:
            try:
                await _suspend(yielded)
            except BaseException as exc:     # noqa: B036 - a cancel() must reach the handler
                thrown = exc
        try:
            if thrown is None:
                yielded = context.run(coro.send, None)
            else:
                error, thrown = thrown, None
                yielded = context.run(coro.throw, error)
        except StopIteration:
            return


class ConnectionTask:
    """The Task that runs one connection's handlers, one after another (see above)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._wake: "asyncio.Future[None]" = loop.create_future()
        self._handed: Optional[Tuple[Any, contextvars.Context, Any]] = None  # for the Task
        self._context = contextvars.copy_context()  # what each request starts from
        self._closed = False
        self._ended = False                          # the Task is over (cancelled, closed)
        self.task: "asyncio.Task[None]" = loop.create_task(self._run())

    def start(self, coro: Any) -> "Optional[asyncio.Task[Any]]":
        """Take ``coro``'s first step as our Task; return None if it finished, else the Task
        that drives the rest (web/eager.py's ``start_eagerly`` has the same contract).
        Exceptions from the first step propagate."""
        loop, running = self._loop, _current_tasks
        if self._ended:                              # cancelled from outside: a plain Task
            return loop.create_task(coro)
        context = self._context.copy()              # each request its own, as a Task's
        previous = running.get(loop)                # type: ignore[union-attr]
        running[loop] = self.task                   # type: ignore[index]
        try:
            yielded = context.run(coro.send, None)
        except StopIteration:
            if self._wake.cancelled():               # it cancelled its Task, then returned
                self._wake = loop.create_future()
            return None
        finally:
            if previous is None:
                del running[loop]                   # type: ignore[union-attr]
            else:
                running[loop] = previous            # type: ignore[index]
        self._handed = (coro, context, yielded)
        if not self._wake.done():
            self._wake.set_result(None)
        return self.task

    def close(self) -> None:
        """The connection is gone: the Task ends once the handler it runs (if any) is done."""
        self._closed = True
        if not self._wake.done():
            self._wake.set_result(None)

    async def _run(self) -> None:
        """The Task's own coroutine: wait until a handler is handed over, drive it, repeat."""
        try:
            while not self._closed or self._handed is not None:
                await self._next_handler()
        finally:
            self._ended = True

    async def _next_handler(self) -> None:
        wake, thrown = self._wake, None
        try:
            await wake
        except asyncio.CancelledError as exc:
            if wake is not self._wake:               # meant for a handler that returned
                self.task.uncancel()                 # type: ignore[attr-defined]  # 3.11+
                return
            if self._handed is None:                 # cancelled while idle: we are done
                raise
            thrown = exc                             # between a handler's steps: for it
        handed, self._handed = self._handed, None
        self._wake = self._loop.create_future()
        if handed is not None:
            await _step_on(*handed, thrown)
