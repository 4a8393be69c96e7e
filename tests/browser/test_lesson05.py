"""Lesson 05 as a learner plays it: Run All in JupyterLab, then the two panels, clicked by mouse.

The lesson is opened in JupyterLab (headless Chromium through Playwright) and run with
Run > Run All Cells.  Then, as a learner who goes back up:

* "Race 10 buyers: POST /buy" adds a row to the race table that says "oversold 5" and a
  stock below zero; "POST /buy-locked" adds one that says "none oversold";
* "GET /slow + ping /fast" adds a row that says FROZE, with 0 /fast answers, and red lag bars
  in the lag strip; "GET /slow-thread" adds one that says "kept going";
* the cell that serves the slow routes is run again (a new server on a new port), and the
  panel built before it still works: it follows the server to its new port;
* mistakes on purpose: the blocking report handler and the unlocked sale sent to the
  checkers from a new cell get verdicts that say why, never a traceback;
* the traps, typed in new cells: a blocking ``urlopen`` of the kernel's own server and an
  ``asyncio.run`` each show the "aioteach explains" box first, then the error, whose traceback
  is the cell's line only (no urllib or asyncio frames).  The lesson's own trap cell shows the
  same box above the same error line.

Screenshots are kept in artifacts/ (``lesson05-*.png``).
"""
from __future__ import annotations

import pathlib
import shutil

import pytest

from tests.browser.conftest import (ARTIFACTS, browser_context, jupyterlab,  # noqa: F401
                                    keep_screenshot, open_notebook, output_with_text,
                                    run_all_cells)
from tests.browser.test_lessons_click_everything import error_texts, run_new_cell

pytestmark = pytest.mark.browser

LESSON = pathlib.Path(__file__).resolve().parents[2] / "notebooks" / "05_when_the_loop_stops.ipynb"
FAILURE = "[data-aioteach-failure]"


def panel_of(page, button_text: str):
    """The cell output that holds the button labelled ``button_text``."""
    return page.locator(".jp-OutputArea-output",
                        has=page.locator(".widget-button", has_text=button_text)).first


def rows(panel, table: str) -> int:
    return panel.locator(f"table.{table} tr").count()


def click_and_wait_for_row(page, panel, button_text: str, table: str) -> str:
    """Click the button with the mouse; wait for a new row in the panel's table; its text."""
    before = rows(panel, table)
    button = panel.locator(".widget-button", has_text=button_text).first
    button.scroll_into_view_if_needed()
    button.click()
    page.wait_for_function(
        """([panel, selector, before]) => panel.querySelectorAll(selector).length > before""",
        arg=[panel.element_handle(), f"table.{table} tr", before], timeout=60_000, polling=100)
    panel.locator(".widget-button:not([disabled])", has_text=button_text).first.wait_for(
        timeout=60_000)
    return panel.locator(f"table.{table} tr").last.inner_text()


@pytest.mark.timeout(300)
def test_lesson05_panels_answer_real_clicks(jupyterlab, browser_context):
    shutil.copy(LESSON, jupyterlab.root / LESSON.name)
    page = browser_context.new_page()
    open_notebook(page, jupyterlab, LESSON.name)
    run_all_cells(page)
    output_with_text(page, "servers run in this kernel").first.wait_for(timeout=120_000)
    assert not error_texts(page), error_texts(page)
    assert output_with_text(page, "check_report: all 5 checks passed").count() == 1
    assert output_with_text(page, "check_buy: all 6 checks passed").count() == 1
    assert output_with_text(page, "BlockingCallError").count() == 1
    trap_cell = page.locator(".jp-CodeCell", has=output_with_text(page, "BlockingCallError"))
    shown = trap_cell.locator(".jp-OutputArea-output").all_inner_texts()
    assert len(shown) == 2 and shown[0].startswith("aioteach explains:"), shown
    assert "can never be answered" in shown[0] and shown[1].startswith("BlockingCallError: GET")
    page.locator("#jp-main-statusbar").get_by_text("Idle").first.wait_for(timeout=60_000)

    race = panel_of(page, "Race 10 buyers: POST /buy")
    row = click_and_wait_for_row(page, race, "Race 10 buyers: POST /buy", "aioteach-race")
    assert "oversold 5" in row and "lowest -5" in row, row
    row = click_and_wait_for_row(page, race, "Race 10 buyers: POST /buy-locked", "aioteach-race")
    assert "none oversold" in row and "lowest 0" in row, row
    ARTIFACTS.mkdir(exist_ok=True)
    race.screenshot(path=str(ARTIFACTS / "lesson05-race-panel.png"))

    freeze = panel_of(page, "GET /slow + ping /fast")
    row = click_and_wait_for_row(page, freeze, "GET /slow + ping /fast", "aioteach-freeze")
    assert "FROZE" in row and "\t0 of" in row, row
    assert freeze.locator(".aioteach-lag-bar").count() >= 1        # the red stall in the strip
    freeze.screenshot(path=str(ARTIFACTS / "lesson05-freeze-panel-slow.png"))
    row = click_and_wait_for_row(page, freeze, "GET /slow-thread + ping /fast", "aioteach-freeze")
    assert "kept going" in row, row
    assert "the panel's clock" in freeze.inner_text()

    # Re-run the cell that serves /slow: a new server on a new port; the panel follows it.
    serve_cell = page.locator(".jp-CodeCell", has_text="app.router.add_get(\"/slow\", slow)").first
    serve_cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    output_with_text(page, "stopped the previous server").first.wait_for(timeout=30_000)
    row = click_and_wait_for_row(page, freeze, "GET /slow + ping /fast", "aioteach-freeze")
    assert "FROZE" in row, row
    assert freeze.locator(FAILURE).count() == 0, freeze.inner_text()

    # Mistakes on purpose: the blocking stub and the unlocked sale, sent to the checkers.
    run_new_cell(page, "check_report(report); check_buy(buy)")
    output_with_text(page, "it went down to -5").first.wait_for(timeout=60_000)
    assert output_with_text(page, "3 of 3 calls did").count() >= 2   # the stub's cell, and this
    assert not error_texts(page), error_texts(page)
    assert "Traceback" not in page.locator(".jp-Notebook").inner_text()
    keep_screenshot(page, "lesson05-page")

    # The traps, as a learner types them: the box first, then the error with the cell's line.
    for code, words in [("urllib.request.urlopen(server.url + '/fast', timeout=5)",
                         "can never be answered"),
                        ("asyncio.run(asyncio.sleep(0))", "asyncio.run() starts a new event loop")]:
        run_new_cell(page, code)
        cell = page.locator(".jp-CodeCell", has_text=code).last
        cell.locator(".jp-OutputArea-output", has_text="Traceback").wait_for(timeout=30_000)
        shown = cell.locator(".jp-OutputArea-output").all_inner_texts()
        cell.screenshot(path=str(ARTIFACTS / f"lesson05-trap-{code.split('(')[0]}.png"))
        assert len(shown) == 2 and shown[0].startswith("aioteach explains:"), shown
        assert words in shown[0] and code in shown[1], shown
        assert "urllib/request.py" not in shown[1] and "asyncio/runners.py" not in shown[1]
