"""ConcurrencyLab's sliders (n, k, delay), the server's rows beside the client's, and its live
timeline."""
from __future__ import annotations

import pytest

from aioteach.notebook.servers import serve, stop_all

widgets = pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")


@pytest.fixture(autouse=True)
def clean():
    yield
    stop_all()


async def test_sliders_set_n_k_and_the_delay_for_the_next_run():
    from aioteach.demo import make_app
    from aioteach.notebook import ConcurrencyLab, click_and_wait
    handle = serve(make_app(), port=0, quiet=True)
    lab = ConcurrencyLab(handle, path="/delay/300", n=6, k=2)
    assert (lab.n_slider.value, lab.k_slider.value, lab.delay_slider.value) == (6, 2, 300)
    lab.n_slider.value, lab.k_slider.value, lab.delay_slider.value = 3, 1, 20
    assert (lab.n, lab.k, lab.path) == (3, 1, "/delay/20")
    assert lab.url == handle.url.rstrip("/") + "/delay/20" and "3 x GET" in lab.summary.value
    assert lab.progress.max == 12
    await click_and_wait(lab.run_button)
    assert not lab.handler.errors, lab.handler.errors
    for name, result in lab.results.items():
        assert result.statuses == [200] * 3, name
        assert {s.row for s in result.spans} == {"request 0", "request 1", "request 2"}
        assert [s.row for s in result.server_spans] == ["server 0", "server 1", "server 2"]
        assert all(s.kind == "handler" and "/delay/20" in s.label for s in result.server_spans)
    # k=1: the semaphore lets one handler run at a time, so the server's bars never overlap
    handlers = lab.results["semaphore"].server_spans
    assert all(a.end <= b.start for a, b in zip(handlers, handlers[1:]))
    gathered = lab.results["gather"].server_spans
    assert gathered[0].end > gathered[-1].start                     # all at once
    # the live timeline saw the whole run: 4 x 3 client requests and their handlers
    assert len(lab.timeline.rows("client")) == 12 and not lab.timeline.recording
    assert [r.split(": ")[1] for r in lab.timeline.rows("client")[::3]] == [
        "sequential", "gather", "semaphore", "connector"]                # rows say whose
    assert sum(r.startswith("server") for r in lab.timeline.rows("server")) == 12
    axes = lab.figure().axes
    labels = [t.get_text() for t in axes[0].get_yticklabels()]
    assert labels == ["request 0", "request 1", "request 2", "server 0", "server 1", "server 2"]


def test_a_path_without_a_delay_disables_the_delay_slider():
    from aioteach.notebook import ConcurrencyLab
    lab = ConcurrencyLab("http://127.0.0.1:9", path="/hello", n=2)
    assert lab.delay is None and lab.delay_slider.disabled
    lab.n_slider.value = 5
    assert lab.path == "/hello" and lab.n == 5


async def test_a_slider_moved_during_a_run_waits_for_the_next_one():
    from aioteach.demo import make_app
    from aioteach.notebook import ConcurrencyLab
    handle = serve(make_app(), port=0, quiet=True)
    lab = ConcurrencyLab(handle, path="/delay/10", n=2, k=1)
    real_run = lab.run

    async def run(strategy):
        if strategy == "gather":                 # halfway: the learner drags n to 5
            lab.n_slider.value = 5
            assert lab.n == 2 and "apply when this run ends" in lab.summary.value
        return await real_run(strategy)

    lab.run = run
    await lab.run_all()
    assert {name: len(r.statuses) for name, r in lab.results.items()} == {
        "sequential": 2, "gather": 2, "semaphore": 2, "connector": 2}   # one n for the four
    assert lab.n == 5 and lab.progress.max == 20            # the next run: n=5


async def test_the_lab_follows_its_server_when_the_serving_cell_runs_again():
    from aioteach.demo import make_app
    from aioteach.notebook import ConcurrencyLab
    from aioteach.notebook.callbacks import click_and_wait
    first = serve(make_app(), name="lesson 04's server", quiet=True)
    lab = ConcurrencyLab(first, path="/delay/5", n=2, k=1)
    again = serve(make_app(), name="lesson 04's server", quiet=True)     # the cell, re-run
    assert not first.running and lab.url == again.url + "/delay/5"
    await click_and_wait(lab.run_button)
    assert lab.handler.errors == []
    assert all(r.statuses == [200, 200] for r in lab.results.values())


async def test_a_stopped_server_gets_the_sentence_with_the_servers_address():
    from aioteach.demo import make_app
    from aioteach.notebook import ConcurrencyLab
    from aioteach.notebook.callbacks import click_and_wait
    handle = serve(make_app(), quiet=True)
    lab = ConcurrencyLab(handle, path="/delay/5", n=2, k=1)
    handle.stop()
    try:
        await click_and_wait(lab.run_button)
    except Exception:
        pass                                   # the click's task failed: the widget says why
    [failure] = lab.handler.failures
    assert f"the server at {handle.url}/ is not running" in failure.sentence, failure.sentence
