"""Lesson 05's checkers outside a notebook: the right answers pass, and the two mistakes the
lesson is about (a blocking call in a handler, an await inside an unlocked sale) fail on the
line that names them, with the rest of the verdict still shown."""
from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import warnings

from aioteach import web
from aioteach.notebook.exercises import CheckResult
from aioteach.notebook.exercises.lesson05 import (BUYERS, REPORTS, STOCK, check_buy,
                                                  check_report, make_report)
from aioteach.notebook.shop import SHOP


def failed(result: CheckResult) -> list:
    return [e.what for e in result.expectations if not e.ok]


# -- check_report: a blocking library call inside a handler ---------------------------------------
async def report_in_a_thread(request):
    text = await asyncio.to_thread(make_report, request.match_info["name"])
    return web.Response(text=text)


async def report_in_an_executor(request):
    loop = asyncio.get_running_loop()
    text = await loop.run_in_executor(None, make_report, request.match_info["name"])
    return web.Response(text=text)


async def report_blocking(request):
    return web.Response(text=make_report(request.match_info["name"]))


ONE_WORKER = concurrent.futures.ThreadPoolExecutor(max_workers=1)


async def report_one_at_a_time(request):
    loop = asyncio.get_running_loop()
    text = await loop.run_in_executor(ONE_WORKER, make_report, request.match_info["name"])
    return web.Response(text=text)


async def report_called_too_early(request):
    # the classic slip: make_report(...) is called here, on the loop, before to_thread sees it
    text = await asyncio.to_thread(make_report(request.match_info["name"]))
    return web.Response(text=text)


def test_a_report_made_in_a_worker_thread_passes():
    for right in (report_in_a_thread, report_in_an_executor):
        result = check_report(right)
        assert result, result.text()
        assert len(result.expectations) == 5


def test_a_blocking_report_fails_and_says_it_ran_on_the_loops_thread():
    result = check_report(report_blocking)
    assert not result
    assert failed(result) == [
        "make_report() never ran on the event loop's own thread",
        f"the {REPORTS} reports were made at the same time",
        f"GET /fast was answered while the {REPORTS} reports were still being made"]
    text = result.text()
    assert f"{REPORTS} of {REPORTS} calls did: each stopped every other request" in text
    assert "await asyncio.to_thread(make_report, name)" in text
    assert "each of 3 GET /report/{name} answered 200" in [
        e.what for e in result.expectations if e.ok][1]


def test_one_worker_thread_is_unblocked_but_makes_reports_one_at_a_time():
    result = check_report(report_one_at_a_time)
    assert failed(result) == [f"the {REPORTS} reports were made at the same time",
                              f"GET /fast was answered while the {REPORTS} reports were still "
                              f"being made"]


def test_calling_make_report_before_to_thread_fails_with_the_servers_error():
    result = check_report(report_called_too_early)
    assert not result
    assert "make_report() never ran on the event loop's own thread" in failed(result)
    assert "str' object is not callable" in result.text()


def test_a_plain_def_or_a_called_handler_is_refused_at_once():
    def not_async(request):
        return web.Response(text=make_report("x"))
    assert failed(check_report(not_async)) == ["your report handler is an `async def` function"]
    coro = report_in_a_thread(None)
    assert failed(check_report(coro)) == ["your report handler is an async function"]


def test_make_report_outside_a_check_just_blocks_and_answers():
    assert make_report("june") == "report for june"


# -- check_buy: an await between reading the stock and writing it back ----------------------------
async def buy_unlocked(request):
    shop = request.app[SHOP]
    if shop.stock <= 0:
        raise web.HTTPConflict(text="sold out")
    await shop.payment()
    shop.stock -= 1
    shop.sold += 1
    return web.json_response({"left": shop.stock})


async def buy_lost_update(request):
    shop = request.app[SHOP]
    stock = shop.stock
    if stock == 0:
        raise web.HTTPConflict(text="sold out")
    await shop.payment()
    shop.stock = stock - 1
    shop.sold += 1
    return web.json_response({"left": shop.stock})


