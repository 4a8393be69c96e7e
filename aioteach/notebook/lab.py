"""ConcurrencyLab: the same N slow requests, four ways, and their timelines side by side.

Theory of operation.  N requests to a slow endpoint (``/delay/300``: 300 ms each) are fetched:

    sequential   ``for ...: await fetch(i)``            N x 300 ms: a staircase
    gather       ``await asyncio.gather(*fetches)``      ~300 ms: every bar overlaps
    semaphore    ``async with Semaphore(k)`` per fetch   N/k steps of k bars; the rest queue
    connector    ``TCPConnector(limit=k)`` + gather      the same shape, but the queue is the
                                                         client's connection pool

Each request is a row: orange while it waits for a slot (the semaphore, or a pooled connection
when the client's trace hooks say so), blue while its request is in flight.  Under the client's
rows, the server's: one green bar per request from the moment its handler started to its
answer (``LabResult.server_spans``, from the same trace), so a learner sees that the server
was idle while the client queued.  ``await lab.run_all()`` runs the four in turn and returns
``lab.results`` (strategy -> ``LabResult``); the widget shows sliders for ``n``, ``k`` and the
delay, a progress bar and a live timeline (``lab.timeline``, a ``LiveTimeline``) while they
run, then the four timelines side by side in one image (drawn by matplotlib; where it is not
installed, as in the JupyterLite site, the live timeline is the only drawing).

Rules: each request runs in a task named after its strategy and index, so trace events (which
carry the task name) can be matched to rows.  The lab uses ``aioteach.ClientSession``.  The
server's rows appear when the server runs in this process (``serve(app)``, either mode);
for a server elsewhere there are none.  The delay slider rewrites a ``/delay/<ms>`` path.
"""
from __future__ import annotations

import asyncio
import importlib.util
import io
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

import aioteach

from .. import trace
from ..trace import Span
from . import arguments
from .callbacks import on_change, on_click
from .handle import current_handle
from .live import LiveTimeline
from .livespans import build
from .timeline import side_by_side

__all__ = ["ConcurrencyLab", "LabResult", "STRATEGIES", "can_draw_still"]

STRATEGIES = ("sequential", "gather", "semaphore", "connector")
#: The sliders' ends (n requests, k at a time).
MAX_N, MAX_K = 20, 10


@dataclass
class LabResult:
    """One strategy's run: its spans (one or two per request), statuses and total time."""

    strategy: str
    elapsed: float
    statuses: List[int] = field(default_factory=list)
    spans: List[Span] = field(default_factory=list)
    server_spans: List[Span] = field(default_factory=list)    # "handler" spans, one per row

    @property
    def waited(self) -> float:
        """Seconds spent queued, summed over the requests."""
        return sum(s.duration for s in self.spans if s.kind == "wait")


def can_draw_still() -> bool:
    """Is matplotlib here to draw the still image? (not in a JupyterLite kernel)"""
    return importlib.util.find_spec("matplotlib") is not None


