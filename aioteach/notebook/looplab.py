"""Lesson 05's kit: a blocked event loop made visible, and a race made countable.

Theory of operation.  Everything on the kernel's loop takes turns: a coroutine runs until it
awaits, then the loop runs the next one.  A handler that calls ``time.sleep`` (or any blocking
call) never awaits, so for that long *nothing else runs*: no other request, no widget, no clock.
And a coroutine that reads shared state, awaits, and writes it back lets every other coroutine
run in the gap, so they all read the same old value.  This module makes both countable:

    LagProbe      a task that asks to wake every ``tick`` seconds and notes how late it woke;
                  lateness is time the loop spent inside something that did not await
    fire          fire(url, slow, fast): one request to the slow route while /fast is pinged
                  until it answers; a FreezeResult counts the /fast answers the server gave
                  *while* the slow handler ran (from the server's trace hooks: 0 when it blocks)
    FreezePanel   a button per slow route; a table of the runs, the lag strip and (when
                  ``aioteach.notebook.LiveTimeline`` is there) the live timeline of the kernel
    Shop, SHOP    a shop's books (stock, sold, the lowest stock ever, payments), its lock, and
                  ``await shop.payment()``: the await in the middle of a sale
    race          race(url, path, shop, n): n buyers at once; a RaceResult (sold, oversold...)
    RacePanel     "Race ten buyers" per route, with the books of every race in a table

Discussion: why ``payment()`` waits for the other buyers.  On a real card processor the gap is
long enough for ten buyers to pile up; on a fast machine ten requests may trickle in one by one
and the race may not happen at all.  So ``payment()`` answers once every buyer of the race has
come in through the shop's door (a middleware that counts them; ``race`` tells the shop how many
to expect), or after ``PATIENCE`` seconds.  The race is then the same on every machine, and a
lock still fixes it: buyers queue at the lock *after* the door.

Rules: the panels use ``callbacks.on_click`` (errors become a sentence in the panel); ipywidgets
is imported when a panel is built.  Simplification: the lag probe only sees stalls longer than
its tick (10 ms); a shorter one is real but too small to draw.
"""
from __future__ import annotations

import asyncio
import html
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

import aioteach
from aioteach import web

from .. import trace
from .callbacks import on_click

__all__ = ["LagProbe", "FreezeResult", "fire", "FreezePanel", "Shop", "SHOP", "RaceResult",
           "race", "RacePanel", "PATIENCE", "lag_strip_html"]

#: Seconds a buyer's payment waits for the rest of the race before it answers anyway.
PATIENCE = 2.0
#: Seconds between two /fast pings while the slow request runs; at most MAX_PINGS of them.
PING_EVERY, MAX_PINGS = 0.05, 60


# -- the loop's lag -----------------------------------------------------------------------------
class LagProbe:
    """``probe.start()`` ... ``await probe.stop()``: how late the loop woke a sleeper, per tick.

    ``samples`` holds ``(t, lag)`` pairs (``time.perf_counter()`` seconds); ``stalls()`` the
    stretches where the loop was stuck for more than ``threshold`` seconds, as ``(start, length)``.
    """

    def __init__(self, tick: float = 0.01) -> None:
        self.tick = tick
        self.samples: List[Tuple[float, float]] = []
        self.started = self.ended = 0.0
        self._task: Optional["asyncio.Task[None]"] = None

    def start(self) -> "LagProbe":
        self.samples.clear()
        self.started = self.ended = time.perf_counter()
        self._task = asyncio.ensure_future(self._run())
        return self

    async def _run(self) -> None:
        while True:
            asked = time.perf_counter()
            await asyncio.sleep(self.tick)
            woke = time.perf_counter()
            self.samples.append((asked, max(0.0, woke - asked - self.tick)))

    async def stop(self) -> None:
        self.ended = time.perf_counter()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def stalls(self, threshold: float = 0.05) -> List[Tuple[float, float]]:
        return [(t, lag) for t, lag in self.samples if lag > threshold]

    @property
    def worst(self) -> float:
        """The longest stall seen, in seconds (0.0 when the loop was never stuck)."""
        return max((lag for _, lag in self.samples), default=0.0)


