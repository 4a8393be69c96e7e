"""Timelines: one row per request, one bar per span, PNG/SVG output, a text twin for terminals."""
from __future__ import annotations

import struct

import pytest

from aioteach import trace
from aioteach.notebook.timeline import COLOURS, Timeline, side_by_side
from aioteach.trace import Span

pytest.importorskip("matplotlib")

SPANS = [Span("request 0", "GET /a", 0.00, 0.30),
         Span("request 1", "GET /b", 0.00, 0.30, "wait"),
         Span("request 1", "GET /b", 0.30, 0.60),
         Span("request 2", "GET /c", 0.05, 0.35)]


def png_size(data: bytes) -> tuple:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])          # IHDR: width, height


def test_one_row_per_request_and_one_bar_per_span():
    fig = Timeline(SPANS, title="three requests").figure()
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["request 0", "request 1",
                                                           "request 2"]
    bars = ax.patches
    assert len(bars) == len(SPANS)
    widths_ms = sorted(round(b.get_width()) for b in bars)
    assert widths_ms == [300, 300, 300, 300]
    colours = [b.get_facecolor() for b in bars]
    from matplotlib.colors import to_rgba
    assert colours.count(to_rgba(COLOURS["wait"])) == 1
    assert colours.count(to_rgba(COLOURS["run"])) == 3
    assert ax.get_title() == "three requests"


def test_png_grows_with_the_rows():
    small = png_size(Timeline(SPANS[:1]).png())
    many = png_size(Timeline([Span(f"request {i}", "", i, i + 1) for i in range(30)]).png())
    assert small[0] == many[0] == 800                 # 8 inches at 100 dpi
    assert many[1] > small[1] >= 160


def test_save_png_and_svg(tmp_path):
    timeline = Timeline(SPANS)
    timeline.save(str(tmp_path / "t.png"))
    timeline.save(str(tmp_path / "t.svg"))
    assert png_size((tmp_path / "t.png").read_bytes())[0] == 800
    svg = (tmp_path / "t.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert timeline.svg().count("<svg") == 1


def test_a_recorder_is_a_source():
    with trace.record() as rec:
        trace.emit("client.request_start", req=1, method="GET", url="/x")
        trace.emit("client.request_end", req=1, status=200)
    timeline = Timeline(rec)
    assert timeline.rows == ["client 1"] and len(timeline.figure().axes[0].patches) == 1


def test_side_by_side_draws_one_axes_per_group():
    fig = side_by_side({"first": SPANS[:2], "second": SPANS})
    assert [ax.get_title() for ax in fig.axes] == ["first", "second"]
    assert [len(ax.patches) for ax in fig.axes] == [2, 4]


def test_the_text_twin_for_terminals():
    text = Timeline(SPANS).text(width=20)
    lines = text.splitlines()
    assert [line.split("|")[0].strip() for line in lines[:3]] == ["request 0", "request 1",
                                                                  "request 2"]
    assert lines[1].split("|")[1] == ".........." + "=========="   # waited, then ran
    assert lines[0].split("|")[1] == "=" * 10 + " " * 10
    assert "0.600 s" in lines[-1]
    assert repr(Timeline(SPANS)) == "<Timeline 3 rows, 4 spans>"


def test_show_timeline_prints_text_outside_a_kernel(capsys):
    from aioteach.notebook import show_timeline
    timeline = show_timeline(SPANS)
    assert capsys.readouterr().out.strip() == timeline.text()
