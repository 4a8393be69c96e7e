"""Lesson 07's exercise: turn a ``@gen.coroutine`` handler into an ``async def`` one.

Theory of operation.  The lesson hands the learner a tornado-style handler for
``GET /total?items=apple,pear`` that looks up every item's price *at the same time* (it yields
a list, which the generator runner waits for as a whole) and answers JSON
``{"items": [...], "total": cents}``, or 404 for an unknown item.  The learner rewrites it
with ``async def``, ``await`` and ``asyncio.gather``.  ``check_total(handler)``:

1. refuses a function that is still a generator coroutine, or not a coroutine function;
2. routes it at ``/total`` in a throw-away app and asks for three baskets, checking status,
   JSON and total;
3. checks that the lookups still ran *concurrently*: ``price_of`` (the lookup both versions
   call) counts how many lookups are in flight at once.  ``gather`` starts them all before any
   finishes, so the peak equals the number of items; awaiting them one by one gives a peak
   of 1.  That is a fact about the program's structure, not about speed, so it holds on the
   slowest machine.

The lesson's experiment on failing children also uses ``logs_into(events)``: while it is
active, what ``aioteach.gen`` and tornado log ("Multiple exceptions in yield list") is added to
the ``events`` list, in order, instead of being printed as a traceback.
"""
from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from typing import Any, Dict, Iterator, List, Optional, Tuple

from aioteach import gen

from . import CheckResult, ThrowawayServer, one_route_app, run_check

__all__ = ["check_total", "price_of", "PRICES", "LOOKUPS", "logs_into", "GEN_LOGGERS"]

#: Where aioteach.gen and tornado.gen log the errors nobody else receives.
GEN_LOGGERS = ("aioteach.gen", "tornado.application")

#: The shop's prices, in cents.
PRICES: Dict[str, int] = {"apple": 40, "pear": 55, "plum": 25, "fig": 90}

#: Lookups in flight now, and the most there ever were since the last reset.
LOOKUPS = {"now": 0, "peak": 0}


async def price_of(item: str) -> Optional[int]:
    """The price of ``item`` in cents, or None: a pretend database that answers in 10 ms."""
    LOOKUPS["now"] += 1
    LOOKUPS["peak"] = max(LOOKUPS["peak"], LOOKUPS["now"])
    try:
        await asyncio.sleep(0.01)
        return PRICES.get(item)
    finally:
        LOOKUPS["now"] -= 1


#: basket asked -> (status, JSON a right handler answers with, or None for the 404)
BASKETS: List[Tuple[str, int, Optional[Dict[str, Any]]]] = [
    ("apple,pear,plum", 200, {"items": ["apple", "pear", "plum"], "total": 120}),
    ("fig", 200, {"items": ["fig"], "total": 90}),
    ("apple,unicorn", 404, None),
]


def check_total(handler: Any) -> CheckResult:
    """Check an ``async def`` handler for ``GET /total?items=a,b`` (see the module docstring)."""
    async def body(result: CheckResult) -> None:
        if gen.is_coroutine_function(handler):
            result.fail("your handler is written with `async def`",
                        got="a @gen.coroutine generator function",
                        hint="drop the decorator, write `async def`, and `await` where the "
                             "generator had `yield`")
            return
        if inspect.iscoroutine(handler):
            handler.close()
            result.fail("your handler is written with `async def`", got="a coroutine object",
                        hint="pass the function itself, without parentheses")
            return
        if not result.expect(inspect.iscoroutinefunction(handler),
                             "your handler is written with `async def`", got=repr(handler),
                             hint="write `async def order_total(request):`"):
            return
        async with ThrowawayServer(one_route_app("GET", "/total", handler)) as server:
            for items, status, expected in BASKETS:
                LOOKUPS.update(now=0, peak=0)
                reply = await server.ask("GET", "/total", params={"items": items})
                asked = f"GET /total?items={items}"
                if not result.expect(reply.status == status, f"{asked} answers {status}",
                                     got=reply.summary(), hint=server.error_note() or
                                     "unknown items answer 404 (raise web.HTTPNotFound)"):
                    continue
                if expected is None:
                    continue
                result.expect(reply.json == expected, f"{asked} answers {expected}",
                              got=reply.summary(), hint="return web.json_response({'items': "
                              "items, 'total': sum(prices)})")
                count = len(expected["items"])
                if count > 1:
                    result.expect(LOOKUPS["peak"] == count, f"the {count} price lookups run "
                                  f"at the same time", got=f"at most {LOOKUPS['peak']} at once",
                                  hint="start them together: await asyncio.gather(*(price_of("
                                       "item) for item in items)), not one await per item")
    return run_check("check_total", body)


@contextlib.contextmanager
def logs_into(events: List[str], names: Tuple[str, ...] = GEN_LOGGERS) -> Iterator[List[str]]:
    """While active, a record logged to ``names`` becomes a line in ``events`` (not printed)."""
    class Note(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            error = record.exc_info[1] if record.exc_info else None
            events.append(f"logged: {record.getMessage()} ({error!r})")

    loggers = [logging.getLogger(name) for name in names]
    saved = [(logger.propagate, logger.handlers) for logger in loggers]
    for logger in loggers:
        logger.propagate, logger.handlers = False, [Note()]
    try:
        yield events
    finally:
        for logger, (propagate, handlers) in zip(loggers, saved):
            logger.propagate, logger.handlers = propagate, handlers
