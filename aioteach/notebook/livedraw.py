"""Drawing the live timeline: one layout, written out as SVG (the widget, exports) or PNG.

Theory of operation.  ``layout(picture)`` turns a ``livespans.Picture`` into a list of plain
shapes (rectangles, text, lines) in pixel coordinates: a label column on the left, one band
per row (alternately white and light grey, so the eye can follow a row), a header band above
each group ("client requests", "server", ...), and a time axis in milliseconds on top.  The
writers below only translate shapes: ``svg()`` to SVG elements, ``png()`` to Pillow drawing
calls, so the two exports cannot disagree about what is where.

Each span's rectangle carries ``data-span="<id>"`` in the SVG (the widget's click handler
reads it) and a ``<title>`` (the browser's tooltip: label and duration).  A span still
running is drawn with a dashed outline; the selected span with a thick black one.  Nested
spans (middleware layers inside a handler) are drawn a little thinner per level, so a
request's onion reads from the outside in.

Rules: no matplotlib here (Pillow, which matplotlib brings, draws the PNG); sizes are chosen so
a few hundred spans stay readable: rows get thinner past 40 rows, down to 9 px.
"""
from __future__ import annotations

import html
import io
import math
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .livespans import LiveSpan, Picture

__all__ = ["COLOURS", "GROUP_TITLES", "Shape", "Layout", "layout", "svg", "png", "nice_step",
           "row_bands", "text_width"]

#: Colours by span kind: the Okabe-Ito palette (colour-blind safe) where it has enough.
COLOURS = {
    "queued": "#E69F00", "connecting": "#CC79A7", "waiting": "#56B4E9", "reading": "#0072B2",
    "connection": "#C8C8C8", "handler": "#009E73", "middleware": "#6CC4A4",
    "cell": "#8E7CC3", "blocked": "#D55E00", "step": "#444444",
}
GROUP_TITLES = {"cell": "cells", "client": "client requests",
                "server": "server: connections, handlers, middleware",
                "gen": "tornado-style generators: each resume", "loop": "loop lag"}
BANDS = ("#FAFBFC", "#EEF1F4")        # the two row colours, alternating (not the white page)
HEADER = "#DDE3EA"                    # a group's header band

WIDTH, LABEL_WIDTH, AXIS, HEADER_HEIGHT = 960, 230, 24, 16


@dataclass(frozen=True)
class Shape:
    """One thing to draw: kind is "rect", "text" or "line"; the rest are its attributes."""

    kind: str
    x: float
    y: float
    w: float = 0.0            # rect: width; line: x2
    h: float = 0.0            # rect: height; line: y2
    fill: str = "#000000"
    text: str = ""            # text: the words; rect: the tooltip
    span: str = ""            # rect: the span id (clickable)
    stroke: str = ""
    dashed: bool = False
    size: int = 11            # text: font size
    row: str = ""             # a row's band: its name (tests count rows by it)
    anchor: str = "start"     # text: "start" (x is its left end) or "end" (x is its right end)


@dataclass
class Layout:
    width: int
    height: int
    shapes: List[Shape]
    row_height: int


def nice_step(total_ms: float, ticks: int = 8) -> float:
    """A round tick spacing (1, 2 or 5 times a power of ten) giving about ``ticks`` ticks."""
    raw = max(total_ms / ticks, 1e-6)
    power = 10 ** math.floor(math.log10(raw))
    return next(power * f for f in (1, 2, 5, 10) if power * f >= raw * 0.999)


def _row_height(rows: int) -> int:
    return 20 if rows <= 40 else max(9, int(800 / rows))


def text_width(text: str, size: int) -> float:
    """About how wide ``text`` is in pixels at ``size`` (0.56 em per character, sans-serif)."""
    return len(text) * size * 0.56