def lag_strip_html(probe: LagProbe, width: int = 560) -> str:
    """The probe's samples as a strip: a red block wherever the loop was stuck (> 20 ms)."""
    span = max(probe.ended - probe.started, 1e-6)
    blocks = []
    for t, lag in probe.samples:
        if lag <= 0.02:
            continue
        left = (t - probe.started) / span * 100
        blocks.append(f'<div class="aioteach-lag-bar" title="loop stuck {lag * 1000:.0f} ms" '
                      f'style="position:absolute;left:{left:.1f}%;width:'
                      f'{min(100 - left, lag / span * 100):.1f}%;top:0;bottom:0;'
                      f'background:#d55e00"></div>')
    note = (f"loop stuck for up to {probe.worst * 1000:.0f} ms" if blocks
            else "the loop never stalled (no red)")
    return (f'<div style="font:12px sans-serif">loop lag, {span:.2f} s: {note}'
            f'<div style="position:relative;width:{width}px;height:14px;background:#e8f4ea;'
            f'border:1px solid #999">{"".join(blocks)}</div></div>')


# -- a slow request while /fast is pinged ---------------------------------------------------------
@dataclass
class FreezeResult:
    """One run of ``fire``: what the slow request took and what /fast got done meanwhile."""

    slow_path: str
    slow_status: int
    slow_seconds: float          # the slow handler's run, from the server's trace hooks
    fast_during: int             # /fast answers the server gave while the slow handler ran
    fast_total: int
    worst_lag: float
    probe: LagProbe = field(repr=False, default_factory=LagProbe)

    @property
    def froze(self) -> bool:
        return self.fast_during == 0


def _handler_windows(events: Sequence[trace.TraceEvent]) -> List[Tuple[str, float, float]]:
    """(path, start, end) of every server handler, paired by request id."""
    opened: Dict[Any, Tuple[str, float]] = {}
    windows = []
    for event in events:
        if event.kind == "server.handler_start":
            opened[event.get("req")] = (str(event.get("handler")), event.t)
        elif event.kind == "server.handler_end" and event.get("req") in opened:
            path, start = opened.pop(event.get("req"))
            windows.append((path, start, event.t))
    return windows


async def fire(url: str, slow_path: str = "/slow", fast_path: str = "/fast") -> FreezeResult:
    """GET ``slow_path`` once, pinging ``fast_path`` until it answers; count what overlapped."""
    url = url.rstrip("/")
    probe = LagProbe().start()
    pings = 0
    with trace.record(kinds=["server.handler"]) as recorder:
        async with aioteach.ClientSession() as session:
            async def get(path: str) -> int:
                async with session.get(url + path) as response:
                    await response.read()
                    return response.status
            slow = asyncio.ensure_future(get(slow_path))
            while not slow.done() and pings < MAX_PINGS:
                await get(fast_path)
                pings += 1
                await asyncio.wait([slow], timeout=PING_EVERY)
            status = await slow
    await probe.stop()
    windows = _handler_windows(recorder.events)
    slow_runs = [(s, e) for path, s, e in windows if path == slow_path]
    start, end = slow_runs[-1] if slow_runs else (0.0, 0.0)
    during = sum(1 for path, s, e in windows if path == fast_path and start < e < end)
    return FreezeResult(slow_path, status, end - start, during, pings, probe.worst, probe)