class ConcurrencyLab:
    """Fire ``n`` requests at ``path`` four ways, ``k`` at a time where there is a limit."""

    def __init__(self, target: Any, path: str = "/delay/300", n: int = 6, k: int = 2,
                 widgets: bool = True) -> None:
        arguments.server_url(target, "ConcurrencyLab")     # a sentence now if it is no server
        self.target = target
        (self.path,) = arguments.paths([path], "ConcurrencyLab")
        self.n = arguments.count(n, "ConcurrencyLab", "n", most=MAX_N)
        self.k = arguments.count(k, "ConcurrencyLab", "k", most=MAX_K)
        self.results: Dict[str, LabResult] = {}
        self.widget: Any = None
        self.timeline: Any = None
        self.running = False            # run_all() is under way: the sliders wait for its end
        if widgets:
            self._build_widgets()

    @property
    def base(self) -> str:
        """The server's URL now: the lab follows its server when the serving cell runs again."""
        return arguments.server_url(current_handle(self.target), "ConcurrencyLab")

    @property
    def url(self) -> str:
        return self.base + self.path

    @property
    def delay(self) -> Optional[int]:
        """The milliseconds of a ``/delay/<ms>`` path (None for another path)."""
        found = re.fullmatch(r"/delay/(\d+)", self.path)
        return int(found.group(1)) if found else None

    def _build_widgets(self) -> None:
        import ipywidgets as w
        self.n_slider = w.IntSlider(self.n, min=1, max=MAX_N, description="n requests")
        self.k_slider = w.IntSlider(self.k, min=1, max=MAX_K, description="k at a time")
        self.delay_slider = w.IntSlider(self.delay or 0, min=0, max=1000, step=50,
                                        description="delay (ms)",
                                        disabled=self.delay is None)
        for slider in (self.n_slider, self.k_slider, self.delay_slider):
            on_change(slider, self._slid)
        self.progress = w.IntProgress(value=0, min=0, max=self.n * len(STRATEGIES),
                                      description="requests")
        self.run_button = w.Button(description="Run all four", icon="play")
        self.summary = w.HTML(self._plan())
        self.timeline = LiveTimeline(title="while the lab runs: client, server, loop")
        self.image = w.Image(format="png")
        if not can_draw_still():
            self.image.layout.display = "none"
        self.output = w.Output()
        self.widget = w.VBox([
            w.HBox([self.n_slider, self.k_slider, self.delay_slider]),
            w.HBox([self.run_button, self.progress]), self.summary, self.timeline.widget,
            self.image, self.output])
        self.handler = on_click(self.run_button, self._clicked, disable_while_running=True,
                                output=self.output, url=lambda: self.base)   # the server, not the path

    def _plan(self) -> str:
        return f"<i>{self.n} x GET {self.url}, limit k={self.k}</i>"

    def _slid(self, _change: Any = None) -> None:
        """A slider moved: the next run uses the new n, k and delay (a run keeps its own)."""
        if self.running:
            self.summary.value = (f"{self._plan()} <i>(the sliders' values apply when this run "
                                  f"ends)</i>")
            return
        self.n, self.k = self.n_slider.value, self.k_slider.value
        if self.delay is not None:
            self.path = f"/delay/{self.delay_slider.value}"
        self.progress.max = self.n * len(STRATEGIES)
        self.summary.value = self._plan()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        if self.widget is None:
            return {"text/plain": repr(self)}
        return self.widget._repr_mimebundle_(**kwargs)

    async def _clicked(self, _button: Any) -> None:
        await self.run_all()

    def _tick(self) -> None:
        if self.widget is not None:
            self.progress.value += 1

    # -- one request, timed ----------------------------------------------------------------------
    async def _fetch(self, session: Any, strategy: str, i: int, spans: List[Span],
                     statuses: List[int], gate: Optional[asyncio.Semaphore] = None) -> None:
        row = f"request {i}"
        queued = time.perf_counter()
        if gate is not None:
            await gate.acquire()
        try:
            started = time.perf_counter()
            if started - queued > 1e-4:                  # waited for the semaphore
                spans.append(Span(row, strategy, queued, started, "wait"))
            async with session.get(self.url) as response:
                await response.read()
                statuses.append(response.status)
            spans.append(Span(row, strategy, started, time.perf_counter(), "run"))
        finally:
            if gate is not None:
                gate.release()
            self._tick()

    def _tasks(self, strategy: str, make: Callable[[int], Any]) -> List["asyncio.Task[None]"]:
        tasks = []
        for i in range(self.n):
            task = asyncio.ensure_future(make(i))
            task.set_name(f"lab-{strategy}-{i}")        # trace events name the task
            tasks.append(task)
        return tasks

    async def run(self, strategy: str) -> LabResult:
        """Run one strategy; its result is also stored in ``lab.results``."""
        if strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}, not {strategy!r}")
        spans: List[Span] = []
        statuses: List[int] = []
        connector = aioteach.TCPConnector(limit=self.k) if strategy == "connector" else None
        started = time.perf_counter()
        with trace.record() as recorder, trace.label(strategy):   # live rows: "gather: ..."
            async with aioteach.ClientSession(connector=connector) as session:
                if strategy == "sequential":
                    for i in range(self.n):
                        await self._fetch(session, strategy, i, spans, statuses)
                else:
                    gate = asyncio.Semaphore(self.k) if strategy == "semaphore" else None
                    await asyncio.gather(*self._tasks(strategy, lambda i: self._fetch(
                        session, strategy, i, spans, statuses, gate)))
        if strategy == "connector":
            spans = self._split_pool_waits(spans, recorder, strategy)
        result = LabResult(strategy, time.perf_counter() - started, statuses,
                           sorted(spans, key=lambda s: (int(s.row.split()[-1]), s.start)),
                           self._server_spans(recorder))
        self.results[strategy] = result
        return result

    def _server_spans(self, recorder: trace.Recorder) -> List[Span]:
        """The server's handlers in this run, one row each ("server 0", ...), in order."""
        ends = [e.t for e in recorder.events]
        picture = build(recorder.events, max(ends, default=0.0))
        handlers = [s for s in picture.spans if s.kind == "handler"]
        path = self.path.split("?")[0]
        mine = [s for s in handlers if s.label.split(" -> ")[0].endswith(path)]
        return [Span(f"server {i}", s.label, s.start, s.end, "handler")
                for i, s in enumerate(sorted(mine, key=lambda s: s.start))]

    @staticmethod
    def _split_pool_waits(spans: List[Span], recorder: trace.Recorder,
                          strategy: str) -> List[Span]:
        """Cut a queued request's run span where the client's pool handed it a connection.

        Only requests with a ``client.connection_queued`` hook waited for a slot; the others'
        time before ``connection_acquired`` is opening the connection, which is work.
        """
        def row_of(event: trace.TraceEvent) -> Optional[str]:
            if event.task and event.task.startswith(f"lab-{strategy}-"):
                return "request " + event.task.rsplit("-", 1)[1]
            return None

        queued = {row_of(e) for e in recorder.of_kind("client.connection_queued")}
        acquired: Dict[str, float] = {}
        for event in recorder.of_kind("client.connection_acquired"):
            row = row_of(event)
            if row in queued and row is not None:
                acquired.setdefault(row, event.t)
        result = []
        for s in spans:
            cut = acquired.get(s.row)
            if s.kind == "run" and cut is not None and s.start + 1e-4 < cut < s.end:
                result += [Span(s.row, s.label, s.start, cut, "wait"),
                           Span(s.row, s.label, cut, s.end, "run")]
            else:
                result.append(s)
        return result

    async def run_all(self) -> Dict[str, LabResult]:
        """Run the four strategies in turn, then draw their timelines side by side."""
        if self.widget is not None:
            self.progress.value = 0
            self.timeline.clear()
            self.timeline.start(this_cell=False)
        self.running = True
        try:
            for strategy in STRATEGIES:
                await self.run(strategy)
        finally:
            self.running = False
            if self.timeline is not None:
                self.timeline.stop()
                self._slid()             # what the sliders say now, for the next run
        if self.widget is not None and can_draw_still():
            self.image.value = self.png()
            self.summary.value = "<br>".join(
                f"<b>{r.strategy}</b>: {r.elapsed * 1000:.0f} ms in all, "
                f"{r.waited * 1000:.0f} ms queued" for r in self.results.values())
        return self.results

    def figure(self) -> Any:
        """The timelines of the strategies run so far, side by side (a matplotlib Figure)."""
        return side_by_side({f"{r.strategy} ({r.elapsed:.2f} s)": r.spans + r.server_spans
                             for r in self.results.values()})

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.figure().savefig(buffer, format="png")
        return buffer.getvalue()

    def __repr__(self) -> str:
        done = ", ".join(f"{r.strategy} {r.elapsed:.2f} s" for r in self.results.values())
        return f"<ConcurrencyLab {self.n} x {self.url} k={self.k}: {done or 'not run yet'}>"
