"""``python -m aioteach lessons DIR``: copy the lesson notebooks somewhere to work on them.

Theory of operation.  The notebooks ship inside the installed package as data of
``aioteach.lessons`` (pyproject.toml maps that name to the repository's ``notebooks/`` folder),
so ``importlib.resources`` finds them in a wheel, a zip or a source checkout alike.  An editable
install of a checkout does not always map that name, so the checkout's folder is the fallback.

Rules: never overwrite: a learner's edited copy is worth more than a fresh one; existing files
are skipped and reported.
"""
from __future__ import annotations

import pathlib
from importlib import resources
from typing import Any, List

__all__ = ["lessons_command", "lesson_files", "copy_lessons"]


def lesson_files() -> List[Any]:
    """The packaged notebooks (``Traversable`` or ``Path`` objects), sorted by name."""
    try:
        folder: Any = resources.files("aioteach.lessons")
    except ModuleNotFoundError:          # an editable checkout: the folder next to the package
        folder = pathlib.Path(__file__).resolve().parents[2] / "notebooks"
    if not folder.is_dir():
        return []
    return sorted((f for f in folder.iterdir() if f.name.endswith(".ipynb")),
                  key=lambda f: f.name)


def copy_lessons(target: str) -> List[str]:
    """Copy every lesson into ``target`` (created if needed); returns the names copied."""
    destination = pathlib.Path(target)
    destination.mkdir(parents=True, exist_ok=True)
    copied = []
    for lesson in lesson_files():
        path = destination / lesson.name
        if path.exists():
            print(f"skipped {path} (exists; delete it to get a fresh copy)")
            continue
        path.write_bytes(lesson.read_bytes())
        copied.append(lesson.name)
    return copied


def lessons_command(args: Any) -> int:
    """Copy the lessons to ``args.dir`` and say how to open them."""
    copied = copy_lessons(args.dir)
    if not lesson_files():
        print("no lesson notebooks were found in this installation")
        return 1
    for name in copied:
        print(f"copied {name}")
    print(f"open them with: jupyter lab {args.dir}")
    return 0
