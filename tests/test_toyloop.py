"""The toy loop: stepped one callback at a time, it must tell the same story every time."""
from __future__ import annotations

import asyncio
import socket
import threading

import pytest

from aioteach import toyloop
from aioteach.toyloop import StepReport
from tests.support import require


def producer(box):                       # a generator coroutine: yields toy futures (or None)
    yield                                # let the others run first
    box.set_result("hello")
    return "produced"


async def consumer(box):                 # a native coroutine: awaits toy futures
    value = await box
    return value.upper()


async def main():
    loop = toyloop.get_running_loop()
    box = loop.create_future("box")
    consuming = loop.create_task(consumer(box))
    producing = loop.create_task(producer(box))
    await toyloop.sleep(0.01)
    return await consuming, await producing


def test_stepping_a_known_program_gives_the_known_sequence_of_steps():
    loop = toyloop.Loop()
    task = loop.create_task(main())
    reports = []
    while True:
        report = loop.step()
        if not report.ran:
            break
        reports.append(report)
    loop.close()

    assert task.result() == ("HELLO", "produced")
    timer = ("end of sleep(0.01)",)
    assert reports == [
        StepReport(1, "start main", "main", "send(None)", "sleep(0.01)",
                   ready=("start consumer", "start producer"), timers=timer),
        StepReport(2, "start consumer", "consumer", "send(None)", "box",
                   ready=("start producer",), timers=timer),
        StepReport(3, "start producer", "producer", "send(None)", "None (let others run)",
                   ready=("resume producer",), timers=timer),
        StepReport(4, "resume producer", "producer", "send(None)", "returned 'produced'",
                   ready=("wakeup consumer",), timers=timer),
        StepReport(5, "wakeup consumer", "consumer", "send('hello')", "returned 'HELLO'",
                   timers=timer),
        StepReport(6, "end of sleep(0.01)", ready=("wakeup main",)),
        StepReport(7, "wakeup main", "main", "send(None)", "returned ('HELLO', 'produced')"),
    ]
    assert str(reports[0]).splitlines() == [
        "step 1: start main -> main.send(None) -> sleep(0.01)",
        "    ready=['start consumer', 'start producer'] timers=['end of sleep(0.01)']"]


def test_timers_fire_in_deadline_order_and_run_returns_the_result():
    order = []

    async def sleeper(name, seconds):
        await toyloop.sleep(seconds)
        order.append(name)

    async def both():
        loop = toyloop.get_running_loop()
        slow = loop.create_task(sleeper("slow", 0.2))
        fast = loop.create_task(sleeper("fast", 0))
        await slow
        await fast
        return order

    assert toyloop.run(both()) == ["fast", "slow"]


def test_errors_are_thrown_in_at_the_yield_and_end_the_task():
    def catches():
        loop = toyloop.get_running_loop()
        failing = loop.create_future("will fail")
        loop.call_soon(failing.set_exception, KeyError("k"))
        try:
            yield failing
        except KeyError:
            return "caught"

    async def lets_through():
        yield_me = toyloop.get_running_loop().create_future("fails too")
        yield_me.set_exception(ValueError("v"))
        await yield_me

    def yields_nonsense():
        try:
            yield 42
        except TypeError as exc:
            return str(exc)

    assert toyloop.run(catches()) == "caught"
    with pytest.raises(ValueError, match="v"):
        toyloop.run(lets_through())
    assert "may yield (or await) only a toyloop.Future" in toyloop.run(yields_nonsense())


def test_a_program_waiting_for_nothing_is_reported_not_hung():
    async def waits_forever():
        await toyloop.get_running_loop().create_future("never set")

    with pytest.raises(RuntimeError, match="can never happen"):
        toyloop.run(waits_forever())


def test_awaitables_outside_a_running_toy_loop_explain_themselves():
    with pytest.raises(RuntimeError, match="no toy loop is running"):
        toyloop.sleep(1)


