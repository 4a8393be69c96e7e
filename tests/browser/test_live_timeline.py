"""The live timeline as a learner meets it: JupyterLab in Chromium, Run All, rows appear,
clicking a bar shows its bytes, clicking bars in any order keeps working, a re-run cell
draws afresh.

A small notebook of its own (written to a temporary folder): it serves an app with two
middlewares in the kernel, starts a ``LiveTimeline``, fires requests at it (three at once, and
one whose handler calls ``time.sleep``), and prints a marker.  The test then reads the chart's
SVG in the page (rows and bars), clicks bars with the mouse and waits for their request bytes
to appear under the chart.  Screenshots are kept in tests/browser/artifacts/.
"""
from __future__ import annotations

import json
import random

import pytest

from tests.browser.conftest import (browser_context, jupyterlab, keep_screenshot,  # noqa: F401
                                    open_notebook, output_with_text, run_all_cells)

pytestmark = pytest.mark.browser

CELLS = [
    """import asyncio, time
import aioteach
from aioteach import web, trace
from aioteach.notebook import LiveTimeline, serve

@web.middleware
async def timing(request, handler):
    return await handler(request)

@web.middleware
async def auth(request, handler):
    return await handler(request)

async def hello(request):
    await asyncio.sleep(0.05)
    return web.Response(text="hello, " + request.query.get("who", "world"))

async def block(request):
    time.sleep(0.3)                      # the mistake lesson 05 is about
    return web.Response(text="slept")

gate = asyncio.Event()                   # /wait answers once a cell says gate.set()

async def wait(request):
    await gate.wait()
    return web.Response(text="let through")

app = web.Application(middlewares=[timing, auth])
app.router.add_get("/hello", hello)
app.router.add_get("/block", block)
app.router.add_get("/wait", wait)
server = serve(app, name="live-timeline-test", quiet=True)""",
    """tl = LiveTimeline(title="what the kernel did")
tl.start()
tl""",
    """async def fetch(path):
    async with aioteach.ClientSession() as session:
        async with session.get(server.url + path) as response:
            return await response.text()

with trace.label("three at once"):
    answers = await asyncio.gather(*(fetch(f"/hello?who={i}") for i in range(3)))
await fetch("/block")
print("fired:", answers)""",
    """tl.stop()
print("stopped with", len(tl.spans()), "spans in", len(tl.rows()), "rows;",
      "blocked bars:", len(tl.blocked()))""",
    """in_flight = LiveTimeline(title="in flight")
in_flight.start()
in_flight""",
    """pending = asyncio.ensure_future(asyncio.gather(*(fetch("/wait") for _ in range(3))))
print("three requests wait at the gate")""",
]


