"""ToyLoopPanel: step ``aioteach.toyloop`` one callback at a time and watch its queues.

Theory of operation.  Lesson 07 shows what an event loop *is* by running a tiny one by hand.
``ToyLoopPanel(make)`` calls ``make()`` for a fresh ``(toyloop.Loop, [tasks])`` and draws a
board of five rows: the last step's report, who called ``send()`` in it (the toy
``Task.step``: lesson 07 contrasts it with ``@gen.coroutine``'s Runner), the ready queue, the
timers and the tasks (chips, one per item, in queue order).  **Step** runs ``loop.step()`` once (one ready callback: a task
resumed, a timer fired) and redraws; **Start over** closes the loop and calls ``make()`` again.

From code: ``panel.step()`` (returns the ``StepReport``), ``panel.reset()``, ``panel.reports``,
``panel.loop``, ``panel.tasks``, and ``panel.board_html()``; ``await click_and_wait(
panel.step_button)`` is what a click does.

Rules: every button goes through ``callbacks.on_click``; the toy loop is closed on reset, so
re-running the cell that builds the panel leaves nothing open.
"""
from __future__ import annotations

import html
from typing import Any, Callable, List, Optional, Sequence, Tuple

from .callbacks import on_click

__all__ = ["ToyLoopPanel", "chips", "board_html"]

READY, TIMERS, TASKS = "#c8e6c9", "#fff3c4", "#cfe3fa"      # green, yellow, blue chips


def chips(labels: Sequence[str], colour: str) -> str:
    """One rounded label per item, in order; "empty" for none."""
    if not labels:
        return "<i>empty</i>"
    return " ".join(f'<span style="background:{colour};border-radius:4px;padding:1px 6px;'
                    f'margin:2px;display:inline-block">{html.escape(label)}</span>'
                    for label in labels)


def _state(task: Any) -> str:
    if task.done():
        return f"{task.name}: done, returned {task.result()!r}"
    return f"{task.name}: waiting"


def _resumer(report: Any) -> str:
    """Who called ``send()`` in the last step: the toy ``Task.step``, for either kind of coroutine."""
    if report is None or getattr(report, "task", None) is None:
        return "<small>no task resumed in this step (a timer fired, or nothing ran)</small>"
    return (f"<code>Task.step</code> called <code>{html.escape(str(report.task))}"
            f".{html.escape(str(report.sent))}</code> <small>(a Task drives a plain generator and "
            f"an async def alike; a @gen.coroutine has a Runner instead)</small>")


def board_html(loop: Any, tasks: Sequence[Any], report: Any = None, clicks: str = "") -> str:
    """The board: last step, ready queue, timers (by due time) and tasks, as an HTML table.

    ``clicks`` (e.g. "step 7 since the start") changes on every click, so a click on a
    finished loop, or a second Start over, still visibly lands.
    """
    last = html.escape(str(report).splitlines()[0]) if report else "nothing yet: press Step"
    rows = [("last step", f"<code>{last}</code>" + (f" <small>({html.escape(clicks)})</small>"
                                                     if clicks else "")),
            ("who resumed it", _resumer(report)),
            ("ready queue", chips([handle.label for handle in loop.ready], READY)),
            ("timers", chips([handle.label for _, _, handle in sorted(loop.timers)], TIMERS)),
            ("tasks", chips([_state(task) for task in tasks], TASKS))]
    cells = "".join(f'<tr><th style="text-align:left;padding-right:12px">{name}</th>'
                    f'<td style="text-align:left">{value}</td></tr>' for name, value in rows)
    return f"<table>{cells}</table>"


class ToyLoopPanel:
    """Step buttons and a board around a toy loop made by ``make() -> (loop, tasks)``."""

    def __init__(self, make: Callable[[], Tuple[Any, List[Any]]]) -> None:
        import ipywidgets as w
        self.make = make
        self.loop, self.tasks = make()
        self.reports: List[Any] = []
        self.starts = 1                       # how many loops were made (Start over adds one)
        self.board = w.HTML(board_html(self.loop, self.tasks))
        self.step_button = w.Button(description="Step", icon="step-forward")
        self.reset_button = w.Button(description="Start over", icon="undo")
        self.output = w.Output()
        self.step_handler = on_click(self.step_button, self._step_clicked, output=self.output)
        self.reset_handler = on_click(self.reset_button, self._reset_clicked,
                                      output=self.output)
        self.handlers = [self.step_handler, self.reset_handler]
        self.widget = w.VBox([w.HBox([self.step_button, self.reset_button]), self.board,
                              self.output])

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def _step_clicked(self, _button: Any) -> Any:
        return self.step()

    def _reset_clicked(self, _button: Any) -> None:
        self.reset()

    def step(self) -> Any:
        """Run one callback of the toy loop; returns (and shows) its ``StepReport``."""
        report = self.loop.step()
        self.reports.append(report)
        self.board.value = board_html(self.loop, self.tasks, report, self._clicks())
        return report

    def _clicks(self) -> str:
        return f"step {len(self.reports)} of run {self.starts}"

    def reset(self) -> None:
        """Close the toy loop and start again from ``make()``."""
        self.close()
        self.loop, self.tasks = self.make()
        self.reports.clear()
        self.starts += 1
        self.board.value = board_html(self.loop, self.tasks, None,
                                      f"run {self.starts}: started over")

    def board_text(self) -> Optional[str]:
        """The last report as text (None before the first step)."""
        return str(self.reports[-1]) if self.reports else None

    def close(self) -> None:
        """Close the toy loop, and the coroutines of tasks that never finished.

        A task that never started would otherwise be dropped with Python's "coroutine ...
        was never awaited" warning on stderr.
        """
        for task in self.tasks:
            if not task.done():
                task.coro.close()
        self.loop.close()
