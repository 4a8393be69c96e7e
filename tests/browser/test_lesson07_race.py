"""Lesson 07's race as a learner plays it: Run All in JupyterLab, then Race, with several N.

After Run All the race widget has run once from code (N = 8).  With real mouse clicks and the
keyboard the test then:

1. clicks **Race** and finds a table row per handler in the page: ``callbacks``, ``generator``,
   ``native``, and ``tornado generator`` / ``tornado native`` (CI installs tornado);
2. types N = 3 into the slider's box, races again, and finds ``3/3`` in every row;
3. re-runs the race widget's cell (a learner's re-run) and races with the new widget, then
   re-runs the cell that serves the app (a new server on a new port): the race follows it;
4. stops the aioteach server in a new cell and races: the widget shows the failure sentence
   ("... is not running: re-run the cell that serves it"), never a traceback.

Screenshots of each step are kept in tests/browser/artifacts/ (``lesson07-race-*.png``).
"""
from __future__ import annotations

import importlib.util
import pathlib
import shutil
from typing import Iterator

import pytest

from tests.browser.conftest import (ARTIFACTS, JupyterLab, chromium_context, keep_screenshot,
                                    open_notebook, run_all_cells, running_jupyterlab)
from tests.browser.test_lessons_click_everything import (SETTLED, WATCH, error_texts,
                                                         run_new_cell, shut_down_kernels,
                                                         wait_for_run_all)

pytestmark = pytest.mark.browser

LESSON = (pathlib.Path(__file__).resolve().parents[2] / "notebooks"
          / "07_coroutines_vs_tornado_generators.ipynb")
AIOTEACH_ROWS = ["callbacks", "generator", "native"]
TORNADO_ROWS = ["tornado generator", "tornado native"]


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[JupyterLab]:
    with running_jupyterlab(tmp_path_factory.mktemp("lab")) as lab:
        yield lab


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[object]:
    with chromium_context(tmp_path_factory.mktemp("chromium") / "profile") as context:
        yield context


def race_widget(page):
    """The last race widget on the page (a re-run cell replaces its output)."""
    return page.locator(".jp-OutputArea-output",
                        has=page.locator(".widget-button", has_text="Race")).last


def race(page, widget) -> str:
    """Click Race with the mouse; the widget's text once the race has settled."""
    button = widget.locator(".widget-button", has_text="Race").first
    button.scroll_into_view_if_needed()
    widget.element_handle().evaluate(WATCH.replace(
        "cell.querySelector('.jp-Cell-outputWrapper') || cell", "cell"))
    button.click()
    page.wait_for_function(SETTLED, arg=button.element_handle(), timeout=90_000, polling=100)
    return widget.inner_text()


def table_rows(widget) -> dict:
    """handler label -> the row's cells, from the result table the widget shows."""
    rows = {}
    for row in widget.locator("table.aioteach-race tr").all()[1:]:
        cells = [c.strip() for c in row.locator("td").all_inner_texts()]
        rows[cells[0]] = cells
    return rows


def set_n(page, widget, n: int) -> None:
    """Type ``n`` into the slider's readout box, as a learner can (Enter commits it)."""
    readout = widget.locator(".widget-readout").first
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(str(n))
    page.keyboard.press("Enter")


@pytest.mark.timeout(420)
def test_the_race_in_lesson07_shows_a_row_per_handler_for_any_n(lab, browser):
    tornado = importlib.util.find_spec("tornado") is not None
    expected = AIOTEACH_ROWS + (TORNADO_ROWS if tornado else [])
    shutil.copy(LESSON, lab.root / LESSON.name)
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page()
    try:
        open_notebook(page, lab, LESSON.name)
        run_all_cells(page)
        wait_for_run_all(page, 240)
        assert not error_texts(page), error_texts(page)
        page.locator("#jp-main-statusbar").get_by_text("Idle").first.wait_for(timeout=60_000)

        widget = race_widget(page)
        text = race(page, widget)
        widget.screenshot(path=str(ARTIFACTS / "lesson07-race-first.png"))
        rows = table_rows(widget)
        assert list(rows) == expected, text
        assert "Traceback" not in text

        for n in (3, 12):
            set_n(page, widget, n)
            race(page, widget)
            rows = table_rows(widget)
            widget.screenshot(path=str(ARTIFACTS / f"lesson07-race-n{n}.png"))
            assert list(rows) == expected
            assert all(cells[1] == f"{n}/{n}" for cells in rows.values()), rows

        # a learner re-runs the widget's cell: a new widget, the old server, no error
        widget.locator("xpath=ancestor::div[contains(@class, 'jp-CodeCell')][1]").locator(
            ".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        page.wait_for_timeout(500)           # the re-run replaces the output: let it render
        widget = race_widget(page)
        race(page, widget)
        assert list(table_rows(widget)) == expected
        assert not error_texts(page), error_texts(page)

        # and re-runs the cell that serves the app (a new port): the race follows it
        serving = page.locator(".jp-CodeCell", has_text="server = serve(app)").first
        serving.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        serving.locator(".jp-OutputArea-output", has_text="stopped the previous server").first \
            .wait_for(timeout=30_000)
        text = race(page, race_widget(page))
        assert list(table_rows(race_widget(page))) == expected, text
        assert not error_texts(page), error_texts(page)

        run_new_cell(page, "server.stop(); print('stopped the server')")
        page.locator(".jp-OutputArea-output", has_text="stopped the server").first.wait_for(
            timeout=30_000)
        text = race(page, race_widget(page))
        keep_screenshot(page, "lesson07-race-stopped-server")
        assert "is not running" in text and "Traceback" not in text.split("show the traceback")[0]
        assert not error_texts(page), error_texts(page)
    finally:
        page.close()
        shut_down_kernels(lab)
