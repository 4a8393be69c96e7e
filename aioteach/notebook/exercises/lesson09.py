"""Lesson 09's exercise: a measurement whose *shape* is right, whatever the machine's speed.

Theory of operation.  The learner writes ``async def measure(session, url, n, concurrency)``:
fetch ``url`` ``n`` times with at most ``concurrency`` requests in flight, and return a dict
``{"requests": n, "ok": <how many answered 200>, "seconds": <wall time>, "per_second": ...}``.
``check_measure(measure)`` serves one endpoint in a throw-away app and calls ``measure`` with a
session of its own, then checks what can be checked on any machine, fast or slow:

* the server saw exactly ``n`` requests, and ``ok`` counts the 200s (the bodies were read);
* at most ``concurrency`` handlers were ever in flight at once, and more than one was: the
  endpoint holds its first request until a second one arrives (or ``GATE_TIMEOUT`` passes),
  so a client that waits for each answer before sending the next is seen doing so;
* ``seconds`` is the wall time *around* the requests: it is at least the span from the first
  request's arrival to the last one's answer (the server stamps both with the same clock as
  ``time.perf_counter()``, in this process) and at most the time the call to ``measure`` took;
* ``per_second`` is ``requests / seconds``.

How fast anything was never decides the verdict; it is shown, for the learner's prediction.
"""
from __future__ import annotations

import asyncio
import inspect
import math
import time
from typing import Any, Dict

from aioteach import web

from . import CheckResult, ThrowawayServer, run_check

__all__ = ["check_measure", "REQUESTS", "CONCURRENCY", "KEYS"]

#: the measurement the check asks for: small, so it takes well under a second.
REQUESTS = 60
CONCURRENCY = 6
#: seconds the gate holds a lone first request (a concurrent client frees it in microseconds).
GATE_TIMEOUT = 2.0
KEYS = ("requests", "ok", "seconds", "per_second")


def _gated_app(stats: Dict[str, Any]) -> Any:
    """``GET /work``: counts requests and how many are in flight, stamps first and last."""
    gate = asyncio.Event()

    async def work(request: Any) -> Any:
        now = time.perf_counter()
        stats["first"] = min(stats["first"], now)
        stats["count"] += 1
        stats["now"] += 1
        stats["peak"] = max(stats["peak"], stats["now"])
        try:
            if stats["now"] >= 2:
                gate.set()
            if not gate.is_set():
                try:
                    await asyncio.wait_for(gate.wait(), GATE_TIMEOUT)
                except asyncio.TimeoutError:
                    gate.set()            # a sequential client: let it go on, and say so below
            await asyncio.sleep(0)
            return web.Response(text="done")
        finally:
            stats["now"] -= 1
            stats["last"] = max(stats["last"], time.perf_counter())

    app = web.Application()
    app.router.add_get("/work", work)
    return app


def check_measure(measure: Any) -> CheckResult:
    """Check ``measure(session, url, n, concurrency) -> dict`` (see the module docstring)."""
    async def body(result: CheckResult) -> None:
        if not result.expect(inspect.iscoroutinefunction(measure), "measure is an `async def` "
                             "function", got=repr(measure),
                             hint="write `async def measure(session, url, n, concurrency):`"):
            return
        stats: Dict[str, Any] = {"count": 0, "now": 0, "peak": 0, "first": math.inf,
                                 "last": -math.inf}
        async with ThrowawayServer(_gated_app(stats)) as server:
            started = time.perf_counter()
            outcome = await measure(server.session, server.url + "/work", REQUESTS,
                                    CONCURRENCY)
            took = time.perf_counter() - started
        if not result.expect(isinstance(outcome, dict) and all(k in outcome for k in KEYS),
                             f"measure returns a dict with the keys {', '.join(KEYS)}",
                             got=repr(outcome)[:120],
                             hint="return {'requests': n, 'ok': ok, 'seconds': seconds, "
                                  "'per_second': n / seconds}"):
            return
        result.expect(stats["count"] == REQUESTS, f"the server saw exactly {REQUESTS} requests",
                      got=stats["count"], hint="send n requests in all, not n per worker")
        result.expect(outcome["requests"] == REQUESTS, f"'requests' is {REQUESTS}",
                      got=outcome["requests"])
        result.expect(outcome["ok"] == REQUESTS, f"'ok' counts the {REQUESTS} answers with "
                      "status 200", got=outcome["ok"],
                      hint="count the responses whose resp.status == 200 (and read each body "
                           "with await resp.read())")
        result.expect(stats["peak"] <= CONCURRENCY, f"at most {CONCURRENCY} requests in flight "
                      "at once", got=f"{stats['peak']} at once",
                      hint="limit them: asyncio.Semaphore(concurrency), or that many workers")
        result.expect(stats["peak"] >= 2, "more than one request in flight at once",
                      got="one at a time: the server waited for a second request in vain",
                      hint="start the requests together (asyncio.gather over workers or tasks); "
                           "a plain for loop with await waits for each answer first")
        seconds = outcome["seconds"]
        if not result.expect(isinstance(seconds, (int, float)) and seconds > 0,
                             "'seconds' is a positive number", got=repr(seconds)):
            return
        span = stats["last"] - stats["first"] if stats["count"] else 0.0
        result.expect(span <= seconds <= took, "'seconds' is the wall time around all the "
                      "requests", got=f"{seconds:.4f} s; the requests spanned {span:.4f} s and "
                      f"the call took {took:.4f} s",
                      hint="read time.perf_counter() before starting the first request and "
                           "after the last answer; subtract")
        per_second = outcome["per_second"]
        result.expect(isinstance(per_second, (int, float)) and
                      math.isclose(per_second, outcome["requests"] / seconds, rel_tol=1e-6),
                      "'per_second' is requests / seconds", got=repr(per_second))
    return run_check("check_measure", body)
