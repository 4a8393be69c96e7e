"""aioteach.notebook.bench: servers in child processes, CPU time everywhere, Tasks counted."""
from __future__ import annotations

import sys

import pytest

from aioteach import web
from aioteach.notebook import bench
from aioteach.notebook.bench import (BenchResult, BenchRun, ServerProcess, benchmark,
                                     count_tasks, load_with_client, task_probe)
from aioteach.notebook.servers import serve, stop_all


@pytest.fixture(autouse=True)
def clean():
    yield
    stop_all()


async def test_a_server_process_answers_and_reports_its_cpu_time_three_ways(monkeypatch):
    server = await ServerProcess.start("aioteach")
    try:
        assert await load_with_client(server.url + "/hello", 2, 0.2) > 0
        assert await server.cpu_seconds() > 0 and server.cpu_source == "/proc"
        # where /proc is missing (macOS, Windows): the server's own resource.getrusage
        monkeypatch.setattr(bench, "proc_cpu_seconds", lambda pid: None)
        assert await server.cpu_seconds() > 0
        assert server.cpu_source.startswith("resource.getrusage")
        # and where that cannot be asked either: psutil
        async def unreachable(port, path, timeout=10.0):
            raise OSError("no answer")
        monkeypatch.setattr(bench, "_get", unreachable)
        pytest.importorskip("psutil")
        assert await server.cpu_seconds() > 0 and server.cpu_source == "psutil"
    finally:
        await server.stop()
    assert server.process.returncode is not None


async def test_benchmark_interleaves_rounds_and_never_says_na():
    result = await benchmark(["aioteach", "nonexistent-server"], concurrencies=(1, 4),
                             seconds=0.3, rounds=2, load=load_with_client,
                             show_progress=False)
    assert [(r.server, r.concurrency) for r in result.runs] == [("aioteach", 1), ("aioteach", 4)] * 2
    assert all(r.requests > 0 and r.cpu >= 0 for r in result.runs)
    # /proc counts in clock ticks (10 ms): a short run on a busy machine may read 0 once
    assert sum(r.cpu for r in result.runs) > 0 and max(r.per_cpu_second for r in result.runs) > 0
    assert result.skipped == ["nonexistent-server"] and "n/a" not in repr(result)
    assert list(result.best()) == [("aioteach", 1), ("aioteach", 4)]
    assert "requests/CPU-s" in result.table() and "CPU time from /proc" in repr(result)


def test_the_chart_and_the_card():
    pytest.importorskip("matplotlib")
    result = BenchResult([BenchRun("aioteach", 1, 100, 1.0, 0.5),
                          BenchRun("aiohttp", 1, 80, 1.0, 0.5)], "wrk", 1.0, 1, "/proc")
    assert result.png().startswith(b"\x89PNG")
    assert 'src="data:image/png;base64,' in result._repr_html_()


def app_with(paths, **kwargs):
    import asyncio

    async def plain(request):
        return web.Response(text="plain")

    async def sleep0(request):
        await asyncio.sleep(0)
        return web.Response(text="sleep0")

    app = web.Application(**kwargs)
    app.router.add_get("/plain", plain)
    app.router.add_get("/sleep0", sleep0)
    return app


@pytest.mark.parametrize("inline", [False, True])
async def test_tasks_are_counted_from_trace_events(inline):
    runner = web.AppRunner(app_with(None), inline_first_step=inline)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        plain, sleep0 = await count_tasks(url + "/plain", 20), await count_tasks(url + "/sleep0", 20)
    finally:
        await runner.cleanup()
    assert plain.requests == sleep0.requests == 20
    # in a Task by default (an eager one per request on 3.12+, the connection's on 3.11, see
    # web/connectiontask.py); by hand, only when it waits, a Task each time
    assert plain.in_a_task == (0 if inline else 20), plain
    lent = web.connectiontask.LENDING and not inline
    assert sleep0.in_a_task == 20 and sleep0.tasks == (1 if lent else 20), sleep0
    assert "20 requests" in repr(plain)


async def test_the_probe_counts_an_aiohttp_servers_tasks_too():
    aiohttp_web = pytest.importorskip("aiohttp.web")

    async def plain(request):
        return aiohttp_web.Response(text="plain")

    app = aiohttp_web.Application(middlewares=[task_probe])
    app.router.add_get("/plain", plain)
    handle = serve(app, quiet=True)                # serve() runs aiohttp apps as well
    counted = await count_tasks(handle.url + "/plain", 10)
    assert counted.requests == 10 and counted.in_a_task == 10, counted
    assert sys.version_info >= (3, 10)


async def test_tornado_serves_too():
    pytest.importorskip("tornado")
    server = await ServerProcess.start("tornado")
    try:
        assert await load_with_client(server.url + "/hello", 2, 0.2) > 0
        assert await bench._get(server.port, "/cpu")
    finally:
        await server.stop()
