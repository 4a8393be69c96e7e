"""Lesson 05's exercises: a handler that must not block the loop, and a sale that must not race.

Theory of operation.

``check_report(report)``: ``make_report(name)`` is a blocking library function (a stand-in for
a PDF renderer, a database driver without asyncio, ``requests.get``).  The learner's handler
serves ``GET /report/{name}`` with it.  The check serves that handler and a ``/fast`` route,
sends ``REPORTS`` report requests at once and, while they are all inside ``make_report``, asks
``/fast``.  Only then does it let the reports finish.  It expects every report back, all of them
inside ``make_report`` at the same time, /fast answered meanwhile, and ``make_report`` never
called on the event loop's own thread.  Nothing is timed: during a check ``make_report`` waits
for the check to release it (a ``threading.Event``), so a right answer is as fast as the machine,
and a blocking one still ends (each call gives up after ``PATIENCE`` seconds) and is told why.

``check_buy(buy)``: the learner's ``POST /buy`` handler sells from ``request.app[SHOP]``
(``notebook.shop.Shop``: ``stock``, ``sold``, ``lock``, ``await payment()``).  The check restocks
``STOCK`` items and sends ``BUYERS`` buyers at once (``shop.race``; payments wait until every
buyer is in, so the race happens on every machine).  It expects: every buyer answered 200
(bought) or 409 (sold out), the stock never below 0, everything sold and nothing more, the
answers agreeing with the books, and one payment per sale.

In a browser kernel (JupyterLite) there are no threads, so ``asyncio.to_thread`` cannot run and
``check_report`` says so in one failed line instead of checking; ``check_buy`` runs there as here.

Simplification: ``make_report`` knows the check's thread by its ident; a process pool would run
it elsewhere and pass the thread test without proving much.  The course uses threads.
"""
from __future__ import annotations

import asyncio
import threading
import time
from typing import Any, List, Optional

from aioteach import web

from ..shop import Shop, race
from .. import lite
from . import CheckResult, ThrowawayServer, require_async, run_check

__all__ = ["check_report", "check_buy", "make_report", "no_threads_here", "REPORTS", "PATIENCE", "STOCK",
           "BUYERS", "REPORT_SECONDS"]

REPORTS = 3
#: Seconds one ``make_report`` call waits for the check to release it before it gives up.
PATIENCE = 0.5
#: Outside a check, ``make_report`` blocks its thread for this long (a slow library call).
REPORT_SECONDS = 0.3
STOCK, BUYERS = 5, 10


