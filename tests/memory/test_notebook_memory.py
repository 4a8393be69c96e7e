"""The notebook layer over the memory transport: serve(), the panels, the wire view, tracing,
the exercise checkers, and the helpers a browser kernel needs (aioteach.notebook.lite)."""
from __future__ import annotations

import asyncio
import sys
import zipfile

import pytest

import aioteach
from aioteach import memory, trace, web
from aioteach.notebook import lite, servers
from aioteach.notebook.wire import exchange
from tests.support import within


def make_app() -> web.Application:
    app = web.Application()

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text=f"hello {request.remote}")

    app.router.add_get("/hello", hello)
    return app


async def test_serve_in_memory_has_no_port_and_logs_requests():
    handle = servers.serve(make_app(), transport="memory", quiet=True)
    try:
        assert handle.url.startswith("http://memory-") and memory.serving(handle.address)
        async with aioteach.ClientSession() as session:     # early: waits in the backlog
            async with session.get(handle.url + "/hello") as response:
                assert response.status == 200
                assert (await response.text()).startswith("hello memory-client-")
        assert [r.status for r in handle.requests] == [200]
        assert "transport=memory" in repr(handle)
    finally:
        await handle.stop()
    assert not memory.serving(handle.address)


async def test_the_wire_view_and_tracing_see_real_http_over_memory():
    handle = servers.serve(make_app(), transport="memory", quiet=True)
    try:
        await handle
        with trace.record() as recorder:
            answer = await within(exchange(handle.url, "GET", "/hello"))
        assert answer.status == 200
        assert answer.raw_request.startswith(b"GET /hello HTTP/1.1\r\nHost: memory-")
        assert answer.raw_response.startswith(b"HTTP/1.1 200 OK\r\n")
        kinds = {e.kind for e in recorder}
        assert {"server.connection_made", "server.handler_start", "server.bytes_out"} <= kinds
    finally:
        await handle.stop()


async def test_default_transport_follows_the_platform(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sys, "platform", "linux")       # (make test-3.14 runs in Pyodide)
    assert servers.default_transport() == "tcp"
    assert lite.needs_os("tornado's own server") is True
    monkeypatch.setattr(sys, "platform", "emscripten")
    assert servers.default_transport() == "memory" and lite.in_browser()
    assert lite.needs_os("tornado's own server") is False
    monkeypatch.undo()
    with pytest.raises(ValueError):
        servers.serve(make_app(), transport="pigeon")


def test_exercise_checks_run_on_a_socketless_loop_in_the_browser(monkeypatch):
    from aioteach.notebook.exercises.lesson01 import check_shout

    async def shout(request):
        return web.Response(text=request.match_info["word"].upper() + "!")

    monkeypatch.setattr(sys, "platform", "emscripten")     # no threads, no sockets there
    result = check_shout(shout)
    assert result and result.expectations


async def test_run_blocking_inside_a_running_task():
    async def inner() -> str:
        await asyncio.sleep(0.01)
        return "done"

    task = asyncio.current_task()
    assert lite.run_blocking(inner()) == "done"
    assert asyncio.current_task() is task and asyncio.get_running_loop().is_running()
    async def forever() -> None:
        await asyncio.get_running_loop().create_future()   # nobody will ever set it

    with pytest.raises(RuntimeError, match="nothing can wake"):
        lite.run_blocking(forever())


def test_asyncio_timers_give_timer_handles_and_accept_the_past():
    # (not a SelectorEventLoop: its self-pipe is a socketpair, which Pyodide cannot make)
    class WebLoopLike(lite.SocketlessLoop):     # refuses the past, returns Handles
        def call_later(self, delay, callback, *args, context=None):
            if delay < 0:
                raise ValueError("Can't schedule in the past")
            return asyncio.Handle(callback, args, self, context)

    loop = WebLoopLike()
    try:
        lite.asyncio_timers(loop)
        timer = loop.call_at(loop.time() - 1, print)
        assert isinstance(timer, asyncio.TimerHandle) and timer.when() < loop.time()
        timer.cancel()
        assert timer.cancelled() and timer.inner.cancelled()
    finally:
        loop.close()


def test_asyncio_timers_leave_asyncio_own_timers_alone():
    """A SocketlessLoop (the loop of make test-3.14 and of run_blocking) keeps asyncio's timers:
    wrapping them made call_later and call_at call each other until the stack ran out."""
    loop = lite.SocketlessLoop()
    try:
        lite.asyncio_timers(loop)
        assert type(loop).call_later is asyncio.BaseEventLoop.call_later
        fired: list = []
        loop.call_later(0, fired.append, "soon")
        loop.call_at(loop.time() - 1, fired.append, "past")
        loop.run_until_complete(asyncio.sleep(0.001))
        assert sorted(fired) == ["past", "soon"]
    finally:
        loop.close()


def test_make_wheel_is_a_pure_wheel_of_this_package(tmp_path):
    wheel = lite.make_wheel(tmp_path)
    assert wheel.name == f"aioteach-{aioteach.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "aioteach/memory.py" in names and "aioteach/py.typed" in names
    entry = lite.wheel_entry(wheel, ["aioteach"])
    assert entry["imports"] == ["aioteach"] and entry["depends"] == []


def test_memory_connections_let_a_raw_socket_cell_reach_a_memory_server():
    class BrowserLikeLoop(lite.SocketlessLoop):       # a class of its own to patch
        pass

    async def raw_cell() -> bytes:
        handle = servers.serve(make_app(), transport="memory", quiet=True)
        try:
            reader, writer = await asyncio.open_connection(handle.host, handle.port)
            writer.write(b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            answer = await within(reader.read())
            writer.close()
            return answer
        finally:
            await handle.stop()

    loop = BrowserLikeLoop()
    try:
        lite.memory_connections(loop)
        assert loop.run_until_complete(raw_cell()).startswith(b"HTTP/1.1 200 OK\r\n")
    finally:
        loop.close()
