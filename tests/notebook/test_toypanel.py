"""ToyLoopPanel: lesson 07's stepper, with its board, from code and by clicks."""
from __future__ import annotations

import pytest

from aioteach import toyloop
from aioteach.notebook import click_and_wait
from aioteach.notebook.toypanel import ToyLoopPanel, chips

pytest.importorskip("ipywidgets")


def make_toy():
    toy = toyloop.Loop()

    def generator_task():
        total = 0
        for n in (1, 2):
            total += yield toy.sleep(0, result=n)
        return total

    async def native_task():
        total = 0
        for n in (10, 20):
            total += await toy.sleep(0, result=n)
        return total

    return toy, [toy.create_task(generator_task(), name="generator_task"),
                 toy.create_task(native_task(), name="native_task")]


async def test_steps_by_click_until_both_tasks_are_done():
    panel = ToyLoopPanel(make_toy)
    assert "nothing yet: press Step" in panel.board.value and "generator_task" in panel.board.value
    first = await click_and_wait(panel.step_button)       # a plain handler: its return value
    assert first is panel.reports[0] and first.task == "generator_task"
    for _ in range(9):
        await click_and_wait(panel.step_button)
    assert [t.result() for t in panel.tasks] == [3, 30]
    assert "done, returned 3" in panel.board.value
    old = panel.loop
    await click_and_wait(panel.reset_button)
    assert panel.loop is not old and panel.reports == [] and not panel.tasks[0].done()
    assert panel.step_handler.errors == [] and panel.reset_handler.errors == []
    panel.close()


def test_chips_escape_and_say_empty():
    assert chips([], "#fff") == "<i>empty</i>"
    assert "&lt;b&gt;" in chips(["<b>"], "#fff")


async def test_start_over_closes_unstarted_coroutines_and_every_click_shows(recwarn):
    import gc
    panel = ToyLoopPanel(make_toy)
    await click_and_wait(panel.reset_button)           # the first tasks never ran
    first = panel.board.value
    await click_and_wait(panel.reset_button)           # a second Start over in a row
    assert panel.board.value != first and "run 3: started over" in panel.board.value
    for _ in range(12):                                 # past the end: still visibly counted
        await click_and_wait(panel.step_button)
    assert "step 12 of run 3" in panel.board.value
    panel.close()
    gc.collect()
    assert not [w for w in recwarn if "never awaited" in str(w.message)]


def test_the_board_says_who_called_send():
    from aioteach import toyloop
    from aioteach.notebook.toypanel import board_html

    loop = toyloop.Loop()

    def generator_task():
        yield loop.sleep(0)

    task = loop.create_task(generator_task(), name="generator_task")
    report = loop.step()
    board = board_html(loop, [task], report)
    assert "<code>Task.step</code> called <code>generator_task.send(None)</code>" in board
    assert "no task resumed" in board_html(loop, [task], None)
