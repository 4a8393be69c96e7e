"""Client benchmark: aioteach's ClientSession against aiohttp's and httpx's, in one run.

    python benchmarks/bench_client.py [--requests 2000] [--rounds 5]

What is measured.  A minimal HTTP/1.1 server (a raw asyncio.Protocol that answers every
request head with the same 13-byte response, keep-alive) runs in a *subprocess*, so its cost is
the same whatever client talks to it and does not land in the client's CPU time.  Each client
then makes ``--requests`` GETs, two ways:

    sequential    one after the other on one keep-alive connection (latency-bound)
    concurrent    50 at a time (asyncio.gather over 50 workers; the pool holds 50 connections)

and we report requests per second of wall time and requests per CPU-second of the client
process (``time.process_time``): the second is the fairer figure on a busy machine, since
it counts only what the client itself spent.  Clients are interleaved round by round, each
round starting with the next one (aioteach, aiohttp, httpx; aiohttp, httpx, aioteach; ...),
and the median of the rounds is printed, with ratios to aiohttp.  Benchmarks are not tests: nothing here asserts on time.

    python benchmarks/bench_client.py --instructions [--clients aioteach,aiohttp]

counts instead: user-space instructions per GET under ``valgrind --tool=callgrind``, the
difference between a run of 1200 GETs and one of 200 divided by 1000 (start-up and imports
cancel out).  The count is steady on a busy machine, where CPU-seconds are not: use it to
decide whether a change to the hot path pays.
"""
from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import subprocess
import sys
import time
from typing import Any, Callable, Dict, List, Tuple

__all__ = ["main"]

SERVER = r"""
import asyncio, sys
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, world!"

class Answer(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        self.buffer = b""
    def data_received(self, data):
        self.buffer += data
        n = self.buffer.count(b"\r\n\r\n")      # GETs only: a head, no body
        if n:
            self.buffer = self.buffer[self.buffer.rfind(b"\r\n\r\n") + 4:]
            self.transport.write(RESPONSE * n)

async def main():
    server = await asyncio.get_running_loop().create_server(Answer, "127.0.0.1", 0, backlog=512)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""

CONCURRENCY = 50


async def run_aioteach(url: str, n: int, concurrent: bool) -> None:
    import aioteach
    connector = aioteach.TCPConnector(limit=CONCURRENCY)
    async with aioteach.ClientSession(connector=connector) as session:
        async def one() -> None:
            async with session.get(url) as resp:
                await resp.read()
        await drive(one, n, concurrent)


async def run_aiohttp(url: str, n: int, concurrent: bool) -> None:
    import aiohttp
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def one() -> None:
            async with session.get(url) as resp:
                await resp.read()
        await drive(one, n, concurrent)


async def run_httpx(url: str, n: int, concurrent: bool) -> None:
    import httpx
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(limits=limits) as client:
        async def one() -> None:
            resp = await client.get(url)
            resp.read()
        await drive(one, n, concurrent)


async def drive(one: Callable[[], Any], n: int, concurrent: bool) -> None:
    if not concurrent:
        for _ in range(n):
            await one()
        return

    async def worker(count: int) -> None:
        for _ in range(count):
            await one()

    share, extra = divmod(n, CONCURRENCY)
    await asyncio.gather(*[worker(share + (i < extra)) for i in range(CONCURRENCY)])


CLIENTS = {"aioteach": run_aioteach, "aiohttp": run_aiohttp, "httpx": run_httpx}


def measure(client: Callable, url: str, n: int, concurrent: bool) -> Tuple[float, float]:
    """(requests per wall second, requests per client CPU-second) for one run."""
    wall, cpu = time.perf_counter(), time.process_time()
    asyncio.run(client(url, n, concurrent))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return n / wall, n / cpu


def instructions(name: str, url: str, n: int, concurrent: bool) -> int:
    """User-space instructions of a child process making ``n`` GETs, counted by callgrind."""
    mode = "concurrent" if concurrent else "sequential"
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
         __file__, "--one", f"{name},{mode},{n},{url}"], capture_output=True, text=True)
    found = re.search(r"Collected : (\d+)", out.stderr)
    if found is None:
        raise RuntimeError(f"valgrind gave no count: {out.stderr[-500:]}")
    return int(found.group(1))


def count_instructions(names: List[str], url: str) -> None:
    print("user-space instructions per GET (callgrind; (1200 GETs - 200 GETs) / 1000)")
    print(f"{'client':10} {'sequential':>11} {'concurrent':>11}")
    for name in names:
        per = [(instructions(name, url, 1200, c) - instructions(name, url, 200, c)) / 1000
               for c in (False, True)]
        print(f"{name:10} {per[0] / 1000:10.1f}k {per[1] / 1000:10.1f}k")


def main(argv: List[str] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clients", default=",".join(CLIENTS))
    parser.add_argument("--instructions", action="store_true",
                        help="count instructions per GET with valgrind instead of timing")
    parser.add_argument("--one", help=argparse.SUPPRESS)   # name,mode,n,url: one run, no output
    args = parser.parse_args(argv)
    if args.one:
        name, mode, n, url = args.one.split(",", 3)
        asyncio.run(CLIENTS[name](url, int(n), mode == "concurrent"))
        return
    names = [name for name in args.clients.split(",") if name]
    server = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True)
    if args.instructions:
        try:
            count_instructions(names, f"http://127.0.0.1:{int(server.stdout.readline())}/")
        finally:
            server.terminate()
            server.wait()
        return
    try:
        port = int(server.stdout.readline())          # type: ignore[union-attr]
        url = f"http://127.0.0.1:{port}/"
        results: Dict[Tuple[str, str], List[Tuple[float, float]]] = {}
        for name in names:                               # warm up: imports, first connections
            measure(CLIENTS[name], url, 200, True)
        for round_ in range(args.rounds):
            # Each round starts with the next client, so that none always runs right after
            # the same neighbour (whose garbage, caches and timers it would inherit).
            order = names[round_ % len(names):] + names[:round_ % len(names)]
            for mode in ("sequential", "concurrent"):
                for name in order:
                    results.setdefault((name, mode), []).append(
                        measure(CLIENTS[name], url, args.requests, mode == "concurrent"))
    finally:
        server.terminate()
        server.wait()
    print(f"{args.requests} GETs per run, median of {args.rounds} interleaved rounds, "
          f"concurrency {CONCURRENCY}")
    print(f"{'client':10} {'mode':11} {'req/s':>9} {'req/CPU-s':>10} {'vs aiohttp (CPU)':>17}")
    for mode in ("sequential", "concurrent"):
        base = statistics.median(r[1] for r in results.get(("aiohttp", mode), [(0, 0)])) or None
        for name in names:
            rates = results[(name, mode)]
            wall = statistics.median(r[0] for r in rates)
            cpu = statistics.median(r[1] for r in rates)
            ratio = f"{cpu / base:.2f}x" if base else "-"
            print(f"{name:10} {mode:11} {wall:9.0f} {cpu:10.0f} {ratio:>17}")


if __name__ == "__main__":
    main()
