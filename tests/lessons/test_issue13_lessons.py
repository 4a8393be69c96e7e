"""Where issue 13 put its pieces in the lessons (the stored notebooks; the behaviour of each piece
is tested in tests/notebook, and each lesson runs in tests/lessons/test_notebooks.py).

* the live timeline is in lessons 01, 03, 04 (ConcurrencyLab draws one per run), 05 (each
  FreezePanel run) and 07 (the race);
* lesson 07 measures one resume and says native coroutines are faster (never "not in speed"),
  races the handlers from a widget, and shows ``yield [...]`` against ``gather`` on failure;
* the lesson on blocking and races comes right after lesson 04, which points to it.
"""
from __future__ import annotations

import json
import pathlib
import re

import pytest

FOLDER = pathlib.Path(__file__).resolve().parents[2] / "notebooks"


def lesson(number: str) -> tuple:
    """(code, prose) of lesson ``number``: its code cells and its markdown, each one string."""
    [path] = FOLDER.glob(f"{number}_*.ipynb")
    cells = json.loads(path.read_text())["cells"]
    text = {kind: "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == kind)
            for kind in ("code", "markdown")}
    return text["code"], text["markdown"]


@pytest.mark.parametrize("number, builds", [
    ("01", "LiveTimeline("), ("03", "LiveTimeline("), ("04", "ConcurrencyLab("),
    ("05", "FreezePanel("), ("07", "LiveTimeline("),
])
def test_the_lesson_shows_the_live_timeline(number, builds):
    code, _ = lesson(number)
    assert builds in code


def test_lesson07_races_measures_a_resume_and_corrects_not_in_speed():
    code, prose = lesson("07")
    assert "RaceLab(" in code and "tornado=" in code
    assert "measure_resumes(" in code
    assert "not in speed" not in (code + prose).lower()
    assert re.search(r"native coroutines? (are|is) faster|faster", prose)
    assert "yield [" in code and "asyncio.gather(" in code and "return_exceptions=True" in code


def test_the_lesson_on_blocking_and_races_follows_lesson04():
    _, prose04 = lesson("04")
    code05, prose05 = lesson("05")
    assert "**Next:** lesson 05" in prose04
    assert "FreezePanel(" in code05 and "RacePanel(" in code05
    assert "time.sleep(" in code05 and "to_thread(" in code05 and "Lock" in code05 + prose05
    assert "check_report" in code05 and "check_buy" in code05
