"""The checkers of lessons 06-09 outside a notebook: a right answer passes, and each usual wrong
turn fails on the line that names it, with the rest of the verdict still shown."""
from __future__ import annotations

import asyncio
import time

import aioteach
from aioteach import gen, web
from aioteach.http1 import EndOfMessage, RequestParser
from aioteach.notebook.exercises import CheckResult
from aioteach.notebook.exercises.lesson06 import check_reverse
from aioteach.notebook.exercises.lesson07 import check_total, price_of
from aioteach.notebook.exercises.lesson08 import CASES, check_count_requests
from aioteach.notebook.exercises.lesson09 import check_measure

TEXT = aioteach.WSMsgType.TEXT


def failed(result: CheckResult) -> list:
    return [e.what for e in result.expectations if not e.ok]


# -- lesson 06: a reversing WebSocket ------------------------------------------------------------
async def reverse(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    async for message in ws:
        if message.type == TEXT:
            await ws.send_str(message.data[::-1])
    return ws


async def echo(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    async for message in ws:
        await ws.send_str(message.data)
    return ws


async def answers_once(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    message = await ws.receive()
    await ws.send_str(message.data[::-1])
    return ws


async def not_a_websocket(request):
    return web.Response(text="hello")


async def raises(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    async for _ in ws:
        raise ValueError("oops")
    return ws


def test_check_reverse_passes_a_reversing_handler():
    result = check_reverse(reverse)
    assert result and "the closing handshake ends with code 1000 (normal closure)" in \
        [e.what for e in result.expectations]


def test_check_reverse_names_each_wrong_turn():
    assert failed(check_reverse(echo)) == ["'hello' comes back as 'olleh'",
                                           "'asyncio' comes back as 'oicnysa'",
                                           "'straße ✓' comes back as '✓ eßarts'",
                                           "'WebSocket' comes back as 'tekcoSbeW'"]
    assert failed(check_reverse(answers_once)) == ["'asyncio' comes back as 'oicnysa'"]
    assert failed(check_reverse(not_a_websocket)) == \
        ["the handler accepts a WebSocket (101 Switching Protocols)"]
    broken = check_reverse(raises)
    assert "the handler raised no exception" in failed(broken)
    assert "ValueError: oops" in broken.text()
    assert failed(check_reverse(reverse(None))) == ["your handler is an async function"]


# -- lesson 07: from @gen.coroutine to async def ------------------------------------------------
@gen.coroutine
def total_generator(request):
    items = request.query["items"].split(",")
    prices = yield [price_of(item) for item in items]
    if None in prices:
        raise web.HTTPNotFound(text="unknown item")
    raise gen.Return(web.json_response({"items": items, "total": sum(prices)}))


async def total_gathered(request):
    items = request.query["items"].split(",")
    prices = await asyncio.gather(*(price_of(item) for item in items))
    if None in prices:
        raise web.HTTPNotFound(text="unknown item")
    return web.json_response({"items": items, "total": sum(prices)})


async def total_one_by_one(request):
    items = request.query["items"].split(",")
    prices = [await price_of(item) for item in items]
    if None in prices:
        raise web.HTTPNotFound(text="unknown item")
    return web.json_response({"items": items, "total": sum(prices)})


def test_check_total_wants_async_def_with_concurrent_lookups():
    assert check_total(total_gathered)
    assert failed(check_total(total_generator)) == ["your handler is written with `async def`"]
    assert failed(check_total(total_one_by_one)) == ["the 3 price lookups run at the same time"]


def test_the_generator_version_answers_like_the_solution():
    # The stub the lesson hands out is right except for its style: served, it answers alike.
    from aioteach.notebook.exercises import ThrowawayServer, one_route_app

    async def ask(handler):
        async with ThrowawayServer(one_route_app("GET", "/total", handler)) as server:
            reply = await server.ask("GET", "/total", params={"items": "apple,pear"})
            return reply.status, reply.json

    assert asyncio.run(ask(total_generator)) == asyncio.run(ask(total_gathered)) == \
        (200, {"items": ["apple", "pear"], "total": 95})


# -- lesson 08: counting requests with the parser -------------------------------------------------
def count_with_the_parser(data):
    return sum(isinstance(event, EndOfMessage) for event in RequestParser().feed(data))


def test_check_count_requests_passes_the_parser_and_catches_text_search():
    assert check_count_requests(count_with_the_parser)
    assert failed(check_count_requests(lambda data: data.count(b"HTTP/1.1"))) == [
        "a POST whose body holds the text of a request: 2",
        "two GETs and half of a third: 2",
        "a POST whose body has not all arrived: 1"]


def test_check_count_requests_survives_a_function_that_raises():
    def broken(data):
        raise RuntimeError("not yet")
    result = check_count_requests(broken)
    assert len(failed(result)) == len(CASES) and "not yet" in result.text()


# -- lesson 09: the shape of a measurement --------------------------------------------------------
async def measure_right(session, url, n, concurrency):
    limit = asyncio.Semaphore(concurrency)

    async def one():
        async with limit:
            async with session.get(url) as resp:
                await resp.read()
                return resp.status

    started = time.perf_counter()
    statuses = await asyncio.gather(*(one() for _ in range(n)))
    seconds = time.perf_counter() - started
    return {"requests": n, "ok": statuses.count(200), "seconds": seconds,
            "per_second": n / seconds}


async def measure_unbounded(session, url, n, concurrency):
    return await measure_right(session, url, n, n)


async def measure_sequential(session, url, n, concurrency):
    return await measure_right(session, url, n, 1)


async def measure_before_sending(session, url, n, concurrency):
    outcome = await measure_right(session, url, n, concurrency)
    outcome["seconds"] = 1e-9                    # a time that cannot cover the requests
    outcome["per_second"] = n / outcome["seconds"]
    return outcome


def test_check_measure_inspects_the_shape_not_the_speed():
    assert check_measure(measure_right)
    assert failed(check_measure(measure_unbounded)) == ["at most 6 requests in flight at once"]
    assert failed(check_measure(measure_sequential)) == \
        ["more than one request in flight at once"]
    assert failed(check_measure(measure_before_sending)) == \
        ["'seconds' is the wall time around all the requests"]
