"""Lesson 01 as a learner meets it: JupyterLab in Chromium, Run All, then a real mouse click.

The lesson is opened in JupyterLab (headless Chromium through Playwright) and run with
Run > Run All Cells.  Its last cell lists the servers and stops none of them, so the learner's
next move is the one this test makes: type a path and a body into the RequestPanel, and click
Send with the mouse.  The click travels as a widget message to the kernel, the panel's on_click
handler sends the request to the in-kernel server, and the answer must appear in the page's
cell output.  A screenshot is kept in artifacts/.
"""
from __future__ import annotations

import pathlib
import shutil

import pytest

from tests.browser.conftest import (browser_context, jupyterlab, keep_screenshot,  # noqa: F401
                                    open_notebook, output_with_text, run_all_cells)

pytestmark = pytest.mark.browser

LESSON = pathlib.Path(__file__).resolve().parents[2] / "notebooks" / "01_hello_server.ipynb"


@pytest.mark.timeout(240)
def test_lesson01_runs_in_jupyterlab_and_answers_a_real_click(jupyterlab, browser_context):
    shutil.copy(LESSON, jupyterlab.root / LESSON.name)
    page = browser_context.new_page()
    open_notebook(page, jupyterlab, LESSON.name)
    run_all_cells(page)

    # Run All reached the end: the exercise's solution passed, and the last cell lists the
    # servers that still run (the panel's among them).
    output_with_text(page, "servers run in this kernel").first.wait_for(timeout=90_000)
    assert output_with_text(page, "all 10 checks passed").count() == 1
    assert output_with_text(page, "7 of 10 checks passed").count() == 1     # the stub's

    # Fill in the RequestPanel in the page and click Send with the mouse.
    panel = page.locator(".jp-OutputArea-output",
                         has=page.locator(".widget-button", has_text="Send")).first
    send = panel.locator(".widget-button", has_text="Send").first
    panel.locator(".widget-text input").first.fill("/echo?name=Chromium")
    panel.locator(".widget-textarea textarea").nth(1).fill("a real click")
    send.scroll_into_view_if_needed()
    send.click()

    answer = output_with_text(page, "Chromium wrote: a real click")
    answer.first.wait_for(timeout=30_000)
    status = output_with_text(page, "200 OK").first
    assert "bytes out" in status.inner_text()
    answer.first.scroll_into_view_if_needed()
    keep_screenshot(page, "lesson01_request_panel")
