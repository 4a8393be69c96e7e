"""Generator coroutines in tornado's style, running on the asyncio loop.

Theory of operation.  Before ``async def`` (Python 3.5), tornado wrote coroutines as ordinary
generators: the function ``yield``s a future, a *runner* waits for that future and ``send``s
its result back in as the value of the ``yield`` expression.  This module re-implements that
scheme on asyncio, with tornado's names and semantics, so the same handler can be written
both ways and run side by side on one loop::

    @gen.coroutine                              async def fetch_both(session):
    def fetch_both(session):                        a, b = await asyncio.gather(
        a, b = yield [get(session, "/a"),                get(session, "/a"),
                      get(session, "/b")]                get(session, "/b"))
        return a + b                                return a + b

Rules:
* ``@coroutine`` turns a generator function into a function returning an ``asyncio.Future``,
  so ``await fetch_both(s)`` works from ``async def`` code, and the other way round a
  generator may ``yield`` a native coroutine (it is wrapped in a Task).
* What may be yielded (``convert_yielded``): a Future, any awaitable, a list or dict of those
  (waited for together, see ``multi``), ``None`` or ``moment`` (let the loop run once).
  Anything else is thrown back at the ``yield`` as ``BadYieldError``.
* A generator ends with ``return value`` or, as in Python 2 days, ``raise gen.Return(value)``.
* When ``aioteach.trace`` is recording, every resume emits ``gen.step`` [coro, action, value].

The mechanism, in ``Runner.run``: take the future the generator is waiting on; if it is not
done, ask it to call ``run`` again when it is, and return to the loop.  If it is done, read its
outcome and resume the generator: ``gen.send(result)``, or ``gen.throw(error)`` so the error
appears at the ``yield`` line, where the generator's own ``try``/``except`` can catch it.
Whatever the generator yields next goes round the same ``while`` loop.  Yielding a future that
is already done therefore resumes at once, without a trip through the loop: a ``while`` and
not a recursive call, so a thousand done futures in a row cost no stack.  The outcome is read
inside a ``try``, but ``throw`` is called after it: from inside the runner's ``except`` block
the error would reach the generator while still being "handled", and ``sys.exc_info()`` in
the generator would keep reporting it after the generator's own ``except`` had finished.

What may be yielded, and ``multi`` (a yielded list or dict: every child is converted, so each
coroutine becomes a Task and starts now; the combined future resolves when the last child is
home), live in ``aioteach/genyield.py``; this module re-exports them under tornado's names.

How it differs from ``async def`` (the lesson):
* Eager start.  Calling a ``@gen.coroutine`` function runs its body *now*, up to the first
  ``yield``; calling an ``async def`` function only builds a coroutine object, which runs when
  awaited or wrapped in a Task.
* Failure and cancellation.  ``yield [a, b]`` (``multi``) waits for *every* child, even after
  one failed, raises the first failure in the list's order and logs the rest; cancelling the
  combined future leaves the children running.  ``asyncio.gather`` raises the first failure
  in time, at once (the other children keep running), and cancelling it cancels the
  children.  Likewise cancelling the future returned by a ``@gen.coroutine`` does not stop
  its generator (a Task's ``cancel()`` throws ``CancelledError`` into its coroutine); if the
  generator then fails, the error is logged ("Exception after Future was cancelled"), as
  tornado does, since nobody is left to receive it.
* Who calls ``send()``: a generator's runner is a done-callback on the future it waits for,
  not an ``asyncio.Task``.  Up to its first ``yield`` the body runs inside its caller (and
  its caller's task); after that the loop calls the runner as a plain callback, so
  ``asyncio.current_task()`` is ``None`` there.  (A coroutine it yields runs in a Task of
  its own, made by ``convert_yielded``.)

Where aioteach differs from tornado 6.6, on purpose: a ``@gen.coroutine`` function says it is
a coroutine function (so aiohttp and aioteach route it as a handler); calling one needs a
running asyncio loop; a ``concurrent.futures.Future`` is wrapped with ``asyncio.wrap_future``;
``await gen.moment`` works.  Simplification: tornado's ``WaitIterator``, the
``singledispatch`` hook on ``convert_yielded`` is left out.
"""
from __future__ import annotations

import asyncio
import contextvars
import datetime
import functools
import inspect
import time
import types
from typing import Any, Callable, Generator, Optional, Union

from aioteach import trace
from aioteach.genyield import (BadYieldError, Moment, QuietExceptions, convert_yielded,
                               is_future, log, maybe_future, moment, multi, multi_future,
                               new_future)