def _axis(shapes: List[Shape], total_ms: float, scale: float, top: int, height: int) -> None:
    step = nice_step(total_ms)
    tick = 0.0
    while tick <= total_ms + 1e-9:
        x = LABEL_WIDTH + tick * scale
        words = f"{tick:g} ms"
        shapes.append(Shape("line", x, top - 4, x, height, "#D0D0D0"))
        if x + 2 + text_width(words, 10) <= WIDTH - 2:
            shapes.append(Shape("text", x + 2, top - 8, text=words, size=10, fill="#555555"))
        else:         # the last tick's label would run off the picture: it ends at its line
            shapes.append(Shape("text", x - 2, top - 8, text=words, size=10, fill="#555555",
                                anchor="end"))
        tick += step


def _span_shape(s: LiveSpan, y: float, row_h: int, scale: float, selected: Optional[str]
                ) -> Shape:
    inset = min(2 + 3 * s.depth, row_h // 2 - 1)
    x = LABEL_WIDTH + s.start * 1000 * scale
    w = max(1.5, (s.end - s.start) * 1000 * scale)      # an instant still shows
    state = ", running" if s.open else (", cut: recording stopped" if s.cut else "")
    title = f"{s.label} ({(s.end - s.start) * 1000:.1f} ms{state})"
    stroke = "#000000" if s.id == selected else \
        ("#333333" if s.open else ("#888888" if s.cut else ""))
    return Shape("rect", x, y + inset, w, row_h - 2 * inset, COLOURS.get(s.kind, "#999999"),
                 title, s.id, stroke, (s.open or s.cut) and s.id != selected)


def layout(picture: Picture, selected: Optional[str] = None, title: str = "") -> Layout:
    """Where everything goes: bands, group headers, axis, span rectangles, labels."""
    # long because: one pass places rows, headers and spans; split, it would pass y around
    rows = picture.rows
    row_h = _row_height(len(rows))
    groups = list(dict.fromkeys(group for group, _ in rows))
    top = AXIS + (16 if title else 0)
    height = top + len(rows) * row_h + len(groups) * HEADER_HEIGHT + 6
    total_ms = max([picture.now * 1000] + [s.end * 1000 for s in picture.spans] + [1.0])
    scale = (WIDTH - LABEL_WIDTH - 12) / total_ms
    shapes: List[Shape] = [Shape("rect", 0, 0, WIDTH, height, "#FFFFFF")]
    if title:
        shapes.append(Shape("text", 6, 14, text=title, size=12, fill="#222222"))
    y, row_y, group = float(top), {}, None
    font = 11 if row_h >= 16 else max(7, row_h - 3)
    for i, (row_group, row) in enumerate(rows):
        if row_group != group:
            group = row_group
            shapes.append(Shape("rect", 0, y, WIDTH, HEADER_HEIGHT, HEADER))
            shapes.append(Shape("text", 6, y + 12, text=GROUP_TITLES.get(group, group),
                                size=10, fill="#333333"))
            y += HEADER_HEIGHT
        shapes.append(Shape("rect", 0, y, WIDTH, row_h, BANDS[i % 2], row=row))
        shapes.append(Shape("text", 6, y + row_h / 2 + font / 2 - 1, text=_clip(row, font),
                            size=font, fill="#222222"))
        row_y[row] = y
        y += row_h
    _axis(shapes, total_ms, scale, top, int(y))
    for s in picture.spans:
        shapes.append(_span_shape(s, row_y[s.row], row_h, scale, selected))
        words = _words_inside(s, (s.end - s.start) * 1000 * scale)
        if words and row_h >= 14:
            shapes.append(Shape("text", LABEL_WIDTH + s.start * 1000 * scale + 3,
                                row_y[s.row] + row_h / 2 + 4, text=words, size=10,
                                fill="#FFFFFF"))
    return Layout(WIDTH, int(height), shapes, row_h)


def _words_inside(s: LiveSpan, width: float) -> str:
    """What a wide enough bar says on itself: a blocked bar its duration, a cell its code."""
    if s.kind == "blocked" and width > 40:
        return f"{(s.end - s.start) * 1000:.0f} ms"
    if s.kind == "cell" and width > 60:
        room = int((width - 6) / 6)                     # about 6 px per character at 10 px
        return s.label if len(s.label) <= room else s.label[: max(1, room - 1)] + "…"
    return ""


def _clip(text: str, font: int) -> str:
    room = int((LABEL_WIDTH - 10) / (font * 0.56))       # as text_width() counts
    return text if len(text) <= room else text[: room - 1] + "…"


def svg(lay: Layout) -> str:
    """The layout as a standalone SVG document (one ``<rect data-row>`` band per row)."""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{lay.width}" height="{lay.height}"'
           f' viewBox="0 0 {lay.width} {lay.height}" font-family="sans-serif">']
    for s in lay.shapes:
        if s.kind == "rect":
            extra = f' data-row="{html.escape(s.row)}"' if s.row else ""
            if s.span:
                extra += f' data-span="{html.escape(s.span)}" style="cursor:pointer"'
            if s.stroke:
                extra += f' stroke="{s.stroke}" stroke-width="{2.5 if not s.dashed else 1}"'
                extra += ' stroke-dasharray="3,2"' if s.dashed else ""
            tip = f"<title>{html.escape(s.text)}</title>" if s.text else ""
            out.append(f'<rect x="{s.x:.1f}" y="{s.y:.1f}" width="{s.w:.1f}" '
                       f'height="{s.h:.1f}" fill="{s.fill}"{extra}>{tip}</rect>')
        elif s.kind == "text":
            anchor = ' text-anchor="end"' if s.anchor == "end" else ""
            out.append(f'<text x="{s.x:.1f}" y="{s.y:.1f}" font-size="{s.size}"{anchor} '
                       f'fill="{s.fill}" pointer-events="none">{html.escape(s.text)}</text>')
        elif s.kind == "line":
            out.append(f'<line x1="{s.x:.1f}" y1="{s.y:.1f}" x2="{s.w:.1f}" y2="{s.h:.1f}" '
                       f'stroke="{s.fill}" stroke-width="1"/>')
    out.append("</svg>")
    return "\n".join(out)


