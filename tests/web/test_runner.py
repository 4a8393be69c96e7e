"""Runners, sites and run_app: listening, graceful shutdown, signals, the command line."""
from __future__ import annotations

import asyncio
import logging
import re
import signal
import sys
import textwrap
from pathlib import Path

import pytest

from aioteach import web
from tests.web.server_support import RawClient, exchange, get, serve

REPO = Path(__file__).resolve().parents[2]


async def test_port_zero_is_resolved_in_addresses_and_site_name():
    app = web.Application()
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        assert host == "127.0.0.1" and port > 0
        assert site.name == f"http://127.0.0.1:{port}" and runner.sites == {site}
        assert app.frozen and runner.server is not None
    finally:
        await runner.cleanup()
    assert runner.addresses == [] and runner.server is None


async def test_graceful_shutdown_lets_the_in_flight_request_finish():
    app = web.Application()
    loop = asyncio.get_running_loop()
    started, release = loop.create_future(), asyncio.Event()
    order: list = []

    async def slow(request: web.Request) -> web.Response:
        started.set_result(None)
        await release.wait()
        order.append("response")
        return web.Response(text="finished")

    async def on_shutdown(app: web.Application) -> None:
        order.append("on_shutdown")

    async def on_cleanup(app: web.Application) -> None:
        order.append("on_cleanup")

    app.router.add_get("/slow", slow)
    app.router.add_get("/hello", lambda r: _text("hi"))
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=30)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    idle = await RawClient.connect(port)                  # a keep-alive connection, idle
    idle.send(get("/hello"))
    assert (await idle.read()).body == b"hi"
    busy = await RawClient.connect(port)
    busy.send(get("/slow"))
    await asyncio.wait_for(started, 10)

    cleanup = asyncio.ensure_future(runner.cleanup())
    assert await idle.wait_closed()                       # idle connections go at once
    with pytest.raises(OSError):                          # no new connections
        await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 10)
    assert not cleanup.done()
    release.set()
    answer = await busy.read()
    assert answer.body == b"finished" and answer.headers["Connection"] == "close"
    await asyncio.wait_for(cleanup, 10)
    # aiohttp 3.9+ order: on_shutdown runs before the in-flight request is waited for
    assert order == ["on_shutdown", "response", "on_cleanup"]
    busy.close()


async def _text(text: str) -> web.Response:
    return web.Response(text=text)


async def test_shutdown_timeout_cancels_a_handler_that_will_not_finish():
    app = web.Application()
    loop = asyncio.get_running_loop()
    started, outcome = loop.create_future(), loop.create_future()

    async def stuck(request: web.Request) -> web.Response:
        started.set_result(None)
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            outcome.set_result("cancelled")
            raise
        return web.Response()

    app.router.add_get("/stuck", stuck)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    client = await RawClient.connect(runner.addresses[0][1])
    client.send(get("/stuck"))
    await asyncio.wait_for(started, 10)
    await asyncio.wait_for(runner.cleanup(), 10)
    assert outcome.result() == "cancelled"
    assert await client.wait_closed()


async def test_access_log_line_in_aiohttps_format(caplog):
    app = web.Application()
    app.router.add_get("/hello", lambda r: _text("hello"))
    caplog.set_level(logging.INFO, logger="aioteach.access")
    async with serve(app, access_log=web.access_logger) as (port, _):
        await exchange(port, get("/hello", "User-Agent: tester/1.0", "Referer: http://r/"))
    lines = [r.getMessage() for r in caplog.records if r.name == "aioteach.access"]
    assert len(lines) == 1
    assert re.fullmatch(r'127\.0\.0\.1 \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000\] '
                        r'"GET /hello HTTP/1\.1" 200 5 "http://r/" "tester/1\.0"', lines[0])


async def test_custom_access_log_class_and_format(caplog):
    app = web.Application()
    app.router.add_get("/x", lambda r: _text("abc"))
    caplog.set_level(logging.INFO, logger="aioteach.access")
    async with serve(app, access_log=web.access_logger,
                     access_log_format="%s %b %{Content-Type}o %%") as (port, _):
        await exchange(port, get("/x"))
    assert [r.getMessage() for r in caplog.records if r.name == "aioteach.access"] == \
        ["200 3 text/plain; charset=utf-8 %"]
    with pytest.raises(TypeError):
        web.AppRunner(app, access_log_class=dict)


