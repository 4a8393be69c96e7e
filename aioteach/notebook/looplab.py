"""Lesson 05's kit, first half: a blocked event loop, made visible and countable.

Theory of operation.  Everything on the kernel's loop takes turns: a coroutine runs until it
awaits, then the loop runs the next one.  A handler that calls ``time.sleep`` (or any blocking
call) never awaits, so for that long *nothing else runs*: no other request, no widget, no clock.

    LagProbe      one run's stalls, measured by ``lag.LagMonitor`` (a timer every 10 ms that
                  notes how late it ran: time the loop spent inside something that did not await)
    fire          fire(url, slow, fast): one request to the slow route while /fast is pinged
                  until it answers; a FreezeResult counts the /fast answers the server gave
                  *while* the slow handler ran (from the server's trace hooks: 0 when it blocks,
                  since nothing else can run on the loop's thread meanwhile)
    FreezePanel   a button per slow route; a table of the runs, the lag strip, a clock that
                  stops when the loop does, and the live timeline of the last run
                  (``live.LiveTimeline``: client, server and loop-lag rows)

The second half, a race made countable (``Shop``, ``RacePanel``), is ``notebook.shop``.  Both
panels follow their server when the cell that serves it is run again (``current_handle``: the
registry key stays, the port changes).

In a browser tab (JupyterLite) there are no threads: ``asyncio.to_thread`` runs its call on the
loop, so every route freezes; the panel says so above its table.

Rules: the panels use ``callbacks.on_click`` (errors become a sentence in the panel); ipywidgets
is imported when a panel is built.  Simplification: the lag probe keeps only stalls of its
threshold (20 ms) or more; a shorter one is real but too small to draw.
"""
from __future__ import annotations

import asyncio
import html
import time
from dataclasses import dataclass, field
from typing import Any, List, Sequence, Tuple

import aioteach

from .. import trace
from . import arguments, lite
from .callbacks import on_click
from .handle import current_handle
from .lag import LagMonitor
from .live import LiveTimeline, hang_ups_heard

__all__ = ["LagProbe", "FreezeResult", "fire", "FreezePanel", "lag_strip_html", "current_handle",
           "url_of", "PING_EVERY", "MAX_PINGS"]

#: Seconds between two /fast pings while the slow request runs; at most MAX_PINGS of them.
PING_EVERY, MAX_PINGS = 0.05, 60


def url_of(target: Any) -> str:
    return str(getattr(current_handle(target), "url", target)).rstrip("/")


# -- the loop's lag -----------------------------------------------------------------------------
class LagProbe:
    """``probe.start()`` ... ``await probe.stop()``: when the loop was stuck, for one run.

    The measuring is ``lag.LagMonitor``'s (the live timeline's lag strip uses the same one): a
    timer every ``tick`` seconds that notes how late it ran.  The probe keeps its own recorder,
    so a run's stalls are its own.  ``samples`` holds ``(t, lag)`` for every tick that ran
    ``threshold`` or more late (``t``: when the tick was due, ``time.perf_counter()`` seconds);
    ``stalls()`` the ones longer than a bound of your choice.  The first timer is set by
    ``start()`` itself, so a block that begins right after ``start()`` is seen too.
    """

    def __init__(self, tick: float = 0.01, threshold: float = 0.02) -> None:
        self.recorder = trace.Recorder(kinds=["loop.blocked"])
        self.monitor = LagMonitor(self.recorder, interval=tick, threshold=threshold)
        self.started = self.ended = 0.0

    def start(self) -> "LagProbe":
        self.recorder.events.clear()
        self.monitor.worst = 0.0
        self.started = self.ended = time.perf_counter()
        self.monitor.start()
        return self

    async def stop(self) -> None:
        self.ended = time.perf_counter()
        self.monitor.stop()

    @property
    def samples(self) -> List[Tuple[float, float]]:
        return [(e.get("start"), e.get("lag")) for e in self.recorder.events]

    def stalls(self, threshold: float = 0.05) -> List[Tuple[float, float]]:
        return [(t, lag) for t, lag in self.samples if lag > threshold]

    @property
    def worst(self) -> float:
        """The longest stall seen, in seconds (0.0 when the loop was never stuck)."""
        return self.monitor.worst


