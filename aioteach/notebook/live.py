"""LiveTimeline: the whole kernel in one picture, drawn while it happens.

Theory of operation.  A ``LiveTimeline`` owns a ``trace.Recorder``.  ``start()`` switches it
on, which switches tracing on for the whole process: from then on every hook of the server,
the client and the middleware fold lands in it (``aioteach.trace``), together with the
notebook's own records: each cell that runs (IPython's ``pre_run_cell``/``post_run_cell``
events) and each moment the loop was blocked (``lag.LagMonitor``, a callback every 10 ms that
notices when it fires late).  ``stop()`` switches all of it off again: tracing is back to one
attribute check per hook, and nothing is scheduled.

While it records, a timer on the loop redraws the picture at most every ``interval`` seconds
(100 ms), and only when something changed (new events, or spans still growing): never once
per event, so a burst of requests costs one drawing per tick.  A picture that takes long to
draw (500 rows: about 20 ms) spaces the ticks out, so drawing stays under a fifth of the loop.  Each drawing is
``livespans.build(events, now)`` (events -> spans and their bytes) and ``livedraw`` (spans ->
SVG), shown by the widget (``liveview``); a span clicked in the chart, or picked in the list
under it, shows the bytes that went over the wire for it.

Record and replay: the events are the recording.  ``replay()`` draws them again as they
happened (the picture at each moment is the picture of the events up to that moment), and
``save(path)`` / ``LiveTimeline.load(path)`` keep them in a JSON file, bytes included.
``svg()``, ``png()`` and ``save_image(path)`` export what is drawn.

Rules: everything runs on the loop that called ``start()`` (a kernel's loop); without a
running loop (a plain script) there is no lag monitor and no timer, and the picture is drawn
on demand.  At ``max_events`` (200 000) the recording stops itself and says so.  ``start()``
in a cell stops a timeline of the same ``title`` that a cell started and left running:
re-running the cell never leaves an old one recording (and keeping tracing on) behind.
Timelines started by ``watch()`` or by a widget (``start(this_cell=False)``) never stop others.
"""
from __future__ import annotations

import asyncio
import time
from typing import Any, Dict, List, Optional, Union

from .. import trace
from . import cells, livedraw, recording
from .lag import LagMonitor
from .livespans import LiveSpan, Picture, SpanBytes, build

__all__ = ["LiveTimeline", "Watching", "RUNNING", "hang_ups_heard"]

#: The timeline recording now under each title (see the rules above).
RUNNING: Dict[str, "LiveTimeline"] = {}


