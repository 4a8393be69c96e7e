"""The live timeline driven from code: rows and kinds of known requests, the lag strip, replay,
exports with one row per task, the throttle, cells, row labels and the widget's span picker."""
from __future__ import annotations

import asyncio
import io
import time
import xml.etree.ElementTree as ET

import pytest

import aioteach
from aioteach import trace, web
from aioteach.notebook.lag import LagMonitor
from aioteach.notebook.live import LiveTimeline
from aioteach.notebook.livedraw import BANDS, layout, row_bands

SVG = "{http://www.w3.org/2000/svg}"


def two_layer_app() -> web.Application:
    """``/a`` ``/b`` ``/c`` answer their name through two middlewares; ``/block`` sleeps."""
    @web.middleware
    async def outer(request, handler):
        return await handler(request)

    @web.middleware
    async def inner(request, handler):
        return await handler(request)

    async def name(request):
        return web.Response(text=request.path[1:])

    async def block(request):
        time.sleep(0.2)                        # the mistake: holds the whole loop
        return web.Response(text="slept")

    app = web.Application(middlewares=[outer, inner])
    for path in ("/a", "/b", "/c"):
        app.router.add_get(path, name)
    app.router.add_get("/block", block)
    return app


@pytest.fixture
async def server():
    runner = web.AppRunner(two_layer_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield site.name
    await runner.cleanup()


async def get_in_turn(url: str, paths) -> None:
    async with aioteach.ClientSession() as session:
        for path in paths:
            async with session.get(url + path) as response:
                await response.read()


async def record_three(url: str) -> LiveTimeline:
    tl = LiveTimeline(title="three requests")
    async with tl:
        await get_in_turn(url, ["/a", "/b", "/c"])
    return tl


# -- the spans of a known sequence ------------------------------------------------------------
async def test_three_requests_through_two_middlewares_give_these_rows_and_kinds(server):
    tl = await record_three(server)
    assert not trace.enabled and not tl.monitor.running        # stopped: nothing left on
    assert tl.rows() == ["client 1: GET /a", "client 2: GET /b", "client 3: GET /c",
                         "connection 1", "server 1: GET /a", "server 2: GET /b",
                         "server 3: GET /c", "loop lag"]     # the strip, bars or not
    kinds = {}
    for span in tl.spans("client") + tl.spans("server"):
        kinds.setdefault(span.row, []).append(span.kind)
    assert kinds.pop("client 1: GET /a") == ["connecting", "waiting", "reading"]
    assert kinds.pop("client 2: GET /b") == ["waiting", "reading"]   # a reused connection
    assert kinds.pop("client 3: GET /c") == ["waiting", "reading"]
    assert kinds.pop("connection 1") == ["connection"]
    assert kinds == {f"server {i}: GET /{p}": ["handler", "middleware", "middleware"]
                     for i, p in enumerate("abc", start=1)}
    layers = [s for s in tl.spans("server") if s.kind == "middleware"]
    assert [s.label for s in layers[:2]] == ["middleware two_layer_app.<locals>.outer",
                                            "middleware two_layer_app.<locals>.inner"]
    assert [s.depth for s in layers[:2]] == [1, 2]                 # the onion: outer first
    for s in tl.spans():
        assert s.end >= s.start and not (s.open and s.group != "server")


async def test_each_span_opens_its_own_bytes(server):
    tl = await record_three(server)
    for n, path in enumerate("abc", start=1):
        for span_id in (f"c{n}.reading", f"s{n}.handler", f"s{n}.mw1"):
            wire = tl.bytes_of(span_id)
            assert wire.request.startswith(f"GET /{path} HTTP/1.1\r\n".encode()), span_id
            assert wire.request.endswith(b"\r\n\r\n")
            assert wire.response.startswith(b"HTTP/1.1 200 OK\r\n")
            assert wire.response.endswith(b"\r\n\r\n" + path.encode())
    connection = tl.bytes_of("k1")                    # the connection: all three, in order
    assert connection.request.count(b"GET /") == 3
    assert connection.response.count(b"HTTP/1.1 200 OK") == 3
    with pytest.raises(KeyError, match="no span 'nope'"):
        tl.bytes_of("nope")


async def test_a_request_in_flight_is_drawn_open_up_to_now(server):
    release = asyncio.Event()
    app = web.Application()

    async def wait(request):
        await release.wait()
        return web.Response(text="late")
    app.router.add_get("/wait", wait)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    tl = LiveTimeline().start()
    try:
        task = asyncio.ensure_future(get_in_turn(site.name, ["/wait"]))
        for _ in range(500):                     # bounded: until the handler is running
            if any(s.kind == "handler" for s in tl.spans()):
                break
            await asyncio.sleep(0.01)
        live = {s.kind: s for s in tl.spans()}
        assert live["handler"].open and live["waiting"].open and "reading" not in live
        release.set()
        await task
        done = {s.kind: s for s in tl.spans() if s.group == "client"}
        assert not done["reading"].open and not done["waiting"].open
    finally:
        tl.stop()
        await runner.cleanup()


# -- the lag strip ----------------------------------------------------------------------------
async def test_a_handler_that_sleeps_shows_in_the_lag_strip(server):
    tl = LiveTimeline()
    async with tl:
        await get_in_turn(server, ["/block"])
    handler = next(s for s in tl.spans() if s.id == "s1.handler")
    bars = tl.blocked()
    assert bars and all(b.kind == "blocked" and b.row == "loop lag" for b in bars)
    # A block of B s is a bar of at least B - interval (lag.py): due at most one interval
    # after the block began, the monitor runs only once the block is over.
    freeze = [b for b in bars if b.start < handler.end and b.end > handler.start]
    assert len(freeze) == 1
    assert freeze[0].duration >= 0.2 - tl.monitor.interval
    assert f"{freeze[0].duration * 1000:.0f} ms" in freeze[0].label
    assert "time.sleep" in tl.bytes_of(freeze[0]).note


async def test_a_blocking_callback_is_caught_by_the_monitor():
    recorder = trace.Recorder()
    monitor = LagMonitor(recorder, interval=0.01, threshold=0.02)
    monitor.start()
    asyncio.get_running_loop().call_soon(time.sleep, 0.1)
    for _ in range(500):
        if recorder.of_kind("loop.blocked"):
            break
        await asyncio.sleep(0.01)
    monitor.stop()
    assert not monitor.running and "stopped" in repr(monitor)
    [event] = [e for e in recorder.of_kind("loop.blocked") if e["lag"] >= 0.1 - 0.01]
    assert event.t - event["start"] == pytest.approx(event["lag"])


# -- record and replay ------------------------------------------------------------------------
async def test_replay_and_a_saved_recording_reproduce_the_same_spans(server, tmp_path):
    tl = await record_three(server)
    original = tl.spans()
    wires = {s.id: tl.bytes_of(s) for s in original}
    frames = []
    tl.redraw = lambda: frames.append(tl.picture().spans) or None   # every drawn picture
    assert await tl.replay(speed=50) >= 1
    assert frames[-1] == original                       # the replay ends where we were
    middle = [f for f in frames[:-1] if f]
    for picture in middle:                              # each frame: a prefix in time
        assert {s.id for s in picture} <= {s.id for s in original}
    del tl.redraw
    tl.save(str(tmp_path / "run.json"))
    loaded = LiveTimeline.load(str(tmp_path / "run.json"))
    assert loaded.spans() == original and loaded.title == "three requests"
    assert {s.id: loaded.bytes_of(s) for s in original} == wires
    assert await loaded.replay(speed=0) == 1            # speed 0: the end at once
    assert loaded.spans() == original


def test_a_file_of_another_format_is_refused(tmp_path):
    (tmp_path / "x.json").write_text('{"format": 7, "events": []}')
    with pytest.raises(ValueError, match="format=7"):
        LiveTimeline.load(str(tmp_path / "x.json"))


# -- exports: one row per task ----------------------------------------------------------------
async def test_svg_and_png_have_one_row_per_task(server, tmp_path):
    tl = LiveTimeline()
    async with tl:
        await asyncio.gather(*(get_in_turn(server, [p]) for p in ("/a", "/b", "/c")))
    rows = tl.rows()
    assert len(rows) == 3 + 3 + 3 + 1       # 3 client rows, 3 connections, 3 handlers, lag
    tl.save_image(str(tmp_path / "t.svg"))
    root = ET.parse(tmp_path / "t.svg").getroot()
    bands = [r.get("data-row") for r in root.iter(f"{SVG}rect") if r.get("data-row")]
    assert bands == rows
    spans = [r.get("data-span") for r in root.iter(f"{SVG}rect") if r.get("data-span")]
    assert sorted(spans) == sorted(s.id for s in tl.spans())
    tl.save_image(str(tmp_path / "t.png"))
    from PIL import Image
    image = Image.open(tmp_path / "t.png").convert("RGB")
    lay = layout(tl.picture())
    assert image.size == (lay.width, lay.height)
    column = [image.getpixel((2, y)) for y in range(image.size[1])]
    band_colours = {tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in BANDS}
    runs, previous = 0, None                    # count runs of band colour down the column
    for pixel in column:
        if pixel in band_colours and pixel != previous:
            runs += 1
        previous = pixel
    assert runs == len(rows) == len(row_bands(lay))
    with pytest.raises(ValueError, match=".svg or .png"):
        tl.save_image(str(tmp_path / "t.gif"))


# -- the throttle and the off switch ----------------------------------------------------------
async def test_events_never_redraw_only_the_timer_does():
    tl = LiveTimeline(interval=3600)             # a timer that will not fire in this test
    drawn = []
    tl.start(this_cell=False)                    # (an IPython shell may linger in tests)
    real = tl.redraw
    tl.redraw = lambda: drawn.append(len(tl.recorder.events)) or real()
    before = len(tl.recorder.events)             # the lag monitor's own note
    for i in range(100):
        trace.emit("client.request_start", req=f"x{i}", method="GET", url="/x")
    assert drawn == []                           # a hundred events, not one drawing
    tl._tick()
    assert drawn == [before + 100]
    for i in range(100):
        trace.emit("client.request_end", req=f"x{i}", status=200)
    tl._tick()
    tl._tick()                                   # nothing changed since: no drawing
    assert drawn == [before + 100, before + 200]
    tl.stop()
    assert not trace.enabled and tl._timer is None and not tl.monitor.running


def test_without_a_loop_it_records_and_draws_on_demand():
    tl = LiveTimeline().start(this_cell=False)
    trace.emit("client.request_start", req="q", method="GET", url="http://h/q")
    trace.emit("client.request_end", req="q", status=204)
    tl.stop()
    assert not tl.monitor.running
    assert [(s.row, s.kind) for s in tl.spans()] == [("client 1: GET /q", "connecting")]
    assert tl.rows() == ["client 1: GET /q"]           # no loop: no lag strip
    assert "stopped" in repr(tl) and tl.svg().startswith("<svg")


# -- rows named by the learner, cells ---------------------------------------------------------
async def test_rows_take_the_trace_label_or_the_task_name(server):
    tl = LiveTimeline()
    async with tl:
        with trace.label("native"):
            await asyncio.gather(get_in_turn(server, ["/a"]), get_in_turn(server, ["/b"]))
        await asyncio.create_task(get_in_turn(server, ["/c"]), name="gen 1")
    assert [r for r in tl.rows() if r.startswith("client")] == [
        "client 1: native: GET /a", "client 2: native: GET /b", "client 3: gen 1: GET /c"]


class FakeEvents:
    def __init__(self):
        self.callbacks = {}

    def register(self, name, fn):
        self.callbacks.setdefault(name, []).append(fn)

    def unregister(self, name, fn):
        self.callbacks[name].remove(fn)


def test_cells_are_drawn_from_ipythons_events(monkeypatch):
    from types import SimpleNamespace
    from aioteach.notebook import cells
    shell = SimpleNamespace(events=FakeEvents(), execution_count=7,
                            history_manager=SimpleNamespace(input_hist_raw=["", "tl.start()"]))
    monkeypatch.setattr(cells, "_shell", lambda: shell)
    tl = LiveTimeline().start()                   # in a cell: that cell is the first
    for fn in shell.events.callbacks["post_run_cell"]:
        fn(SimpleNamespace(execution_count=6))    # IPython 9 had counted it already
    shell.execution_count = 8
    for fn in shell.events.callbacks["pre_run_cell"]:
        fn(SimpleNamespace(raw_cell="# fetch\nawait fetch_all()\n"))
    assert tl.spans("cell")[-1].label == "In [7]: await fetch_all()"   # learned: one less
    for fn in shell.events.callbacks["post_run_cell"]:
        fn(SimpleNamespace(execution_count=7))
    tl.stop()
    assert shell.events.callbacks == {"pre_run_cell": [], "post_run_cell": []}
    assert [(s.row, s.label) for s in tl.spans("cell")] == [
        ("cell", "In [6]: tl.start()"), ("cell", "In [7]: await fetch_all()")]
    assert tl.rows() == ["cell"]                    # no loop in this test: no lag strip


# -- the widget -------------------------------------------------------------------------------
async def test_picking_a_span_shows_its_bytes_in_the_widget(server):
    pytest.importorskip("ipywidgets")
    tl = await record_three(server)
    view = tl.widget and tl._view
    assert [o[1] for o in view.picker.options][1:] == [s.id for s in tl.spans()]
    view.picker.value = "s2.handler"              # picked in the list
    assert tl.selected == "s2.handler"
    assert "GET /b HTTP/1.1\\r\\n" in view.details.value and "200 OK" in view.details.value
    view._chart_message(view.chart, {"picked": "c3.reading"}, [])    # a click on a bar
    assert tl.selected == "c3.reading" and view.picker.value == "c3.reading"
    assert "GET /c HTTP/1.1" in view.details.value
    if hasattr(view.chart, "selected"):           # the anywidget: the page outlines it
        assert view.chart.selected == "c3.reading" and 'data-span="c3.reading"' in view.chart.svg
    else:
        assert 'data-span="c3.reading"' in view.chart.value
        assert 'stroke="#000000"' in view.chart.value
    view.record_button.click()                    # Record again: on, then off
    assert tl.recording and view.record_button.description == "Stop"
    view.record_button.click()
    assert not tl.recording and view.record_button.description == "Record"
    view.export_button.click()
    assert "download='timeline.svg'" in view.downloads.value
    assert "data:image/png;base64,iVBOR" in view.downloads.value       # a PNG's magic bytes
    view.clear_button.click()
    assert tl.spans() == [] and "0 spans" in view.status.value
    tl.select(None)
    assert "Click a bar" in view.details.value


def test_png_scale_two_is_twice_as_big():
    from PIL import Image
    tl = LiveTimeline()
    one = Image.open(io.BytesIO(tl.png())).size
    two = Image.open(io.BytesIO(tl.png(scale=2))).size
    assert two == (one[0] * 2, one[1] * 2)


def test_a_connection_id_used_again_is_a_new_row():
    from aioteach.notebook.livespans import build
    rec = trace.Recorder()
    for n, req in enumerate(("r1", "r2")):           # id(protocol) recurs once one is gone
        rec.note("server.connection_made", conn=1, peer=("127.0.0.1", 5000 + n))
        rec.note("server.bytes_in", conn=1, n=3, data=b"GET")
        rec.note("server.head_parsed", conn=1, req=req, method="GET", path=f"/{n}")
        rec.note("server.handler_start", req=req, handler=f"/{n}")
        rec.note("server.bytes_out", conn=1, n=2, data=b"OK")
        rec.note("server.handler_end", req=req, status=200)
        rec.note("server.connection_lost", conn=1)
    picture = build(rec.events, rec.events[-1].t)
    assert [row for _, row in picture.rows] == ["connection 1", "server 1: GET /0",
                                                "connection 2", "server 2: GET /1"]
    assert [picture.wire[i].request for i in ("k1", "k2", "s1.handler", "s2.handler")] == \
        [b"GET"] * 4
    assert not any(s.open for s in picture.spans)


async def test_a_rerun_cell_stops_the_timeline_it_made_before():
    old = LiveTimeline(title="lesson").start()
    other = LiveTimeline(title="another").start()
    panel = LiveTimeline(title="lesson").start(this_cell=False)     # a widget's: left alone
    new = LiveTimeline(title="lesson").start()      # the same cell, run again
    assert not old.recording and not old.monitor.running and "newer" in old.status
    assert new.recording and other.recording and panel.recording
    for timeline in (new, other, panel):
        timeline.stop()
    assert not trace.enabled


async def test_what_is_open_at_stop_is_cut_there_and_never_grows_after_a_restart(server):
    tl = LiveTimeline()
    session = aioteach.ClientSession()
    async with tl.watch():                         # async with works, as plain with does
        async with session.get(server + "/a") as response:
            await response.read()
    connection = next(s for s in tl.spans() if s.kind == "connection")
    assert connection.cut and not connection.open  # the keep-alive connection outlived it
    assert "cut: recording stopped" in tl.svg()
    tl.start(this_cell=False)                      # Record again: nothing is running
    await session.close()                          # the hang-up the first recording missed
    for _ in range(500):                           # bounded: until the server heard it
        if tl.recorder.of_kind("server.connection_lost"):
            break
        await asyncio.sleep(0.01)
    assert tl.recorder.of_kind("server.connection_lost")
    assert [s for s in tl.spans() if s.kind == "connection"] == [connection]   # cut, as it was
    assert not any(s.open for s in tl.spans())     # so an idle Record draws nothing new
    tl.stop()


async def test_each_resume_of_a_gen_coroutine_is_a_tick_on_its_row(server):
    from aioteach import gen

    @gen.coroutine
    def two_steps():
        yield gen.sleep(0)
        yield gen.moment
        raise gen.Return("done")

    tl = LiveTimeline()
    async with tl:
        assert await asyncio.gather(two_steps(), two_steps()) == ["done", "done"]
    rows = tl.rows("gen")
    assert len(rows) == 1 and rows[0].startswith("gen: ") and "two_steps" in rows[0]
    steps = tl.spans("gen")
    assert len(steps) == 2 * 3 and {s.kind for s in steps} == {"step"}   # start + 2 resumes
    assert "the Runner resumed" in tl.bytes_of(steps[0]).note


@pytest.mark.parametrize("seconds", [0.05, 0.5, 0.51, 0.99, 1.0, 12.3, 500.0])
def test_every_word_of_the_drawing_stays_inside_the_picture(seconds):
    from aioteach.notebook.livedraw import WIDTH, svg, text_width
    from aioteach.notebook.livespans import LiveSpan, Picture
    span = LiveSpan("loop lag", "blocked", 0.0, seconds, "blocked", group="loop", id="k1")
    lay = layout(Picture([span], [("loop", "loop lag")], now=seconds), title="a title")
    words = [s for s in lay.shapes if s.kind == "text"]
    assert [s.text for s in words if s.text.endswith(" ms")]       # the axis is labelled
    for s in words:
        left = s.x - text_width(s.text, s.size) if s.anchor == "end" else s.x
        right = s.x if s.anchor == "end" else s.x + text_width(s.text, s.size)
        assert 0 <= left and right <= WIDTH, (s.text, left, right)
    assert 'text-anchor="end"' in svg(lay) or all(s.anchor == "start" for s in words)
