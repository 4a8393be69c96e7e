"""The classic notebook traps, each turned into an error that names the cause and the fix."""
from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import urllib.request

import pytest

from aioteach.notebook import traps
from aioteach.notebook.callbacks import on_click
from aioteach.notebook.servers import serve, stop_all
from aioteach.notebook.traps import BlockingCallError, explain, install_traps, uninstall_traps

from .apps import hello_app


@pytest.fixture(autouse=True)
def clean():
    yield
    uninstall_traps()
    stop_all()


async def test_asyncio_run_in_a_running_loop_is_explained():
    async def main():
        return 1
    coro = main()
    with pytest.raises(RuntimeError) as info:
        asyncio.run(coro)
    coro.close()
    hint = explain(info.value)
    assert "already runs an event loop" in hint and "await coro" in hint


async def test_run_until_complete_in_a_running_loop_is_explained():
    loop = asyncio.get_running_loop()
    future = loop.create_future()
    with pytest.raises(RuntimeError) as info:
        loop.run_until_complete(future)
    assert "run_until_complete" in explain(info.value)
    assert "await coro" in explain(info.value)


async def test_address_in_use_is_explained():
    handle = serve(hello_app(), port=0, quiet=True)
    import socket
    probe = socket.socket()
    with pytest.raises(OSError) as info:
        probe.bind(("127.0.0.1", handle.port))
    probe.close()
    assert "stop_all()" in explain(info.value) and "port=0" in explain(info.value)


def test_unknown_errors_have_no_explanation():
    assert explain(ValueError("something else")) is None


async def test_a_blocking_urlopen_to_the_kernels_own_server_fails_at_once():
    handle = serve(hello_app(), port=0, quiet=True)      # kernel mode: on this loop
    install_traps()
    # Without the trap this would hang for the whole timeout: this loop cannot answer.
    with pytest.raises(BlockingCallError) as info:
        urllib.request.urlopen(handle.url + "/", timeout=3)
    message = str(info.value)
    assert handle.url in message and "ClientSession" in message and "mode='thread'" in message
    assert "await" in explain(info.value)


async def test_requests_is_trapped_too():
    requests = pytest.importorskip("requests")
    handle = serve(hello_app(), port=0, quiet=True)
    install_traps()
    with pytest.raises(BlockingCallError):
        requests.get(handle.url + "/", timeout=3)


async def test_blocking_calls_to_a_thread_mode_server_still_work():
    handle = serve(hello_app(), port=0, mode="thread", quiet=True)
    install_traps()
    with urllib.request.urlopen(handle.url + "/", timeout=5) as response:
        assert response.read() == b"hello"


async def test_uninstall_restores_http_client():
    import http.client
    original = http.client.HTTPConnection.putrequest
    install_traps()
    install_traps()                                     # idempotent
    assert http.client.HTTPConnection.putrequest is not original
    uninstall_traps()
    assert http.client.HTTPConnection.putrequest is original


def test_a_coroutine_object_given_to_on_click_is_refused_with_the_fix():
    ipywidgets = pytest.importorskip("ipywidgets")

    async def fetch(_):
        pass

    with pytest.raises(TypeError) as info:
        on_click(ipywidgets.Button(), fetch(None))
    assert "without parentheses" in str(info.value) and "fetch" in str(info.value)


def test_the_never_awaited_warning_is_explained():
    warning = RuntimeWarning("coroutine 'fetch' was never awaited")
    assert "on_click" in explain(warning)


def test_check_reports_the_environment(capsys):
    report = traps.check()
    assert report["running loop"] is None and report["traps installed"] is False
    assert "python" in capsys.readouterr().out


def test_allow_nested_makes_asyncio_run_work_inside_a_loop():
    # In a child process: nest_asyncio patches the whole process, for good.
    script = textwrap.dedent("""
        import asyncio
        from aioteach.notebook import allow_nested

        async def inner():
            return 42

        async def cell():
            used = allow_nested()
            return used, asyncio.run(inner())       # would raise without the patch

        print(*asyncio.run(cell()))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "nest_asyncio2 42"      # the maintained fork, when installed


async def test_a_refused_connection_is_explained():
    import aioteach
    from aioteach.testing import unused_port
    async with aioteach.ClientSession() as session:
        with pytest.raises(aioteach.ClientConnectorError) as info:
            await session.get(f"http://127.0.0.1:{unused_port()}/")
    assert "list_servers()" in explain(info.value)
    assert "list_servers()" in explain(ConnectionRefusedError(111, "Connection refused"))


async def test_a_tab_without_sockets_is_explained_as_that_not_as_a_stopped_server(monkeypatch):
    import asyncio

    import aioteach

    async def no_sockets(*args, **kwargs):
        raise NotImplementedError                 # what Pyodide's WebLoop does

    monkeypatch.setattr(asyncio.get_running_loop(), "create_connection", no_sockets)
    async with aioteach.ClientSession() as session:
        with pytest.raises(aioteach.ClientConnectorError) as info:
            await session.get("http://127.0.0.1:9/")
    hint = explain(info.value)
    assert "browser tab has no sockets" in hint and "server.url" in hint


def test_your_frames_cuts_the_library_frames_under_your_code():
    import traceback
    import urllib.request

    from aioteach.notebook.traps import your_frames

    def mine():
        urllib.request.urlopen("http://127.0.0.1:1/", data=object(), timeout=1)  # TypeError

    try:
        mine()
    except Exception as exc:
        whole, cut = exc.__traceback__, your_frames(exc.__traceback__)
    names = [frame.name for frame in traceback.extract_tb(cut)]
    assert names == ["test_your_frames_cuts_the_library_frames_under_your_code", "mine"]
    assert len(traceback.extract_tb(whole)) > len(names)          # the exception keeps them all
    try:
        urllib.request.urlopen("http://127.0.0.1:1/", data=object(), timeout=1)
    except Exception as exc:                  # the test's own frame, then urllib: cut there
        assert len(traceback.extract_tb(your_frames(exc.__traceback__))) == 1
    assert your_frames(None) is None


async def test_time_sleep_in_a_handler_is_named_once_per_function(monkeypatch):
    import time

    from aioteach import web
    shown = []
    monkeypatch.setattr(traps, "show_hint", shown.append)
    install_traps()

    async def sleepy(request):
        time.sleep(0.06)
        return web.Response(text="late")

    async def brief(request):
        time.sleep(0.01)                   # under SLEEP_NOTICE: a blink
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/sleepy", sleepy)
    app.router.add_get("/brief", brief)
    handle = serve(app, quiet=True)
    import aioteach
    async with aioteach.ClientSession() as session:
        for path in ("/sleepy", "/sleepy", "/brief"):
            async with session.get(handle.url + path) as response:
                assert response.status == 200
    assert len(shown) == 1 and "`sleepy`, in a handler, called time.sleep(0.06)" in shown[0]
    time.sleep(0.06)                       # on the loop, but not in a handler: nothing
    assert len(shown) == 1
    uninstall_traps()
    from aioteach.notebook import sleeptrap
    assert not sleeptrap.installed() and time.sleep.__module__ == "time"
