"""Two promises of the live timeline (issue 13): it stays usable with a few hundred spans, and
it costs nothing when nobody watches (tracing stays one check per hook when it is off)."""
from __future__ import annotations

import ast
import asyncio
import pathlib
import xml.etree.ElementTree as ET

import pytest

import aioteach
from aioteach import trace
from aioteach.notebook.live import LiveTimeline
from aioteach.notebook.livedraw import layout
from tests.notebook.test_live import SVG, server  # noqa: F401  (the fixture)

PACKAGE = pathlib.Path(aioteach.__file__).resolve().parent

#: Functions that emit without a check of their own, because every caller checks first:
#: the traced middleware layer is built only by a fold made with ``traced=trace.enabled``,
#: and a response's ``_trace_end`` is called only under ``if trace.enabled``.
GUARDED_BY_CALLER = {"_traced_layer": "traced", "_trace_end": "trace.enabled"}


def _parents(tree: ast.AST) -> dict:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _guarded(node: ast.AST, parents: dict, words: str) -> bool:
    """True when ``node`` sits in the body of an ``if`` (or ``x if test else y``) on ``words``."""
    while node in parents:
        child, node = node, parents[node]
        if isinstance(node, (ast.If, ast.IfExp)) and child is not node.test \
                and words in ast.unparse(node.test):
            return True
    return False


def _enclosing_functions(node: ast.AST, parents: dict) -> set:
    names = set()
    while node in parents:
        node = parents[node]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
    return names


def test_every_hook_is_one_check_of_trace_enabled_when_nobody_watches():
    unguarded, calls_of_the_exempt = [], []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "trace.py":
            continue
        tree = ast.parse(path.read_text())
        parents = _parents(tree)
        where = path.relative_to(PACKAGE.parent)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            name = node.func.attr
            if name == "emit" and ast.unparse(node.func.value) == "trace":
                if not (_guarded(node, parents, "trace.enabled")
                        or _enclosing_functions(node, parents) & GUARDED_BY_CALLER.keys()):
                    unguarded.append(f"{where}:{node.lineno}")
        for node in ast.walk(tree):                     # the exempt ones: their callers check
            if isinstance(node, ast.Call):
                called = ast.unparse(node.func).rsplit(".", 1)[-1]
                if called in GUARDED_BY_CALLER:
                    calls_of_the_exempt.append(
                        (f"{where}:{node.lineno}",
                         _guarded(node, parents, GUARDED_BY_CALLER[called])))
    assert unguarded == [], "trace.emit outside `if trace.enabled:` " + ", ".join(unguarded)
    assert len(calls_of_the_exempt) >= len(GUARDED_BY_CALLER)
    assert all(ok for _, ok in calls_of_the_exempt), calls_of_the_exempt


async def test_a_timeline_that_is_shown_but_not_started_switches_nothing_on():
    pytest.importorskip("ipywidgets")
    tl = LiveTimeline(title="idle")
    assert tl.widget is not None                 # shown: the widget is built, nothing records
    assert trace.enabled is False and not tl.recording
    assert tl._timer is None and not tl.monitor.running
    tl.start(this_cell=False)
    assert trace.enabled is True and tl.monitor.running
    tl.stop()
    assert trace.enabled is False and tl._timer is None and not tl.monitor.running


async def test_a_few_hundred_spans_are_all_drawn_and_an_idle_widget_sends_nothing(server):  # noqa: F811
    """120 requests at once: every span is a bar of its own, rows stay at least 9 px high, the
    span list holds them all, and once nothing changes the widget sends the chart no more."""
    pytest.importorskip("ipywidgets")
    tl = LiveTimeline(title="a crowd")
    async with tl:
        async with aioteach.ClientSession() as session:
            async def get(path: str) -> None:
                async with session.get(server + path) as response:
                    await response.read()
            await asyncio.gather(*(get(("/a", "/b", "/c")[i % 3]) for i in range(120)))
    spans = tl.spans()
    assert len(spans) >= 300
    assert len([s for s in spans if s.kind == "handler"]) == 120
    assert len([s for s in spans if s.kind == "middleware"]) == 240
    lay = layout(tl.picture())
    assert lay.row_height >= 9
    root = ET.fromstring(tl.svg())
    drawn = [r.get("data-span") for r in root.iter(f"{SVG}rect") if r.get("data-span")]
    assert sorted(drawn) == sorted(s.id for s in spans)          # each once, none lost
    view = tl.widget and tl._view
    assert len(view.picker.options) == len(spans) + 1             # + "(no span picked)"
    trait = "svg" if hasattr(view.chart, "svg") else "value"
    sent = []
    view.chart.observe(lambda change: sent.append(1), names=trait)
    for _ in range(3):
        tl.redraw()                               # nothing changed: nothing goes to the page
    assert sent == []


async def test_requests_waiting_for_a_pooled_connection_are_drawn_queued(server):  # noqa: F811
    """The client phase the other tests do not reach: a pool of one connection, three at once."""
    tl = LiveTimeline(title="one connection")
    async with tl:
        async with aioteach.ClientSession(connector=aioteach.TCPConnector(limit=1)) as session:
            async def get(path: str) -> None:
                async with session.get(server + path) as response:
                    await response.read()
            await asyncio.gather(get("/a"), get("/b"), get("/c"))
    kinds = {}
    for span in tl.spans("client"):
        kinds.setdefault(span.row, []).append(span.kind)
    assert sorted(rows for rows, k in kinds.items() if "queued" in k) == [
        "client 2: GET /b", "client 3: GET /c"], kinds
    assert all(k[-2:] == ["waiting", "reading"] for k in kinds.values()), kinds
    assert len(tl.spans("server")) >= 1 + 3 * 3        # one connection, three onions


def test_the_charts_front_end_ships_in_the_package_and_fetches_nothing():
    """It works offline: the anywidget's JavaScript is a string in liveview.py, with no import
    and no address; the SVG it paints links nowhere either (exports are data: links)."""
    from aioteach.notebook.liveview import CHART_ESM
    assert "import " not in CHART_ESM and "://" not in CHART_ESM and "fetch(" not in CHART_ESM
    svg = LiveTimeline(title="offline").svg()
    assert "href" not in svg and "://" not in svg.replace("http://www.w3.org/2000/svg", "")