class Gate:
    """What ``make_report`` does during a check: count who is inside, wait to be released."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.loop_thread = threading.get_ident()
        self.released = threading.Event()
        self.all_inside = asyncio.Event()
        self.lock = threading.Lock()
        self.inside = self.most = self.calls = self.on_loop_thread = self.gave_up = 0

    def work(self, name: str) -> str:
        with self.lock:
            self.calls += 1
            self.inside += 1
            self.most = max(self.most, self.inside)
            self.on_loop_thread += threading.get_ident() == self.loop_thread
            if self.inside >= REPORTS:
                self.loop.call_soon_threadsafe(self.all_inside.set)
        try:
            if not self.released.wait(PATIENCE):
                with self.lock:
                    self.gave_up += 1
        finally:
            with self.lock:
                self.inside -= 1
        return f"report for {name}"


def raised(server: ThrowawayServer) -> str:
    """The first error the code under test raised during the check, as one line, or ""."""
    if not server.errors:
        return ""
    exc = server.errors[0]
    return f"your code raised {type(exc).__name__}: {exc}"


_GATE: List[Optional[Gate]] = [None]          # the check that runs now, if any


def make_report(name: str) -> str:
    """A blocking call that takes a while and returns ``"report for <name>"``.

    It blocks the thread it runs on (``REPORT_SECONDS``; during a check, until the check lets
    it go): call it from a handler through ``await asyncio.to_thread(make_report, name)``.
    """
    gate = _GATE[0]
    if gate is not None:
        return gate.work(name)
    time.sleep(REPORT_SECONDS)
    return f"report for {name}"


FIX_BLOCKING = ("run the blocking call in a worker thread, so the loop keeps serving: "
                "`text = await asyncio.to_thread(make_report, name)` (or "
                "`await asyncio.get_running_loop().run_in_executor(None, make_report, name)`)")


def check_report(report: Any) -> CheckResult:
    """Check ``async def report(request)``: GET /report/{name} with make_report, unblocked."""
    if lite.in_browser():
        return no_threads_here()
    # long because: the check's story (serve, ask, release) and its four verdict lines, in order
    async def body(result: CheckResult) -> None:
        # long because: one story, read top to bottom; the verdict lines follow the run
        if not require_async(result, report, "report handler"):
            return
        gate = Gate(asyncio.get_running_loop())
        seen = {"inside when /fast ran": -1}

        async def fast(request: Any) -> Any:
            seen["inside when /fast ran"] = gate.inside
            return web.Response(text="fast")

        app = web.Application()
        app.router.add_get("/report/{name}", report)
        app.router.add_get("/fast", fast)
        _GATE[0] = gate
        try:
            async with ThrowawayServer(app) as server:
                names = [f"r{i}" for i in range(REPORTS)]
                asks = [asyncio.ensure_future(server.ask("GET", f"/report/{n}")) for n in names]
                all_inside = asyncio.ensure_future(gate.all_inside.wait())
                await asyncio.wait([all_inside, *asks], return_when=asyncio.FIRST_COMPLETED,
                                   timeout=PATIENCE * (REPORTS + 2))
                all_inside.cancel()
                await server.ask("GET", "/fast")
                gate.released.set()
                replies = await asyncio.gather(*asks)
        finally:
            _GATE[0] = None
            gate.released.set()
        error = raised(server)
        if "coroutine" in error:
            error += " (did you forget `await` before asyncio.to_thread(...)?)"
        result.expect(all(r.status == 200 and r.text == f"report for {n}"
                          for r, n in zip(replies, names)),
                      f"each of {REPORTS} GET /report/{{name}} answered 200 with "
                      f"make_report(name)'s text", got=[r.summary(60) for r in replies],
                      hint=error or "return `web.Response(text=make_report(name))` with name "
                      "= request.match_info['name']")
        never = "make_report() was never called: the answer must be what it returns"
        result.expect(gate.calls and gate.on_loop_thread == 0, "make_report() never ran on the "
                      "event loop's own thread", got=f"{gate.on_loop_thread} of {gate.calls} "
                      f"calls did: each stopped every other request until it returned"
                      if gate.calls else "it was not called at all",
                      hint=FIX_BLOCKING if gate.calls else never)
        result.expect(gate.most == REPORTS, f"the {REPORTS} reports were made at the same time",
                      got=f"at most {gate.most} at once", hint=never if not gate.calls else
                      "each report needs a thread of its own while it waits: asyncio.to_thread "
                      "gives it one (a pool of one worker still makes them one at a time)")
        result.expect(seen["inside when /fast ran"] == REPORTS, f"GET /fast was answered while "
                      f"the {REPORTS} reports were still being made",
                      got=f"{max(0, seen['inside when /fast ran'])} reports were in progress "
                      f"then", hint=never if not gate.calls else "while the loop itself is "
                      "inside make_report, it answers nobody")
    return run_check("check_report", body)


def no_threads_here() -> CheckResult:
    """The verdict in a browser tab: this exercise needs a worker thread, which a tab lacks."""
    result = CheckResult("check_report")
    result.fail("a worker thread for make_report", got="a browser tab has no threads",
                hint="asyncio.to_thread cannot run in JupyterLite; run this lesson in Jupyter "
                     "on your computer (pip install 'aioteach[notebook]') to do this exercise")
    result.show()
    return result


SALE_FIX = ("between reading shop.stock and writing it back your handler awaits "
            "shop.payment(), and every other buyer runs in that gap and reads the same stock. "
            "Hold the shop's lock around the whole sale: `async with shop.lock:` around the "
            "check, the payment and the update")


def check_buy(buy: Any) -> CheckResult:
    """Check ``async def buy(request)``: 10 racing buyers, 5 items, never oversold."""
    async def body(result: CheckResult) -> None:
        if not require_async(result, buy, "buy handler"):
            return
        app = web.Application()
        app.router.add_post("/buy", buy)
        shop = Shop(STOCK)
        shop.install(app)
        async with ThrowawayServer(app) as server:
            outcome = await race(server.url, "/buy", shop, BUYERS)
        statuses = outcome.statuses
        error = raised(server)
        if "bound to a different event loop" in error:
            error += (". An asyncio.Lock belongs to the event loop that first waited for it, "
                      "and every check runs on a new loop of its own: use the shop's own lock, "
                      "`async with shop.lock:` (each check's shop has a fresh one)")
        result.expect(all(s in (200, 409) for s in statuses), f"each of {BUYERS} racing "
                      f"buyers got 200 (bought) or 409 (sold out)", got=statuses,
                      hint=error or "raise web.HTTPConflict() when the stock is gone; "
                      "answer 200 otherwise")
        sale_fix = "the sales that raised never finished: fix that first" if error else SALE_FIX
        result.expect(outcome.lowest >= 0, "the stock never went below 0",
                      got=f"it went down to {outcome.lowest}", hint=sale_fix)
        result.expect(outcome.sold == STOCK and outcome.stock == 0, f"all {STOCK} items sold, "
                      f"and not one more", got=f"sold {outcome.sold}, stock left "
                      f"{outcome.stock}", hint=sale_fix)
        result.expect(outcome.bought == outcome.sold, "every 200 answer is a sale in the books",
                      got=f"{outcome.bought} buyers were told 200, the books say "
                      f"{outcome.sold} sold", hint="count the sale (`shop.sold += 1`) exactly "
                      "when you answer 200")
        result.expect(outcome.payments == outcome.sold, "one payment per sale: nobody paid "
                      "for nothing", got=f"{outcome.payments} payments, {outcome.sold} sales",
                      hint="check the stock first, then `await shop.payment()`, then sell, "
                      "all inside the lock")
    return run_check("check_buy", body)
