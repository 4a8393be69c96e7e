"""The live timeline's widget: a toolbar, the chart, a span picker and the span's bytes.

Theory of operation.  ``LiveView(timeline)`` builds ipywidgets 8 widgets once and
``show(timeline)`` refreshes them from the timeline's last drawing (the timeline calls it at
most every 100 ms):

    [Record/Stop] [Replay] [Clear] [Export]  status: 12 rows, 30 spans, 2 running
    chart        the SVG of ``livedraw``; click a bar to pick that span
    span         a Dropdown of every span (the same pick, by keyboard or from code)
    bytes        the picked span's request and response bytes, CRLF shown

The chart is a tiny anywidget (``SvgChart``: 30 lines of JavaScript, shipped in this file, no
network) when anywidget is installed (the ``notebook`` extra brings it): it paints the SVG,
sends the ``data-span`` of a clicked bar back to the kernel, and outlines the picked bar
itself (a CSS class), so a pick does not repaint the chart under the mouse.  Without anywidget the chart
is an ``ipywidgets.HTML`` holding the same SVG, and the Dropdown is how a span is picked.

Rules: the Dropdown's options are rebuilt only when the list of span ids changed, and the
chart's SVG is sent only when it changed, so an idle timeline sends nothing.  Button actions
go through ``callbacks.on_click``: their failures show in the widget's output as one sentence.
"""
from __future__ import annotations

import base64
import html
from typing import Any, List, Optional, Tuple

from . import livedraw
from .callbacks import on_click
from .livespans import LiveSpan, SpanBytes
from .wire import show_bytes

__all__ = ["LiveView", "chart_widget", "bytes_html", "CHART_ESM", "FIT_TO_BOX"]

#: The HTML chart's SVG is as wide as its box, never wider (the viewBox keeps it in proportion).
FIT_TO_BOX = '<svg style="max-width:100%;height:auto;display:block" '

#: The chart's front-end (an ES module for anywidget): paint the SVG, report clicks.
CHART_ESM = """
function render({ model, el }) {
  const box = document.createElement("div");
  box.className = "aioteach-live-chart";
  box.style.cssText = "max-height:560px;overflow:auto;border:1px solid #d0d7de;";
  const style = document.createElement("style");
  style.textContent = ".aioteach-picked { stroke: #000; stroke-width: 2.5px; stroke-dasharray: none; }"
    + " .aioteach-live-chart svg { width: 100%; height: auto; display: block; }";
  const mark = () => {
    box.querySelectorAll(".aioteach-picked").forEach((e) => e.classList.remove("aioteach-picked"));
    const picked = model.get("selected");
    if (!picked) return;
    const bar = box.querySelector(`[data-span="${CSS.escape(picked)}"]`);
    if (bar) bar.classList.add("aioteach-picked");
  };
  const paint = () => { box.innerHTML = model.get("svg"); mark(); };
  paint();
  model.on("change:svg", paint);
  model.on("change:selected", mark);
  box.addEventListener("click", (event) => {
    const bar = event.target.closest("[data-span]");
    if (bar) { model.send({ picked: bar.getAttribute("data-span") }); }
  });
  el.appendChild(style);
  el.appendChild(box);
}
export default { render };
"""


def chart_widget() -> Any:
    """The chart: an anywidget that reports clicks, or a plain HTML widget without it."""
    try:
        import anywidget
        import traitlets
    except ImportError:
        import ipywidgets as w
        return w.HTML(layout=w.Layout(max_height="560px", overflow="auto"))

    class SvgChart(anywidget.AnyWidget):
        _esm = CHART_ESM
        svg = traitlets.Unicode("").tag(sync=True)
        selected = traitlets.Unicode("").tag(sync=True)    # outlined by the page itself

    return SvgChart()


def bytes_html(span: Optional[LiveSpan], wire: Optional[SpanBytes]) -> str:
    """The picked span, its times, and its bytes in two columns."""
    if span is None or wire is None:
        return ("<div style='color:#555;font-size:12px'>Click a bar (or pick a span in the "
                "list) to see the bytes that went over the wire for it.</div>")
    state = "running" if span.open else f"{span.duration * 1000:.1f} ms"
    head = (f"<b>{html.escape(span.label)}</b> &middot; {span.kind} &middot; from "
            f"{span.start * 1000:.1f} ms, {state}")
    if wire.note and not (wire.request or wire.response):
        return f"<div style='font-size:12px'>{head}<br>{html.escape(wire.note)}</div>"
    columns = "".join(
        f"<div style='flex:1;min-width:0'><div style='font-size:11px;color:#555'>{title} "
        f"({len(data)} bytes)</div><pre class='aioteach-live-bytes' style='font-size:11px;"
        f"white-space:pre-wrap;word-break:break-all;background:#f6f8fa;padding:4px;"
        f"margin:2px 0;max-height:260px;overflow:auto'>{html.escape(show_bytes(data))}"
        f"</pre></div>" for title, data in (("request", wire.request),
                                             ("response", wire.response)))
    note = f"<br><i>{html.escape(wire.note)}</i>" if wire.note else ""
    return (f"<div style='font-size:12px'>{head}{note}<div style='display:flex;gap:8px'>"
            f"{columns}</div></div>")


