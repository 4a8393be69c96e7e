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
connection's Task, and is put back after.  Between handlers the Task waits for ``_wake``,
so a ``cancel()`` from the first step (an ``asyncio.timeout`` expiring later) reaches the
Task and, through ``_drive``, the handler, as it would its own Task.

Parking: a handler waiting for the connection's own bytes.  A WebSocket handler lives as long
as its connection, and spends it in ``await ws.receive()``: waiting on a future that the
WebSocket itself completes, nearly always in ``data_received`` with a message.  Waking the
Task for it would cost a turn of the loop per message (the future's callback, the Task's
step) although we are already running, in ``data_received``, with the message in hand.  So
the handler may be *parked* on that future (``park``, called by ``receive()`` just before it
awaits): the Task then waits on a future of its own, ``_park``, and once the read's every
event is handled, ``unpark(waiter, here=True)`` takes the handler's next step at once, as the
first step is taken::

    data_received -> events -> ws._push(message) ... -> ConnectionTask.unpark(waiter, True)
        the handler echoes and awaits receive() again -> parked again: no turn of the loop
        the handler awaits anything else (drain, sleep) -> the Task wakes and awaits that
        the handler returned or raised                  -> the Task wakes and finishes

A cancel() reaches a parked handler as any other (the Task waits on ``_park``, which the
cancel cancels).  Anything else that completes the future (a receive timeout, the heartbeat,
``connection_lost``, ``close()`` from another Task) calls ``unpark(waiter)``, which wakes the
Task to take the step on the loop's next turn: a handler never runs inside another
callback's cleanup.

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
cancelled).  A parked handler's steps, and so the end of its request (the access log, a 1011
Close after it raised, the ``server.handler_end`` trace), run inside ``data_received``.