class FreezePanel:
    """A button per slow route: fire it while pinging /fast; see what the loop got done."""

    def __init__(self, target: Any, slow_paths: Sequence[str] = ("/slow", "/slow-thread"),
                 fast_path: str = "/fast", timeline: bool = True) -> None:
        import ipywidgets as w
        self.url = str(getattr(target, "url", target)).rstrip("/")
        self.fast_path = fast_path
        self.results: List[FreezeResult] = []
        self.buttons = [w.Button(description=f"GET {p} + ping {fast_path}", icon="play",
                                 layout={"width": "auto"}) for p in slow_paths]
        self.clock = w.HTML("<i>the panel's clock: idle</i>")
        self.table = w.HTML("<i>no run yet: press a button</i>")
        self.strip = w.HTML("")
        self.output = w.Output()
        self.timeline = self._live_timeline() if timeline else None
        parts = [w.HBox(self.buttons + [self.clock]), self.table, self.strip]
        if self.timeline is not None:
            parts.append(self.timeline.widget if hasattr(self.timeline, "widget")
                         else w.Output())
        self.widget = w.VBox(parts + [self.output])
        self.handlers = [on_click(b, self._clicker(p), disable_while_running=True,
                                  output=self.output, url=self.url + p)
                         for b, p in zip(self.buttons, slow_paths)]

    @staticmethod
    def _live_timeline() -> Any:
        # plug-in point: the live timeline (issue 13) is drawn when this package has it
        try:
            from . import LiveTimeline
        except (ImportError, AttributeError):
            return None
        return LiveTimeline(title="the kernel's loop")

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def _clicker(self, slow_path: str) -> Any:
        async def clicked(_button: Any) -> FreezeResult:
            return await self.run(slow_path)
        return clicked

    async def _tick(self, started: float) -> None:
        while True:        # a clock that stops whenever the loop does: that is the point
            self.clock.value = f"the panel's clock: {time.perf_counter() - started:.2f} s"
            await asyncio.sleep(0.05)

    async def run(self, slow_path: str) -> FreezeResult:
        """Fire ``slow_path`` and /fast once (what a button does); the result is kept too."""
        started = time.perf_counter()
        ticker = asyncio.ensure_future(self._tick(started))
        if self.timeline is not None:
            self.timeline.clear()
            self.timeline.start()
        try:
            result = await fire(self.url, slow_path, self.fast_path)
        finally:
            ticker.cancel()
            if self.timeline is not None:
                self.timeline.stop()
        self.results.append(result)
        self.clock.value = f"the panel's clock: {time.perf_counter() - started:.2f} s, done"
        self.table.value = self._table()
        self.strip.value = lag_strip_html(result.probe)
        return result

    def _table(self) -> str:
        rows = "".join(
            f"<tr><td><code>{html.escape(r.slow_path)}</code></td><td>{r.slow_seconds:.2f} s"
            f"</td><td><b>{r.fast_during}</b> of {r.fast_total}</td><td>"
            f"{r.worst_lag * 1000:.0f} ms</td><td>{'FROZE' if r.froze else 'kept going'}"
            f"</td></tr>" for r in self.results[-6:])
        head = ("<tr><th>slow route</th><th>its handler ran</th><th>/fast answered meanwhile"
                "</th><th>longest loop stall</th><th></th></tr>")
        return (f'<table class="aioteach-freeze" style="font:12px sans-serif">{head}{rows}'
                f'</table>')


# -- the shop and the race ----------------------------------------------------------------------
class Shop:
    """A shop's books, kept honestly: ``stock`` (and the ``lowest`` it ever was), ``sold``,
    ``payments``; ``lock``, one ``asyncio.Lock`` for the shop; and ``await payment()``.

    ``shop.install(app)`` puts it at ``app[SHOP]`` and adds its door (a middleware that counts
    the buyers who came in).  ``restock()`` opens a new day with ``initial`` items.
    """

    def __init__(self, stock: int = 5) -> None:
        self.initial = stock
        self.lock = asyncio.Lock()
        self._waiting: List["asyncio.Future[None]"] = []
        self.restock()

    def restock(self, stock: Optional[int] = None) -> None:
        if stock is not None:
            self.initial = stock
        self._stock = self.lowest = self.initial
        self.sold = self.payments = self.arrived = self.expected = 0

    @property
    def stock(self) -> int:
        return self._stock

    @stock.setter
    def stock(self, value: int) -> None:
        self._stock = value
        self.lowest = min(self.lowest, value)

    @property
    def oversold(self) -> int:
        return max(0, self.sold - self.initial)

    def expect(self, buyers: int) -> None:
        """The next ``buyers`` who come in are one race: payments wait for all of them."""
        self.expected = self.arrived + buyers

    async def payment(self) -> None:
        """Charge the card: answers once the race's buyers are all in (or after PATIENCE)."""
        self.payments += 1
        if self.arrived < self.expected:
            waiter = asyncio.get_running_loop().create_future()
            self._waiting.append(waiter)
            await asyncio.wait([waiter], timeout=PATIENCE)
        await asyncio.sleep(0)              # an await always lets the others run

    def _came_in(self) -> None:
        self.arrived += 1
        if self.arrived >= self.expected:
            waiting, self._waiting = self._waiting, []
            for waiter in waiting:
                if not waiter.done():
                    waiter.set_result(None)

    def install(self, app: Any, web_module: Any = web, key: Any = None) -> Any:
        """Keep the shop at ``app[key]`` (default ``SHOP``) and count buyers at its door.

        ``web_module`` and ``key``: aiohttp's ``web`` and an ``aiohttp.web.AppKey``, to serve
        the shop from an aiohttp app.  Returns ``app``.
        """
        @web_module.middleware
        async def door(request: Any, handler: Any) -> Any:
            self._came_in()
            return await handler(request)
        app[SHOP if key is None else key] = self
        app.middlewares.append(door)
        return app

    def __repr__(self) -> str:
        return (f"<Shop stock {self.stock} (lowest {self.lowest}), sold {self.sold} of "
                f"{self.initial}, oversold {self.oversold}>")