class LiveView:
    """The widgets of one LiveTimeline (``view.widget`` is the VBox to display)."""

    def __init__(self, timeline: Any) -> None:
        import ipywidgets as w
        self.timeline = timeline
        self.record_button = w.Button(description="Stop", icon="stop")
        self.replay_button = w.Button(description="Replay", icon="play")
        self.clear_button = w.Button(description="Clear", icon="trash")
        self.export_button = w.Button(description="Export", icon="download",
                                      tooltip="links to download the picture as SVG and PNG")
        self.downloads = w.HTML()
        self.status = w.HTML()
        self.chart = chart_widget()
        self.picker = w.Dropdown(options=[("(no span picked)", "")], value="",
                                 description="span", layout=w.Layout(width="640px"))
        self.details = w.HTML(bytes_html(None, None))
        self.output = w.Output()
        self.toolbar = w.HBox([self.record_button, self.replay_button, self.clear_button,
                               self.export_button, self.status])
        # CSS classes a page test can find: the toolbar, and each button by what it does
        self.toolbar.add_class("aioteach-live-toolbar")
        for name, button in (("record", self.record_button), ("replay", self.replay_button),
                             ("clear", self.clear_button), ("export", self.export_button)):
            button.add_class(f"aioteach-live-{name}")
        self.widget = w.VBox([self.toolbar, self.downloads, self.chart, self.picker,
                              self.details, self.output])
        self.widget.add_class("aioteach-live")
        self._ids: List[str] = []
        self._svg = ""
        self.picker.observe(self._picked, names="value")
        if hasattr(self.chart, "on_msg"):
            self.chart.on_msg(self._chart_message)
        on_click(self.record_button, self._record_clicked, output=self.output)
        self.replay_handler = on_click(self.replay_button, self._replay_clicked,
                                       disable_while_running=True, output=self.output)
        on_click(self.clear_button, lambda _b: timeline.clear(), output=self.output)
        on_click(self.export_button, self._export_clicked, output=self.output)

    # -- events from the page -----------------------------------------------------------
    def _chart_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        picked = content.get("picked") if isinstance(content, dict) else None
        if picked:
            self.pick(picked)

    def _picked(self, change: Any) -> None:
        if change["new"] != (self.timeline.selected or ""):
            self.timeline.select(change["new"] or None)

    def pick(self, span_id: str) -> None:
        """What a click on a bar does (also a second click on the same bar)."""
        self.timeline.select(span_id)

    def _record_clicked(self, _button: Any) -> None:
        if self.timeline.recording:
            self.timeline.stop()
        else:
            self.timeline.start(this_cell=False)

    async def _replay_clicked(self, _button: Any) -> None:
        # a long recording replays faster: the whole take in at most about ten seconds
        length = self.timeline.picture().now
        await self.timeline.replay(speed=max(1.0, length / 10))

    def _export_clicked(self, _button: Any) -> None:
        """Download links for what is drawn now (data: URIs: no server, works offline)."""
        svg = base64.b64encode(self.timeline.svg().encode()).decode("ascii")
        png = base64.b64encode(self.timeline.png()).decode("ascii")
        self.downloads.value = (
            "<span style='font-size:12px'>download: "
            f"<a download='timeline.svg' href='data:image/svg+xml;base64,{svg}'>timeline.svg</a>"
            f" &middot; <a download='timeline.png' href='data:image/png;base64,{png}'>"
            "timeline.png</a> (the picture as it was when you pressed Export)</span>")

    # -- drawing ------------------------------------------------------------------------
    def show(self, timeline: Any) -> None:
        picture = timeline.drawn
        clickable = hasattr(self.chart, "selected")      # the anywidget outlines the pick
        svg = livedraw.svg(livedraw.layout(picture, None if clickable else timeline.selected,
                                           timeline.title))
        if svg != self._svg:
            self._svg = svg
            if clickable:
                self.chart.svg = svg
            else:             # as the anywidget's CSS does: the picture shrinks to its box
                self.chart.value = svg.replace("<svg ", FIT_TO_BOX, 1)
        if clickable:
            self.chart.selected = timeline.selected or ""
        running = sum(1 for s in picture.spans if s.open)
        self.status.value = (f"<span style='font-size:12px;color:#333'>{timeline.status}: "
                             f"{len(picture.rows)} rows, {len(picture.spans)} spans"
                             f"{f', {running} running' if running else ''}</span>")
        self.record_button.description = "Stop" if timeline.recording else "Record"
        self.record_button.icon = "stop" if timeline.recording else "circle"
        self._update_picker(picture.spans, timeline.selected)
        span = picture.span(timeline.selected) if timeline.selected else None
        self.details.value = bytes_html(span, picture.wire.get(timeline.selected or ""))

    def _update_picker(self, spans: List[LiveSpan], selected: Optional[str]) -> None:
        ids = [s.id for s in spans]
        if ids != self._ids:
            self._ids = ids
            options: List[Tuple[str, str]] = [("(no span picked)", "")]
            options += [(f"{s.row} · {s.kind}", s.id) for s in spans]
            with self.picker.hold_trait_notifications():
                self.picker.options = options
                self.picker.value = selected if selected in ids else ""
        elif (selected or "") != self.picker.value and (selected in ids or not selected):
            self.picker.value = selected or ""