class LiveTimeline:
    """A live timeline of the client, the server, the cells and the loop's lag.

    ``tl = LiveTimeline(); tl.start(); tl`` in a cell: the widget draws while it records.
    """

    def __init__(self, title: str = "", interval: float = 0.1, lag_threshold: float = 0.02,
                 lag_interval: float = 0.01, max_events: int = 200_000) -> None:
        self.title = title
        self.interval = interval
        self.max_events = max_events
        self.recorder = trace.Recorder()
        self.origin: Optional[float] = None       # perf_counter() at the first start()
        self.monitor = LagMonitor(self.recorder, lag_interval, lag_threshold)
        self.selected: Optional[str] = None
        self.drawn = Picture()                    # the last picture drawn
        self.status = "not started"
        self._stopped_at: Optional[float] = None
        self._view_time: Optional[float] = None   # a replay's moment; None: live
        self._timer: Optional[asyncio.TimerHandle] = None
        self._drawn_count = -1
        self._cells = cells.CellWatcher(self.recorder)
        self._view: Any = None                    # the widget, built on first display

    # -- recording ----------------------------------------------------------------------
    @property
    def recording(self) -> bool:
        return self.recorder.active

    def start(self, this_cell: bool = True) -> "LiveTimeline":
        """Record from now on (again, after a ``stop()``: the new events join the old)."""
        if self.recording:
            return self
        older = RUNNING.get(self.title) if this_cell else None
        if older is not None and older is not self:
            older.stop()
            older.status = "stopped: a newer timeline with this title started"
            older.redraw()
        if this_cell:
            RUNNING[self.title] = self
        self.recorder.start()
        if self.origin is None:
            self.origin = self.recorder.started
        self._stopped_at = None
        self._cells.start(this_cell)
        loop = _running_loop()
        if loop is not None:
            self.monitor.start(loop)
            self.recorder.note("loop.monitor", interval=self.monitor.interval,
                               threshold=self.monitor.threshold)
            self._timer = loop.call_later(self.interval, self._tick)
        self.status = "recording"
        self.redraw()
        return self

    def stop(self) -> "LiveTimeline":
        """Stop recording: tracing off (unless another recorder runs), nothing scheduled."""
        if RUNNING.get(self.title) is self:
            del RUNNING[self.title]
        if self.recording:
            self.recorder.note("live.stop")          # what is open now is cut here
            self.recorder.stop()
            self._stopped_at = time.perf_counter()
        self.monitor.stop()
        self._cells.stop()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.status == "recording":
            self.status = "stopped"
        self.redraw()
        return self

    def watch(self) -> "Watching":
        """``with tl.watch(): ...`` (or ``async with``) records what the block does."""
        return Watching(self)

    async def __aenter__(self) -> "LiveTimeline":
        return self.start(this_cell=False)

    async def __aexit__(self, *exc_info: object) -> None:
        self.stop()

    def clear(self) -> None:
        """Forget what was recorded (recording, if on, goes on from an empty picture)."""
        self.recorder.events = []
        self.origin = time.perf_counter()
        self.recorder.started = self.origin
        self.selected = None
        self._cells.forget()
        self.redraw()

    def _tick(self) -> None:
        """The throttle: at most one drawing per ``interval``, only when something changed."""
        self._timer = None
        if not self.recording:
            return
        count = len(self.recorder.events)
        if count > self.max_events:
            self.status = f"stopped by itself at {self.max_events} events"
            self.stop()
            return
        cost = 0.0
        if count != self._drawn_count or any(s.open for s in self.drawn.spans):
            began = time.perf_counter()
            self.redraw()
            cost = time.perf_counter() - began
        loop = _running_loop()
        if loop is not None:
            # A big picture (hundreds of rows) takes a while to draw: wait 4x as long as the
            # drawing took, so the timeline never takes more than a fifth of the loop's time.
            self._timer = loop.call_later(max(self.interval, 4 * cost), self._tick)

    # -- the picture --------------------------------------------------------------------
    def _now(self) -> float:
        if self._view_time is not None:
            return self._view_time
        if self.recording:
            return time.perf_counter()
        if self._stopped_at is not None:
            return self._stopped_at
        events = self.recorder.events
        return events[-1].t if events else (self.origin or 0.0)

    def picture(self, at: Optional[float] = None) -> Picture:
        """The picture at ``at`` seconds after the start (default: now, or the end)."""
        origin = self.origin or 0.0
        now = self._now() if at is None else origin + at
        return build(self.recorder.events, now, origin)

    def spans(self, group: Optional[str] = None) -> List[LiveSpan]:
        """Every span, in drawing order (rows top to bottom, then time); or one group's."""
        return [s for s in self.picture().spans if group is None or s.group == group]

    def rows(self, group: Optional[str] = None) -> List[str]:
        """Row names, top to bottom; or one group's ("cell", "client", "server", "loop")."""
        return [row for g, row in self.picture().rows if group is None or g == group]

    def blocked(self) -> List[LiveSpan]:
        """The lag strip's bars: when the loop was blocked, and (``.duration``) how long."""
        return self.spans("loop")

    def redraw(self) -> None:
        """Draw now (the timer calls this; so do start, stop, select and replay)."""
        self.drawn = self.picture()
        self._drawn_count = len(self.recorder.events)
        if self._view is not None:
            self._view.show(self)

    def svg(self) -> str:
        """The picture as an SVG document: one ``data-row`` band per row, spans clickable."""
        return livedraw.svg(livedraw.layout(self.picture(), self.selected, self.title))

    def png(self, scale: float = 1.0) -> bytes:
        """The same picture as PNG bytes (Pillow draws it)."""
        return livedraw.png(livedraw.layout(self.picture(), self.selected, self.title), scale)

    def save_image(self, path: str) -> None:
        """Write the picture to ``path``: ``.svg`` or ``.png`` by its suffix."""
        if path.lower().endswith(".svg"):
            with open(path, "w", encoding="utf-8") as file:
                file.write(self.svg())
        elif path.lower().endswith(".png"):
            with open(path, "wb") as file:
                file.write(self.png())
        else:
            raise ValueError(f"save_image writes .svg or .png files, not {path!r}")

    # -- one span and its bytes ---------------------------------------------------------
    def bytes_of(self, span: Union[LiveSpan, str]) -> SpanBytes:
        """The bytes that went over the wire for ``span`` (a LiveSpan or its id)."""
        span_id = span if isinstance(span, str) else span.id
        picture = self.picture()
        if span_id not in picture.wire:
            known = ", ".join(s.id for s in picture.spans[:8])
            raise KeyError(f"no span {span_id!r} in this timeline (some ids: {known} ...)")
        return picture.wire[span_id]

    def select(self, span: Union[LiveSpan, str, None]) -> Optional[SpanBytes]:
        """Pick a span, as a click on it does: the widget shows its bytes; returns them."""
        if span is None or span == "":
            self.selected = None
            self.redraw()
            return None
        found = self.bytes_of(span)
        self.selected = span if isinstance(span, str) else span.id
        self.redraw()
        return found

    # -- record and replay --------------------------------------------------------------
    async def replay(self, speed: float = 1.0) -> int:
        """Draw the recording again as it happened (``speed`` 2 = twice as fast; 0 = the
        end at once).  Stops recording first.  Returns how many pictures were drawn."""
        self.stop()
        origin, end = self.origin or 0.0, self._now()
        frames, started = 0, time.perf_counter()
        try:
            while speed > 0:
                moment = origin + (time.perf_counter() - started) * speed
                self._view_time = min(moment, end)
                self.status = f"replaying: {self._view_time - origin:.2f} s"
                self.redraw()
                frames += 1
                if moment >= end:
                    break
                await asyncio.sleep(self.interval)
        finally:
            self._view_time = None
            self.status = "replayed"
            self.redraw()
        return frames + 1

    def save(self, path: str) -> None:
        """Keep the recording in a JSON file (``LiveTimeline.load(path)`` reads it back)."""
        recording.save(path, self.recorder.events, self.origin or 0.0, self._now(), self.title)

    @classmethod
    def load(cls, path: str) -> "LiveTimeline":
        """A stopped timeline holding a saved recording: draw it, replay it, export it."""
        events, origin, end, title = recording.load(path)
        timeline = cls(title=title)
        timeline.recorder.events = events
        timeline.origin, timeline._stopped_at = origin, end
        timeline.status = f"loaded from {path}"
        return timeline

    # -- display ------------------------------------------------------------------------
    @property
    def widget(self) -> Any:
        """The ipywidgets view (built on first use)."""
        if self._view is None:
            # plug-in point: the widget (ipywidgets, anywidget) loads on first display only
            from .liveview import LiveView
            self._view = LiveView(self)
            self._view.show(self)
        return self._view.widget

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        picture = self.drawn if self.drawn.spans else self.picture()
        return (f"<LiveTimeline {self.status}: {len(picture.rows)} rows, "
                f"{len(picture.spans)} spans, {len(self.recorder.events)} events>")


class Watching:
    """What ``LiveTimeline.watch()`` returns: records inside ``with`` or ``async with``."""

    def __init__(self, timeline: LiveTimeline) -> None:
        self.timeline = timeline

    def __enter__(self) -> LiveTimeline:
        return self.timeline.start(this_cell=False)

    def __exit__(self, *exc_info: object) -> None:
        self.timeline.stop()

    async def __aenter__(self) -> LiveTimeline:
        return self.__enter__()

    async def __aexit__(self, *exc_info: object) -> None:
        self.timeline.stop()


def _running_loop() -> Optional[asyncio.AbstractEventLoop]:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


async def hang_ups_heard(recorder: trace.Recorder, turns: int = 100) -> None:
    """Wait (at most ``turns`` x 10 ms) until our server has seen every connection close.

    A client closes its sockets as its session ends; the server hears it a few loop turns
    later.  A panel that stops its live timeline before then would cut those connections
    short, so the panels (``race``, ``looplab``) wait here first.  ``recorder`` must keep the
    ``server.connection_`` events.
    """
    for _ in range(turns):
        kinds = [e.kind for e in recorder.events]
        if kinds.count("server.connection_made") <= kinds.count("server.connection_lost"):
            return
        await asyncio.sleep(0.01)