def notebook() -> str:
    cells: list = [{"cell_type": "code", "metadata": {}, "source": src, "outputs": [],
              "execution_count": None} for src in CELLS]
    return json.dumps({"cells": cells, "metadata": {"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5})


def keep_chart(page, name: str) -> None:
    """A screenshot of the timeline's output alone (JupyterLab scrolls inside the page)."""
    from tests.browser.conftest import ARTIFACTS
    ARTIFACTS.mkdir(exist_ok=True)
    widget = page.locator(".jp-OutputArea-output", has=page.locator(".aioteach-live-chart"))
    widget.first.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def keep_chart_at(page, index: int, name: str) -> None:
    """A screenshot of the ``index``-th timeline's output."""
    from tests.browser.conftest import ARTIFACTS
    ARTIFACTS.mkdir(exist_ok=True)
    widget = page.locator(".jp-OutputArea-output", has=page.locator(".aioteach-live-chart"))
    widget.nth(index).screenshot(path=str(ARTIFACTS / f"{name}.png"))


def chart(page):
    return page.locator(".aioteach-live-chart").first


def click_bar_and_see_bytes(page, span_id: str, expect: str) -> None:
    bar = chart(page).locator(f'rect[data-span="{span_id}"]')
    bar.click(force=True)               # the bar may be thin: click it, not what covers it
    page.locator(".aioteach-live-bytes", has_text=expect).first.wait_for(timeout=20_000)


@pytest.mark.timeout(300)
def test_the_live_timeline_draws_rows_and_opens_the_bytes_of_a_clicked_span(
        jupyterlab, browser_context):
    (jupyterlab.root / "live.ipynb").write_text(notebook())
    page = browser_context.new_page()
    open_notebook(page, jupyterlab, "live.ipynb")
    run_all_cells(page)
    output_with_text(page, "stopped with").first.wait_for(timeout=120_000)
    summary = output_with_text(page, "stopped with").first.inner_text()
    assert "blocked bars: 0" not in summary          # the time.sleep showed in the lag strip

    # The chart in the page: one band per row, one bar per span (all drawn, live, by now).
    page.wait_for_function(
        "() => document.querySelectorAll('.aioteach-live-chart rect[data-span]').length >= 20",
        timeout=30_000)
    rows = chart(page).locator("rect[data-row]").evaluate_all(
        "els => els.map(e => e.getAttribute('data-row'))")
    assert [r for r in rows if r.startswith("client")] == [
        "client 1: three at once: GET /hello?who=0", "client 2: three at once: GET /hello?who=1",
        "client 3: three at once: GET /hello?who=2", "client 4: GET /block"]
    assert sum(r.startswith("server") for r in rows) == 4 and rows[-1] == "loop lag"
    assert chart(page).locator('rect[data-span^="lag"]').count() >= 1
    keep_screenshot(page, "live-timeline-after-run-all")
    keep_chart(page, "live-timeline-chart")

    # Click a bar: its request and response bytes appear under the chart.
    click_bar_and_see_bytes(page, "c2.reading", "GET /hello?who=1 HTTP/1.1")
    assert "hello, 1" in page.locator(".aioteach-live-bytes").nth(1).inner_text()
    keep_chart(page, "live-timeline-clicked")

    # Bars in any order, as a learner clicks: each click shows that span's bytes.
    expected = {f"c{i + 1}.waiting": f"who={i} HTTP/1.1" for i in range(3)}
    expected.update({f"s{i}.mw{d}": "GET /" for i in range(1, 5) for d in (1, 2)})
    expected.update({"c4.reading": "GET /block HTTP/1.1", "s4.handler": "GET /block"})
    order = list(expected)
    random.Random(13).shuffle(order)
    for span_id in order[:8]:
        click_bar_and_see_bytes(page, span_id, expected[span_id])
    lag = chart(page).locator('rect[data-span^="lag"]').first
    lag.click(force=True)
    output_with_text(page, "the loop ran nothing else for").first.wait_for(timeout=20_000)

    # Replay draws the take again (the same bars at the end); Export offers the picture.
    toolbar = page.locator(".aioteach-live-toolbar").first
    bars = chart(page).locator("rect[data-span]").count()
    toolbar.locator(".aioteach-live-replay").click()
    output_with_text(page, "replayed:").first.wait_for(timeout=60_000)
    assert chart(page).locator("rect[data-span]").count() == bars
    toolbar.locator(".aioteach-live-export").click()
    page.locator("a[download='timeline.svg']").first.wait_for(timeout=30_000)
    assert page.locator("a[download='timeline.png']").count() == 1

    # Requests in flight: the second timeline grows while the kernel is idle, then the
    # answers come when a new cell opens the gate.
    flight = page.locator(".aioteach-live-chart").nth(1)
    flight.locator('rect[data-span="c3.waiting"]').wait_for(timeout=30_000)
    page.wait_for_function(r"""() => {
        const bar = document.querySelectorAll('.aioteach-live-chart')[1]
            .querySelector('rect[data-span="c1.waiting"]');
        // the tooltip says "... (1234.5 ms, running)": the bar's duration so far
        const found = bar ? /\(([0-9.]+) ms, running\)/.exec(bar.textContent) : null;
        if (!found) return false;
        window.firstSeen = window.firstSeen || Number(found[1]);
        return Number(found[1]) > window.firstSeen + 200;   // redrawn, longer: still waiting
    }""", timeout=30_000)
    assert output_with_text(page, "running").count() >= 1
    keep_chart_at(page, 1, "live-timeline-in-flight")
    last = page.locator(".jp-Cell").last
    last.click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")                          # a new cell below, as a learner adds one
    page.keyboard.press("Enter")                      # edit it
    page.keyboard.type("gate.set(); await pending")
    page.keyboard.press("Shift+Enter")
    flight.locator('rect[data-span="c3.reading"]').wait_for(timeout=30_000)
    keep_chart_at(page, 1, "live-timeline-let-through")

    # Re-run the cell that made the timeline: a fresh timeline is drawn in its place, with
    # no request rows (only the cell that made it, and the lag strip).
    cell = page.locator(".jp-Cell").nth(1)
    cell.click()
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        "() => { const c = document.querySelectorAll('.aioteach-live-chart')[0];"
        " return c.querySelectorAll('rect[data-row^=\"client\"]').length == 0"
        " && c.querySelectorAll('rect[data-row]').length > 0; }", timeout=30_000)
    keep_screenshot(page, "live-timeline-rerun")