#: Where an app keeps its shop: ``request.app[SHOP]``.
SHOP = web.AppKey("shop", Shop)


@dataclass
class RaceResult:
    """One race: the route, what the buyers were told, and the shop's books afterwards."""

    path: str
    statuses: List[int]
    initial: int
    stock: int
    lowest: int
    sold: int
    payments: int

    @property
    def bought(self) -> int:
        return self.statuses.count(200)

    @property
    def refused(self) -> int:
        return sum(1 for s in self.statuses if s != 200)

    @property
    def oversold(self) -> int:
        return max(0, self.sold - self.initial)


async def race(url: str, path: str, shop: Shop, n: int = 10) -> RaceResult:
    """Restock ``shop``, send ``n`` buyers to ``path`` at once, and read the books."""
    shop.restock()
    shop.expect(n)
    async with aioteach.ClientSession() as session:
        async def buy() -> int:
            async with session.post(url.rstrip("/") + path) as response:
                await response.read()
                return response.status
        statuses = list(await asyncio.gather(*(buy() for _ in range(n))))
    return RaceResult(path, statuses, shop.initial, shop.stock, shop.lowest, shop.sold,
                      shop.payments)


class RacePanel:
    """A "Race ten buyers" button per route; the books of each race in a table."""

    def __init__(self, target: Any, shop: Shop, paths: Sequence[str] = ("/buy", "/buy-locked"),
                 n: int = 10) -> None:
        import ipywidgets as w
        self.url = str(getattr(target, "url", target)).rstrip("/")
        self.shop, self.n = shop, n
        self.results: List[RaceResult] = []
        self.buttons = [w.Button(description=f"Race {n} buyers: POST {p}", icon="users",
                                 layout={"width": "auto"}) for p in paths]
        self.table = w.HTML(f"<i>the shop has {shop.initial} items: press a button</i>")
        self.output = w.Output()
        self.widget = w.VBox([w.HBox(self.buttons), self.table, self.output])
        self.handlers = [on_click(b, self._clicker(p), disable_while_running=True,
                                  output=self.output, url=self.url + p)
                         for b, p in zip(self.buttons, paths)]

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def _clicker(self, path: str) -> Any:
        async def clicked(_button: Any) -> RaceResult:
            return await self.run(path)
        return clicked

    async def run(self, path: str) -> RaceResult:
        """One race (what a button does); the result is kept in ``results`` too."""
        result = await race(self.url, path, self.shop, self.n)
        self.results.append(result)
        self.table.value = self._table()
        return result

    def _table(self) -> str:
        def row(r: RaceResult) -> str:
            bad = ' style="color:#c62828;font-weight:bold"'
            return (f"<tr><td><code>{html.escape(r.path)}</code></td><td>{r.bought}</td>"
                    f"<td>{r.refused}</td><td>{r.sold}</td><td{bad if r.lowest < 0 else ''}>"
                    f"{r.stock} (lowest {r.lowest})</td><td{bad if r.oversold else ''}>"
                    f"{'oversold ' + str(r.oversold) if r.oversold else 'none oversold'}"
                    f"</td></tr>")
        head = (f"<tr><th>route</th><th>bought</th><th>refused</th><th>sold</th>"
                f"<th>stock left</th><th>of {self.shop.initial} items</th></tr>")
        rows = "".join(row(r) for r in self.results[-6:])
        return f'<table class="aioteach-race" style="font:12px sans-serif">{head}{rows}</table>'
