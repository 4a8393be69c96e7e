"""Timelines: what the coroutines did, drawn as a Gantt chart (or as text in a terminal).

Theory of operation.  A timeline has one row per request (or task) and time flowing to the
right; each ``trace.Span`` is a bar on its row, coloured by kind: "run" (doing work, waiting for
the peer's answer), "wait" (queued: for a semaphore, a pooled connection) and "handler" (the
server at work on a request; those rows are drawn under the client's).  Overlapping bars
on different rows are concurrency made visible; a staircase is sequential code.

``Timeline(source)`` takes a ``trace.Recorder`` (its ``spans()``) or a list of spans and offers:
``figure()`` (a matplotlib Figure), ``png()``/``svg()`` (bytes/text), ``save(path)`` (by suffix),
``text()`` (characters, the same picture in a terminal) and the notebook display.  ``draw()``
fills an existing axes, so several timelines can stand side by side (``ConcurrencyLab`` does).

Rules: matplotlib is imported inside the functions that draw, and pyplot is never used: a
``Figure`` with an Agg canvas draws off-screen, needs no GUI backend and leaks no global state.
"""
from __future__ import annotations

import io
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

from .. import trace
from ..trace import Span

__all__ = ["Timeline", "show_timeline", "draw", "side_by_side", "COLOURS"]

#: Colours by span kind; colour-blind safe (blue and orange of the Okabe-Ito palette).
COLOURS = {"run": "#0072B2", "wait": "#E69F00", "handler": "#009E73"}
#: Inches per row and the minimum height: labels stay readable from 1 to ~40 rows.
ROW_HEIGHT, MIN_HEIGHT = 0.35, 1.6

Source = Union["trace.Recorder", Iterable[Span]]


def _spans(source: Source) -> List[Span]:
    if isinstance(source, trace.Recorder):
        return source.spans()
    return list(source)


def _rows(spans: Sequence[Span]) -> List[str]:
    """Row names in order of first appearance (so request 0 is on top); the server's rows
    ("handler" spans) under the client's."""
    ordered = sorted(spans, key=lambda s: (s.kind == "handler", s.start))
    return list(dict.fromkeys(s.row for s in ordered))


def draw(ax: Any, spans: Sequence[Span], title: str = "", origin: Optional[float] = None) -> None:
    """Draw ``spans`` on matplotlib axes ``ax``: one bar per span, one row per ``Span.row``."""
    origin = min((s.start for s in spans), default=0.0) if origin is None else origin
    rows = _rows(spans)
    index = {row: i for i, row in enumerate(rows)}
    for s in spans:
        ax.barh(index[s.row], (s.end - s.start) * 1000, left=(s.start - origin) * 1000,
                height=0.6, color=COLOURS.get(s.kind, "#999999"), edgecolor="white",
                linewidth=0.5)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(rows, fontsize=8)
    ax.invert_yaxis()                              # first row on top, as it is read
    ax.set_xlabel("milliseconds", fontsize=8)
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", alpha=0.3)
    if title:
        ax.set_title(title, fontsize=10)


def _legend(fig: Any, kinds: Iterable[str]) -> None:
    from matplotlib.patches import Patch
    handles = [Patch(color=COLOURS.get(k, "#999999"), label={"run": "running / awaiting the "
                     "answer", "wait": "queued (waiting for a slot)",
                     "handler": "server: the handler at work"}.get(k, k))
               for k in sorted(set(kinds))]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=8,
               frameon=False)


def _new_figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)                            # off-screen: no pyplot, no GUI backend
    return fig


def side_by_side(groups: Dict[str, Sequence[Span]], width: float = 12.0) -> Any:
    """One Figure with a timeline per group (title -> spans), sharing the time axis."""
    groups = {title: list(spans) for title, spans in groups.items()}
    rows = max((len(_rows(spans)) for spans in groups.values()), default=1)
    fig = _new_figure(width, max(MIN_HEIGHT, ROW_HEIGHT * rows + 1.4))
    axes = fig.subplots(1, max(1, len(groups)), sharex=True, squeeze=False)[0]
    for ax, (title, spans) in zip(axes, groups.items()):
        draw(ax, spans, title)
    _legend(fig, (s.kind for spans in groups.values() for s in spans))
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


class Timeline:
    """A Gantt chart of spans.  ``Timeline(rec)`` with a recorder, or with a list of spans."""

    def __init__(self, source: Source, title: str = "", width: float = 8.0) -> None:
        self.spans = _spans(source)
        self.title = title
        self.width = width

    @property
    def rows(self) -> List[str]:
        return _rows(self.spans)

    def figure(self) -> Any:
        """A matplotlib ``Figure`` (no pyplot): one row per request, bars by kind."""
        fig = _new_figure(self.width, max(MIN_HEIGHT, ROW_HEIGHT * len(self.rows) + 1.2))
        ax = fig.add_subplot(1, 1, 1)
        draw(ax, self.spans, self.title)
        _legend(fig, (s.kind for s in self.spans))
        fig.tight_layout(rect=(0, 0.1, 1, 1))
        return fig

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.figure().savefig(buffer, format="png")
        return buffer.getvalue()

    def svg(self) -> str:
        buffer = io.StringIO()
        self.figure().savefig(buffer, format="svg")
        return buffer.getvalue()

    def save(self, path: str) -> None:
        """Write the chart to ``path``; the suffix chooses the format (.png, .svg, .pdf)."""
        self.figure().savefig(path)

    def text(self, width: int = 60) -> str:
        return trace.text_timeline(self.spans, width)

    # -- display: an image in a notebook, text in a terminal -----------------------------------
    def _repr_png_(self) -> bytes:
        return self.png()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text())

    def __repr__(self) -> str:
        return f"<Timeline {len(self.rows)} rows, {len(self.spans)} spans>"


def show_timeline(source: Source, title: str = "", width: float = 8.0) -> Timeline:
    """Display a timeline now (inline image in a notebook, text elsewhere); returns it."""
    timeline = Timeline(source, title, width)
    shell = None
    try:
        from IPython import get_ipython
        shell = get_ipython()
    except ImportError:
        pass
    if shell is not None and type(shell).__name__ == "ZMQInteractiveShell":   # a Jupyter kernel
        from IPython.display import Image, display
        display(Image(timeline.png()))
    else:
        print(timeline.text())
    return timeline
