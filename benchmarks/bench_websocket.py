"""WebSocket echo benchmark: aioteach's server against aiohttp's and the ``websockets`` library's.

What it measures.  Each server runs in its own subprocess (plain asyncio loop, access log off,
no compression) with one echo endpoint written the obvious way (``async for msg in ws:`` then
``send_str``/``send_bytes``).  The same clients drive all of them from this process, sending
the next message the moment the echo of the previous one arrives (one in flight per
connection), for each message size (16-byte text, 4 KiB and 64 KiB binary), each client and
1 or 16 connections:

* ``raw``         an ``asyncio.Protocol`` per connection speaking through aioteach's codec;
* ``websockets``  the ``websockets`` library's asyncio client (``compression=None``).

``aioteach+mask`` is the same aioteach server with the ``websockets`` library's C mask plugged
in (``use_mask("websockets")``): the core unmasks with the standard library alone, and this
column shows what that costs at each size.  Two ceilings (not in the default set:
``--servers aioteach,aiohttp,lean,raw-asyncio``) share one minimal ``asyncio.Protocol`` that
finds the handshake's key with ``bytes.find``, parses frame heads by hand, unmasks with the
same stdlib ``apply_mask`` as aioteach and checks nothing: ``lean`` hands each message to a
coroutine per connection through a future (the shape an ``async for msg in ws`` handler
needs), ``raw-asyncio`` echoes from ``data_received`` itself.  They show the ceiling of a
pure-Python echo server on asyncio's default loop, with such a handler and without one.
Servers are interleaved round by round, so a noisy neighbour on this shared machine hurts
everyone alike.  Reported: round trips per server CPU-second (utime + stime from
``/proc/<pid>/stat``), the fair number the ratios use, and aioteach's round trips/s.

    python benchmarks/bench_websocket.py                 # every scenario, 3 rounds
    python benchmarks/bench_websocket.py --quick         # one short round
    python benchmarks/bench_websocket.py --servers aioteach,aiohttp,lean,raw-asyncio
    python benchmarks/bench_websocket.py --instructions  # valgrind, in-process (below)

``--instructions`` counts CPU instructions per round trip with valgrind (steady on a busy
machine): the server's protocol runs in one process on fake transports (1 connection, then
16 with a message in flight on each) and is fed pre-built masked frames, each from a callback
of the loop as a socket's reader would, N1 and then N2 rounds; (I(N2) - I(N1)) / ((N2 - N1) *
connections) cancels the start-up.

This is a benchmark, not a test: nothing here asserts on speed.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import collections
import hashlib
import os
import struct
import subprocess
import sys
from typing import Any, Deque, Dict, List, Optional, Tuple, Union

from common import FakeTransport, cpu_seconds, start_server, stop_servers

__all__ = ["main"]

#: "aioteach+mask" is aioteach with the ``websockets`` library's C mask plugged in
#: (``use_mask("websockets")``, aioteach/websocket/masking.py): everything else is the same
#: pure-Python server, so its column shows what the stdlib unmask costs at each size.
SERVERS = ["aioteach", "aioteach+mask", "aiohttp", "websockets"]
CLIENTS = ["raw", "websockets"]
#: The ratio columns of the table, (label, server, peer), each printed when both ran: trips per
#: CPU-second of the server over the peer's.
RATIOS = [("vs aiohttp", "aioteach", "aiohttp"), ("+mask vs aiohttp", "aioteach+mask", "aiohttp"),
          ("vs websockets", "aioteach", "websockets"), ("lean vs aiohttp", "lean", "aiohttp"),
          ("raw vs aiohttp", "raw-asyncio", "aiohttp"), ("aioteach vs lean", "aioteach", "lean")]
SIZES = [16, 4096, 65536]            # 16 B as text, the others binary
CONNECTIONS = [1, 16]


def message(size: int) -> Union[str, bytes]:
    return "x" * size if size <= 16 else bytes(range(256)) * (size // 256)


# -- the servers, each started as `python bench_websocket.py --serve NAME --port N` ------------
def echo_app(web: Any) -> Any:
    """The echo application every web framework here serves: ``web`` is aioteach.web or
    aiohttp.web, which share these names."""
    async def echo(request: Any) -> Any:
        ws = web.WebSocketResponse(compress=False)
        await ws.prepare(request)
        async for msg in ws:
            if msg.type == web.WSMsgType.TEXT:
                await ws.send_str(msg.data)
            else:
                await ws.send_bytes(msg.data)
        return ws

    app = web.Application()
    app.router.add_get("/ws", echo)
    return app


def serve_aioteach(port: int) -> None:
    from aioteach import web
    web.run_app(echo_app(web), host="127.0.0.1", port=port, access_log=None, print=None)


def serve_aioteach_mask(port: int) -> None:
    from aioteach.websocket import use_mask
    use_mask("websockets")
    serve_aioteach(port)


def serve_aiohttp(port: int) -> None:
    from aiohttp import web
    web.run_app(echo_app(web), host="127.0.0.1", port=port, access_log=None, print=None)


def serve_websockets(port: int) -> None:
    from websockets.asyncio.server import serve

    from websockets.exceptions import ConnectionClosed

    async def echo(conn: object) -> None:
        try:
            async for message in conn:         # type: ignore[attr-defined]
                await conn.send(message)       # type: ignore[attr-defined]
        except ConnectionClosed:               # the client hung up mid-echo: the run ended
            pass

    async def main() -> None:
        async with serve(echo, "127.0.0.1", port, compression=None):
            await asyncio.Event().wait()

    asyncio.run(main())


# -- two ceilings: a minimal WebSocket server, with a coroutine per connection and without ------
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"     # RFC 6455 section 1.3
CLOSE_1000 = b"\x88\x02\x03\xe8"                     # an unmasked Close frame, code 1000


def server_frame(msg: Union[str, bytes], opcode: int = 0) -> bytes:
    """One unmasked frame (FIN set) for ``msg``: Text for a str, Binary for bytes."""
    if isinstance(msg, str):
        msg, opcode = msg.encode(), opcode or 1
    n, first = len(msg), 0x80 | (opcode or 2)
    if n < 126:
        return bytes((first, n)) + msg
    if n < 65536:
        return struct.pack("!BBH", first, 126, n) + msg
    return struct.pack("!BBQ", first, 127, n) + msg


class MinimalWebSocket(asyncio.Protocol):
    """What ``lean`` and ``raw-asyncio`` share: the handshake and the frames, and nothing
    checked (no Upgrade or Version fields, no RSV bits, no fragments, no size limit, no UTF-8
    rule).  A read is assumed to hold whole frames, as small messages do; when it does not
    (64 KiB frames come in pieces), the pieces wait in ``pending`` until the frame is whole.
    ``unmask`` is aioteach's stdlib ``apply_mask``, passed in so that the comparison isolates
    the framework and other servers' processes never import aioteach."""

    def __init__(self, unmask: Any) -> None:
        self.unmask, self.open = unmask, False
        self.pending: List[bytes] = []
        self.buffered = self.need = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: Any = transport

    def data_received(self, data: bytes) -> None:
        if self.pending:                        # the rest of what an earlier read began
            self.pending.append(data)
            self.buffered += len(data)
            if self.buffered < self.need:
                return
            data, self.pending = b"".join(self.pending), []
        pos, size, end = 0, len(data), 0
        if not self.open:
            end = data.find(b"\r\n\r\n")
            if end < 0:
                self.pending, self.buffered, self.need = [data], size, size + 1
                return
            start = data.find(b"Sec-WebSocket-Key:", 0, end) + 18
            key = data[start:data.find(b"\r\n", start)].strip()
            self.transport.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                 b"Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n"
                                 % base64.b64encode(hashlib.sha1(key + GUID).digest()))
            self.open, pos = True, end + 4
            self.opened()
        while size - pos >= 2:
            opcode, length, head = data[pos] & 0x0F, data[pos + 1] & 0x7F, pos + 2
            if length == 126:       # from a cut-off length field: head > size, so it waits
                length, head = int.from_bytes(data[head:head + 2], "big"), head + 2
            elif length == 127:
                length, head = int.from_bytes(data[head:head + 8], "big"), head + 8
            end = head + 4 + length                     # client frames are always masked
            if end > size:
                break
            payload = self.unmask(data, data[head:head + 4], head + 4, end)
            pos = end
            if opcode == 1:
                self.message(payload.decode())
            elif opcode == 2:
                self.message(payload)
            elif opcode == 8:
                self.closed()
                return
            elif opcode == 9:
                self.transport.write(server_frame(payload, 0xA))    # Ping: Pong
        if pos < size:                                  # a frame begun: wait for the rest
            self.pending, self.buffered, self.need = [data[pos:]], size - pos, max(end - pos, 2)

    def opened(self) -> None:
        """The 101 is written: messages follow."""

    def message(self, msg: Union[str, bytes]) -> None:
        raise NotImplementedError

    def closed(self) -> None:
        raise NotImplementedError


