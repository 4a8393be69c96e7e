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
3. shows a failure in the widget's ``output`` area as ONE plain sentence naming the cause and
   the fix (``failure_sentence``: "the server at ... is not running: re-run the cell that
   serves it, or call handle.restart()"), with the traceback folded behind a toggle (an HTML
   ``<details>``), never as a pink traceback; keeps it in ``handler.errors``; the next click
   clears it.  This is the one place where every widget's failures are shown;
4. optionally disables the button while the task runs, so an impatient double click does not
   start it twice.

``await click_and_wait(button)`` clicks from code as a mouse would, awaits the task that the
click started and returns its result (or raises its exception): checks in a lesson need no
polling loop.  ``await settled(widget)`` waits for whatever its handlers are still running.

Rules: passing a coroutine *object* (``on_click(b, fetch())``) is the classic mistake and is
refused at once with the fix; a plain function that happens to return a coroutine just works.
Handlers are listed on the widget (``widget._aioteach_handlers``), which is how
``click_and_wait`` finds the task a click started.
"""
from __future__ import annotations

import asyncio
import inspect
import traceback
from typing import Any, Callable, List, Optional, Set, Union

from .failures import Failure
from .handle import background_loop

__all__ = ["on_click", "on_change", "schedule", "AsyncHandler", "click_and_wait", "settled",
           "handlers_of"]

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
                 disable_while_running: bool = False, output: Any = None,
                 url: Union[str, Callable[[], str], None] = None) -> None:
        self.fn = fn
        self.widget = widget
        self.disable_while_running = disable_while_running
        self.output = output
        self.url = url                  # the server the handler talks to, for the sentence
        self.on_error: List[Callable[[Failure], None]] = []   # e.g. a panel's status line
        self.failures: List[Failure] = []
        self.pass_argument = _takes_an_argument(fn)
        self.tasks: List["asyncio.Future[Any]"] = []     # every task started, for code/tests
        self.errors: List[BaseException] = []
        self.last_result: Any = None      # what a plain (not async) function returned last

    def __call__(self, *args: Any) -> None:
        if self.disable_while_running and any(not t.done() for t in self.tasks):
            return        # a click while disabled (e.g. button.click() from code) is ignored
        if self.disable_while_running and self.widget is not None:
            self.widget.disabled = True
        self._clear_failures()
        try:
            result = self.fn(*args) if self.pass_argument else self.fn()
        except Exception as exc:
            self._report(exc)
            self._enable()
            return
        if not inspect.isawaitable(result):
            self.last_result = result
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
        url = self.url() if callable(self.url) else self.url
        name = getattr(self.fn, "__name__", "")
        what = name if name and not name.startswith(("_", "<")) else None
        failure = Failure.of(exc, url=url, what=what)
        self.failures.append(failure)
        for listener in list(self.on_error):
            try:
                listener(failure)
            except Exception:                # a broken status line must not hide the failure
                traceback.print_exc()
        if self.output is not None:
            self.output.append_display_data(failure)   # from any callback, no context needed
        else:
            print(failure.sentence)          # one line; the exception is in handler.errors

    def _clear_failures(self) -> None:
        """A new click starts afresh: the sentences of earlier failures leave the output."""
        if self.output is None or not self.failures:
            return
        self.output.outputs = tuple(o for o in self.output.outputs
                                    if Failure.MARK not in str(o.get("data", {})))

    async def wait(self) -> None:
        """Wait for every task this handler has started so far (handy in tests and cells).

        Only tasks on a running loop count: work ``schedule`` sent to the background loop
        (no loop was running) is a ``concurrent.futures.Future`` and is not waited for.
        """
        pending = [t for t in self.tasks if isinstance(t, asyncio.Future)]
        if pending:
            await asyncio.wait(pending)


def on_click(button: Any, fn: Callable[..., Any], *, disable_while_running: bool = False,
             output: Any = None, url: Union[str, Callable[[], str], None] = None
             ) -> AsyncHandler:
    """Call ``fn`` (plain or ``async def``) when ``button`` is clicked; returns the handler.

    ``fn`` may take the button as its one argument, or no argument.  Errors go to ``output``
    (an ``ipywidgets.Output``) if given, as one sentence with the traceback folded; ``url``
    (a string or a function returning one) names the server in that sentence.  Example::

        async def fetch(_):
            async with aioteach.ClientSession() as s:
                ...
        on_click(button, fetch, disable_while_running=True, output=out)
    """
    _refuse_coroutine_object(fn, "on_click(button, fn)")
    handler = AsyncHandler(fn, button, disable_while_running=disable_while_running,
                           output=output, url=url)
    button.on_click(handler)
    _remember(button, handler)
    return handler


def on_change(widget: Any, fn: Callable[..., Any], names: str = "value", *,
              output: Any = None, url: Union[str, Callable[[], str], None] = None
              ) -> AsyncHandler:
    """Call ``fn(change)`` (plain or ``async def``) when ``widget.<names>`` changes."""
    _refuse_coroutine_object(fn, "on_change(widget, fn)")
    handler = AsyncHandler(fn, widget, output=output, url=url)
    widget.observe(handler, names=names)
    _remember(widget, handler)
    return handler


def _remember(widget: Any, handler: AsyncHandler) -> None:
    handlers = getattr(widget, "_aioteach_handlers", None)
    if handlers is None:
        handlers = []
        try:
            widget._aioteach_handlers = handlers
        except AttributeError:           # a widget that refuses new attributes: no lookup
            return
    handlers.append(handler)


def handlers_of(target: Any) -> List[AsyncHandler]:
    """The aioteach handlers of a widget, or of every widget of a panel (``panel.handler``)."""
    found = list(getattr(target, "_aioteach_handlers", None) or [])
    for name in ("handler", "handlers"):
        value = getattr(target, name, None)
        for one in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(one, AsyncHandler) and one not in found:
                found.append(one)
    return found


def _as_asyncio(task: Any) -> "asyncio.Future[Any]":
    return task if isinstance(task, asyncio.Future) else asyncio.wrap_future(task)


async def click_and_wait(button: Any, timeout: Optional[float] = 60.0) -> Any:
    """Click ``button`` (as a mouse does) and await the task the click started.

    Returns the handler's result; raises its exception (the widget shows it as well).  A
    click ignored because the button is busy (``disable_while_running``) waits for the task
    already running.  ``button`` may also be a panel: its first handler's button is clicked.
    """
    handlers = handlers_of(button)
    if not handlers:
        raise TypeError(f"{type(button).__name__} has no handler registered with "
                        f"aioteach.notebook.on_click, so there is no task to wait for. Fix: "
                        f"register it with on_click(button, fn), or click it with .click().")
    widget = button if hasattr(button, "click") else handlers[0].widget
    started = {id(h): (len(h.tasks), len(h.errors)) for h in handlers}
    for h in handlers:
        h.last_result = None
    widget.click()
    new = [t for h in handlers for t in h.tasks[started[id(h)][0]:]]
    for h in handlers:               # a plain function that raised during the click itself
        if not h.tasks[started[id(h)][0]:] and len(h.errors) > started[id(h)][1]:
            raise h.errors[-1]
    if not new:                      # ignored while busy: wait for the running one
        new = [t for h in handlers for t in h.tasks if not t.done()][-1:]
    if not new:                      # a plain function: it has already run
        return next((h.last_result for h in handlers if h.last_result is not None), None)
    futures = [_as_asyncio(t) for t in new]
    await asyncio.wait_for(asyncio.wait(futures), timeout)
    for future in futures:
        if not future.cancelled() and future.exception() is not None:
            raise future.exception()   # type: ignore[misc]
    return futures[-1].result()


async def settled(target: Any, timeout: Optional[float] = 60.0) -> int:
    """Wait until every task the handlers of ``target`` (a widget or panel) started has ended.

    Returns how many were still running.  Failures are not raised: the widget shows them.
    """
    running = [_as_asyncio(t) for h in handlers_of(target) for t in h.tasks if not t.done()]
    if running:
        await asyncio.wait_for(asyncio.wait(running), timeout)
    return len(running)