async def buy_locked(request):
    shop = request.app[SHOP]
    async with shop.lock:
        if shop.stock <= 0:
            raise web.HTTPConflict(text="sold out")
        await shop.payment()
        shop.stock -= 1
        shop.sold += 1
    return web.json_response({"left": shop.stock})


async def buy_locked_too_late(request):
    shop = request.app[SHOP]
    if shop.stock <= 0:
        raise web.HTTPConflict(text="sold out")
    await shop.payment()
    async with shop.lock:                 # the gap is before the lock: still oversold
        shop.stock -= 1
        shop.sold += 1
    return web.json_response({"left": shop.stock})


async def buy_pay_first(request):
    shop = request.app[SHOP]
    await shop.payment()                  # no await between check and write: no race, but
    if shop.stock <= 0:                   # the buyers who find it sold out paid for nothing
        raise web.HTTPConflict(text="sold out")
    shop.stock -= 1
    shop.sold += 1
    return web.json_response({"left": shop.stock})


def test_a_locked_sale_passes():
    result = check_buy(buy_locked)
    assert result, result.text()
    assert len(result.expectations) == 6


def test_an_unlocked_sale_oversells_and_the_verdict_says_so():
    result = check_buy(buy_unlocked)
    assert failed(result) == ["the stock never went below 0",
                              f"all {STOCK} items sold, and not one more"]
    text = result.text()
    assert f"it went down to {STOCK - BUYERS}" in text
    assert f"sold {BUYERS}, stock left {STOCK - BUYERS}" in text
    assert "async with shop.lock:" in text


def test_a_lost_update_sells_ten_and_shows_four_left():
    result = check_buy(buy_lost_update)
    assert failed(result) == [f"all {STOCK} items sold, and not one more"]
    assert f"sold {BUYERS}, stock left {STOCK - 1}" in result.text()


def test_a_lock_around_the_write_only_is_too_late():
    assert "the stock never went below 0" in failed(check_buy(buy_locked_too_late))


def test_paying_before_the_check_is_caught_by_the_books():
    assert failed(check_buy(buy_pay_first)) == ["one payment per sale: nobody paid for nothing"]


def test_a_handler_that_raises_is_a_500_in_the_verdict():
    async def broken(request):
        raise KeyError("shop")
    result = check_buy(broken)
    assert "your code raised KeyError" in result.text()


LOCK_OF_ANOTHER_LOOP = asyncio.Lock()


async def buy_with_a_global_lock(request):
    shop = request.app[SHOP]
    async with LOCK_OF_ANOTHER_LOOP:      # made once, at import: it binds to the first loop
        if shop.stock <= 0:
            raise web.HTTPConflict(text="sold out")
        await shop.payment()
        shop.stock -= 1
        shop.sold += 1
    return web.json_response({"left": shop.stock})


def test_a_global_lock_passes_once_then_the_next_check_says_whose_loop_it_belongs_to():
    assert check_buy(buy_with_a_global_lock)      # the lock binds to this check's loop
    again = check_buy(buy_with_a_global_lock)     # a new loop: the lock refuses it
    assert f"each of {BUYERS} racing buyers got 200 (bought) or 409 (sold out)" in failed(again)
    text = again.text()
    assert "bound to a different event loop" in text and "`async with shop.lock:`" in text
    assert "the sales that raised never finished" in text


async def report_without_await(request):
    text = asyncio.to_thread(make_report, request.match_info["name"])    # a coroutine object
    return web.Response(text=text)


def test_a_forgotten_await_is_named_and_nothing_else_is_blamed():
    with warnings.catch_warnings():           # the unawaited coroutine is the point here
        warnings.simplefilter("ignore", RuntimeWarning)
        result = check_report(report_without_await)
        gc.collect()
    text = result.text()
    assert "did you forget `await` before asyncio.to_thread(...)?" in text
    assert "make_report() never ran on the event loop's own thread" in failed(result)
    assert text.count("make_report() was never called") == 3
    assert "asyncio.to_thread gives it one" not in text
