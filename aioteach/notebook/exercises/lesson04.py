"""Lesson 04's exercise: fetch N URLs with at most k requests in flight.

Theory of operation.  ``check_fetch_all(fetch_all)`` serves ``/page/{i}`` from a throw-away
app whose handler *counts the requests in flight*, then awaits ``fetch_all(urls, k)`` with
``N_PAGES`` URLs and ``LIMIT`` as k.  It expects the bodies back in the order of the URLs,
every page asked exactly once, never more than k requests in the server at once, and k reached
(so the requests really overlapped: one at a time is correct but slow).

Discussion: reaching k must not depend on timing, or a busy machine could fail a right answer.
So the handler *waits for company*: it holds each request until k are in flight (a
``Condition``), or until ``PATIENCE`` seconds pass.  With a right ``fetch_all`` every batch
fills up at once and the check is fast; a one-at-a-time version still finishes (after
N x PATIENCE seconds) and is told that nothing overlapped.
"""
from __future__ import annotations

import asyncio
from typing import Any, Dict

from aioteach import web

from . import CheckResult, ThrowawayServer, require_async, run_check

__all__ = ["check_fetch_all", "N_PAGES", "LIMIT", "PATIENCE"]

N_PAGES = 9
LIMIT = 3
#: Seconds a request waits for company before it is answered alone.
PATIENCE = 0.3


def check_fetch_all(fetch_all: Any) -> CheckResult:
    """Check ``async def fetch_all(urls, k)``: all bodies, in order, at most k at a time."""
    async def body(result: CheckResult) -> None:
        if not require_async(result, fetch_all, "fetch_all"):
            return
        state: Dict[str, int] = {"in flight": 0, "most": 0, "asked": 0}
        company = asyncio.Condition()

        async def page(request: Any) -> Any:
            async with company:
                state["in flight"] += 1
                state["asked"] += 1
                state["most"] = max(state["most"], state["in flight"])
                company.notify_all()
                try:
                    await asyncio.wait_for(
                        company.wait_for(lambda: state["in flight"] >= LIMIT), PATIENCE)
                except asyncio.TimeoutError:
                    pass                    # alone for too long: answer anyway
            try:
                await asyncio.sleep(0.005)  # a little work, so neighbours overlap
                return web.Response(text=f"page {request.match_info['i']}")
            finally:
                state["in flight"] -= 1

        app = web.Application()
        app.router.add_get("/page/{i}", page)
        async with ThrowawayServer(app) as server:
            urls = [f"{server.url}/page/{i}" for i in range(N_PAGES)]
            bodies = await fetch_all(urls, LIMIT)
            expected = [f"page {i}" for i in range(N_PAGES)]
            result.expect(isinstance(bodies, list) and len(bodies) == N_PAGES,
                          f"fetch_all returns a list of {N_PAGES} bodies", got=repr(bodies)[:200],
                          hint="collect what each request returns, e.g. with asyncio.gather")
            result.expect(bodies == expected, "...the bodies, in the order of the URLs",
                          got=repr(bodies)[:200], hint="asyncio.gather keeps the order of its "
                          "arguments; a list filled as tasks finish does not")
            result.expect(state["asked"] == N_PAGES, f"the server was asked {N_PAGES} times",
                          got=state["asked"], hint=server.error_note() or
                          "one request per URL, no more, no less")
            result.expect(state["most"] <= LIMIT,
                          f"never more than k={LIMIT} requests in flight",
                          got=f"{state['most']} at once", hint="limit them: async with an "
                          "asyncio.Semaphore(k) around each request, or "
                          "TCPConnector(limit=k) for the session")
            result.expect(state["most"] >= LIMIT, f"k={LIMIT} requests did overlap",
                          got=f"at most {state['most']} at once", hint="start them all "
                          "together (asyncio.gather) and let the limit hold them back; "
                          "awaiting one after another never overlaps")
    return run_check("check_fetch_all", body)