def test_sockets_wait_for_readiness_and_both_coroutine_kinds_talk():
    left, right = socket.socketpair()
    left.setblocking(False)
    right.setblocking(False)
    big = b"x" * 1_000_000                  # more than a socket buffer: sendall must wait

    def echo_upper(sock):                   # generator style
        received = bytearray()
        while len(received) < len(big):
            received += yield toyloop.get_running_loop().sock_recv(sock, 65536)
        yield toyloop.get_running_loop().sock_sendall(sock, bytes(received).upper())

    async def talk(sock):                   # native style
        loop = toyloop.get_running_loop()
        loop.create_task(echo_upper(right))
        await loop.sock_sendall(sock, big)
        reply = bytearray()
        while len(reply) < len(big):
            reply += await loop.sock_recv(sock, 65536)
        return bytes(reply)

    loop = toyloop.Loop()
    task = loop.create_task(talk(left))
    saw_both_waits = False
    while not task.done():
        report = loop.step()
        assert report.ran, "the program stalled"
        saw_both_waits |= bool(report.reading) and bool(report.writing)
    loop.close()
    left.close()
    right.close()
    assert task.result() == big.upper()
    assert saw_both_waits                   # one side read while the other waited to write


def test_connecting_to_a_closed_port_fails_with_os_error():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()                           # nothing listens there now

    async def connect():
        sock = socket.socket()
        try:
            await toyloop.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
        finally:
            sock.close()

    with pytest.raises(OSError):
        toyloop.run(connect())


@pytest.fixture(params=["aioteach.web", pytest.param("aiohttp.web", marks=pytest.mark.peer)])
def web(request):
    """The server framework: aioteach's, and aiohttp's as an independent peer."""
    return require(request.param)


class ServerInAThread:
    """A web app served by AppRunner/TCPSite on 127.0.0.1, port 0, on an asyncio loop in a
    thread of its own, so that this thread is free to run the toy loop."""

    def __init__(self, web, app):
        self.web, self.app, self.port = web, app, None
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    async def start(self):
        self.runner = self.web.AppRunner(self.app)
        await self.runner.setup()
        await self.web.TCPSite(self.runner, "127.0.0.1", 0).start()
        return self.runner.addresses[0][1]

    def __enter__(self):
        self.thread.start()
        self.port = asyncio.run_coroutine_threadsafe(self.start(), self.loop).result(30)
        return self

    def __exit__(self, *exc_info):
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(30)
        self.loop.close()


def test_the_toy_loop_fetches_a_page_from_a_real_server(web):
    async def hello(request):
        return web.Response(text="hello from " + request.path)

    async def big(request):
        return web.Response(body=b"0123456789" * 100_000)   # many recv() calls

    app = web.Application()
    app.router.add_get("/hello", hello)
    app.router.add_get("/big", big)

    async def two_fetches(port):
        first = await toyloop.fetch("127.0.0.1", port, "/hello")
        second = await toyloop.fetch("127.0.0.1", port, "/big")
        return first, second

    with ServerInAThread(web, app) as server:
        (head, body), (big_head, big_body) = toyloop.run(two_fetches(server.port))
        missing, missing_body = toyloop.run(toyloop.fetch("127.0.0.1", server.port, "/nope"))
    assert (head.status, body) == (200, b"hello from /hello")
    assert dict((k.lower(), v) for k, v in head.headers)["content-type"].startswith("text/plain")
    assert (big_head.status, big_body) == (200, b"0123456789" * 100_000)
    assert missing.status == 404


def test_two_waits_on_one_socket_are_refused_with_a_reason():
    left, right = socket.socketpair()

    async def double_wait():
        loop = toyloop.get_running_loop()
        loop.sock_recv(left, 1)
        loop.sock_recv(left, 1)

    try:
        with pytest.raises(RuntimeError, match="already waited on"):
            toyloop.run(double_wait())
    finally:
        left.close()
        right.close()
