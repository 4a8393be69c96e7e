"""Starting a handler's coroutine: in a Task, or its first step right now.

Theory of operation.  ``handler(request)`` only *creates* a coroutine; something must step it
with ``send(None)`` until it raises ``StopIteration`` (the response).  There are three ways
here, and the server picks the best one that is correct (``start_eagerly`` below).  On Python
3.11 it uses a fourth instead, when it can: web/connectiontask.py, one Task per connection
whose first step of each handler runs at once *as* that Task (it names the Task in asyncio's
private ``asyncio.tasks._current_tasks``; where that table is not what it expects, the server
falls back to way 1 below).

1. ``loop.create_task(coro)``: the Task steps it on the loop's next iteration.  Always correct;
   costs a Task and a trip through the loop's ready queue (about 2 us on this machine).
2. ``asyncio.Task(coro, eager_start=True)`` (Python 3.12+): the Task takes its first step *now*,
   inside ``data_received``.  Most handlers never wait, so they are done before the call
   returns, and the answers to several pipelined requests leave in one ``transport.write``.
3. By hand: ``coro.send(None)`` ourselves; if it raises ``StopIteration`` we have the response,
   if it yields a future the coroutine is waiting, and a Task takes over the rest
   (``_continue``).  The cheapest, and a lesson in what a Task does, but *wrong* for some code:
   the first step runs outside any Task, so ``asyncio.current_task()`` is ``None`` there, and
   ``asyncio.timeout()``, aiohttp's client timeouts and anyio/httpx (which ask which library
   runs the current task) raise.  So it is used only when asked: ``AppRunner(app,
   inline_first_step=True)``.

Discussion: what does correctness cost?  On Python 3.11 under ``wrk -c50``
(benchmarks/bench_server.py, rows ``aioteach`` and ``aioteach-inline``, interleaved), way 3
served 5-12% more requests per server CPU-second than way 1 (a Task costs about 2 us per
request).  On 3.12+ way 2 costs about 0.5 us more than way 3 and is correct, so only Python
3.10/3.11 face the choice; we choose correct.  On 3.11 web/connectiontask.py takes back most
of that price and stays correct; 3.10 keeps way 1.

Performance notes (valgrind, ``bench_server.py --instructions --headers browser``, in-process
/hello, Python 3.11).  The connection's Task of web/connectiontask.py instead of way 1 saves
37.6k instructions per request on one connection (137.2k -> 99.6k) and 12.4k on 50
connections (106.6k -> 94.2k): no Task per request, no scheduled step, one turn of the loop
fewer.
"""
from __future__ import annotations

import asyncio
import sys
import types
from typing import Any, Awaitable, Optional

__all__ = ["start_eagerly", "EAGER_TASKS"]

#: Does this Python have ``asyncio.Task(..., eager_start=True)``?  (3.12 and later.)
EAGER_TASKS = sys.version_info >= (3, 12)


@types.coroutine
def _suspend(yielded: Any) -> Any:
    """Hand one object up to the Task running us (as ``await future`` does), then return."""
    yield yielded


async def _continue(coro: Any, yielded: Any) -> Any:
    """Drive ``coro`` on from where a hand-taken first step left it, inside a real Task.

    ``coro`` is stopped inside some ``await future``, having yielded that future.  We pass the
    future up to our Task (which waits for it, exactly as if ``coro`` were its own), then
    resume ``coro`` with ``send(None)``: the future's ``__await__`` picks up its own result.
    An exception thrown at us (``task.cancel()``) is thrown into ``coro`` instead.
    """
    while True:
        try:
            await _suspend(yielded)
        except BaseException as exc:     # noqa: B036 - cancellation must reach the handler
            try:
                yielded = coro.throw(exc)
            except StopIteration as stop:
                return stop.value
        else:
            try:
                yielded = coro.send(None)
            except StopIteration as stop:
                return stop.value


def start_eagerly(coro: Any, loop: asyncio.AbstractEventLoop,
                  inline: bool = False) -> Optional[asyncio.Task]:
    """Start ``coro``; return ``None`` if it already finished, else the Task running it.

    ``inline=True`` takes the first step by hand (way 3 in the module docstring); otherwise an
    eager Task on Python 3.12+ (way 2) or a plain Task (way 1).  Exceptions from a first step
    taken now propagate to the caller.
    """
    if inline:
        try:
            yielded = coro.send(None)
        except StopIteration:
            return None
        return loop.create_task(_continue(coro, yielded))
    if EAGER_TASKS:
        task = asyncio.Task(coro, loop=loop, eager_start=True)  # type: ignore[call-arg]
        if task.done():
            task.result()                # finished in its first step: re-raise any error
            return None
        return task
    if loop.get_task_factory() is None:
        return asyncio.Task(coro, loop=loop)   # what create_task does, minus its bookkeeping
    return loop.create_task(coro)


async def as_coroutine(awaitable: Awaitable[Any]) -> Any:
    """Any awaitable (a Future, a tornado-style generator's result...) as a coroutine."""
    return await awaitable
