"""python -m aioteach lessons DIR: the packaged notebooks are copied, never overwritten."""
from __future__ import annotations

import json
import subprocess
import sys

from aioteach.notebook.lessons import copy_lessons, lesson_files


def test_the_lessons_are_found():
    names = [f.name for f in lesson_files()]
    assert names and all(name.endswith(".ipynb") for name in names)
    assert names == sorted(names)


def test_copy_skips_files_that_exist(tmp_path, capsys):
    first = copy_lessons(str(tmp_path / "mine"))
    assert first == [f.name for f in lesson_files()]
    edited = tmp_path / "mine" / first[0]
    edited.write_text("my notes")
    assert copy_lessons(str(tmp_path / "mine")) == []
    assert edited.read_text() == "my notes" and "skipped" in capsys.readouterr().out


def test_the_command_copies_valid_notebooks(tmp_path):
    done = subprocess.run([sys.executable, "-m", "aioteach", "lessons", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    copied = sorted(tmp_path.glob("*.ipynb"))
    assert copied and "jupyter lab" in done.stdout
    assert all(json.loads(p.read_text())["nbformat"] == 4 for p in copied)