def serve_minimal(port: int, protocol: Any) -> None:
    from aioteach.websocket.masking import apply_mask

    async def main() -> None:
        loop = asyncio.get_running_loop()
        await loop.create_server(lambda: protocol(apply_mask), "127.0.0.1", port, backlog=2048)
        await asyncio.Event().wait()

    asyncio.run(main())


def serve_lean(port: int) -> None:
    """The ceiling of an ``async for msg in ws`` handler: a Task per connection running a
    coroutine that awaits each message on a future of its own, then writes the echo."""

    class Lean(MinimalWebSocket):
        def opened(self) -> None:
            self.loop = asyncio.get_running_loop()
            self.queue: Deque[Optional[Union[str, bytes]]] = collections.deque()
            self.waiter: Optional[asyncio.Future] = None
            self.task = self.loop.create_task(self.handler())

        def message(self, msg: Optional[Union[str, bytes]]) -> None:
            waiter = self.waiter
            if waiter is None:                  # the handler is busy: it takes it later
                self.queue.append(msg)
            else:
                self.waiter = None
                waiter.set_result(msg)

        def closed(self) -> None:
            self.message(None)                  # None: the end of the messages

        async def next_message(self) -> Optional[Union[str, bytes]]:
            if self.queue:
                return self.queue.popleft()
            self.waiter = self.loop.create_future()
            return await self.waiter

        async def handler(self) -> None:
            while True:
                msg = await self.next_message()
                if msg is None:
                    break
                self.transport.write(server_frame(msg))
            self.transport.write(CLOSE_1000)
            self.transport.close()

        def connection_lost(self, exc: Optional[BaseException]) -> None:
            if self.open:
                self.task.cancel()              # no-op once the handler has returned

    serve_minimal(port, Lean)


