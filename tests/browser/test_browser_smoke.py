"""The browser plumbing itself: JupyterLab starts, Chromium opens it and runs a notebook cell."""
import json

import pytest

from tests.browser.conftest import keep_screenshot, open_notebook, output_with_text, run_all_cells

pytestmark = pytest.mark.browser

NOTEBOOK = {
    "cells": [{"cell_type": "code", "execution_count": None, "id": "c1", "metadata": {},
               "outputs": [], "source": ["print('sum is', 20 + 22)"]}],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                "name": "python3"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def test_jupyterlab_runs_a_cell_in_chromium(jupyterlab, browser_context):
    (jupyterlab.root / "smoke.ipynb").write_text(json.dumps(NOTEBOOK))
    page = browser_context.new_page()
    open_notebook(page, jupyterlab, "smoke.ipynb")
    run_all_cells(page)
    output = output_with_text(page, "sum is 42")
    output.wait_for(timeout=60_000)
    keep_screenshot(page, "smoke")
    assert output.first.inner_text().strip() == "sum is 42"
