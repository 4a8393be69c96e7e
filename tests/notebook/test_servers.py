"""serve(): kernel and thread modes, the registry that makes re-running a cell safe, the handle."""
from __future__ import annotations

import asyncio
import importlib
import socket

import pytest

from aioteach.notebook import servers
from aioteach.notebook.servers import REGISTRY, serve, stop_all

from .apps import fetch_text, hello_app


@pytest.fixture(autouse=True)
def clean_registry():
    stop_all()
    yield
    stop_all()


def port_is_free(port: int) -> bool:
    probe = socket.socket()
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        probe.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        probe.close()


@pytest.mark.parametrize("mode", ["kernel", "thread"])
async def test_serve_answers_and_logs_requests(mode, capsys):
    handle = serve(hello_app(), port=0, mode=mode)
    assert handle.port != 0 and handle.url == f"http://127.0.0.1:{handle.port}"
    assert handle.running and handle.mode == mode
    # the socket was bound before serve() returned: a request right away cannot race the start
    assert await fetch_text(handle.url + "/") == (200, "hello")
    assert (await fetch_text(handle.url + "/missing"))[0] == 404
    assert [(r.method, r.path, r.status) for r in handle.requests] == [
        ("GET", "/", 200), ("GET", "/missing", 404)]
    assert all(r.duration >= 0 and r.time > 0 for r in handle.requests)
    assert "serving http://127.0.0.1:" in capsys.readouterr().out
    await handle.stop()
    assert not handle.running and port_is_free(handle.port)


@pytest.mark.parametrize("first,second", [("kernel", "kernel"), ("thread", "thread"),
                                          ("kernel", "thread"), ("thread", "kernel")])
async def test_rerunning_a_cell_on_the_same_port_replaces_the_server(first, second, capsys):
    old = serve(hello_app("old"), port=0, mode=first)
    port = old.port
    new = serve(hello_app("new"), port=port, mode=second)     # the re-run cell
    assert "stopped the previous server" in capsys.readouterr().out
    assert not old.running and new.running and new.port == port
    assert new in REGISTRY.values() and new.port == port
    assert await fetch_text(new.url + "/") == (200, "new")
    await new.stop()


async def test_stop_frees_the_port_synchronously_and_can_be_awaited():
    handle = serve(hello_app(), port=0)
    await handle                                   # serving, start-up hooks done
    stopping = handle.stop()                       # as a plain call in a cell
    assert port_is_free(handle.port)               # no await needed for the port
    await stopping                                 # connections and cleanup hooks done
    assert stopping.done and handle.stop() is stopping   # idempotent


async def test_stop_all_stops_every_mode():
    handles = [serve(hello_app(), port=0, mode=m) for m in ("kernel", "thread", "kernel")]
    assert stop_all() == 3
    assert REGISTRY == {} and not any(h.running for h in handles)
    assert all(port_is_free(h.port) for h in handles)


@pytest.mark.parametrize("mode", ["kernel", "thread"])
async def test_restart_serves_again_on_the_same_port(mode):
    handle = serve(hello_app(), port=0, mode=mode)
    port = handle.port
    await handle.restart()
    assert handle.port == port and handle.running
    assert await fetch_text(handle.url + "/") == (200, "hello")
    handle.stop()


def test_without_a_running_loop_kernel_mode_falls_back_to_a_thread(capsys):
    handle = serve(hello_app(), port=0)            # a plain function: no loop runs here
    assert handle.mode == "thread" and handle.running
    assert "no event loop is running here" in capsys.readouterr().out
    import urllib.request
    with urllib.request.urlopen(handle.url + "/", timeout=5) as response:
        assert response.read() == b"hello"
    handle.stop()
    assert port_is_free(handle.port)


async def test_the_registry_survives_a_reload():
    handle = serve(hello_app(), port=0, quiet=True)
    reloaded = importlib.reload(servers)
    assert handle in reloaded.REGISTRY.values() and handle.port == handle.port
    assert reloaded.stop_all() == 1


async def test_a_port_held_by_another_program_gets_a_hint():
    other = socket.socket()
    other.bind(("127.0.0.1", 0))
    other.listen()
    try:
        with pytest.raises(OSError, match="port=0"):
            serve(hello_app(), port=other.getsockname()[1], quiet=True)
    finally:
        other.close()


async def test_a_failing_startup_hook_is_reported_and_leaves_the_port_free(capsys):
    async def broken(app):
        raise RuntimeError("database unreachable")

    app = hello_app()
    app.on_startup.append(broken)
    handle = serve(app, port=0, quiet=True)
    with pytest.raises(RuntimeError, match="database unreachable"):
        await handle
    assert not handle.running and "database unreachable" in handle.status
    assert "failed to start" in capsys.readouterr().err
    assert port_is_free(handle.port)


async def test_the_handle_displays_as_a_card_and_as_text():
    handle = serve(hello_app(), port=0, quiet=True)
    await fetch_text(handle.url + "/")
    card = handle._repr_html_()
    assert f'href="{handle.url}"' in card and "running" in card
    assert "/echo" in card and "POST" in card           # the routes table
    assert "GET / -&gt; 200" in card                     # the request log
    assert repr(handle).startswith(f"<ServerHandle {handle.url} running mode=kernel")
    handle.stop()
    assert "stopped" in handle._repr_html_()


