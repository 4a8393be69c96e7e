"""One behaviour suite, two implementations: ``aioteach.gen`` and ``tornado.gen``.

Every test below runs against both modules.  Where they agree, a learner can read
``aioteach/gen.py`` and trust that it tells how tornado's generator coroutines behave.
"""
from __future__ import annotations

import asyncio
import datetime
import importlib
import time

import pytest

from tests.support import require


@pytest.fixture(params=["aioteach.gen", pytest.param("tornado.gen", marks=pytest.mark.peer)])
def gen(request):
    if request.param == "tornado.gen":
        return require("tornado.gen")
    return importlib.import_module(request.param)


async def test_calling_a_coroutine_runs_it_up_to_the_first_yield(gen):
    seen = []

    @gen.coroutine
    def generator_style():
        seen.append("generator started")
        yield gen.moment
        seen.append("generator resumed")
        return "g"

    async def native_style():
        seen.append("native started")
        return "n"

    future = generator_style()
    coro = native_style()
    assert seen == ["generator started"]          # eager; the native one has not begun
    assert isinstance(future, asyncio.Future)
    assert await coro == "n"
    assert await future == "g"
    assert seen == ["generator started", "native started", "generator resumed"]


async def test_return_statement_and_gen_return_both_set_the_result(gen):
    @gen.coroutine
    def with_return():
        yield gen.moment
        return 1

    @gen.coroutine
    def with_gen_return():
        yield gen.moment
        raise gen.Return(2)

    @gen.coroutine
    def never_yields():
        raise gen.Return(3)

    @gen.coroutine
    def not_a_generator():
        return 4

    assert [await with_return(), await with_gen_return(), await never_yields(),
            await not_a_generator()] == [1, 2, 3, 4]


async def test_an_error_before_the_first_yield_lands_in_the_future(gen):
    @gen.coroutine
    def fails():
        raise ValueError("early")
        yield  # pragma: no cover - makes this a generator

    future = fails()                              # the call itself does not raise
    with pytest.raises(ValueError, match="early"):
        await future


async def test_yielding_a_list_or_dict_waits_for_all_and_keeps_the_order(gen):
    loop = asyncio.get_running_loop()
    first, second = loop.create_future(), loop.create_future()

    @gen.coroutine
    def gather_both():
        as_list = yield [first, second]
        as_dict = yield {"a": first, "b": second}
        empty = yield []
        empty_dict = yield {}
        return as_list, as_dict, empty, empty_dict

    result = gather_both()
    second.set_result("two")                      # resolve in the reverse order
    first.set_result("one")
    assert await result == (["one", "two"], {"a": "one", "b": "two"}, [], {})


async def test_multi_waits_for_every_child_raises_the_first_error_and_cancels_none(gen):
    loop = asyncio.get_running_loop()
    failed, slow = loop.create_future(), loop.create_future()
    failed.set_exception(ValueError("first child"))

    combined = gen.multi([failed, slow])
    await asyncio.sleep(0)                        # one round of the loop
    assert not combined.done()                    # asyncio.gather would have failed already
    slow.set_result("late")
    with pytest.raises(ValueError, match="first child"):
        await combined

    pending = loop.create_future()
    waiting = gen.multi({"x": pending})
    waiting.cancel()
    assert not pending.cancelled()                # gather would cancel its children
    pending.set_result(None)


async def test_a_cancelled_child_makes_multi_raise_cancelled_error(gen):
    loop = asyncio.get_running_loop()
    cancelled, fine = loop.create_future(), loop.create_future()
    cancelled.cancel()
    fine.set_result("fine")
    with pytest.raises(asyncio.CancelledError):
        await gen.multi([fine, cancelled])


async def test_multi_accepts_native_coroutines_and_dicts(gen):
    async def double(x):
        await asyncio.sleep(0)
        return 2 * x

    assert await gen.multi([double(1), double(2)]) == [2, 4]
    assert await gen.multi({"a": double(3), "b": double(4)}) == {"a": 6, "b": 8}
    assert await gen.multi_future([double(5)]) == [10]


