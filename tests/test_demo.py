"""The offline lesson app's endpoints and knobs, and ``python -m aioteach demo`` end to end."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

import aioteach
from aioteach import web
from aioteach.demo import MAX_DELAY_MS, fake_ipinfo, make_app
from aioteach.notebook.wire import exchange


@pytest.fixture
async def serve_app():
    runners = []

    async def start(app):
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        host, port = runner.addresses[0][:2]
        return f"http://{host}:{port}"

    yield start
    for runner in runners:
        await runner.cleanup()


async def get_json(url):
    async with aioteach.ClientSession() as session:
        async with session.get(url) as response:
            return response.status, json.loads(await response.text())


async def test_index_lists_the_routes(serve_app):
    url = await serve_app(make_app())
    status, body = await get_json(url + "/")
    assert status == 200
    assert {"/delay/{ms}", "/stream", "/chunked", "/ipinfo/{ip}", "/ws/echo",
            "/ws/chat"} <= set(body["routes"])


async def test_delay_waits_and_says_so(serve_app):
    url = await serve_app(make_app())
    status, body = await get_json(url + "/delay/30")
    assert status == 200 and body["delay_ms"] == 30 and body["slept_ms"] >= 29
    assert (await exchange(url + "/delay/soon")).status == 400
    status, body = await get_json(url + "/delay/-5")
    assert body["delay_ms"] == 0                          # clamped, not an error
    assert MAX_DELAY_MS == 10_000


async def test_stream_and_chunked_arrive_in_chunks(serve_app):
    url = await serve_app(make_app())
    r = await exchange(url + "/stream?n=3&interval=0")
    assert r.status == 200 and r.text == "line 1 of 3\nline 2 of 3\nline 3 of 3\n"
    assert r.header("transfer-encoding") == "chunked"
    r = await exchange(url + "/chunked")
    assert r.text == "each write is one chunk\n"
    assert r.header("transfer-encoding") == "chunked" and b"\r\n5\r\neach \r\n" in r.raw_response
    assert (await exchange(url + "/stream?n=many")).status == 400


async def test_ipinfo_is_fake_but_stable(serve_app):
    url = await serve_app(make_app())
    status, first = await get_json(url + "/ipinfo/8.8.8.8")
    _, again = await get_json(url + "/ipinfo/8.8.8.8")
    assert status == 200 and first == again == fake_ipinfo("8.8.8.8")
    assert {"city", "country", "loc", "org"} <= set(first) and first["private"] is False
    _, private = await get_json(url + "/ipinfo/10.1.2.3")
    assert private["bogon"] is True and "city" not in private
    status, body = await get_json(url + "/ipinfo/2001:4860:4860::8888")
    assert status == 200 and body["version"] == 6
    status, body = await get_json(url + "/ipinfo/not-an-ip")
    assert status == 400 and "not-an-ip" in body["error"]


async def test_failure_knob_from_the_query_and_from_the_app(serve_app):
    url = await serve_app(make_app())
    status, body = await get_json(url + "/delay/0?fail=1")
    assert status == 503 and body["error"] == "injected failure"
    assert (await exchange(url + "/delay/0?fail=1")).header("retry-after") == "1"
    assert (await get_json(url + "/delay/0?fail=0"))[0] == 200
    flaky = await serve_app(make_app(failure_rate=0.5, seed=7))
    statuses = [(await exchange(flaky + "/delay/0")).status for _ in range(20)]
    assert set(statuses) == {200, 503}
    again = await serve_app(make_app(failure_rate=0.5, seed=7))
    assert [(await exchange(again + "/delay/0")).status for _ in range(20)] == statuses


async def test_latency_knob_delays_every_endpoint(serve_app):
    url = await serve_app(make_app(latency_ms=40))
    r = await exchange(url + "/ipinfo/1.1.1.1")
    assert r.status == 200 and r.elapsed >= 0.04
    r = await exchange(url + "/ipinfo/1.1.1.1?latency=0")
    assert r.status == 200
    assert (await exchange(url + "/?latency=abc")).status == 400


async def test_websocket_echo(serve_app):
    url = await serve_app(make_app())
    async with aioteach.ClientSession() as session:
        async with session.ws_connect(url + "/ws/echo") as ws:
            await ws.send_str("marco")
            assert (await ws.receive()).data == "marco"
            await ws.send_bytes(b"\x00\x01")
            assert (await ws.receive()).data == b"\x00\x01"
    assert (await exchange(url + "/ws/echo")).status == 400    # a plain GET is no handshake


def test_demo_command_runs_and_exits_by_itself():
    done = subprocess.run([sys.executable, "-m", "aioteach", "demo", "--requests", "3"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "sequential: 3 requests in" in out and "concurrent: 3 requests in" in out
    rows = [line for line in out.splitlines() if line.startswith("request ")]
    assert len(rows) == 6 and all("=" in row for row in rows)
