"""Async widget callbacks: ``on_click(button, async_fn)`` and ``on_change(widget, async_fn)``.

Theory of operation.  ipywidgets calls its handlers synchronously: give ``button.on_click`` an
``async def`` and the call just creates a coroutine object that nobody awaits (Python warns
"coroutine ... was never awaited", often where nobody sees it).  The helpers here wrap the
handler in a plain function that:

1. calls it, and if the result is awaitable, schedules it as a task on the running loop (the
   kernel's loop: widget messages are handled on it), or on the background loop when no loop
   runs (terminal IPython);
2. keeps a strong reference to the task until it ends: the loop keeps only weak ones, and an
   unreferenced task can be garbage-collected mid-flight;
3. shows an exception in the widget's ``output`` area (or on stderr), never loses it, and keeps
   it in ``handler.errors`` for code and tests;
4. optionally disables the button while the task runs, so an impatient double click does not
   start it twice.

Rules: passing a coroutine *object* (``on_click(b, fetch())``) is the classic mistake and is
refused at once with the fix; a plain function that happens to return a coroutine just works.
"""
from __future__ import annotations

import asyncio
import inspect
import sys
import traceback
from typing import Any, Callable, List, Set

__all__ = ["on_click", "on_change", "schedule", "AsyncHandler"]

#: Tasks started by widget callbacks, held until they finish (the loop's references are weak).
RUNNING: Set["asyncio.Future[Any]"] = set()


def schedule(awaitable: Any) -> Any:
    """Run ``awaitable`` in the background, on the running loop or else the background loop.

    Returns an ``asyncio.Task``, or a ``concurrent.futures.Future`` when no loop is running
    here (both have ``done()``, ``result()``, ``exception()`` and ``add_done_callback``).
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        from .servers import background_loop
        return asyncio.run_coroutine_threadsafe(_as_coroutine(awaitable), background_loop())
    task = asyncio.ensure_future(awaitable, loop=loop)
    RUNNING.add(task)
    task.add_done_callback(RUNNING.discard)
    return task


async def _as_coroutine(awaitable: Any) -> Any:
    return await awaitable


def _takes_an_argument(fn: Callable[..., Any]) -> bool:
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):      # a builtin without a signature: pass the widget
        return True
    return any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
               for p in params)


def _refuse_coroutine_object(fn: Any, where: str) -> None:
    if inspect.isawaitable(fn):
        name = getattr(fn, "__qualname__", "fn")
        if inspect.iscoroutine(fn):
            fn.close()                   # we refuse it: silence "never awaited" for this one
        raise TypeError(
            f"{where} got a coroutine object ({name}(...) was called), not a function. "
            f"Fix: pass the function itself, without parentheses: {where.split('(')[0]}"
            f"(widget, {name}).")
    if not callable(fn):
        raise TypeError(f"{where} needs a function (plain or async def), not {fn!r}")


class AsyncHandler:
    """The plain function ipywidgets calls; it runs ``fn`` and schedules what it returns."""

    def __init__(self, fn: Callable[..., Any], widget: Any = None, *,
                 disable_while_running: bool = False, output: Any = None) -> None:
        self.fn = fn
        self.widget = widget
        self.disable_while_running = disable_while_running
        self.output = output
        self.pass_argument = _takes_an_argument(fn)
        self.tasks: List["asyncio.Future[Any]"] = []     # every task started, for code/tests
        self.errors: List[BaseException] = []

    def __call__(self, *args: Any) -> None:
        if self.disable_while_running and any(not t.done() for t in self.tasks):
            return        # a click while disabled (e.g. button.click() from code) is ignored
        if self.disable_while_running and self.widget is not None:
            self.widget.disabled = True
        try:
            result = self.fn(*args) if self.pass_argument else self.fn()
        except Exception as exc:
            self._report(exc)
            self._enable()
            return
        if not inspect.isawaitable(result):
            self._enable()
            return
        task = schedule(result)
        self.tasks.append(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: Any) -> None:
        self._enable()
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            self._report(exc)

    def _enable(self) -> None:
        if self.disable_while_running and self.widget is not None:
            self.widget.disabled = False

    def _report(self, exc: BaseException) -> None:
        self.errors.append(exc)
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        name = getattr(self.fn, "__qualname__", repr(self.fn))
        message = f"{name} raised:\n{text}"
        if self.output is not None:
            self.output.append_stderr(message)   # works from any callback, no context needed
        else:
            print(message, file=sys.stderr)

    async def wait(self) -> None:
        """Wait for every task this handler has started so far (handy in tests and cells).

        Only tasks on a running loop count: work ``schedule`` sent to the background loop
        (no loop was running) is a ``concurrent.futures.Future`` and is not waited for.
        """
        pending = [t for t in self.tasks if isinstance(t, asyncio.Future)]
        if pending:
            await asyncio.wait(pending)


def on_click(button: Any, fn: Callable[..., Any], *, disable_while_running: bool = False,
             output: Any = None) -> AsyncHandler:
    """Call ``fn`` (plain or ``async def``) when ``button`` is clicked; returns the handler.

    ``fn`` may take the button as its one argument, or no argument.  Errors go to ``output``
    (an ``ipywidgets.Output``) if given.  Example::

        async def fetch(_):
            async with aioteach.ClientSession() as s:
                ...
        on_click(button, fetch, disable_while_running=True, output=out)
    """
    _refuse_coroutine_object(fn, "on_click(button, fn)")
    handler = AsyncHandler(fn, button, disable_while_running=disable_while_running,
                           output=output)
    button.on_click(handler)
    return handler


def on_change(widget: Any, fn: Callable[..., Any], names: str = "value", *,
              output: Any = None) -> AsyncHandler:
    """Call ``fn(change)`` (plain or ``async def``) when ``widget.<names>`` changes."""
    _refuse_coroutine_object(fn, "on_change(widget, fn)")
    handler = AsyncHandler(fn, widget, output=output)
    widget.observe(handler, names=names)
    return handler