@pytest.mark.parametrize("how", ["restart", "re-run"])
async def test_reserving_the_same_app_cleans_up_before_it_starts_again(how):
    events = []

    async def startup(app):
        events.append("startup")

    async def cleanup(app):
        for _ in range(5):                 # a cleanup that takes a few loop turns
            await asyncio.sleep(0)
        events.append("cleanup")

    app = hello_app()
    app.on_startup.append(startup)
    app.on_cleanup.append(cleanup)
    handle = await serve(app, port=0, quiet=True)
    if how == "restart":
        again = await handle.restart()
    else:
        again = await serve(app, port=handle.port, quiet=True)
    assert events == ["startup", "cleanup", "startup"]
    assert await fetch_text(again.url + "/") == (200, "hello")
    await again.stop()
    assert events[-1] == "cleanup"


async def test_a_host_name_is_bound_and_shown_as_its_address():
    handle = serve(hello_app(), host="localhost", port=0, quiet=True)
    assert handle.url == f"http://127.0.0.1:{handle.port}"
    assert await fetch_text(handle.url + "/") == (200, "hello")
    assert handle in REGISTRY.values() and handle.port == handle.port
    handle.stop()


async def test_the_served_requests_as_timeline_spans():
    handle = serve(hello_app(), port=0, quiet=True)
    await asyncio.gather(fetch_text(handle.url + "/slow"), fetch_text(handle.url + "/"))
    spans = handle.spans()
    assert sorted(s.row.rsplit(" ", 1)[0] for s in spans) == ["GET /", "GET /slow"]
    assert all(s.kind == "run" and s.end >= s.start for s in spans)
    slow = next(s for s in spans if s.label == "/slow")
    assert slow.duration >= 0.045     # it includes the handler's asyncio.sleep(0.05)
    handle.stop()


# -- free ports, the registry's keys, many kernels ----------------------------------------------
async def test_the_default_is_a_free_port_and_two_serves_in_a_script_both_run():
    first = serve(hello_app("one"), quiet=True)
    second = serve(hello_app("two"), quiet=True)       # another line: another server
    assert first.port != second.port and first.running and second.running
    assert await fetch_text(first.url + "/") == (200, "one")
    for app in (hello_app("a"), hello_app("b")):       # one line, twice, outside IPython
        serve(app, quiet=True)
    assert len(servers.list_servers()) == 4


async def test_a_name_is_the_same_server_wherever_it_is_served():
    old = serve(hello_app("old"), name="lesson", quiet=True)
    new = serve(hello_app("new"), name="lesson", quiet=True)
    assert not old.running and new.running and new.key == ("name", "lesson")
    assert list(servers.list_servers()) == [new]


async def test_a_cell_id_replaces_on_a_new_run_and_keeps_two_serves_of_one_run(monkeypatch):
    parent = {"metadata": {"cellId": "cell-7"}, "header": {"msg_id": "run-1"}}
    monkeypatch.setattr(servers, "_kernel_parent", lambda: parent)
    a, b = serve(hello_app("a"), quiet=True), serve(hello_app("b"), quiet=True)
    assert a.running and b.running and (a.key, b.key) == (("cell", "cell-7", 0),
                                                          ("cell", "cell-7", 1))
    parent["header"] = {"msg_id": "run-2"}             # the learner runs the cell again
    a2 = serve(hello_app("a2"), quiet=True)
    assert not a.running and b.running and a2.key == a.key
    b2 = serve(hello_app("b2"), quiet=True)
    assert not b.running and a2.running and b2.running


async def test_list_servers_says_what_runs_and_how_to_stop_it():
    assert repr(servers.list_servers()) == "no aioteach servers run in this kernel"
    handle = serve(hello_app(), name="shop", quiet=True)
    text = repr(servers.list_servers())
    assert text.splitlines()[0].startswith("1 aioteach server run in this kernel; they stop "
                                           "when the kernel shuts down")
    assert "stop_all()" in text and handle.url in text and "name='shop'" in text
    assert "<li>" in servers.list_servers()._repr_html_()


def test_two_processes_serve_the_same_lesson_at_once(tmp_path):
    """Two kernels on one host (here two Pythons) running the same lesson cells."""
    import subprocess
    import sys
    import textwrap
    script = textwrap.dedent("""
        import asyncio, aioteach
        from aioteach.demo import make_app
        from aioteach.notebook import serve

        async def lesson():
            server = serve(make_app(), quiet=True)        # the lesson's cell, as written
            async with aioteach.ClientSession() as session:
                async with session.get(server.url + "/delay/300") as res:
                    print(res.status, server.port, flush=True)
        asyncio.run(lesson())
    """)
    children = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [child.communicate(timeout=60) for child in children]
    assert [child.returncode for child in children] == [0, 0], outs
    ports = [out.split()[1] for out, _ in outs]
    assert [out.split()[0] for out, _ in outs] == ["200", "200"] and ports[0] != ports[1]


@pytest.mark.notebook
def test_servers_stop_and_clean_up_when_the_kernel_shuts_down(tmp_path):
    from .kernel import Kernel
    marker = tmp_path / "cleanup-ran"
    kernel = Kernel()
    try:
        kernel.run("from aioteach.demo import make_app\nfrom aioteach.notebook import serve\n"
                   "app = make_app()\n"
                   f"async def bye(app):\n    open({str(marker)!r}, 'w').write('yes')\n"
                   "app.on_cleanup.append(bye)\nserver = await serve(app, quiet=True)")
        port = int(kernel.run("print(server.port)")[0]["text"])
    finally:
        kernel.close()                                 # a shutdown_request, as Jupyter sends
    assert port_is_free(port) and marker.read_text() == "yes"
