"""Tracing: what the server and the client did, and when, for timelines.

Theory of operation.  The asyncio glue (the server protocol, the web layer, the client and
the generator runner) calls ``emit(kind, **fields)`` at a few well-chosen moments: a
connection opened, a request head parsed, a handler started, a response's first byte
arrived...  Each call is guarded by one module-attribute check, so tracing costs nothing
worth measuring when it is off (the default)::

    if trace.enabled:
        trace.emit("server.handler_start", conn=conn_id, req=req_id, path=path)

Switching it on is a context manager that collects records::

    with trace.record() as rec:
        await session.get(url)
    rec.events          # [TraceEvent(t=..., kind='client.request_start', ...), ...]
    rec.spans()         # start/end pairs, ready for a Gantt chart

Rules:
* The sans-I/O layers never call the tracer; they return events and the glue traces them.
* Timestamps are ``time.perf_counter()`` seconds: monotonic, and fine-grained enough to
  tell apart two coroutines that ran a few microseconds apart.
* A record names the asyncio task that was running, so a timeline can draw one row per task,
  and the ``label`` in force (``with trace.label("native"): ...``, a context variable: tasks
  created inside the block inherit it), so a learner can name the rows of a timeline.

The hook kinds, by who emits them (``fields`` in brackets):

    server.connection_made   [conn, peer]          server.connection_lost  [conn]
    server.head_parsed       [conn, req, method, path]
    server.middleware_enter  [req, name]           server.middleware_exit  [req, name]
    server.handler_start     [req, handler]        server.handler_end      [req, status]
    server.bytes_in          [conn, n, data]       server.bytes_out        [conn, n, data]
    client.request_start     [req, method, url]    client.request_end      [req, status]
    client.connection_queued [req, key]            client.connection_acquired [req, key, reused]
    client.request_sent      [req]                 client.first_byte       [req]
    client.bytes_out         [req, data]           client.bytes_in         [req, data]
    gen.step                 [coro, action, value]

``data`` is the bytes themselves (the notebook's live timeline shows them per span); it is
worked out only inside the ``if trace.enabled:`` guard, so it costs nothing when tracing is off.
The notebook adds its own kinds to a recorder: ``cell.start``/``cell.end`` (IPython's cell
events) and ``loop.blocked`` (a late loop callback, ``aioteach.notebook.lag``).

A failed client request ends with ``status=None`` and ``error`` (the exception's class name).

A recorder's ``spans()`` (or any list of ``Span``) becomes a picture in two ways: the notebook
draws a Gantt chart (``aioteach.notebook.timeline``), and ``text_timeline`` below draws the same
rows with characters for a terminal (``python -m aioteach demo`` prints one): ``=`` is running,
``.`` is waiting, one row per request, time flowing to the right.
"""
from __future__ import annotations

import asyncio
import contextlib
import contextvars
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, Optional

__all__ = ["enabled", "emit", "record", "label", "Recorder", "TraceEvent", "Span",
           "text_timeline"]

#: The one check every hook pays.  True while at least one recorder is active.
enabled: bool = False

_recorders: List["Recorder"] = []

#: The row label in force (``label()``); tasks copy it when they are created.
_label: "contextvars.ContextVar[Optional[str]]" = contextvars.ContextVar("aioteach_trace_label",
                                                                          default=None)


