"""The running cell, as trace records: IPython's ``pre_run_cell`` and ``post_run_cell`` events.

Theory of operation.  IPython announces every cell it runs: ``pre_run_cell(info)`` just before
(``info.raw_cell`` is the source) and ``post_run_cell(result)`` just after.  ``CellWatcher``
registers two callbacks that add ``cell.start`` (``label``: the cell's first line, ``count``:
its ``In [n]`` number) and ``cell.end`` to a recorder, so the live timeline can draw the cell
that ran above the requests it made.  Outside IPython the watcher does nothing.

The cell that calls ``start()`` has already begun: its ``pre_run_cell`` is gone.  With
``this_cell=True`` the watcher records it at once, from the shell's input history, and its
``post_run_cell`` then ends it as usual.  The ``In [n]`` number is the one ``post_run_cell``
reports (``cell.end`` carries it; IPython 9 has counted the cell already when
``pre_run_cell`` fires, IPython 8 had not).

Rules: callbacks are unregistered by ``stop()``; registering twice is refused by design (the
watcher remembers what it registered).
"""
from __future__ import annotations

from typing import Any, Optional

from ..trace import Recorder

__all__ = ["CellWatcher", "first_line"]


def first_line(source: str, width: int = 48) -> str:
    """The first line of code that says something (comments and blank lines skipped)."""
    for line in source.splitlines():
        text = line.strip()
        if text and not text.startswith("#"):
            return text if len(text) <= width else text[: width - 1] + "…"
    return "(empty cell)"


def _shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


class CellWatcher:
    """Adds ``cell.start`` / ``cell.end`` to ``recorder`` for each cell IPython runs."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self._shell: Any = None
        self._open: Optional[int] = None     # the count given to the cell now running
        self._shift = 0                      # execution_count minus In [n], learned (below)

    def start(self, this_cell: bool = True) -> None:
        shell = _shell()
        if shell is None or self._shell is not None:
            return
        self._shell = shell
        shell.events.register("pre_run_cell", self.pre_run_cell)
        shell.events.register("post_run_cell", self.post_run_cell)
        if this_cell:
            history = getattr(getattr(shell, "history_manager", None), "input_hist_raw", None)
            source = history[-1] if history else ""
            self._begin(source, getattr(shell, "execution_count", None))

    def stop(self) -> None:
        shell, self._shell = self._shell, None
        if shell is None:
            return
        for name, callback in (("pre_run_cell", self.pre_run_cell),
                               ("post_run_cell", self.post_run_cell)):
            try:
                shell.events.unregister(name, callback)
            except ValueError:          # already gone (the shell was reset)
                pass

    def forget(self) -> None:
        self._open = None

    def _begin(self, source: str, count: Optional[int]) -> None:
        # IPython 9 counts the cell before pre_run_cell, older ones after it: the first
        # post_run_cell says which (its result knows the true number), and later cells use it.
        number = count - self._shift if count is not None else None
        self.recorder.note("cell.start", label=first_line(source), count=number)
        self._open = number if number is not None else -1

    # -- IPython's callbacks ------------------------------------------------------------
    def pre_run_cell(self, info: Any = None) -> None:
        shell = self._shell
        self._begin(getattr(info, "raw_cell", "") or "",
                    getattr(shell, "execution_count", None) if shell is not None else None)

    def post_run_cell(self, result: Any = None) -> None:
        if self._open is None:
            return
        count = getattr(result, "execution_count", None)
        if isinstance(count, int) and self._open >= 0:
            self._shift += self._open - count
        self.recorder.note("cell.end", count=count)
        self._open = None