Performance notes (valgrind, bench_server.py --instructions --headers browser, in-process,
Python 3.11, /hello): one connection 137.2k -> 99.6k instructions per request (no Task, no
scheduled step, one turn of the loop fewer), 50 connections 106.6k -> 94.2k.  Parking
(valgrind on the server's process, 16-byte echo over a real socket, one connection): 80.5k ->
65.6k instructions per round trip (aiohttp 75.2k; a bare ``asyncio.Protocol`` echo 23.7k), and
three system calls a message instead of four (strace: no second ``epoll_wait``).
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

_FINISHED = object()                  # what a step gives when the handler returned


class _Raised:
    """What a step taken by ``unpark`` leaves for the Task when the handler raised."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


@types.coroutine
def _suspend(yielded: Any) -> Any:
    """Hand one object up to the Task running us (as ``await future`` does), then return."""
    yield yielded


class ConnectionTask:
    """The Task that runs one connection's handlers, one after another (see above)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._wake: "asyncio.Future[None]" = loop.create_future()
        self._handed: Optional[Tuple[Any, contextvars.Context, Any]] = None  # for the Task
        self._context = contextvars.copy_context()  # what each request starts from
        self._closed = False
        self._ended = False                          # the Task is over (cancelled, closed)
        self._driving: Optional[Tuple[Any, contextvars.Context]] = None  # the handler
        # Parking (see above): the future the handler is about to await; the same future once
        # the Task has agreed not to wait on it; what the Task waits on instead; what a step
        # taken by unpark() left for the Task (the next yield, _FINISHED or _Raised).
        self._parking: "Optional[asyncio.Future[Any]]" = None
        self._parked: "Optional[asyncio.Future[Any]]" = None
        self._park: "asyncio.Future[None]" = loop.create_future()
        self._left: Any = None
        self.task: "asyncio.Task[None]" = loop.create_task(self._run())

    def _step_as_task(self, coro: Any, context: contextvars.Context) -> Any:
        """Take one step of ``coro`` by hand, with ``current_task()`` naming our Task; give
        what it yielded, or _FINISHED.  Exceptions propagate."""
        loop, running = self._loop, _current_tasks
        previous = running.get(loop)                # type: ignore[union-attr]
        running[loop] = self.task                   # type: ignore[index]
        try:
            return context.run(coro.send, None)
        except StopIteration:
            return _FINISHED
        finally:
            if previous is None:
                del running[loop]                   # type: ignore[union-attr]
            else:
                running[loop] = previous            # type: ignore[index]

    def start(self, coro: Any) -> "Optional[asyncio.Task[Any]]":
        """Take ``coro``'s first step as our Task; return None if it finished, else the Task
        that drives the rest (web/eager.py's ``start_eagerly`` has the same contract).
        Exceptions from the first step propagate."""
        if self._ended:                              # cancelled from outside: a plain Task
            return self._loop.create_task(coro)
        context = self._context.copy()              # each request its own, as a Task's
        yielded = self._step_as_task(coro, context)
        if yielded is _FINISHED:
            if self._wake.cancelled():               # it cancelled its Task, then returned
                self._wake = self._loop.create_future()
            return None
        self._handed = (coro, context, yielded)
        if not self._wake.done():
            self._wake.set_result(None)
        return self.task

    # -- parking: a handler that waits for this connection's own bytes ------------------------
    def park(self, waiter: "asyncio.Future[Any]") -> None:
        """The running handler is about to ``await waiter``, a future that this connection's
        callbacks complete: the Task need not wait on it (see above).  Ignored unless our
        Task is running (``asyncio.wait_for`` and ``shield`` give a coroutine a Task of its
        own, which must wait on the future as usual)."""
        if _current_tasks.get(self._loop) is self.task:   # type: ignore[union-attr]
            self._parking = waiter

    def unpark(self, waiter: "asyncio.Future[Any]", here: bool = False) -> None:
        """``waiter`` is done.  If the handler is parked on it, take the handler's next step:
        at once if ``here`` and no Task is running (the end of ``data_received``), else in
        the Task, on the loop's next turn (a timer, ``connection_lost``)."""
        if waiter is not self._parked:
            return                                   # the Task waits on it itself
        self._parked = None
        park = self._park
        if not here or park.done() or _current_tasks.get(self._loop) is not None:  # type: ignore[union-attr]
            if not park.done():
                park.set_result(None)                # the Task takes the step
            return
        coro, context = self._driving                # type: ignore[misc]
        running, loop = _current_tasks, self._loop   # no Task runs: lend ours, as _step_as_task
        running[loop] = self.task                    # type: ignore[index]  # (inlined: 1.3k)
        try:
            left = context.run(coro.send, None)
        except StopIteration:
            left = _FINISHED
        except (KeyboardInterrupt, SystemExit):
            self._left = _FINISHED                   # the handler is over; so is the Task
            if not park.done():
                park.set_result(None)
            raise
        except BaseException as exc:                 # noqa: B036 - the Task raises it
            left = _Raised(exc)
        finally:
            del running[loop]                        # type: ignore[union-attr]
        parking, self._parking = self._parking, None
        if parking is not None and left is parking and not park.done():
            self._parked = parking                   # waits for the next message: the loop
            return                                   # never turned
        self._left = left
        if not park.done():
            park.set_result(None)

    # -- the Task's own coroutine ---------------------------------------------------------------
    def close(self) -> None:
        """The connection is gone: the Task ends once the handler it runs (if any) is done."""
        self._closed = True
        if not self._wake.done():
            self._wake.set_result(None)

    async def _run(self) -> None:
        """Wait until a handler is handed over, drive it, repeat."""
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
        if handed is None:
            return
        coro, context, yielded = handed
        self._driving = (coro, context)
        try:
            await self._drive(coro, context, yielded, thrown)
        finally:
            self._driving = self._parking = self._parked = None

    async def _drive(self, coro: Any, context: contextvars.Context, yielded: Any,
                     thrown: Optional[BaseException]) -> None:
        """Drive ``coro`` on from a step taken by hand, inside our Task, in its context.

        ``coro`` stopped inside ``await future``, having yielded that future: we pass it up
        to the Task, which waits for it, then resume ``coro`` (the future's ``__await__``
        picks up its own result).  Whatever the Task throws at us (``cancel()``) is thrown
        into ``coro`` instead.  A parked future is not passed up: ``_wait_parked`` waits.
        """
        while True:
            if thrown is None:
                parking, self._parking = self._parking, None
                if parking is not None and yielded is parking and not parking.done():
                    left, thrown = await self._wait_parked(parking)
                    if left is _FINISHED:
                        return
                    if left is not None:             # unpark stepped it: it awaits `left`
                        yielded = left
                        if thrown is None:
                            continue
                        if isinstance(left, asyncio.Future) and left.cancel():
                            thrown = None            # as Task.cancel(): the cancel goes to
                            continue                 # what it awaits, and we wait for that
                else:
                    try:
                        await _suspend(yielded)
                    except BaseException as exc:     # noqa: B036 - a cancel() must reach it
                        thrown = exc
            try:
                if thrown is None:
                    yielded = context.run(coro.send, None)
                else:
                    error, thrown = thrown, None
                    yielded = context.run(coro.throw, error)
            except StopIteration:
                return

    async def _wait_parked(self, waiter: "asyncio.Future[Any]") -> Tuple[Any, Any]:
        """Wait while the handler is parked on ``waiter``; give what ``unpark`` left (None:
        take the step ourselves) and what was thrown at the Task meanwhile (a cancel)."""
        self._parked, thrown = waiter, None
        try:
            await self._park
        except BaseException as exc:                 # noqa: B036 - a cancel() must reach it
            thrown = exc
        self._park = self._loop.create_future()
        self._parked = None
        left, self._left = self._left, None
        if isinstance(left, _Raised):
            raise left.error
        if left is _FINISHED and thrown is not None:
            self.task.uncancel()                     # type: ignore[attr-defined]  # 3.11+
        return left, thrown
