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


def test_a_wheel_carries_the_lessons_and_copies_them_without_the_checkout(tmp_path):
    """What ``pip install aioteach[notebook]`` users get: the notebooks and checkers are inside."""
    import os
    import pathlib
    import shutil
    import zipfile

    repo = pathlib.Path(__file__).resolve().parents[2]
    # Build from a clean copy: a build/ folder left in the checkout would leak stale files.
    source = tmp_path / "source"
    shutil.copytree(repo, source, ignore=shutil.ignore_patterns(
        ".git", ".venv*", "build", "*.egg-info", "__pycache__", "tests", "artifacts"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                    str(tmp_path / "dist"), str(source)], check=True, timeout=300)
    wheel = next((tmp_path / "dist").glob("aioteach-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "site")
    lessons = sorted(p.name for p in (repo / "notebooks").glob("*.ipynb"))
    assert sorted(n.split("/")[-1] for n in names if n.startswith("aioteach/lessons/")) == lessons
    assert "aioteach/py.typed" in names
    assert "aioteach/notebook/exercises/lesson01.py" in names
    # -S: no site-packages, so neither the checkout nor the editable install can help.
    done = subprocess.run([sys.executable, "-S", "-m", "aioteach", "lessons", str(tmp_path / "out")],
                          env=dict(os.environ, PYTHONPATH=str(tmp_path / "site")), cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "out").glob("*.ipynb")) == lessons