def _font(size: int) -> object:
    from PIL import ImageFont
    try:
        return ImageFont.load_default(size)       # Pillow >= 10.1 with FreeType
    except (TypeError, OSError, AttributeError):
        return ImageFont.load_default()


def png(lay: Layout, scale: float = 1.0) -> bytes:
    """The layout as PNG bytes, drawn with Pillow (``scale`` 2 for a sharper picture)."""
    from PIL import Image, ImageDraw
    image = Image.new("RGB", (int(lay.width * scale), int(lay.height * scale)), "#FFFFFF")
    draw = ImageDraw.Draw(image)
    fonts: Dict[int, Any] = {}
    for s in lay.shapes:
        box: Sequence[float] = [s.x * scale, s.y * scale, (s.x + s.w) * scale,
                                (s.y + s.h) * scale]
        if s.kind == "rect":
            box = [box[0], box[1], max(box[0], box[2] - 1), max(box[1], box[3] - 1)]
            draw.rectangle(box, fill=s.fill, outline=s.stroke or None,
                           width=2 if s.stroke and not s.dashed else 1)
        elif s.kind == "line":
            draw.line([s.x * scale, s.y * scale, s.w * scale, s.h * scale], fill=s.fill)
        elif s.kind == "text":
            size = int(s.size * scale)
            font = fonts.setdefault(size, _font(size))
            draw.text((s.x * scale, s.y * scale), s.text, fill=s.fill, font=font,
                      anchor="rs" if s.anchor == "end" else "ls")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def row_bands(lay: Layout) -> List[Tuple[str, float]]:
    """(row name, y) of every row band, top to bottom: what a test counts."""
    return [(s.row, s.y) for s in lay.shapes if s.kind == "rect" and s.row]
