"""WebSocket echo benchmark: aioteach's server against aiohttp's and the ``websockets`` library's.

What it measures.  Each server runs in its own subprocess (plain asyncio loop, access log off)
with one echo endpoint written the obvious way (``async for msg in ws: await ws.send_str(...)``).
The *same* client drives all of them from this process: a raw ``asyncio.Protocol`` per
connection that speaks through aioteach's sans-I/O codec and sends the next 32-byte text
message the moment the echo of the previous one arrives (one message in flight per connection).
Two scenarios: one connection, and 50 connections at once.  Servers are interleaved round by
round, so a noisy neighbour on this shared machine hurts everyone alike.  Reported:

* round trips/s         what the client saw (depends on how much CPU the machine had to spare);
* round trips per CPU-s round trips divided by the server's own CPU seconds (utime + stime from
                        ``/proc/<pid>/stat``): the fair number, the one the ratios use.

    python benchmarks/bench_websocket.py            # ~1.5 minutes
    python benchmarks/bench_websocket.py --quick    # ~20 seconds

This is a benchmark, not a test: nothing here asserts on speed.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import os
from typing import Dict, List, Optional, Tuple

from common import cpu_seconds, start_server, stop_servers

__all__ = ["main"]

SERVERS = ["aioteach", "aiohttp", "websockets"]
SCENARIOS = [1, 50]                  # concurrent connections
MESSAGE = "x" * 32


# -- the servers, each started as `python bench_websocket.py --serve NAME --port N` ------------
def serve_aioteach(port: int) -> None:
    from aioteach import web

    async def echo(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            await ws.send_str(msg.data)
        return ws

    app = web.Application()
    app.router.add_get("/ws", echo)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


def serve_aiohttp(port: int) -> None:
    from aiohttp import web

    async def echo(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            await ws.send_str(msg.data)
        return ws

    app = web.Application()
    app.router.add_get("/ws", echo)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


def serve_websockets(port: int) -> None:
    from websockets.asyncio.server import serve

    async def echo(conn: object) -> None:
        async for message in conn:             # type: ignore[attr-defined]
            await conn.send(message)           # type: ignore[attr-defined]

    async def main() -> None:
        async with serve(echo, "127.0.0.1", port, compression=None):
            await asyncio.Event().wait()

    asyncio.run(main())


SERVE = {"aioteach": serve_aioteach, "aiohttp": serve_aiohttp, "websockets": serve_websockets}


# -- the one client ------------------------------------------------------------------------------
class EchoClient(asyncio.Protocol):
    """One connection: handshake, then send a message each time the previous echo is back."""

    def __init__(self, port: int, ready: asyncio.Future) -> None:
        from aioteach.websocket import WebSocketConnection
        self.codec = WebSocketConnection("client")
        self.port = port
        self.ready = ready
        self.head = b""
        self.open = False
        self.running = False
        self.round_trips = 0
        self.transport: Optional[asyncio.Transport] = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport                 # type: ignore[assignment]
        key = base64.b64encode(os.urandom(16)).decode()
        self.transport.write(
            f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\n\r\n".encode())

    def data_received(self, data: bytes) -> None:
        if not self.open:
            self.head += data
            if b"\r\n\r\n" not in self.head:
                return
            head, _, data = self.head.partition(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 101"):
                self.ready.set_exception(RuntimeError(f"handshake refused: {head[:40]!r}"))
                return
            self.open = True
            self.ready.set_result(None)
        for _ in self.codec.receive_data(data):
            self.round_trips += 1
            if self.running and self.codec.state.name == "OPEN":
                self.transport.write(self.codec.send_text(MESSAGE))   # type: ignore[union-attr]

    def start(self) -> None:
        self.running = True
        self.transport.write(self.codec.send_text(MESSAGE))           # type: ignore[union-attr]


async def measure(port: int, connections: int, seconds: float, pid: int) -> Tuple[int, float]:
    """Round trips over ``connections`` connections in ``seconds``, and the server's CPU time."""
    loop = asyncio.get_running_loop()
    clients: List[EchoClient] = []
    for _ in range(connections):
        ready = loop.create_future()
        _, client = await loop.create_connection(lambda: EchoClient(port, ready),
                                                 "127.0.0.1", port)
        await asyncio.wait_for(ready, 10)
        clients.append(client)
    before = cpu_seconds(pid)
    for client in clients:
        client.start()
    await asyncio.sleep(seconds)                   # a benchmark: measuring a fixed span
    for client in clients:
        client.running = False
    cpu = cpu_seconds(pid) - before
    total = sum(client.round_trips for client in clients)
    for client in clients:                         # a polite goodbye: Close, then hang up
        client.transport.write(client.codec.send_close(1000))   # type: ignore[union-attr]
        client.transport.close()                   # type: ignore[union-attr]
    return total, cpu


async def run(names: List[str], rounds: int, seconds: float) -> None:
    procs = {name: start_server(__file__, name) for name in names}
    trips: Dict[Tuple[str, int], int] = {}
    cpu: Dict[Tuple[str, int], float] = {}
    try:
        for name in names:                         # warm up: imports, caches, first frames
            await measure(procs[name][1], 5, 0.5, procs[name][0].pid)
        for _ in range(rounds):
            for connections in SCENARIOS:
                for name in names:
                    proc, port = procs[name]
                    total, used = await measure(port, connections, seconds, proc.pid)
                    key = (name, connections)
                    trips[key] = trips.get(key, 0) + total
                    cpu[key] = cpu.get(key, 0.0) + used
    finally:
        stop_servers(proc for proc, _ in procs.values())
    print(f"\nWebSocket echo of {len(MESSAGE)}-byte text messages, one in flight per "
          f"connection; {rounds} round(s) of {seconds:g}s per scenario and server, interleaved")
    print(f"{'conns':>5} {'server':<11} {'trips/s':>9} {'trips/CPU-s':>12} {'vs aiohttp':>10} "
          f"{'vs websockets':>13}")
    for connections in SCENARIOS:
        per_cpu = {n: trips[(n, connections)] / max(cpu[(n, connections)], 1e-9) for n in names}
        for name in names:
            rate = trips[(name, connections)] / (rounds * seconds)
            ratio_a = per_cpu[name] / per_cpu["aiohttp"] if "aiohttp" in per_cpu else 0.0
            ratio_w = per_cpu[name] / per_cpu["websockets"] if "websockets" in per_cpu else 0.0
            print(f"{connections:>5} {name:<11} {rate:>9.0f} {per_cpu[name]:>12.0f} "
                  f"{ratio_a:>9.2f}x {ratio_w:>12.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short round")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--servers", default=",".join(SERVERS))
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        SERVE[args.serve](args.port)
        return
    rounds = args.rounds or (1 if args.quick else 5)
    seconds = args.seconds or 2.0
    asyncio.run(run(args.servers.split(","), rounds, seconds))


if __name__ == "__main__":
    main()
