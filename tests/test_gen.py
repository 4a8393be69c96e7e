"""``aioteach.gen`` beyond the shared suite: the runner's own promises and its trace hook."""
from __future__ import annotations

import asyncio
import contextvars
import inspect
import logging
import time
import sys

import pytest

from aioteach import gen, trace


async def test_a_long_run_of_done_futures_resumes_in_a_loop_not_by_recursion():
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    done.set_result(1)
    rounds = sys.getrecursionlimit() * 5

    @gen.coroutine
    def many():
        total = 0
        for _ in range(rounds):
            total += yield done
        return total

    future = many()
    assert future.done()                 # never went back to the loop
    assert await future == rounds


async def test_the_generator_catches_at_the_yield_with_a_clean_exception_state():
    async def broken():
        raise ValueError("below")

    seen = {}

    @gen.coroutine
    def catches():
        try:
            yield broken()
        except ValueError as exc:
            seen["context"] = exc.__context__
        # The runner threw the error from outside its own except block, so once ours is
        # over, nothing is being handled any more.
        seen["after"] = sys.exc_info()

    await catches()
    assert seen == {"context": None, "after": (None, None, None)}


async def test_each_resume_is_traced_as_a_gen_step():
    async def broken():
        raise KeyError("k")

    @gen.coroutine
    def story():
        first = yield gen.maybe_future(1)
        try:
            yield broken()
        except KeyError:
            pass
        yield gen.moment
        return first

    with trace.record() as rec:
        assert await story() == 1
    steps = [(e["coro"].rsplit(".", 1)[-1], e["action"], e["value"])
             for e in rec.of_kind("gen.step")]
    assert steps == [("story", "send", "None"), ("story", "send", "1"),
                     ("story", "throw", "KeyError('k')"), ("story", "send", "None")]


async def test_long_values_are_shortened_in_the_trace():
    @gen.coroutine
    def big():
        yield gen.maybe_future("x" * 500)

    with trace.record() as rec:
        await big()
    values = [e["value"] for e in rec.of_kind("gen.step")]
    assert values[0] == "None"
    assert len(values[1]) == 60 and values[1].endswith("...")


async def test_context_variables_set_inside_stay_inside_like_a_task():
    var = contextvars.ContextVar("var", default="outside")

    @gen.coroutine
    def sets_it():
        var.set("inside")
        yield gen.moment
        return var.get()

    assert await sets_it() == "inside"
    assert var.get() == "outside"


async def test_a_raised_cancelled_error_cancels_the_result_future():
    @gen.coroutine
    def gives_up():
        yield gen.moment
        raise asyncio.CancelledError

    future = gives_up()
    with pytest.raises(asyncio.CancelledError):
        await future
    assert future.cancelled()


async def test_cancelling_the_result_does_not_stop_the_generator():
    loop = asyncio.get_running_loop()
    gate, finished = loop.create_future(), loop.create_future()

    @gen.coroutine
    def carries_on():
        yield gate
        finished.set_result("ran to the end")

    future = carries_on()
    future.cancel()
    gate.set_result(None)
    assert await finished == "ran to the end"
    assert future.cancelled()


async def test_bad_yield_error_carries_a_hint():
    with pytest.raises(gen.BadYieldError, match="may yield a Future, an awaitable"):
        gen.convert_yielded(3.5)


def test_calling_without_a_running_loop_explains_itself():
    @gen.coroutine
    def needs_a_loop():
        yield gen.moment

    with pytest.raises(RuntimeError, match="needs a running asyncio loop"):
        needs_a_loop()


async def test_frameworks_see_a_coroutine_function():
    @gen.coroutine
    def handler(request):
        yield gen.moment
        return request

    assert asyncio.iscoroutinefunction(handler)
    if sys.version_info >= (3, 12):
        assert inspect.iscoroutinefunction(handler)
    assert gen.is_coroutine_function(handler)
    assert await handler("req") == "req"


async def test_moment_can_be_awaited_from_async_def():
    order = []

    async def worker(name):
        order.append(name + "1")
        await gen.moment
        order.append(name + "2")

    await asyncio.gather(worker("a"), worker("b"))
    assert order == ["a1", "b1", "a2", "b2"]


async def test_later_failures_in_multi_are_logged_unless_quiet(caplog):
    loop = asyncio.get_running_loop()

    def failed(exc):
        future = loop.create_future()
        future.set_exception(exc)
        return future

    with caplog.at_level(logging.ERROR, logger="aioteach.gen"):
        with pytest.raises(ValueError):
            await gen.multi([failed(ValueError()), failed(KeyError("logged"))])
        with pytest.raises(ValueError):
            await gen.multi([failed(ValueError()), failed(KeyError("quiet"))],
                            quiet_exceptions=KeyError)
    logged = [r.exc_info[1] for r in caplog.records]
    assert [type(e) for e in logged] == [KeyError] and logged[0].args == ("logged",)


async def test_a_failure_after_a_timeout_is_logged(caplog):
    loop = asyncio.get_running_loop()
    inner = loop.create_future()
    with caplog.at_level(logging.ERROR, logger="aioteach.gen"):
        with pytest.raises(gen.TimeoutError):
            await gen.with_timeout(time.time(), inner)
        inner.set_exception(OSError("late"))
        await gen.moment                      # one round: the done-callback runs
    assert [str(r.exc_info[1]) for r in caplog.records] == ["late"]


async def test_with_timeout_passes_errors_and_cancellation_through():
    loop = asyncio.get_running_loop()
    failing, cancelled = loop.create_future(), loop.create_future()
    failing.set_exception(OSError("inner"))
    cancelled.cancel()
    with pytest.raises(OSError, match="inner"):
        await gen.with_timeout(time.time() + 60, failing)
    outer = gen.with_timeout(time.time() + 60, cancelled)
    with pytest.raises(asyncio.CancelledError):
        await outer
    assert outer.cancelled()