async def test_an_error_is_thrown_into_the_generator_at_the_yield(gen):
    async def broken():
        raise KeyError("from below")

    @gen.coroutine
    def catches():
        try:
            yield broken()
        except KeyError as exc:
            return f"caught {exc.args[0]}"

    @gen.coroutine
    def lets_it_through():
        yield broken()
        return "unreachable"

    assert await catches() == "caught from below"
    with pytest.raises(KeyError, match="from below") as info:
        await lets_it_through()
    # The traceback passes through the generator, at its yield line.
    assert "yield broken()" in [entry.statement.lines[0].strip()
                                for entry in info.traceback if entry.name == "lets_it_through"]


async def test_a_cancelled_future_throws_cancelled_error_at_the_yield(gen):
    if gen.__name__ == "tornado.gen" and tornado_version() < (6, 6):
        # tornado 6.6 (which needs Python 3.11) began throwing CancelledError in; before it,
        # tornado's runner caught only Exception, so the CancelledError escaped past the yield.
        pytest.skip("tornado %d.%d predates 6.6, the first to throw CancelledError in"
                    % tornado_version())
    cancelled = asyncio.get_running_loop().create_future()
    cancelled.cancel()

    @gen.coroutine
    def sees_cancellation():
        try:
            yield cancelled
        except asyncio.CancelledError:
            return "saw CancelledError"

    assert await sees_cancellation() == "saw CancelledError"


def tornado_version():
    import tornado
    return tornado.version_info[:2]


async def test_yielding_something_unknown_raises_bad_yield_error_at_the_yield(gen):
    caught = []

    @gen.coroutine
    def yields_a_number():
        try:
            yield 42
        except gen.BadYieldError as exc:
            caught.append("42" in str(exc))
        yield "a string is no future either"

    with pytest.raises(gen.BadYieldError):
        await yields_a_number()
    assert caught == [True]


async def test_with_timeout_raises_timeout_error_and_leaves_the_future_running(gen):
    loop = asyncio.get_running_loop()
    never = loop.create_future()
    with pytest.raises(gen.TimeoutError) as info:
        await gen.with_timeout(time.time() + 0.01, never)
    assert type(info.value) is asyncio.TimeoutError           # itself, as in tornado 6.2+
    assert not never.done()                       # not cancelled: others may wait on it

    with pytest.raises(gen.TimeoutError):
        await gen.with_timeout(datetime.timedelta(seconds=0.01), loop.create_future())

    soon = loop.create_future()
    loop.call_soon(soon.set_result, "in time")
    assert await gen.with_timeout(datetime.timedelta(seconds=60), soon) == "in time"


async def test_with_timeout_reads_a_number_as_a_deadline_on_the_wall_clock(gen):
    # tornado's IOLoop.time() is time.time(): a deadline a minute from now does not expire,
    # and one on the loop's monotonic clock (far in time.time()'s past) expires at once.
    assert gen.TimeoutError is asyncio.TimeoutError
    loop = asyncio.get_running_loop()
    soon = loop.create_future()
    loop.call_later(0.01, soon.set_result, "in time")
    assert await gen.with_timeout(time.time() + 60, soon) == "in time"
    with pytest.raises(asyncio.TimeoutError, match="^Timeout$"):
        await gen.with_timeout(loop.time() + 60, loop.create_future())
    with pytest.raises(asyncio.TimeoutError, match="too slow"):
        await gen.with_timeout(time.time(), loop.create_future(), message=lambda: "too slow")


async def test_moment_interleaves_coroutines_and_done_futures_do_not(gen):
    loop = asyncio.get_running_loop()
    order = []

    @gen.coroutine
    def polite(name):
        for i in range(3):
            order.append(f"{name}{i}")
            yield gen.moment                      # give the loop (and the others) a turn

    @gen.coroutine
    def greedy(name):
        done = loop.create_future()
        done.set_result(None)
        for i in range(3):
            order.append(f"{name}{i}")
            yield done                            # already done: resumed at once

    await gen.multi([polite("a"), polite("b")])
    assert order == ["a0", "b0", "a1", "b1", "a2", "b2"]
    order.clear()
    await gen.multi([greedy("c"), greedy("d")])
    assert order == ["c0", "c1", "c2", "d0", "d1", "d2"]


