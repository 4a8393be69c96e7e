"""trace: switching on and off, what a recorder keeps, spans, the text timeline, real hooks."""
from __future__ import annotations

from aioteach import trace
from aioteach.trace import Span, text_timeline


def test_tracing_is_off_unless_a_recorder_is_active():
    assert trace.enabled is False
    with trace.record() as outer:
        assert trace.enabled is True
        with trace.record() as inner:
            trace.emit("server.bytes_in", conn=1, n=10)
        assert trace.enabled is True            # the outer one still records
        trace.emit("server.bytes_out", conn=1, n=20)
    assert trace.enabled is False
    assert [e.kind for e in inner] == ["server.bytes_in"]
    assert [e.kind for e in outer] == ["server.bytes_in", "server.bytes_out"]
    assert outer.events[1]["n"] == 20 and outer.events[1].get("missing", "x") == "x"


def test_kinds_keeps_only_matching_prefixes():
    with trace.record(kinds=["client."]) as rec:
        trace.emit("server.head_parsed", conn=1, req=1, method="GET", path="/")
        trace.emit("client.request_start", req=1, method="GET", url="/")
    assert [e.kind for e in rec] == ["client.request_start"]


async def test_events_name_the_running_task():
    import asyncio

    async def worker():
        trace.emit("gen.step", coro="w", action="send", value=None)

    with trace.record() as rec:
        task = asyncio.ensure_future(worker())
        task.set_name("worker-7")
        await task
        trace.emit("gen.step", coro="main", action="send", value=None)
    assert rec.events[0].task == "worker-7"
    assert rec.events[1].task is not None and rec.events[1].task != "worker-7"
    assert rec.events[0].t <= rec.events[1].t
    trace_outside = trace.TraceEvent(0.0, "x", None)
    assert trace_outside.task is None


def test_spans_pair_starts_and_ends_with_waits_for_queued_clients():
    with trace.record() as rec:
        trace.emit("client.request_start", req=1, method="GET", url="/a")
        trace.emit("client.request_start", req=2, method="GET", url="/b")
        trace.emit("client.connection_acquired", req=1, key="k", reused=False)
        trace.emit("server.handler_start", req=9, handler="hello")
        trace.emit("server.handler_end", req=9, status=200)
        trace.emit("client.request_end", req=1, status=200)
        trace.emit("client.connection_acquired", req=2, key="k", reused=True)
        trace.emit("client.request_end", req=2, status=200)
    spans = rec.spans()
    assert [(s.row, s.kind) for s in spans] == [
        ("client 1", "wait"), ("server 9", "run"), ("client 1", "run"),
        ("client 2", "wait"), ("client 2", "run")]
    assert spans[1].label == "hello" and spans[2].label == "/a"
    assert all(s.start <= s.end for s in spans)
    assert spans[4].start == spans[3].end                   # run begins where wait ends


def test_text_timeline_draws_rows_in_order_of_appearance():
    spans = [Span("b", "", 1.0, 2.0), Span("a", "", 0.0, 1.0, "wait"), Span("a", "", 1.0, 2.0)]
    lines = text_timeline(spans, width=10).splitlines()
    assert lines[0] == "b |     =====|  1.000 s"
    assert lines[1] == "a |.....=====|  2.000 s"
    assert lines[2].startswith("  0") and lines[2].endswith("(= running, . waiting)")
    assert text_timeline([]) == "(no spans recorded)"
    tiny = text_timeline([Span("x", "", 0.0, 1.0), Span("y", "", 0.5, 0.5)], width=10)
    assert tiny.splitlines()[1] == "y |     =    |  0.000 s"     # an instant still shows


async def test_a_real_request_leaves_the_documented_hooks():
    """One GET from aioteach's client to aioteach's server, with tracing on."""
    import aioteach
    from aioteach import web

    async def hello(request):
        return web.Response(text="hi")

    app = web.Application()
    app.router.add_get("/", hello)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        with trace.record() as rec:
            async with aioteach.ClientSession() as session:
                async with session.get(f"http://{host}:{port}/") as response:
                    assert await response.text() == "hi"
    finally:
        await runner.cleanup()
    kinds = [e.kind for e in rec]
    server = [k for k in kinds if k in ("server.connection_made", "server.head_parsed",
                                        "server.handler_start", "server.handler_end")]
    assert server == ["server.connection_made", "server.head_parsed", "server.handler_start",
                      "server.handler_end"]
    client = [k for k in kinds if k in ("client.request_start", "client.request_end")]
    assert client == ["client.request_start", "client.request_end"]
    assert kinds.index("client.request_start") < kinds.index("server.head_parsed")
    assert kinds.index("server.handler_end") < kinds.index("client.request_end")
    head = rec.of_kind("server.head_parsed")[0]
    assert (head["method"], head["path"]) == ("GET", "/")
    assert rec.of_kind("server.handler_end")[0]["status"] == 200
    assert sum(e["n"] for e in rec.of_kind("server.bytes_in")) > 0
    assert {s.row.split()[0] for s in rec.spans()} == {"client", "server"}
    # the bytes themselves ride on the wire hooks, both sides, and agree with each other
    server_in = b"".join(e["data"] for e in rec.of_kind("server.bytes_in"))
    client_out = b"".join(e["data"] for e in rec.of_kind("client.bytes_out"))
    assert server_in == client_out and server_in.startswith(b"GET / HTTP/1.1\r\n")
    server_out = b"".join(e["data"] for e in rec.of_kind("server.bytes_out"))
    assert server_out == b"".join(e["data"] for e in rec.of_kind("client.bytes_in"))
    assert sum(e["n"] for e in rec.of_kind("server.bytes_out")) == len(server_out)


async def test_a_label_follows_awaits_and_the_tasks_made_inside():
    import asyncio

    async def child():
        await asyncio.sleep(0)
        trace.emit("probe.child")

    with trace.record() as rec:
        trace.emit("probe.outside")
        with trace.label("native"):
            trace.emit("probe.inside")
            with trace.label("inner"):
                trace.emit("probe.nested")
            await asyncio.gather(child(), child())
        await asyncio.create_task(child())      # made outside the block: no label
    assert [(e.kind, e.label) for e in rec] == [
        ("probe.outside", None), ("probe.inside", "native"), ("probe.nested", "inner"),
        ("probe.child", "native"), ("probe.child", "native"), ("probe.child", None)]


def test_note_adds_to_one_recorder_and_active_says_who_records():
    one, two = trace.Recorder(), trace.Recorder()
    assert not one.active
    with one, two:
        assert one.active and two.active and trace.enabled
        event = one.note("cell.start", t=1.5, label="x")
    assert (event.t, event.kind, event["label"]) == (1.5, "cell.start", "x")
    assert one.events == [event] and two.events == []
    assert not one.active and not trace.enabled
