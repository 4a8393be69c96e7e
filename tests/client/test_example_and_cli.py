"""examples/ipinfo_client.py and ``python -m aioteach get``, run as the learner runs them."""
from __future__ import annotations

import asyncio
import json
import pathlib
import sys

import pytest

from aioteach import web
from aioteach.client.cli import fetch

from .apps import make_app, serve_app

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "ipinfo_client.py"


async def run(*args: str) -> tuple:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode, out, err


@pytest.mark.parametrize("style", ["run", "loop"])
async def test_example_with_its_own_stand_in(style):
    code, out, err = await run(str(EXAMPLE), "8.8.8.8", "--style", style)
    assert code == 0, err.decode()
    answer = json.loads(out)
    assert answer["ip"] == "8.8.8.8" and answer["org"].endswith("Stand-in Networks")


async def test_example_against_the_demo_app():
    from aioteach.demo import fake_ipinfo, make_app as demo_app
    async with serve_app(web, demo_app()) as url:
        code, out, err = await run(str(EXAMPLE), "1.1.1.1", "--server", url)
    assert code == 0, err.decode()
    assert json.loads(out) == fake_ipinfo("1.1.1.1")


async def test_cli_get_prints_the_head_and_body():
    async with serve_app(web, make_app(web)) as url:
        code, out, err = await run("-m", "aioteach", "get", "-i", f"{url}/hello?name=cli")
    assert code == 0, err.decode()
    head, body = out.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"Content-Length: 9" in head
    assert body == b"hello cli"


async def test_cli_get_reports_a_refused_connection_in_one_line():
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        code, out, err = await run("-m", "aioteach", "get", f"http://127.0.0.1:{port}/")
    assert code == 1 and out == b""
    assert err.decode().startswith("aioteach get: ClientConnectorError: Cannot connect to host")
    assert len(err.decode().strip().splitlines()) == 1


async def test_fetch_writes_the_body(tmp_path):
    async with serve_app(web, make_app(web)) as url:
        with open(tmp_path / "out", "wb") as out:
            assert await fetch(f"{url}/hello", out=out) == 0
    assert (tmp_path / "out").read_bytes() == b"hello world"
