"""tests/notebook/data/smoke.ipynb, executed headlessly in a real kernel by nbclient.

Errors inside widget callbacks do not fail nbclient, so the notebook's own cells assert on
every effect; this test also reads the outputs it must show.
"""
from __future__ import annotations

import pathlib

import pytest

from tests.support import require

NOTEBOOK = pathlib.Path(__file__).parent / "data" / "smoke.ipynb"


@pytest.mark.notebook
def test_smoke_notebook_runs_with_its_assertions(tmp_path):
    nbformat = require("nbformat")
    nbclient = require("nbclient")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in nb.cells if cell.cell_type == "code"), \
        "store the notebook without outputs"
    client = nbclient.NotebookClient(nb, timeout=60, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()                 # raises CellExecutionError if a cell's assertion fails
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    card = code[1].outputs[-1]["data"]["text/html"]
    assert "aioteach server" in card and "/delay/{ms}" in card
    assert "application/vnd.jupyter.widget-view+json" in code[3].outputs[-1]["data"]
    trap = code[-2].outputs          # the traps are on without install_traps()
    kinds = [o["output_type"] for o in trap]
    assert kinds == ["display_data", "error"], kinds      # the sentence first, no warning
    assert trap[1]["ename"] == "RuntimeError"
    hint = trap[0]["data"]["text/plain"]
    assert hint.startswith("aioteach explains: asyncio.run()") and "await coro" in hint