def serve_raw(port: int) -> None:
    """The floor of any pure-Python server here: the echo written from data_received."""

    class Raw(MinimalWebSocket):
        def message(self, msg: Union[str, bytes]) -> None:
            self.transport.write(server_frame(msg))

        def closed(self) -> None:
            self.transport.write(CLOSE_1000)
            self.transport.close()

    serve_minimal(port, Raw)


SERVE = {"aioteach": serve_aioteach, "aioteach+mask": serve_aioteach_mask,
         "aiohttp": serve_aiohttp, "websockets": serve_websockets,
         "lean": serve_lean, "raw-asyncio": serve_raw}


# -- the clients ------------------------------------------------------------------------------
class EchoClient(asyncio.Protocol):
    """One connection: handshake, then send a message each time the previous echo is back."""

    def __init__(self, port: int, ready: asyncio.Future, data: Union[str, bytes]) -> None:
        from aioteach.websocket import WebSocketConnection
        self.codec = WebSocketConnection("client", max_msg_size=0)
        self.data = data
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
                self.send()

    def send(self) -> None:
        codec, data = self.codec, self.data
        frame = codec.send_text(data) if isinstance(data, str) else codec.send_bytes(data)
        self.transport.write(frame)                                    # type: ignore[union-attr]

    def start(self) -> None:
        self.running = True
        self.send()

    async def stop(self) -> None:
        self.running = False
        self.transport.write(self.codec.send_close(1000))   # type: ignore[union-attr]
        self.transport.close()                              # type: ignore[union-attr]


class WebsocketsClient:
    """One ``websockets`` library connection: send, await the echo, repeat."""

    def __init__(self, conn: Any, data: Union[str, bytes]) -> None:
        self.conn, self.data = conn, data
        self.round_trips = 0
        self.running = False
        self.task: Optional[asyncio.Task] = None

    async def loop(self) -> None:
        while self.running:
            await self.conn.send(self.data)
            await self.conn.recv()
            self.round_trips += 1

    def start(self) -> None:
        self.running = True
        self.task = asyncio.ensure_future(self.loop())

    async def stop(self) -> None:
        self.running = False
        if self.task is not None:
            await self.task
        await self.conn.close()