@dataclass(frozen=True)
class TraceEvent:
    """One thing that happened: when (``t``, seconds), what (``kind``), in which task."""

    t: float
    kind: str
    task: Optional[str]
    fields: Dict[str, Any] = field(default_factory=dict)
    label: Optional[str] = None       # the ``trace.label(...)`` in force, if any

    def __getitem__(self, key: str) -> Any:
        return self.fields[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.fields.get(key, default)


@dataclass(frozen=True)
class Span:
    """A stretch of time on one row of a timeline: from ``start`` to ``end`` (seconds)."""

    row: str
    label: str
    start: float
    end: float
    kind: str = "run"        # "run" (doing work) or "wait" (queued / waiting for the peer)

    @property
    def duration(self) -> float:
        return self.end - self.start


def _task_name() -> Optional[str]:
    try:
        task = asyncio.current_task()
    except RuntimeError:      # no running loop: a plain function, a thread
        return None
    return task.get_name() if task is not None else None


def emit(kind: str, **fields: Any) -> None:
    """Record ``kind`` with ``fields`` in every active recorder (call only when ``enabled``)."""
    event = TraceEvent(time.perf_counter(), kind, _task_name(), fields, _label.get())
    for recorder in _recorders:
        recorder.events.append(event)


@contextlib.contextmanager
def label(name: str) -> Iterator[None]:
    """Name what runs inside the block: its trace events carry ``label=name``.

    A context variable, so it follows ``await`` and the tasks created inside (``gather``,
    ``create_task``): ``with trace.label("native"): await asyncio.gather(...)`` labels every
    request the gather makes.  Blocks nest; the innermost name wins.
    """
    token = _label.set(name)
    try:
        yield
    finally:
        _label.reset(token)


class Recorder:
    """Collects ``TraceEvent``s while active.  Use ``with trace.record() as rec:``.

    ``kinds`` limits what is kept (a prefix such as ``"client."`` keeps every client hook).
    """

    def __init__(self, kinds: Optional[List[str]] = None) -> None:
        self.events: List[TraceEvent] = []
        self.kinds = kinds
        self.started: Optional[float] = None

    # -- switching on and off -------------------------------------------------------------
    def start(self) -> "Recorder":
        global enabled
        self.started = time.perf_counter()
        _recorders.append(self)
        enabled = True
        return self

    def stop(self) -> None:
        global enabled
        if self in _recorders:
            _recorders.remove(self)
        enabled = bool(_recorders)
        if self.kinds is not None:
            prefixes = tuple(self.kinds)
            self.events = [e for e in self.events if e.kind.startswith(prefixes)]

    @property
    def active(self) -> bool:
        """Is this recorder collecting events now (between ``start()`` and ``stop()``)?"""
        return self in _recorders

    def __enter__(self) -> "Recorder":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def note(self, kind: str, t: Optional[float] = None, **fields: Any) -> TraceEvent:
        """Add an event to this recorder only (a notebook's cell or loop-lag records)."""
        event = TraceEvent(time.perf_counter() if t is None else t, kind, _task_name(), fields,
                           _label.get())
        self.events.append(event)
        return event

    # -- reading what was recorded --------------------------------------------------------
    def of_kind(self, prefix: str) -> List[TraceEvent]:
        return [e for e in self.events if e.kind.startswith(prefix)]

    def __iter__(self) -> Iterator[TraceEvent]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)

    def spans(self) -> List[Span]:
        """Pair up start/end hooks into spans, one row per client or server request.

        A client request is a "wait" span from ``client.request_start`` to
        ``client.connection_acquired`` (drawn only if it took any time), then a "run" span
        until ``client.request_end``.  A server request is a "run" span from
        ``server.handler_start`` to ``server.handler_end``.
        """
        origin = self.started if self.started is not None else 0.0
        open_: Dict[Any, TraceEvent] = {}
        spans: List[Span] = []
        for e in self.events:
            key = (e.kind.split(".")[0], e.get("req"))
            if e.kind in ("client.request_start", "server.handler_start"):
                open_[key] = e
            elif e.kind == "client.connection_acquired" and key in open_:
                begin = open_[key]
                row = f"client {e.get('req')}"
                label = f"{begin.get('method', '')} {begin.get('url', '')}".strip()
                if e.t > begin.t:
                    spans.append(Span(row, label, begin.t - origin, e.t - origin, "wait"))
                open_[key] = TraceEvent(e.t, begin.kind, begin.task, begin.fields)
            elif e.kind in ("client.request_end", "server.handler_end") and key in open_:
                begin = open_.pop(key)
                side = "client" if e.kind.startswith("client") else "server"
                row = f"{side} {e.get('req')}"
                label = begin.get("url") or begin.get("handler") or ""
                spans.append(Span(row, str(label), begin.t - origin, e.t - origin, "run"))
        return spans

    def __repr__(self) -> str:
        return f"<Recorder {len(self.events)} events>"


def record(kinds: Optional[List[str]] = None) -> Recorder:
    """A recorder to use as ``with trace.record() as rec:``; it is active inside the block."""
    return Recorder(kinds)


# -- a timeline for terminals -------------------------------------------------------------------
#: One character per kind of span.  Anything else (a kind a caller invents) draws as "#".
TEXT_MARKS = {"run": "=", "wait": "."}


def text_timeline(spans: Iterable[Span], width: int = 60) -> str:
    """Draw spans as text: one row per ``Span.row`` (in order of first appearance), time to
    the right, ``=`` for running and ``.`` for waiting, the row's total span time, and a
    scale line underneath::

        req 0 |====================          |  0.300 s
        req 1 |          ====================|  0.300 s
              0-----------------------------0.450 s  (= running, . waiting)

    Every span gets at least one character, so a very short request stays visible.
    """
    spans = list(spans)
    if not spans:
        return "(no spans recorded)"
    start = min(s.start for s in spans)
    total = max(s.end for s in spans) - start or 1e-9    # avoid a zero scale for instant spans
    rows: Dict[str, List[Span]] = {}
    for s in spans:
        rows.setdefault(s.row, []).append(s)
    label_width = max(len(row) for row in rows)
    lines = []
    for row, row_spans in rows.items():
        cells = [" "] * width
        for s in sorted(row_spans, key=lambda s: s.kind == "run"):   # "run" drawn over "wait"
            first = min(width - 1, int((s.start - start) / total * width))
            last = max(first + 1, min(width, round((s.end - start) / total * width)))
            for i in range(first, last):
                cells[i] = TEXT_MARKS.get(s.kind, "#")
        busy = sum(s.duration for s in row_spans)
        lines.append(f"{row:<{label_width}} |{''.join(cells)}| {busy:6.3f} s")
    lines.append(f"{'':<{label_width}} 0{'':-<{width - 1}}{total:.3f} s  (= running, . waiting)")
    return "\n".join(lines)