def lag_strip_html(probe: LagProbe, width: int = 560) -> str:
    """The probe's samples as a strip: a red block wherever the loop was stuck."""
    span = max(probe.ended - probe.started, 1e-6)
    blocks = []
    for t, lag in probe.samples:
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


#: A run in which /fast was never answered, as the table says it (red, as the race's oversold).
FROZE = '<span style="color:#c62828;font-weight:bold">FROZE</span>'


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


def _handler_windows(recorder: trace.Recorder) -> List[Tuple[str, float, float]]:
    """(path, start, end) of every server handler: the recorder's server spans."""
    return [(span.label, span.start, span.end) for span in recorder.spans()
            if span.row.startswith("server ")]


async def fire(url: str, slow_path: str = "/slow", fast_path: str = "/fast") -> FreezeResult:
    """GET ``slow_path`` once, pinging ``fast_path`` until it answers; count what overlapped."""
    url = arguments.server_url(url, "fire")
    slow_path, fast_path = arguments.paths([slow_path, fast_path], "fire")
    probe = LagProbe().start()
    pings = 0
    with trace.record(kinds=["server.handler", "server.connection"]) as recorder:
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
        await hang_ups_heard(recorder)    # so the live picture ends the server's connections
    await probe.stop()
    windows = _handler_windows(recorder)
    slow_runs = [(s, e) for path, s, e in windows if path == slow_path]
    start, end = slow_runs[-1] if slow_runs else (0.0, 0.0)
    during = sum(1 for path, s, e in windows if path == fast_path and start < e < end)
    return FreezeResult(slow_path, status, end - start, during, pings, probe.worst, probe)


#: What the panel says in a browser tab, where asyncio.to_thread has no thread to use.
NO_THREADS = ("In this browser tab there are no threads: asyncio.to_thread runs the call right "
              "here, on the loop, so /slow-thread freezes too. Run this lesson in Jupyter on "
              "your computer to see the worker thread keep the loop free.")


class FreezePanel:
    """A button per slow route: fire it while pinging /fast; see what the loop got done."""

    def __init__(self, target: Any, slow_paths: Sequence[str] = ("/slow", "/slow-thread"),
                 fast_path: str = "/fast", timeline: bool = True) -> None:
        import ipywidgets as w
        arguments.server_url(target, "FreezePanel")
        slow_paths = arguments.paths(slow_paths, "FreezePanel")
        (fast_path,) = arguments.paths([fast_path], "FreezePanel")
        self.target = target
        self.fast_path = fast_path
        self.results: List[FreezeResult] = []
        self.buttons = [w.Button(description=f"GET {p} + ping {fast_path}", icon="play",
                                 layout={"width": "auto"}) for p in slow_paths]
        self.clock = w.HTML("<i>the panel's clock: idle</i>")
        self.table = w.HTML("<i>no run yet: press a button</i>")
        self.strip = w.HTML("")
        self.output = w.Output()
        self.timeline = LiveTimeline(title="the kernel's loop, last run") if timeline else None
        parts = [w.HBox(self.buttons + [self.clock]), self.table, self.strip]
        if lite.in_browser():
            parts.insert(1, w.HTML(f"<i>{html.escape(NO_THREADS)}</i>"))
        if self.timeline is not None:
            parts.append(self.timeline.widget)
        self.widget = w.VBox(parts + [self.output])
        self.handlers = [on_click(b, self._clicker(p), disable_while_running=True,
                                  output=self.output, url=lambda: self.url)
                         for b, p in zip(self.buttons, slow_paths)]

    @property
    def url(self) -> str:
        """The server's URL now: re-running the cell that serves it moves it to a new port."""
        return url_of(self.target)

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
            self.timeline.start(this_cell=False)
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
            f"{r.worst_lag * 1000:.0f} ms</td><td>{FROZE if r.froze else 'kept going'}"
            f"</td></tr>" for r in self.results[-6:])
        head = ("<tr><th>slow route</th><th>its handler ran</th><th>/fast answered meanwhile"
                "</th><th>longest loop stall</th><th>the other requests</th></tr>")
        return (f'<table class="aioteach-freeze" style="font:12px sans-serif">{head}{rows}'
                f'</table>')