async def connect(kind: str, port: int, data: Union[str, bytes]) -> Any:
    if kind == "websockets":
        from websockets.asyncio.client import connect as ws_connect
        conn = await ws_connect(f"ws://127.0.0.1:{port}/ws", compression=None, max_size=None)
        return WebsocketsClient(conn, data)
    loop = asyncio.get_running_loop()
    ready = loop.create_future()
    _, client = await loop.create_connection(lambda: EchoClient(port, ready, data),
                                             "127.0.0.1", port)
    await asyncio.wait_for(ready, 10)
    return client


async def measure(port: int, kind: str, size: int, connections: int, seconds: float,
                  pid: int) -> Tuple[int, float]:
    """Round trips over ``connections`` connections in ``seconds``, and the server's CPU time."""
    clients = [await connect(kind, port, message(size)) for _ in range(connections)]
    before = cpu_seconds(pid)
    for client in clients:
        client.start()
    await asyncio.sleep(seconds)                   # a benchmark: measuring a fixed span
    for client in clients:
        client.running = False
    cpu = cpu_seconds(pid) - before
    total = sum(client.round_trips for client in clients)
    for client in clients:                         # a polite goodbye: Close, then hang up
        await client.stop()
    return total, cpu


Key = Tuple[str, str, int, int]        # server, client, size, connections


async def run(names: List[str], clients: List[str], rounds: int, seconds: float) -> None:
    procs = {name: start_server(__file__, name) for name in names}
    trips: Dict[Key, int] = {}
    cpu: Dict[Key, float] = {}
    scenarios = [(kind, size, conns) for kind in clients for size in SIZES
                 for conns in CONNECTIONS]
    try:
        for name in names:                         # warm up: imports, caches, first frames
            await measure(procs[name][1], "raw", 16, 4, 0.5, procs[name][0].pid)
        for _ in range(rounds):
            for kind, size, conns in scenarios:
                for name in names:
                    proc, port = procs[name]
                    total, used = await measure(port, kind, size, conns, seconds, proc.pid)
                    key = (name, kind, size, conns)
                    trips[key] = trips.get(key, 0) + total
                    cpu[key] = cpu.get(key, 0.0) + used
    finally:
        stop_servers(proc for proc, _ in procs.values())
    print(f"\nWebSocket echo, one message in flight per connection; {rounds} round(s) of "
          f"{seconds:g}s per scenario and server, interleaved; trips per server CPU-second")
    ratios = [(label, ours, peer) for label, ours, peer in RATIOS if ours in names and peer in names]
    width = max(11, *(len(n) + 1 for n in names))
    print(f"{'size':>6} {'client':<10} {'conns':>5}" + "".join(f"{n:>{width}}" for n in names)
          + "".join(f"{label:>{len(label) + 1}}" for label, _, _ in ratios)
          + (f"{'aioteach trips/s':>17}" if "aioteach" in names else ""))
    for kind, size, conns in scenarios:
        per_cpu = {n: trips[(n, kind, size, conns)] / max(cpu[(n, kind, size, conns)], 1e-9)
                   for n in names}
        line = f"{size:>6} {kind:<10} {conns:>5}" + "".join(f"{per_cpu[n]:>{width}.0f}"
                                                            for n in names)
        for label, ours, peer in ratios:
            line += f"{per_cpu[ours] / max(per_cpu[peer], 1e-9):>{len(label)}.2f}x"
        if "aioteach" in names:
            line += f"{trips[('aioteach', kind, size, conns)] / (rounds * seconds):>17.0f}"
        print(line)


# -- instruction counts: one server protocol in this process, on a fake transport ---------------
class EchoTransport(FakeTransport):
    """The fake transport of one WebSocket connection; a write wakes the waiting driver."""

    def __init__(self, protocol: Any) -> None:
        super().__init__(protocol)
        self.waiter: Optional[asyncio.Future] = None

    def wrote(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)


