"""RaceLab driven from code: n requests give n spans per handler kind, tornado's rows included.

The handlers wait at a gate that opens only when all ``n`` requests of their kind are inside,
so "the server had n handlers running at once" is a fact of the run, not of the machine's speed.
"""
from __future__ import annotations

import asyncio
import importlib.util
import os

import pytest

import aioteach
from aioteach import gen, web
from aioteach.notebook import serve
from aioteach.notebook.race import (LESSON_KINDS, TORNADO_SERVERS, RaceLab, max_overlap,
                                    serve_tornado)
from tests.support import require


class Gate:
    """Each caller waits until ``n`` callers are inside, then all go on (bounded by a timeout)."""

    def __init__(self) -> None:
        self.n, self.inside, self.open = 1, 0, asyncio.Event()

    def reset(self, n: int) -> None:
        self.n, self.inside, self.open = n, 0, asyncio.Event()

    async def wait(self) -> str:
        self.inside += 1
        if self.inside >= self.n:
            self.open.set()
        await asyncio.wait_for(self.open.wait(), 10)
        return "ok"


def aioteach_app(gates: dict) -> web.Application:
    def with_callbacks(request):
        answer = asyncio.get_running_loop().create_future()
        waiting = asyncio.ensure_future(gates["callbacks"].wait())
        waiting.add_done_callback(lambda done: answer.set_result(web.Response(text=done.result())))
        return answer

    async def callbacks(request):
        return await with_callbacks(request)

    @gen.coroutine
    def generator(request):
        text = yield gates["generator"].wait()
        return web.Response(text=text)

    async def native(request):
        return web.Response(text=await gates["native"].wait())

    app = web.Application()
    for kind, handler in (("callbacks", callbacks), ("generator", generator), ("native", native)):
        app.router.add_get(f"/{kind}/hello/{{name}}", handler)
    return app


def tornado_routes(gates: dict) -> list:
    import tornado.web
    from tornado import gen as tornado_gen

    class Generator(tornado.web.RequestHandler):
        @tornado_gen.coroutine
        def get(self, name):
            self.write((yield gates["tornado generator"].wait()))

    class Native(tornado.web.RequestHandler):
        async def get(self, name):
            self.write(await gates["tornado native"].wait())

    return [(r"/generator/hello/([^/]+)", Generator), (r"/native/hello/([^/]+)", Native)]


@pytest.fixture
async def servers():
    gates = {label: Gate() for label in LESSON_KINDS + ("tornado generator", "tornado native")}
    handle = serve(aioteach_app(gates), quiet=True)
    tornado = None
    if importlib.util.find_spec("tornado") or os.environ.get("CI"):
        require("tornado")
        tornado = serve_tornado(tornado_routes(gates), name="test_race")
    yield handle, tornado, gates
    await handle.stop()
    if tornado is not None:
        tornado.stop()


def test_max_overlap_counts_what_is_open_at_once():
    assert max_overlap([]) == 0
    assert max_overlap([(0, 1), (1, 2)]) == 1                  # one ends as the next begins
    assert max_overlap([(0, 3), (1, 2), (1.5, 4), (5, 6)]) == 3


@pytest.mark.parametrize("n", [1, 4])
async def test_n_requests_give_n_spans_per_kind_and_n_at_once_on_the_server(servers, n):
    handle, tornado, gates = servers
    for gate in gates.values():
        gate.reset(n)
    lab = RaceLab(handle, tornado=tornado, widgets=False)
    results = await lab.run(n)
    expected = list(LESSON_KINDS) + ([] if tornado is None else ["tornado generator",
                                                                 "tornado native"])
    assert list(results) == expected
    for label, result in results.items():
        assert result.statuses == [200] * n, label
        assert sorted(s.row for s in result.spans) == sorted(f"{label} #{i}" for i in range(n))
        assert {s.label for s in result.spans} == {label}
        assert result.concurrency == n, label           # the gate made them overlap
    table = lab.rows()
    assert [row[0] for row in table] == expected
    assert all(row[1] == f"{n}/{n}" for row in table)
    assert lab.tornado_note() == ""


async def test_rerunning_serve_tornado_stops_the_previous_server():
    require("tornado")
    first = serve_tornado([], name="rerun")
    second = serve_tornado([], name="rerun")            # the same cell, run again
    try:
        assert not first.running and second.running
        assert TORNADO_SERVERS[second.key] is second
    finally:
        second.stop()
    assert second.key not in TORNADO_SERVERS


async def test_without_a_tornado_server_the_lab_says_why_and_races_the_rest(servers):
    handle, _tornado, gates = servers
    for gate in gates.values():
        gate.reset(2)
    lab = RaceLab(handle, widgets=False)
    assert "tornado" in lab.tornado_note()
    results = await lab.run(2)
    assert list(results) == list(LESSON_KINDS)
    assert lab.tornado_note() in lab.text()


