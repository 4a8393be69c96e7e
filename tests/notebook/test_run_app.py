"""web.run_app in and out of a running loop: in a cell it hands off to serve(); in a script
it serves until SIGINT and shuts down cleanly."""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
import textwrap
import time

from aioteach import web
from aioteach.notebook.servers import REGISTRY, ServerHandle, stop_all
from aioteach.testing import unused_port

from .apps import fetch_text, hello_app


async def test_run_app_inside_a_running_loop_returns_a_handle(capsys):
    try:
        handle = web.run_app(hello_app(), port=0)
        assert isinstance(handle, ServerHandle) and handle.mode == "kernel"
        out = capsys.readouterr().out
        assert out.count("\n") == 1 and "web.run_app" in out and handle.url in out
        assert await fetch_text(handle.url + "/") == (200, "hello")
        # re-running the cell on the same port replaces the server instead of failing
        again = web.run_app(hello_app("again"), port=handle.port)
        assert not handle.running and await fetch_text(again.url + "/") == (200, "again")
        assert again in REGISTRY.values() and again.port == handle.port
    finally:
        stop_all()


def test_run_app_in_a_script_serves_until_sigint():
    port = unused_port()
    script = textwrap.dedent(f"""
        from aioteach import web

        async def hello(request):
            return web.Response(text="from the script")

        async def bye(app):
            print("cleanup ran", flush=True)

        app = web.Application()
        app.router.add_get("/", hello)
        app.on_cleanup.append(bye)
        web.run_app(app, host="127.0.0.1", port={port})
        print("run_app returned", flush=True)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        body = None
        for _ in range(200):                     # bounded: up to ~10 s for the child to listen
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                    conn.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    body = b"".join(iter(lambda: conn.recv(65536), b""))
                break
            except ConnectionRefusedError:
                time.sleep(0.05)                 # polling a child process, not a race in a test
        assert body is not None and body.startswith(b"HTTP/1.1 200")
        assert body.endswith(b"from the script")
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 0, err
    assert "Running on" in out and "cleanup ran" in out and "run_app returned" in out