async def open_in_process(web: Any, app_runner: Any, loop: asyncio.AbstractEventLoop) -> Any:
    """One server connection on an EchoTransport, past the opening handshake."""
    protocol = app_runner.server()              # type: ignore[misc]
    transport = EchoTransport(protocol)
    protocol.connection_made(transport)
    transport.waiter = loop.create_future()
    key = base64.b64encode(os.urandom(16)).decode()
    protocol.data_received(f"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           f"Sec-WebSocket-Version: 13\r\n\r\n".encode())
    await transport.waiter
    return transport


async def in_process_echo(name: str, size: int, trips: int, connections: int = 1) -> None:
    """``trips`` rounds of one ``size``-byte message on each of ``connections`` server
    connections (all in flight at once, as with ``--connections 16`` below)."""
    from aioteach.websocket import Opcode, build_frame, use_mask
    if name.startswith("aioteach"):
        from aioteach import web
        use_mask("websockets" if name == "aioteach+mask" else "stdlib")
    else:
        from aiohttp import web             # type: ignore[no-redef]

    runner = web.AppRunner(echo_app(web), access_log=None)
    await runner.setup()
    loop = asyncio.get_running_loop()
    transports = [await open_in_process(web, runner, loop) for _ in range(connections)]
    for _ in range(50):
        await asyncio.sleep(0.01)               # aiohttp sets its reader after the 101 head
    data = message(size)
    frame = build_frame(Opcode.TEXT if isinstance(data, str) else Opcode.BINARY,
                        data.encode() if isinstance(data, str) else data, mask=os.urandom(4))
    for _ in range(trips):
        waiters = []
        for transport in transports:
            waiter = transport.waiter = loop.create_future()
            waiters.append(waiter)
            # From the loop, as a socket's bytes come (a selector's reader callback): a
            # server that answers inside data_received must not skip the loop's turns here.
            loop.call_soon(transport.protocol.data_received, frame)
        for waiter in waiters:
            await waiter
    assert all(transport.written >= trips * size for transport in transports)
    sys.stdout.flush()
    os._exit(0)                                 # no shutdown: only the trips are counted


def instructions(name: str, size: int, connections: int = 1, n1: int = 100,
                 n2: int = 500) -> int:
    """Instructions per round trip (per message, with several connections), from two
    valgrind runs of ``in_process_echo``.  PYTHONHASHSEED is fixed: dict layouts then
    repeat from run to run, and so do the counts (to within 0.1%)."""
    counts = []
    env = dict(os.environ, PYTHONHASHSEED="0")
    for trips in (n1, n1, n2):        # the first run only warms caches (.pyc files); dropped
        run = subprocess.run(["valgrind", "--tool=callgrind", "--cache-sim=no",
                              "--callgrind-out-file=/dev/null", sys.executable, __file__,
                              "--echo-in-process", name, "--size", str(size),
                              "--trips", str(trips), "--connections", str(connections)],
                             capture_output=True, text=True, env=env)
        counts.append(int(run.stderr.split("Collected : ")[1].split()[0]))
    return (counts[2] - counts[1]) // ((n2 - n1) * connections)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short round")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--servers", default=",".join(SERVERS))
    parser.add_argument("--clients", default=",".join(CLIENTS))
    parser.add_argument("--instructions", action="store_true",
                        help="valgrind instructions per round trip, aioteach and aiohttp")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--echo-in-process", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, default=16, help=argparse.SUPPRESS)
    parser.add_argument("--trips", type=int, default=100, help=argparse.SUPPRESS)
    parser.add_argument("--connections", type=int, default=None,
                        help="with --instructions: only this many connections in flight "
                             "(default: 1, then 16)")
    args = parser.parse_args()
    if args.serve:
        SERVE[args.serve](args.port)
    elif args.echo_in_process:
        asyncio.run(in_process_echo(args.echo_in_process, args.size, args.trips,
                                    args.connections or 1))
    elif args.instructions:
        print(f"{'size':>6} {'conns':>5} {'aioteach':>10} {'+mask':>10} {'aiohttp':>10}  "
              "instructions per round trip (aiohttp / aioteach, aiohttp / aioteach+mask)")
        for conns in [args.connections] if args.connections else CONNECTIONS:
            for size in SIZES:
                ours = instructions("aioteach", size, conns)
                masked = instructions("aioteach+mask", size, conns)
                theirs = instructions("aiohttp", size, conns)
                print(f"{size:>6} {conns:>5} {ours:>10} {masked:>10} {theirs:>10}  "
                      f"({theirs / ours:.2f}x, {theirs / masked:.2f}x)", flush=True)
    else:
        rounds = args.rounds or (1 if args.quick else 3)
        seconds = args.seconds or (1.0 if args.quick else 2.0)
        asyncio.run(run(args.servers.split(","), args.clients.split(","), rounds, seconds))


if __name__ == "__main__":
    main()
