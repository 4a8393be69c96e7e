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
solution cell that asserts it, folded, "The same code on aiohttp" through ``both_ways``, no
fixed port anywhere).  And the rules that keep a
lesson alive for a learner who runs all of it and then plays: the last cell stops nothing the
widgets need (it lists what runs), and no cell waits for a widget by polling.
New notebooks are picked up by name: notebooks/NN_name.ipynb.
"""
from __future__ import annotations

import asyncio
import copy
import pathlib
import re

import pytest

from tests.support import require

NOTEBOOKS = sorted((pathlib.Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
IDS = [path.stem for path in NOTEBOOKS]
ALLOWED_TRACEBACK_TAGS = {"raises-exception", "shows-traceback"}

#: Seconds for one cell; a lesson as a whole stays well under a minute (lesson 09: ~90 s).
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


#: Lesson 09 is left out of the side-by-side run: it is a timed benchmark, and two at once only
#: measure each other (its servers take free ports like everything else: test_no_hard_coded_ports).
SIDE_BY_SIDE = [path for path in NOTEBOOKS if path.stem != "09_performance"]


@pytest.mark.notebook
@pytest.mark.timeout(300)
@pytest.mark.parametrize("path", SIDE_BY_SIDE, ids=[path.stem for path in SIDE_BY_SIDE])
def test_two_kernels_run_the_same_lesson_at_once(path, tmp_path):
    """Two learners on one host: the same lesson in two kernels at the same time, both pass."""
    nbclient = require("nbclient")

    async def run(k: int):
        folder = tmp_path / f"learner{k}"
        folder.mkdir()
        client = nbclient.NotebookClient(read(path), timeout=CELL_TIMEOUT, kernel_name="python3",
                                         resources={"metadata": {"path": str(folder)}})
        await client.async_execute()

    async def side_by_side():
        return await asyncio.gather(run(1), run(2), return_exceptions=True)

    failed = [f"learner {k}: {outcome}" for k, outcome in enumerate(asyncio.run(side_by_side()), 1)
              if isinstance(outcome, BaseException)]
    assert not failed, "\n\n".join(failed)


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
    section = aiohttp_section(cells)
    assert any("both_ways(" in source(c) for c in section if c.cell_type == "code"), \
        "the aiohttp section runs the lesson's own code with both_ways(...), not a copy of it"
    lines = sum(len(source(c).splitlines()) for c in section if c.cell_type == "code")
    assert lines <= 30, f"the aiohttp section has {lines} lines of code: keep its point, not its bulk"


def aiohttp_section(cells):
    """The cells from the 'The same code on aiohttp' heading to the next heading of that level."""
    start = next(i for i, c in enumerate(cells) if c.cell_type == "markdown" and
                 re.search(r"^#+ .*the same code on aiohttp", source(c), re.I | re.M))
    end = next((i for i in range(start + 1, len(cells)) if cells[i].cell_type == "markdown"
                and re.match(r"## ", source(cells[i]))), len(cells))
    return cells[start:end]


#: A port written into a lesson: every cell names its server by ``handle.url`` instead.
FIXED_PORT = re.compile(r"(?<![\w.])87\d\d(?!\d)|port=\d")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_hard_coded_ports(path):
    found = [(i, FIXED_PORT.search(source(c)).group()) for i, c in enumerate(read(path).cells)
             if FIXED_PORT.search(source(c))]
    assert not found, (f"cells (index, text) {found} name a fixed port: serve(app) takes a free "
                       f"one and cells use handle.url, so two kernels can run the lesson at once")


def test_the_nesting_lesson_uses_nest_asyncio2_and_says_why():
    explaining = [p for p in NOTEBOOKS if "allow_nested()" in p.read_text()]
    assert explaining, "a lesson explains nesting with allow_nested()"
    for path in explaining:
        text = "\n".join(source(c) for c in read(path).cells if c.cell_type == "markdown")
        assert "nest-asyncio2" in text and "archived" in text, \
            f"{path.stem} names the maintained fork nest-asyncio2 and why (the original is archived)"


def solution_cells(cells):
    """(the 'Solution' markdown cell, the code cell after it) for every solution in a lesson."""
    found = []
    for i, cell in enumerate(cells):
        if cell.cell_type == "markdown" and re.search(r"^#+ .*solution", source(cell), re.I | re.M):
            following = next(c for c in cells[i + 1:] if c.cell_type == "code")
            found.append((cell, following))
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_solutions_are_folded(path):
    solutions = solution_cells(read(path).cells)
    assert solutions, "a lesson has a solution"
    for heading, cell in solutions:
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, \
            f"fold the solution's code (metadata jupyter.source_hidden):\n{source(cell)[:120]}"
        assert "<details>" in source(heading) and "<summary>" in source(heading), \
            "the solution's explanation sits behind a <details> toggle, as lesson 01's answers do"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_the_last_cell_leaves_the_widgets_alive(path):
    cells = read(path).cells
    last = source(cells[-1])
    stoppers = [word for word in ("stop_all()", ".stop()", ".close()", ".cancel()")
                if word in last]
    assert not stoppers, (f"the last cell stops {stoppers}: after Run All a learner clicks the "
                          f"widgets above, and they need what it stops")
    assert "list_servers()" in last, "the last cell lists what is still running"
    assert "stop_all()" in source(cells[-2]), "the text before it says how to stop it all"


#: A wait for a widget by polling: ``for _ in range(100): ... await asyncio.sleep(0.05)``.
POLLING = re.compile(r"^([ \t]*)for \w+ in range\(\d+\):[^\n]*\n"
                     r"(?:\1[ \t]+[^\n]*\n){0,8}?\1[ \t]+await asyncio\.sleep\(0\.", re.M)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_cell_waits_by_polling(path):
    polls = [source(c)[:200] for c in read(path).cells
             if c.cell_type == "code" and POLLING.search(source(c) + "\n")]
    assert not polls, ("await what the widget or task exposes (click_and_wait, handler.wait(), "
                       "an Event) instead of polling with sleep:\n" + "\n---\n".join(polls))


def test_lesson01_defines_the_words_before_they_are_used():
    text = "\n".join(source(c) for c in read(NOTEBOOKS[0]).cells if c.cell_type == "markdown")
    for word in ("**coroutine object**", "**future**", "**task**"):
        assert word in text, f"lesson 01 defines {word}"
    assert re.search(r"^#+ .*`await` does not always suspend", text, re.M)
