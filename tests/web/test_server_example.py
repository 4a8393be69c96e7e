"""examples/hello_server.py, the tutorial's server: in-process, and as a script."""
from __future__ import annotations

import asyncio
import importlib.util
import json
import re
import signal
import sys
from pathlib import Path

from tests.web.server_support import exchange, get, serve

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load(name: str):
    sys.path.insert(0, str(EXAMPLES))
    try:
        spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)           # type: ignore[union-attr]
        return module
    finally:
        sys.path.remove(str(EXAMPLES))


async def test_hello_echo_and_ip_through_the_stand_in():
    standin = load("ipinfo_standin")
    hello_server = load("hello_server")
    async with serve(standin.make_standin_app()) as (ipinfo_port, _):
        app = hello_server.make_app(f"http://127.0.0.1:{ipinfo_port}")
        async with serve(app) as (port, _):
            assert (await exchange(port, get("/hello/Ann"))).body == b"Hello, Ann"
            answer = await exchange(port, b"POST /echo?name=Bo HTTP/1.1\r\nHost: t\r\n"
                                          b"Content-Length: 8\r\n\r\nhi there", "POST")
            assert answer.body == b"Bo wrote: hi there"
            form = b"ip=8.8.8.8"
            answer = await exchange(port, b"POST /ip HTTP/1.1\r\nHost: t\r\nContent-Type: "
                                          b"application/x-www-form-urlencoded\r\n"
                                          b"Content-Length: %d\r\n\r\n" % len(form) + form,
                                    "POST")
            assert answer.status == 200, answer
            assert json.loads(answer.body) == standin.describe_ip("8.8.8.8")
            answer = await exchange(port, b"POST /ip HTTP/1.1\r\nHost: t\r\n"
                                          b"Content-Length: 0\r\n\r\n", "POST")
            assert answer.status == 400
            answer = await exchange(port, get("/ipinfo/1.1.1.1"))
            assert json.loads(answer.body)["ip"] == "1.1.1.1"


async def test_the_script_starts_its_stand_in_and_stops_on_ctrl_c():
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(EXAMPLES / "hello_server.py"), "--port", "0", "--ipinfo-port", "0",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        port = None
        for _ in range(3):                                   # stand-in line, then ours
            line = await asyncio.wait_for(proc.stdout.readline(), 30)   # type: ignore
            match = re.search(rb"Running on http://127\.0\.0\.1:(\d+)", line)
            if match:
                port = int(match.group(1))
                break
        assert port, "the server did not say where it listens"
        form = b"ip=9.9.9.9"
        answer = await exchange(port, b"POST /ip HTTP/1.1\r\nHost: t\r\nContent-Type: "
                                      b"application/x-www-form-urlencoded\r\n"
                                      b"Content-Length: %d\r\n\r\n" % len(form) + form, "POST")
        assert json.loads(answer.body)["ip"] == "9.9.9.9"
        proc.send_signal(signal.SIGINT)
        out, _ = await asyncio.wait_for(proc.communicate(), 30)
        assert proc.returncode == 0 and b"Traceback" not in out, out
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
