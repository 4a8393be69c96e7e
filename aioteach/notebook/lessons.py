"""``python -m aioteach lessons DIR``: copy the lesson notebooks somewhere to work on them.

Theory of operation.  The notebooks ship inside the installed package as data of
``aioteach.lessons`` (pyproject.toml maps that name to the repository's ``notebooks/`` folder),
so ``importlib.resources`` finds them in a wheel, a zip or a source checkout alike.  An editable
install of a checkout does not always map that name, so the checkout's folder is the fallback.

``--html`` (for instructors: a fallback for a room where widgets fail) also executes every
lesson headlessly (nbclient, one fresh kernel per lesson, in DIR so files a lesson writes land
there) and writes ``DIR/NAME.html`` with nbconvert: outputs, pictures (embedded as data URIs)
and the widgets' last state, frozen into plain HTML (``static.freeze``: no JavaScript from the
internet is needed to see them).  The packaged lesson is executed, never a learner's edited copy.

Rules: never overwrite: a learner's edited copy is worth more than a fresh one; existing
notebooks are skipped and reported.  An HTML copy that already exists is refused before
anything runs: one line, exit status 2.  A lesson that fails to execute is reported in one line
(exit status 1) and the others are still written.
"""
from __future__ import annotations

import pathlib
import sys
from importlib import resources
from typing import Any, List, Optional, Sequence

from .static import freeze

__all__ = ["lessons_command", "lesson_files", "copy_lessons", "html_targets", "write_html",
           "with_html",
           "execute_lesson", "CELL_TIMEOUT"]

#: Seconds one cell may run while executing a lesson for its HTML copy (lesson 09 benchmarks).
CELL_TIMEOUT = 600


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


def html_targets(target: str, lessons: Sequence[Any]) -> List[pathlib.Path]:
    """Where the HTML copies of ``lessons`` go: ``target/NAME.html``."""
    return [pathlib.Path(target) / (lesson.name.rsplit(".", 1)[0] + ".html")
            for lesson in lessons]


def execute_lesson(lesson: Any, workdir: str) -> Any:
    """Run every cell of ``lesson`` in a fresh kernel in ``workdir``; the executed notebook."""
    import nbformat
    from nbclient import NotebookClient
    notebook = nbformat.reads(lesson.read_text(encoding="utf-8"), as_version=4)
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": workdir}})
    client.execute()
    return notebook


def write_html(target: str, lessons: Optional[Sequence[Any]] = None) -> int:
    """Execute each lesson and write ``target/NAME.html``; 0, 1 if one failed, 2 if refused."""
    lessons = list(lesson_files() if lessons is None else lessons)
    paths = html_targets(target, lessons)
    taken = [path for path in paths if path.exists()]
    if taken:
        print(f"refusing to overwrite {taken[0]} (delete it first to write a fresh HTML copy)")
        return 2
    from nbconvert import HTMLExporter
    pathlib.Path(target).mkdir(parents=True, exist_ok=True)
    status = 0
    for lesson, path in zip(lessons, paths):
        try:
            notebook = execute_lesson(lesson, target)
        except Exception as exc:              # one failing lesson must not stop the others
            first = str(exc).strip().splitlines()[-1:] or [type(exc).__name__]
            print(f"{lesson.name} failed while executing: {first[0]}")
            status = 1
            continue
        page, _ = HTMLExporter().from_notebook_node(freeze(notebook))
        path.write_text(page, encoding="utf-8")
        print(f"wrote {path} ({len(page) // 1024} KiB)")
    return status


def with_html(target: str) -> int:
    """``lessons DIR --html``: refuse an existing HTML copy, copy the lessons, write the HTML."""
    class Args:
        dir, html = target, True
    return lessons_command(Args())


def lessons_command(args: Any) -> int:
    """Copy the lessons to ``args.dir`` (and write HTML copies with ``--html``)."""
    if not lesson_files():
        print("no lesson notebooks were found in this installation")
        return 1
    if getattr(args, "html", False):
        taken = [p for p in html_targets(args.dir, lesson_files()) if p.exists()]
        if taken:                         # refuse before copying or running anything
            print(f"refusing to overwrite {taken[0]} (delete it first to write a fresh "
                  f"HTML copy)")
            return 2
    copied = copy_lessons(args.dir)
    for name in copied:
        print(f"copied {name}")
    status = 0
    if getattr(args, "html", False):
        sys.stdout.flush()
        status = write_html(args.dir)
    print(f"open them with: jupyter lab {args.dir}")
    return status
