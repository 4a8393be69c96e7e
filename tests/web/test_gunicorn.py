"""gunicorn with two aioteach workers serving one app (``-k aioteach.GunicornWebWorker``)."""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import textwrap

import pytest

from tests.support import require
from tests.web.server_support import exchange, get

APP = textwrap.dedent("""
    import os
    from aioteach import web

    async def whoami(request):
        return web.Response(text=f"worker {os.getpid()}")

    app = web.Application()
    app.router.add_get("/", whoami)
""")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.peer
async def test_gunicorn_serves_from_two_aioteach_workers(tmp_path):
    require("gunicorn")
    (tmp_path / "gapp.py").write_text(APP)
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path)] + sys.path))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gunicorn", "gapp:app", "-k", "aioteach.GunicornWebWorker",
        "-w", "2", "-b", f"127.0.0.1:{port}", "--graceful-timeout", "5",
        cwd=str(tmp_path), env=env, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT)
    try:
        answers = []
        for _ in range(300):                  # bounded: until both workers have booted
            try:
                answers.append((await exchange(port, get("/"))).body.decode())
            except OSError:
                await asyncio.sleep(0.05)
                continue
            if len(answers) >= 20:
                break
        assert len(answers) >= 20
        assert all(a.startswith("worker ") for a in answers)
        assert str(proc.pid) not in {a.split()[1] for a in answers}   # children answer
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), 30)
        except asyncio.TimeoutError:
            proc.kill()
            out, _ = await proc.communicate()
    assert out.count(b"Booting worker") == 2, out.decode()
    assert b"Traceback" not in out, out.decode()