__all__ = [
    "coroutine", "is_coroutine_function", "Return", "BadYieldError", "TimeoutError",
    "moment", "sleep", "multi", "multi_future", "maybe_future", "with_timeout",
    "convert_yielded", "is_future", "Runner", "Moment", "QuietExceptions",
]


# -- the vocabulary --------------------------------------------------------------------------
class Return(Exception):
    """``raise gen.Return(value)``: the way to return a value before generators could.

    Since Python 3.3 a generator's ``return value`` does the same; both are accepted.
    """

    def __init__(self, value: Any = None) -> None:
        super().__init__(value)
        self.value = value


#: What ``with_timeout`` raises.  As in tornado 6.2+, this *is* ``asyncio.TimeoutError`` (the
#: built-in ``TimeoutError`` since Python 3.11), not a subclass: ``except`` either name.
TimeoutError = asyncio.TimeoutError  # noqa: A001 - tornado's name, on purpose


def _value_of(stop: BaseException) -> Any:
    """The return value a finished generator carries: ``StopIteration.value`` or ``Return.value``."""
    return getattr(stop, "value", None)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _set_result_unless_cancelled(future: asyncio.Future, value: Any) -> None:
    if not future.cancelled():
        future.set_result(value)


# -- the decorator ---------------------------------------------------------------------------
def coroutine(func: Callable[..., Any]) -> Callable[..., asyncio.Future]:
    """Make a generator function into a coroutine whose call returns an ``asyncio.Future``.

    The body runs immediately, up to its first ``yield`` (eager start).  A function that is
    not a generator is accepted too: its return value becomes the future's result.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> asyncio.Future:
        future = new_future()
        # Like a Task, each coroutine runs in its own copy of the context variables.
        context = contextvars.copy_context()
        try:
            result = context.run(func, *args, **kwargs)
            if isinstance(result, types.GeneratorType):
                generator, result = result, None
                if trace.enabled:
                    trace.emit("gen.step", coro=generator.__qualname__, action="send",
                               value="None")
                first = context.run(next, generator)
                Runner(generator, future, first, context)
                return future
        except (StopIteration, Return) as stop:
            result = _value_of(stop)
        except asyncio.CancelledError:
            future.cancel()                        # a Task that raises CancelledError is cancelled
            return future
        except Exception as exc:
            future.set_exception(exc)
            return future
        future.set_result(result)
        return future

    wrapper.__tornado_coroutine__ = True  # type: ignore[attr-defined]
    _mark_as_coroutine_function(wrapper)
    return wrapper


def _mark_as_coroutine_function(wrapper: Callable[..., Any]) -> None:
    # Discussion: frameworks such as aiohttp look at a handler with iscoroutinefunction()
    # and refuse (or wrap badly) a plain function that returns a Future.  A @gen.coroutine
    # function returns an awaitable, which is all they need, so we say so: Python 3.12+
    # has inspect.markcoroutinefunction for this; 3.10/3.11's asyncio reads a marker
    # attribute.  tornado does not do this; it is what lets one handler serve both frameworks.
    if hasattr(inspect, "markcoroutinefunction"):
        inspect.markcoroutinefunction(wrapper)
    else:
        wrapper._is_coroutine = asyncio.coroutines._is_coroutine  # type: ignore[attr-defined]


def is_coroutine_function(func: Any) -> bool:
    """Was ``func`` made by ``@gen.coroutine``?"""
    return getattr(func, "__tornado_coroutine__", False)


# -- the runner ------------------------------------------------------------------------------
class Runner:
    """Drives one generator: waits for what it yielded, resumes it with the outcome, repeats.

    The runner is kept alive by the futures it waits on (it is their done-callback), and by
    ``result_future`` once the generator returns.
    """

    def __init__(self, generator: Generator[Any, Any, Any], result_future: asyncio.Future,
                 first_yielded: Any, context: contextvars.Context) -> None:
        self.generator = generator
        self.result_future = result_future
        self.context = context
        self.loop = result_future.get_loop()
        # generator objects have __qualname__; typing's Generator protocol does not declare it
        self.name = generator.__qualname__  # type: ignore[attr-defined]
        self.future: Any = None            # what the generator waits on (a Future or moment)
        self.running = False
        self.finished = False
        if context.run(self.handle_yield, first_yielded):
            context.run(self.run)

    def run(self, _done: Any = None) -> None:
        """Resume the generator until it waits on a future that is not done yet, or ends."""
        if self.running or self.finished:
            return                         # woken twice (e.g. moment and a callback): ignore
        self.running = True
        try:
            while True:
                future = self.future
                if not future.done():
                    return                 # its done-callback will call run() again
                self.future = None
                # Discussion: read the outcome first, resume the generator after the try
                # statement.  Calling gen.throw() inside the "except" block would run the
                # generator while this frame is still handling the error: after the
                # generator's own except-clause, sys.exc_info() would go on reporting it,
                # and any later, unrelated error would be chained to it as __context__.
                try:
                    value, error = future.result(), None
                except (Exception, asyncio.CancelledError) as exc:
                    value, error = None, exc
                try:
                    if error is None:
                        if trace.enabled:
                            trace.emit("gen.step", coro=self.name, action="send",
                                       value=_short(value))
                        yielded = self.generator.send(value)
                    else:
                        if trace.enabled:
                            trace.emit("gen.step", coro=self.name, action="throw",
                                       value=_short(error))
                        yielded = self.generator.throw(error)
                except (StopIteration, Return) as stop:
                    self.finish(result=_value_of(stop))
                    return
                except asyncio.CancelledError:
                    self.finish(cancelled=True)
                    return
                except Exception as exc:
                    self.finish(error=exc)
                    return
                finally:
                    error = None           # drop the traceback -> frame -> error cycle early
                if not self.handle_yield(yielded):
                    return
        finally:
            self.running = False

    def handle_yield(self, yielded: Any) -> bool:
        """Make ``yielded`` the future to wait on.  True: it is done, resume at once."""
        try:
            self.future = convert_yielded(yielded)
        except BadYieldError as exc:
            self.future = self.loop.create_future()
            self.future.set_exception(exc)      # thrown back in at the yield, like any error
            return True
        if self.future is moment:
            self.loop.call_soon(self.run, context=self.context)
            return False
        if not self.future.done():
            self.future.add_done_callback(self.run, context=self.context)
            return False
        return True                             # the fast path: no trip through the loop

    def finish(self, result: Any = None, error: Optional[BaseException] = None,
               cancelled: bool = False) -> None:
        self.finished = True
        future, self.result_future = self.result_future, None   # type: ignore[assignment]
        if future.done():                  # cancelled from outside meanwhile: keep that outcome
            if error is not None:          # ... but say so, as tornado does: nobody else can
                log.error("Exception after Future was cancelled", exc_info=error)
            return
        if cancelled:
            future.cancel()
        elif error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)


# -- waiting on the clock ---------------------------------------------------------------------
def sleep(duration: float) -> asyncio.Future:
    """A future that resolves (to ``None``) after ``duration`` seconds: ``yield gen.sleep(0.5)``."""
    future = new_future()
    future.get_loop().call_later(duration, _set_result_unless_cancelled, future, None)
    return future


def with_timeout(timeout: Union[float, datetime.timedelta], future: Any,
                 quiet_exceptions: QuietExceptions = (), *,
                 message: Union[str, Callable[[], str], None] = None) -> asyncio.Future:
    """Wrap ``future`` in one that fails with ``TimeoutError`` at ``timeout``.

    As in tornado: a number is an absolute *deadline* on ``time.time()``'s clock (tornado's
    ``IOLoop.time()``), so ``with_timeout(time.time() + 5, f)`` allows five seconds; a
    ``datetime.timedelta`` is counted from now.  On timeout the wrapped future is not
    cancelled (others may be waiting on it); if it fails later, the error is logged unless
    its type is in ``quiet_exceptions``.  ``message`` (a string, or a function called only on
    timeout) becomes the error's message.
    """
    inner = convert_yielded(future)
    outer = new_future()
    loop = outer.get_loop()
    if isinstance(timeout, datetime.timedelta):
        delay = timeout.total_seconds()
    else:
        delay = timeout - time.time()   # the wall clock's deadline, as a delay on the loop's

    def copy_outcome(done: asyncio.Future) -> None:
        timer.cancel()
        if outer.done():
            return
        if done.cancelled():
            outer.cancel()
        elif done.exception() is not None:
            outer.set_exception(done.exception())   # type: ignore[arg-type]
        else:
            outer.set_result(done.result())

    def log_late_failure(done: asyncio.Future) -> None:
        if not done.cancelled():
            exc = done.exception()
            if exc is not None and not isinstance(exc, quiet_exceptions):
                log.error("Exception in Future %r after timeout", done, exc_info=exc)

    def on_timeout() -> None:
        if not outer.done():
            text = message() if callable(message) else message
            outer.set_exception(TimeoutError("Timeout" if text is None else text))
        inner.add_done_callback(log_late_failure)

    timer = loop.call_later(max(0.0, delay), on_timeout)
    inner.add_done_callback(copy_outcome)
    return outer