async def test_yield_none_is_a_moment(gen):
    order = []

    @gen.coroutine
    def one(name):
        order.append(name + " before")
        yield
        order.append(name + " after")

    await gen.multi([one("a"), one("b")])
    assert order == ["a before", "b before", "a after", "b after"]


async def test_sleep_resolves_to_none_and_shorter_sleeps_finish_first(gen):
    order = []

    @gen.coroutine
    def sleeper(name, seconds):
        result = yield gen.sleep(seconds)
        order.append((name, result))

    await gen.multi([sleeper("long", 0.2), sleeper("short", 0)])
    assert order == [("short", None), ("long", None)]


async def test_await_a_generator_coroutine_from_async_def(gen):
    @gen.coroutine
    def add(a, b):
        yield gen.moment
        return a + b

    async def native():
        return await add(1, 2) + sum(await asyncio.gather(add(3, 4), add(5, 6)))

    assert await native() == 3 + 7 + 11


async def test_yield_a_native_coroutine_from_a_generator(gen):
    async def native(x):
        await asyncio.sleep(0)
        return x * 10

    @gen.coroutine
    def generator_style():
        one = yield native(1)
        both = yield [native(2), native(3)]
        return one, both

    assert await generator_style() == (10, [20, 30])


async def test_maybe_future_and_convert_yielded(gen):
    loop = asyncio.get_running_loop()
    wrapped = gen.maybe_future(7)
    assert isinstance(wrapped, asyncio.Future) and wrapped.result() == 7
    existing = loop.create_future()
    assert gen.maybe_future(existing) is existing
    assert gen.convert_yielded(existing) is existing

    async def native():
        return "ran"

    converted = gen.convert_yielded(native())
    assert isinstance(converted, asyncio.Future)
    assert await converted == "ran"
    assert await gen.convert_yielded([gen.maybe_future(1), gen.maybe_future(2)]) == [1, 2]
    with pytest.raises(gen.BadYieldError):
        gen.convert_yielded(object())
    assert gen.is_coroutine_function(gen.coroutine(lambda: None))
    assert not gen.is_coroutine_function(native)


def logged(caplog, message):
    """The records of ``message`` from either implementation's logger."""
    return [r for r in caplog.records if r.getMessage() == message
            and r.name in ("aioteach.gen", "tornado.application")]


async def test_multi_raises_the_first_failure_in_list_order_and_logs_the_later_ones(gen, caplog):
    loop = asyncio.get_running_loop()
    first_in_list, first_in_time = loop.create_future(), loop.create_future()
    combined = gen.multi([first_in_list, first_in_time])
    first_in_time.set_exception(KeyError("failed first"))
    await asyncio.sleep(0)
    assert not combined.done()                    # the other child is not home yet
    first_in_list.set_exception(ValueError("failed second"))
    with pytest.raises(ValueError, match="failed second"):
        await combined
    (record,) = logged(caplog, "Multiple exceptions in yield list")
    assert isinstance(record.exc_info[1], KeyError)


async def test_quiet_exceptions_and_cancelled_children_are_not_logged(gen, caplog):
    loop = asyncio.get_running_loop()
    a, b, c = (loop.create_future() for _ in range(3))
    a.set_exception(ValueError("raised"))
    b.set_exception(ValueError("quiet"))
    c.cancel()
    with pytest.raises(ValueError, match="raised"):
        await gen.multi([a, b, c], quiet_exceptions=ValueError)
    assert logged(caplog, "Multiple exceptions in yield list") == []


async def test_a_generator_that_fails_after_its_future_was_cancelled_logs_the_error(gen, caplog):
    loop = asyncio.get_running_loop()
    go_on, went_on = loop.create_future(), []

    @gen.coroutine
    def fails_later():
        yield go_on
        went_on.append(True)                      # cancelling the future did not stop us
        raise ValueError("nobody is waiting for this")

    future = fails_later()
    future.cancel()
    go_on.set_result(None)
    await asyncio.sleep(0)
    assert went_on == [True] and future.cancelled()
    (record,) = logged(caplog, "Exception after Future was cancelled")
    assert str(record.exc_info[1]) == "nobody is waiting for this"
