"""In JupyterLab, in Chromium: a cell serves the lesson app in the kernel, a learner clicks the
RequestPanel's Send button with the mouse, and the answer appears in the widget."""
from __future__ import annotations

import json

import pytest

from tests.browser.conftest import (browser_context, jupyterlab, keep_screenshot,  # noqa: F401
                                    open_notebook, output_with_text, run_all_cells)

pytestmark = pytest.mark.browser

CELLS = [
    "from aioteach.demo import make_app\n"
    "from aioteach.notebook import serve, RequestPanel, ServerLog\n"
    "handle = serve(make_app(), port=0)\n"
    "handle",
    "panel = RequestPanel(handle, path='/ipinfo/8.8.8.8')\n"
    "panel",
    "ServerLog(handle)",
]


def notebook(cells):
    return {"cells": [{"cell_type": "code", "execution_count": None, "id": f"c{i}",
                       "metadata": {}, "outputs": [], "source": [source]}
                      for i, source in enumerate(cells)],
            "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                        "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}


def test_a_mouse_click_on_send_fires_a_request_at_the_kernels_server(jupyterlab,
                                                                     browser_context):
    (jupyterlab.root / "panel.ipynb").write_text(json.dumps(notebook(CELLS)))
    page = browser_context.new_page()
    open_notebook(page, jupyterlab, "panel.ipynb")
    run_all_cells(page)
    output_with_text(page, "aioteach server").first.wait_for(timeout=60_000)   # the card
    send = page.locator(".jp-OutputArea-output .widget-button", has_text="Send").first
    send.wait_for(timeout=60_000)
    send.click()                                   # a real click: the comm message, on_click
    answer = output_with_text(page, "200 OK")
    answer.first.wait_for(timeout=30_000)
    assert "bytes out" in answer.first.inner_text()
    output_with_text(page, "GET /ipinfo/8.8.8.8 -> 200").first.wait_for(timeout=30_000)
    keep_screenshot(page, "notebook_request_panel")


STOPPED = [
    "from aioteach.demo import make_app\n"
    "from aioteach.notebook import serve, RequestPanel\n"
    "handle = serve(make_app())\n"
    "panel = RequestPanel(handle, path='/ipinfo/8.8.8.8')\n"
    "panel",
    "handle.stop()            # what an old lesson's last cell did: the panel's server is gone",
]


def test_a_click_on_a_dead_server_shows_one_sentence_and_a_folded_traceback(jupyterlab,
                                                                           browser_context):
    (jupyterlab.root / "dead.ipynb").write_text(json.dumps(notebook(STOPPED)))
    page = browser_context.new_page()
    open_notebook(page, jupyterlab, "dead.ipynb")
    run_all_cells(page)
    output_with_text(page, "Stopping").first.wait_for(timeout=60_000)   # the last cell ran
    send = page.locator(".jp-OutputArea-output .widget-button", has_text="Send").first
    send.click()
    sentence = output_with_text(page, "is not running: re-run the cell that serves it")
    sentence.first.wait_for(timeout=30_000)
    assert "handle.restart()" in sentence.first.inner_text()
    toggle = page.locator(".jp-OutputArea-output details").first
    assert not toggle.get_attribute("open") and not page.locator(
        "details pre").first.is_visible()                   # the traceback is folded away
    assert page.locator("[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    assert "no answer" in output_with_text(page, "no answer").first.inner_text()
    keep_screenshot(page, "notebook_dead_server_sentence")
    toggle.locator("summary").click()                        # a learner who wants the details
    page.locator("details pre").first.wait_for(state="visible", timeout=10_000)
    assert "ConnectionRefusedError" in page.locator("details pre").first.inner_text() or \
        "Cannot connect" in page.locator("details pre").first.inner_text()
    keep_screenshot(page, "notebook_dead_server_traceback")
