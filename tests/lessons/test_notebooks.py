"""Every lesson in notebooks/ runs top to bottom in a real kernel, and has the shape of a lesson.

Each notebook is executed headlessly by nbclient in a python3 kernel (the venv's Python, which
jupyter_client substitutes for the kernelspec's ``python``), one test per notebook, 120 s per
cell, and then executed again in the same kernel: a re-run cell must never meet a port left
taken, or state that breaks its assertions.  A failing cell fails the test.  Errors in
background tasks and widget callbacks do not fail a cell by themselves, so each lesson drives
its widgets from code and asserts on the effect; on top of that, this test fails when a cell's
output shows a traceback on stderr (a lost background error), unless the cell is tagged
``raises-exception`` or ``shows-traceback``.

The structure tests read the stored files: no outputs, null execution counts, and the parts
every lesson has (the "you will be able to" opening, an exercise with a check call and a
solution cell that asserts it, "The same code on aiohttp", ``stop_all()`` at the end).
New notebooks are picked up by name: notebooks/NN_name.ipynb.
"""
from __future__ import annotations

import copy
import pathlib
import re

import pytest

from tests.support import require

NOTEBOOKS = sorted((pathlib.Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
IDS = [path.stem for path in NOTEBOOKS]
ALLOWED_TRACEBACK_TAGS = {"raises-exception", "shows-traceback"}

#: Seconds for one cell; a lesson as a whole stays well under a minute (lesson 08: ~90 s).
CELL_TIMEOUT = 120


def read(path: pathlib.Path):
    nbformat = require("nbformat")
    return nbformat.read(str(path), as_version=4)


def source(cell) -> str:
    return cell.source if isinstance(cell.source, str) else "".join(cell.source)


def test_there_are_lessons():
    assert NOTEBOOKS, "notebooks/ holds no lessons"
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+", stem) for stem in IDS), IDS


@pytest.mark.notebook
@pytest.mark.timeout(300)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_lesson_runs_top_to_bottom(path, tmp_path):
    nbclient = require("nbclient")
    nb = read(path)
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)       # raises CellExecutionError when one fails
        first_pass = [copy.deepcopy(cell.get("outputs", [])) for cell in nb.cells]
        # Run All again in the same kernel, as a learner who goes back does: a re-run cell
        # must find no port taken and no leftover state that breaks its assertions.
        for index, cell in enumerate(nb.cells):
            try:
                client.execute_cell(cell, index)
            except nbclient.exceptions.CellExecutionError as exc:
                pytest.fail(f"Run All passed once, but running cell {index} again in the same "
                            f"kernel failed (re-running must just work):\n{exc}", pytrace=False)
    for cell, outputs in zip(nb.cells, first_pass):
        cell["outputs"] = outputs + cell.get("outputs", [])
    lost = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or ALLOWED_TRACEBACK_TAGS & set(cell.metadata.get("tags", [])):
            continue
        for output in cell.get("outputs", []):
            if output.get("name") == "stderr" and "Traceback (most recent call last)" in \
                    output.get("text", ""):
                lost.append(f"cell {index}:\n{source(cell)[:200]}\n--- stderr:\n"
                            f"{output['text'][-1500:]}")
    assert not lost, ("a traceback was printed on stderr (an error in a background task or a "
                      "widget callback?); tag the cell 'shows-traceback' if it is meant:\n"
                      + "\n\n".join(lost))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_lesson_is_stored_clean(path):
    nbformat = require("nbformat")
    nb = read(path)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    dirty = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
             and (cell.get("outputs") or cell.get("execution_count") is not None)]
    assert not dirty, f"cells {dirty} have outputs or execution counts: strip them"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_lesson_has_the_parts_of_a_lesson(path):
    cells = read(path).cells
    markdown = [source(c) for c in cells if c.cell_type == "markdown"]
    code = [source(c) for c in cells if c.cell_type == "code"]
    assert cells[0].cell_type == "markdown" and \
        "you will be able to" in source(cells[0]).lower(), \
        "the first cell says what the learner will be able to do"
    assert any(re.search(r"^\s*check_\w+\(", text, re.M) for text in code), \
        "an exercise cell calls a check_...(...) function"
    assert any(re.search(r"^#+ .*solution", text, re.I | re.M) and "try first" in text.lower()
               for text in markdown), "a 'Solution' heading that says to try first"
    assert any(re.search(r"^\s*assert check_\w+\(", text, re.M) for text in code), \
        "the solution cell asserts its check"
    assert any(re.search(r"^#+ .*the same code on aiohttp", text, re.I | re.M)
               for text in markdown), "a section 'The same code on aiohttp'"
    assert any("import aiohttp" in text for text in code), "the aiohttp section imports it"
    assert "stop_all()" in code[-1], "the last cell stops the lesson's servers"
