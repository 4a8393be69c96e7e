"""The command line, run from a subprocess as a learner runs it (aioteach/__main__.py).

Every user error is exit status 2 and one line on standard error, never a traceback.
"""
from __future__ import annotations

import asyncio
import os
import pathlib
import signal
import socket
import sys

import pytest

from aioteach import web
from aioteach.__main__ import fetch
from aioteach.testing import unused_port
from tests.client.apps import make_app, serve_app

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPT = pathlib.Path(sys.executable).with_name("aioteach")


async def run(*args: str, program: str = "module") -> tuple:
    command = [sys.executable, "-m", "aioteach"] if program == "module" else [str(SCRIPT)]
    proc = await asyncio.create_subprocess_exec(
        *command, *args, cwd=ROOT, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode, out, err.decode()


def one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize("args, says", [
    (["serve", "nosuch_module_xyz:app"], "no module named 'nosuch_module_xyz'"),
    (["serve", "examples.hello_server:appp"], "has no attribute 'appp'; it defines: "),
    (["serve", "examples.hello_server"], "expected module:attribute"),
    (["serve", "json:dumps"], "needs arguments (obj)"),
    (["serve", "json:__doc__"], "is a str, not an Application"),
    (["serve", "examples.hello_server:make_app", "--host", "nosuch.invalid"],
     "cannot resolve host 'nosuch.invalid'"),
    (["demo", "--requests", "0"], "must be from 1 to 50, got 0"),
    (["demo", "--requests", "-3"], "must be from 1 to 50, got -3"),
    (["demo", "--requests", "many"], "expected a whole number"),
    (["lessons", "README.md"], "exists and is not a folder"),
    (["get", "http://nosuch.invalid/"], "cannot resolve host 'nosuch.invalid'"),
    (["get", "http://[bad/"], "cannot fetch"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
])
async def test_a_user_error_is_one_line_and_status_2(args, says):
    code, out, err = await run(*args)
    assert code == 2 and out == b""
    assert says in one_line(err)


async def test_a_module_whose_code_raises_names_where(tmp_path):
    (tmp_path / "broken_app.py").write_text("import json\n\nraise RuntimeError('oops')\n")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aioteach", "serve", "broken_app:app", cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2
    assert "broken_app.py:3: RuntimeError: oops" in one_line(err.decode())


async def test_a_port_in_use_is_one_line():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        code, _, err = await run("serve", "examples.hello_server:make_app", "--port", str(port))
    assert code == 2
    assert f"port {port} on 127.0.0.1 is in use" in one_line(err)


async def test_serve_runs_the_hello_example_factory():
    port = unused_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aioteach", "serve", "examples.hello_server:make_app",
        "--port", str(port), "--no-access-log", cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), 60)
        assert f"http://127.0.0.1:{port}".encode() in line
        code, out, err = await run("get", f"127.0.0.1:{port}/hello/Ann")
        assert (code, out) == (0, b"Hello, Ann\n"), err
        import aioteach                         # POST /ip asks the app's own /ipinfo route
        async with aioteach.ClientSession() as session:
            async with session.post(f"http://127.0.0.1:{port}/ip", data={"ip": "8.8.8.8"}) as r:
                assert r.status == 200 and (await r.json())["ip"] == "8.8.8.8"
    finally:
        proc.send_signal(signal.SIGINT)
        await asyncio.wait_for(proc.wait(), 60)
    assert proc.returncode == 0


async def test_get_prints_the_head_and_body_and_ends_with_a_newline():
    async with serve_app(web, make_app(web)) as url:
        code, out, err = await run("get", "-i", f"{url}/hello?name=cli")
    assert code == 0, err
    head, body = out.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"Content-Length: 9" in head
    assert body == b"hello cli\n"


async def test_get_fail_exits_22_on_an_error_status():
    async with serve_app(web, make_app(web)) as url:
        plain = await run("get", f"{url}/nowhere")
        failing = await run("get", "--fail", f"{url}/nowhere")
    assert plain[0] == 0 and b"404" in plain[1]            # like curl without -f
    code, out, err = failing
    assert code == 22 and out == b""
    assert "the server answered 404 Not Found" in one_line(err)


async def test_get_reports_a_refused_connection_in_one_line():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        code, out, err = await run("get", f"http://127.0.0.1:{port}/")
    assert code == 1 and out == b""
    assert one_line(err).startswith("aioteach get: ClientConnectorError: Cannot connect to host")


async def test_fetch_ends_a_text_body_with_a_newline(tmp_path):
    async with serve_app(web, make_app(web)) as url:
        with open(tmp_path / "out", "wb") as out:
            assert await fetch(f"{url}/hello", out=out) == 0
    assert (tmp_path / "out").read_bytes() == b"hello world\n"    # text: a newline added


@pytest.mark.parametrize("program, name", [("module", "python -m aioteach"),
                                           ("script", "aioteach")])
async def test_usage_names_the_program_and_help_shows_defaults(program, name):
    if program == "script" and not SCRIPT.exists():
        pytest.skip("the aioteach console script is not installed next to this Python")
    code, out, _ = await run("--help", program=program)
    assert code == 0 and out.decode().startswith(f"usage: {name} ")
    code, out, _ = await run("serve", "--help", program=program)
    text = " ".join(out.decode().split())
    assert code == 0 and text.startswith(f"usage: {name} serve")
    assert "(default: 127.0.0.1)" in text and "(default: 8080)" in text