SCRIPT = """
import asyncio, sys
from aioteach import web

async def hello(request):
    return web.Response(text="hello from run_app")

async def make_app():
    app = web.Application()
    app.router.add_get("/", hello)
    async def bye(app):
        print("cleanup ran", flush=True)
    app.on_cleanup.append(bye)
    return app

web.run_app(make_app(), host="127.0.0.1", port=0, access_log=None,
            print=lambda *a: print(*a, flush=True))
print("run_app returned", flush=True)
"""


async def _start(argv: list, cwd: Path) -> tuple:
    proc = await asyncio.create_subprocess_exec(
        *argv, cwd=str(cwd), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    line = await asyncio.wait_for(proc.stdout.readline(), 30)   # type: ignore[union-attr]
    match = re.search(rb"Running on http://127\.0\.0\.1:(\d+)", line)
    assert match, line
    return proc, int(match.group(1))


async def _stop(proc: asyncio.subprocess.Process, sig: int) -> bytes:
    try:
        proc.send_signal(sig)
        out, _ = await asyncio.wait_for(proc.communicate(), 30)
        return out
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
async def test_run_app_serves_until_a_signal_then_cleans_up(tmp_path, sig):
    (tmp_path / "server.py").write_text(SCRIPT)
    proc, port = await _start([sys.executable, "server.py"], tmp_path)
    try:
        answer = await exchange(port, get("/"))
        assert answer.body == b"hello from run_app"
    finally:
        out = await _stop(proc, sig)
    assert proc.returncode == 0
    assert b"cleanup ran" in out and b"run_app returned" in out
    assert b"Traceback" not in out


async def test_python_m_aioteach_serve_a_factory(tmp_path):
    (tmp_path / "myapp.py").write_text(textwrap.dedent("""
        from aioteach import web

        async def hello(request):
            return web.Response(text="served by the command line")

        def create_app():
            app = web.Application()
            app.router.add_get("/", hello)
            return app
    """))
    proc, port = await _start([sys.executable, "-m", "aioteach", "serve", "myapp:create_app",
                               "--port", "0", "--no-access-log"], tmp_path)
    try:
        assert (await exchange(port, get("/"))).body == b"served by the command line"
    finally:
        out = await _stop(proc, signal.SIGINT)
    assert proc.returncode == 0 and b"Traceback" not in out


async def test_run_app_inside_a_running_loop_serves_in_the_background():
    app = web.Application()
    app.router.add_get("/", lambda r: _text("background"))
    handle = web.run_app(app, host="127.0.0.1", port=0)
    try:
        if asyncio.iscoroutine(handle) or isinstance(handle, asyncio.Future):
            handle = await handle
        port = handle.port
        for _ in range(200):                 # bounded: until the background start has run
            try:
                answer = await exchange(port, get("/"))
                break
            except OSError:
                await asyncio.sleep(0.01)
        assert answer.body == b"background"
    finally:
        handle.stop()


def test_graceful_exit_is_a_system_exit():
    assert issubclass(web.GracefulExit, SystemExit)


async def test_low_level_server_with_a_bare_handler():
    async def handler(request: web.BaseRequest) -> web.Response:
        return web.Response(text=f"{request.method} {request.path}")

    runner = web.ServerRunner(web.Server(handler))
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        answer = await exchange(runner.addresses[0][1], get("/any/path"))
        assert answer.body == b"GET /any/path"
    finally:
        await runner.cleanup()


async def test_a_restarted_server_rebinds_its_port_at_once():
    app_one, app_two = web.Application(), web.Application()
    app_one.router.add_get("/", lambda r: _text("one"))
    app_two.router.add_get("/", lambda r: _text("two"))
    runner = web.AppRunner(app_one, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    # The server closes this connection first, so its side lingers in TIME_WAIT.
    assert (await exchange(port, get("/", "Connection: close"))).body == b"one"
    await runner.cleanup()
    runner = web.AppRunner(app_two, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", port).start()     # SO_REUSEADDR
        assert (await exchange(port, get("/"))).body == b"two"
    finally:
        await runner.cleanup()