async def test_a_stopped_server_fails_with_the_failures_sentence(servers):
    handle, tornado, gates = servers
    lab = RaceLab(handle, tornado=tornado, widgets=False)
    await handle.stop()
    with pytest.raises(aioteach.ClientError) as caught:
        await lab.run(2)
    from aioteach.notebook.failures import failure_sentence
    assert "is not running" in failure_sentence(caught.value, url=handle.url)
    assert all(result.errors for label, result in lab.results.items()
               if not label.startswith("tornado"))


async def test_the_widget_races_on_click_and_shows_the_table(servers):
    pytest.importorskip("ipywidgets")
    from aioteach.notebook import click_and_wait
    handle, tornado, gates = servers
    for gate in gates.values():
        gate.reset(3)
    lab = RaceLab(handle, tornado=tornado)
    lab.slider.value = 3
    await click_and_wait(lab.race_button)
    for label in lab.results:
        assert f"<td style='padding:2px 10px'>{label}</td>" in lab.table.value
    assert lab.image.value[:4] == b"\x89PNG"
    await handle.stop()                                  # now the click fails, shown plainly
    with pytest.raises(aioteach.ClientError):
        await click_and_wait(lab.race_button)
    assert "is not running" in lab.handler.failures[-1].sentence


class FakeTimeline:
    """What RaceLab needs of a live timeline: clear(), watch(), recording, widget."""

    def __init__(self, recording: bool = False) -> None:
        self.recording, self.calls = recording, []

    def clear(self) -> None:
        self.calls.append("clear")

    def watch(self):
        import contextlib

        @contextlib.contextmanager
        def watching():
            self.calls.append("start")
            yield self
            self.calls.append("stop")
        return watching()


@pytest.mark.parametrize("already_recording", [False, True])
async def test_each_race_starts_the_live_timeline_afresh(servers, already_recording):
    handle, _tornado, gates = servers
    for gate in gates.values():
        gate.reset(1)
    timeline = FakeTimeline(already_recording)
    lab = RaceLab(handle, widgets=False, timeline=timeline)
    await lab.run(1)
    assert timeline.calls == (["clear"] if already_recording else ["clear", "start", "stop"])


async def test_the_lab_follows_servers_whose_cells_were_re_run():
    require("tornado")
    gates = {label: Gate() for label in LESSON_KINDS + ("tornado generator", "tornado native")}
    first = serve(aioteach_app(gates), name="race-rerun", quiet=True)
    first_tornado = serve_tornado(tornado_routes(gates), name="race-rerun")
    lab = RaceLab(first, tornado=first_tornado, widgets=False)
    second = serve(aioteach_app(gates), name="race-rerun", quiet=True)     # the cells, re-run
    second_tornado = serve_tornado(tornado_routes(gates), name="race-rerun")
    try:
        results = await lab.run(1)
        assert lab.server is second and lab.tornado is second_tornado
        assert all(r.url.startswith((second.url, second_tornado.url)) for r in results.values())
        assert all(r.answered == 1 for r in results.values())

        second_tornado.stop()                     # stopped for good: its rows go, said plainly
        results = await lab.run(1)
        assert list(results) == list(LESSON_KINDS)
        assert "stopped" in lab.tornado_note() and lab.tornado_note() in lab.text()
    finally:
        await second.stop()
        second_tornado.stop()


async def test_the_live_timeline_draws_n_client_rows_per_handler_and_our_servers_rows(servers):
    from aioteach.notebook.live import LiveTimeline
    handle, tornado, gates = servers
    for gate in gates.values():
        gate.reset(3)
    timeline = LiveTimeline(title="race")
    lab = RaceLab(handle, tornado=tornado, widgets=False, timeline=timeline)
    results = await lab.run(3)
    assert not timeline.recording                 # recorded only while the race ran
    client_rows = timeline.rows("client")
    for label in results:
        assert sum(f": {label}: " in row for row in client_rows) == 3, (label, client_rows)
    handlers = [s for s in timeline.spans("server") if s.kind == "handler"]
    assert len(handlers) == 3 * len(LESSON_KINDS)     # tornado's server is not traced
    assert [s.row for s in timeline.spans("server") if s.open] == []   # hang-ups were heard
    await lab.run(2)                                  # a new race: a fresh picture
    assert len(timeline.rows("client")) == 2 * len(results)


def test_without_tornado_serve_tornado_says_how_to_install_it(monkeypatch):
    import sys

    from aioteach.notebook.race import tornado_installed
    monkeypatch.setitem(sys.modules, "tornado", None)        # an import of tornado now fails
    assert not tornado_installed()
    with pytest.raises(ImportError, match="pip install tornado"):
        serve_tornado([])
    assert "not installed" in RaceLab("http://127.0.0.1:1", widgets=False).tornado_note()
