"""Server benchmark: aioteach against aiohttp, tornado and a raw-asyncio ceiling, with wrk.

What it measures.  Each server runs in its own subprocess (one process, plain asyncio loop,
access log off) and serves the same three endpoints: ``/hello`` (text), ``/json`` (a small JSON
object) and ``/user/{id}`` (a path variable).  ``wrk -t1 -c50`` drives each with keep-alive
connections, servers interleaved round by round so that a noisy neighbour on this shared
machine hurts everyone alike.  For each run we read the server's CPU time (utime + stime from
``/proc/<pid>/stat``) before and after, and report:

* requests/s            what wrk saw (depends on how much CPU the machine had to spare);
* requests per CPU-s    requests divided by the server's own CPU seconds: the fair number;
* peak memory           VmHWM from ``/proc/<pid>/status`` at the end.

``aioteach-inline`` is aioteach with ``inline_first_step=True`` (handlers' first steps taken by
hand, outside a Task: see ``aioteach/web/eager.py`` for why that is not the default).  The
raw-asyncio ceiling answers every request with fixed bytes and parses nothing: no Python
server on asyncio's default loop can beat it.  ``lean`` (not in the default set: ``--servers
aioteach,aiohttp,lean``) is the lean server issue 16 describes: it parses, routes and answers
but checks nothing, so it shows what any Python server's per-request work costs here.  A second scenario holds 1000 concurrent
keep-alive connections (``wrk -c1000``) and counts errors, which must be zero.

    python benchmarks/bench_server.py            # ~3 minutes
    python benchmarks/bench_server.py --quick    # ~1 minute
    python benchmarks/bench_server.py --instructions --headers browser   # valgrind (below)

``--instructions`` counts CPU instructions per request with valgrind (steady on a busy
machine, where wall-clock numbers are not): the server's protocol object runs in this process
on a fake transport, and one keep-alive connection sends a request, waits for the answer,
sends the next.  Two runs (N1 and N2 requests, after a dropped warm-up run that compiles
.pyc files) give (instructions(N2) - instructions(N1)) / (N2 - N1): what one more request
costs, start-up and imports cancelled out.  No sockets, so the kernel's share is left out.

This is a benchmark, not a test: nothing here asserts on speed.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import resource
import shutil
import subprocess
import sys
from typing import Any, Dict, List, Optional, Tuple

from common import FakeTransport, cpu_seconds, peak_memory_kib, start_server, stop_servers

__all__ = ["main"]

ENDPOINTS = ["/hello", "/json", "/user/42"]
# What Chromium sends for a typed-in URL (about eight fields besides Host), for --headers browser.
BROWSER_HEADERS = [
    "Connection: keep-alive",
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "*/*;q=0.8",
    "Sec-Fetch-Site: none", "Sec-Fetch-Mode: navigate", "Sec-Fetch-Dest: document",
    "Accept-Encoding: gzip, deflate, br, zstd", "Accept-Language: en-US,en;q=0.9",
]
WRK_HEADERS: List[str] = []         # set by --headers
SERVERS = ["aioteach", "aioteach-inline", "aiohttp", "tornado", "raw-asyncio"]
NOFILE = 4096           # for the 1000-connection scenario: each connection is a descriptor


# -- the servers, each started as `python bench_server.py --serve NAME --port N` ---------------
def make_app(web: Any) -> Any:
    """The three endpoints, for ``web`` = aioteach.web or aiohttp.web (the same code)."""

    async def hello(request: Any) -> Any:
        return web.Response(text="Hello, World!")

    async def json_(request: Any) -> Any:
        return web.json_response({"message": "Hello, World!"})

    async def user(request: Any) -> Any:
        return web.Response(text=f"user {request.match_info['id']}")

    app = web.Application()
    app.router.add_get("/hello", hello)
    app.router.add_get("/json", json_)
    app.router.add_get("/user/{id}", user)
    return app


def serve_aioteach(port: int, inline_first_step: bool = False) -> None:
    from aioteach import web

    app = make_app(web)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None,
                inline_first_step=inline_first_step)


def serve_aioteach_inline(port: int) -> None:
    """The same, with handlers' first steps taken by hand (see aioteach/web/eager.py)."""
    serve_aioteach(port, inline_first_step=True)


def serve_aiohttp(port: int) -> None:
    from aiohttp import web

    web.run_app(make_app(web), host="127.0.0.1", port=port, access_log=None, print=None)


def serve_tornado(port: int) -> None:
    import asyncio

    import tornado.web

    class Hello(tornado.web.RequestHandler):
        def get(self) -> None:
            self.write("Hello, World!")

    class Json(tornado.web.RequestHandler):
        def get(self) -> None:
            self.write({"message": "Hello, World!"})

    class User(tornado.web.RequestHandler):
        def get(self, user_id: str) -> None:
            self.write(f"user {user_id}")

    async def main() -> None:
        app = tornado.web.Application([(r"/hello", Hello), (r"/json", Json),
                                       (r"/user/([^/]+)", User)])
        app.listen(port, "127.0.0.1")
        await asyncio.Event().wait()

    asyncio.run(main())


def serve_raw(port: int) -> None:
    """The ceiling: answer every request head with the same bytes, parse nothing."""
    import asyncio

    answer = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n"
              b"Hello, World!")

    class Raw(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport

        def data_received(self, data: bytes) -> None:
            self.transport.write(answer * data.count(b"\r\n\r\n"))

    async def main() -> None:
        loop = asyncio.get_running_loop()
        await loop.create_server(Raw, "127.0.0.1", port, backlog=2048)
        await asyncio.Event().wait()

    asyncio.run(main())


def serve_lean(port: int) -> None:
    """A lean server, the kind issue 16 measured: an asyncio.Protocol, the head split with
    bytes.find, the fields into a dict, a dict (then a regex) for routing, a Task per request,
    and the same three answers.  Nothing is checked: no limits, no Host rule, no timeouts,
    no keep-alive rules.  It shows what the per-request work of any Python server costs here."""
    import asyncio
    import json
    import re

    user_re = re.compile(r"/user/([^/]+)")

    async def hello(match: Any) -> Tuple[bytes, bytes]:
        return b"text/plain; charset=utf-8", b"Hello, World!"

    async def json_(match: Any) -> Tuple[bytes, bytes]:
        return b"application/json", json.dumps({"message": "Hello, World!"}).encode()

    async def user(match: Any) -> Tuple[bytes, bytes]:
        return b"text/plain; charset=utf-8", f"user {match.group(1)}".encode()

    routes = {"/hello": hello, "/json": json_}

    class Lean(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport: Any = transport
            self.buffer = b""

        def data_received(self, data: bytes) -> None:
            buffer = self.buffer + data
            end = buffer.find(b"\r\n\r\n")
            while end >= 0:
                head, buffer = buffer[:end], buffer[end + 4:]
                line_end = head.find(b"\r\n")
                method, target, _version = head[:line_end].split(b" ")
                fields = {}
                for line in head[line_end + 2:].split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    fields[name.lower()] = value.strip()
                asyncio.get_running_loop().create_task(self.answer(target.decode(), fields))
                end = buffer.find(b"\r\n\r\n")
            self.buffer = buffer

        async def answer(self, path: str, fields: Dict[bytes, bytes]) -> None:
            handler, match = routes.get(path), None
            if handler is None:
                match = user_re.fullmatch(path)
                handler = user if match else None
            if handler is None:
                self.transport.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                return
            content_type, body = await handler(match)
            self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d"
                                 b"\r\n\r\n%s" % (content_type, len(body), body))

    async def main() -> None:
        loop = asyncio.get_running_loop()
        await loop.create_server(Lean, "127.0.0.1", port, backlog=2048)
        await asyncio.Event().wait()

    asyncio.run(main())


SERVE = {"aioteach": serve_aioteach, "aioteach-inline": serve_aioteach_inline,
         "aiohttp": serve_aiohttp, "tornado": serve_tornado,
         "raw-asyncio": serve_raw, "lean": serve_lean}


# -- instruction counts: one server protocol in this process, on a fake transport ---------------
class Round:
    """One round of requests, one per connection: done once every connection has answered."""

    def __init__(self, loop: asyncio.AbstractEventLoop, connections: int) -> None:
        self.remaining, self.done = connections, loop.create_future()

    def answered(self) -> None:
        self.remaining -= 1
        if self.remaining == 0:
            self.done.set_result(None)


class RoundTransport(FakeTransport):
    """The fake transport of one connection; the first write of a round answers it."""

    def __init__(self) -> None:
        super().__init__()
        self.round: Optional[Round] = None

    def wrote(self) -> None:
        if self.round is not None:
            self.round, answered = None, self.round.answered
            answered()


def request_bytes(path: str, headers: List[str]) -> bytes:
    """The request wrk sends: its request line and Host, then the -H fields."""
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1:8080", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


#: The servers ``--instructions`` can run in this process (the others are only subprocesses).
IN_PROCESS = ["aioteach", "aioteach-inline", "aiohttp"]


async def in_process(name: str, path: str, headers: List[str], count: int,
                     connections: int) -> None:
    """``count`` requests for ``path`` through ``name``'s protocol, in rounds of one request
    on each of ``connections`` keep-alive connections (as wrk's -c keeps that many going)."""
    if name.startswith("aioteach"):
        from aioteach import web
    else:
        from aiohttp import web             # type: ignore[no-redef]
    options = {"inline_first_step": True} if name == "aioteach-inline" else {}
    runner = web.AppRunner(make_app(web), access_log=None, **options)
    await runner.setup()
    pairs = []
    for _ in range(connections):
        protocol, transport = runner.server(), RoundTransport()   # type: ignore[misc]
        protocol.connection_made(transport)
        pairs.append((protocol, transport))
    loop = asyncio.get_running_loop()
    data = request_bytes(path, headers)
    for _ in range(count // connections):
        this_round = Round(loop, connections)
        for protocol, transport in pairs:
            transport.round = this_round
            protocol.data_received(data)
        await this_round.done
    assert all(transport.written > 20 * (count // connections) for _, transport in pairs)
    sys.stdout.flush()
    os._exit(0)                                 # no shutdown: only the requests are counted


def instructions(name: str, path: str, headers: str, connections: int,
                 n1: int = 1000, n2: int = 3000) -> int:
    """Instructions per request, from two valgrind runs of ``in_process``.  PYTHONHASHSEED
    is fixed: dict layouts then repeat from run to run, and so do the counts."""
    counts = []
    env = dict(os.environ, PYTHONHASHSEED="0")
    for count in (n1, n1, n2):        # the first run only warms caches (.pyc files); dropped
        run = subprocess.run(["valgrind", "--tool=callgrind", "--cache-sim=no",
                              "--callgrind-out-file=/dev/null", sys.executable, __file__,
                              "--in-process", name, "--path", path, "--headers", headers,
                              "--requests", str(count), "--connections", str(connections)],
                             capture_output=True, text=True, env=env)
        counts.append(int(run.stderr.split("Collected : ")[1].split()[0]))
    return (counts[2] - counts[1]) // (n2 - n1)


def print_instructions(names: List[str], headers: str, connections: int) -> None:
    print(f"valgrind instructions per request, {headers} request headers, in-process, "
          f"{connections} connection(s)")
    print(f"{'endpoint':<10}" + "".join(f"{name:>12}" for name in names))
    for path in ENDPOINTS:
        counts = [instructions(name, path, headers, connections) for name in names]
        print(f"{path:<10}" + "".join(f"{count:>12}" for count in counts), flush=True)


# -- measuring -------------------------------------------------------------------------------------
def raise_nofile() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(NOFILE, hard) if hard != resource.RLIM_INFINITY else NOFILE
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def run_wrk(port: int, path: str, seconds: float, connections: int) -> Dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{int(seconds)}s",
         *(arg for header in WRK_HEADERS for arg in ("-H", header)),
         f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, timeout=seconds + 60).stdout
    total = re.search(r"(\d+) requests in", out)
    if total is None:
        print(f"wrk gave no result for port {port}{path}: {out!r}", file=sys.stderr)
    rate = re.search(r"Requests/sec:\s*([\d.]+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests": float(total.group(1)) if total else 0.0,
        "rps": float(rate.group(1)) if rate else 0.0,
        "socket_errors": float(sum(map(int, errors.groups()))) if errors else 0.0,
        "non2xx": float(non2xx.group(1)) if non2xx else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short round")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--seconds", type=int, default=None)
    parser.add_argument("--servers", default=",".join(SERVERS))
    parser.add_argument("--headers", choices=["minimal", "browser"], default="minimal",
                        help="request fields wrk sends: its own few, or Chromium's (~9)")
    parser.add_argument("--instructions", action="store_true",
                        help="valgrind instructions per request, in-process (aioteach and "
                        "aiohttp unless --servers says otherwise)")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--in-process", help=argparse.SUPPRESS)
    parser.add_argument("--path", default="/hello", help=argparse.SUPPRESS)
    parser.add_argument("--requests", type=int, default=1000, help=argparse.SUPPRESS)
    parser.add_argument("--connections", type=int, default=1,
                        help="with --instructions: requests in flight, one per connection "
                        "(wrk's -c; 1: strictly one after the other)")
    args = parser.parse_args()
    raise_nofile()
    if args.serve:
        SERVE[args.serve](args.port)
        return
    headers = BROWSER_HEADERS if args.headers == "browser" else []
    if args.in_process:
        asyncio.run(in_process(args.in_process, args.path, headers, args.requests,
                               args.connections))
        return
    if args.instructions:
        names = args.servers.split(",") if args.servers != ",".join(SERVERS) else \
            ["aioteach", "aiohttp"]
        unknown = [name for name in names if name not in IN_PROCESS]
        if unknown:                 # in_process() would run aiohttp under their names
            sys.exit(f"--instructions runs only {', '.join(IN_PROCESS)} in-process, "
                     f"not {', '.join(unknown)}: leave those out of --servers")
        print_instructions(names, args.headers, args.connections)
        return
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    if args.headers == "browser":
        WRK_HEADERS[:] = BROWSER_HEADERS
    rounds = args.rounds or (1 if args.quick else 2)
    seconds = args.seconds or (2 if args.quick else 3)
    names = args.servers.split(",")
    procs = {name: start_server(__file__, name) for name in names}
    requests: Dict[Tuple[str, str], float] = {}
    cpu: Dict[Tuple[str, str], float] = {}
    rps: Dict[Tuple[str, str], List[float]] = {}
    try:
        for name in names:                      # warm up: imports, caches, first connections
            run_wrk(procs[name][1], "/hello", 1, 10)
        for _ in range(rounds):
            for path in ENDPOINTS:
                for name in names:
                    proc, port = procs[name]
                    before = cpu_seconds(proc.pid)
                    result = run_wrk(port, path, seconds, 50)
                    key = (name, path)
                    cpu[key] = cpu.get(key, 0.0) + cpu_seconds(proc.pid) - before
                    requests[key] = requests.get(key, 0.0) + result["requests"]
                    rps.setdefault(key, []).append(result["rps"])
        print(f"\nwrk -t1 -c50, {args.headers} request headers, {rounds} round(s) of {seconds:g}s per endpoint and server, "
              "interleaved")
        print(f"{'endpoint':<10} {'server':<15} {'req/s':>9} {'req/CPU-s':>10} "
              f"{'vs aiohttp':>10} {'vs tornado':>10}")
        for path in ENDPOINTS:
            per_cpu = {n: requests[(n, path)] / max(cpu[(n, path)], 1e-9) for n in names}
            def ratio(name: str, peer: str, per_cpu: Dict[str, float] = per_cpu) -> str:
                # "-" when the peer is not in this run
                return f"{per_cpu[name] / per_cpu[peer]:>9.2f}x" if per_cpu.get(peer) else f"{'-':>10}"

            for name in names:
                mean_rps = sum(rps[(name, path)]) / len(rps[(name, path)])
                print(f"{path:<10} {name:<15} {mean_rps:>9.0f} {per_cpu[name]:>10.0f} "
                      f"{ratio(name, 'aiohttp')} {ratio(name, 'tornado')}")
        print("\npeak memory (VmHWM) after the runs:")
        for name in names:
            print(f"  {name:<12} {peak_memory_kib(procs[name][0].pid) / 1024:7.1f} MiB")
        print("\n1000 concurrent keep-alive connections (wrk -t1 -c1000):")
        for name in [n for n in names if n in ("aioteach", "aiohttp")]:
            proc, port = procs[name]
            result = run_wrk(port, "/hello", 2 if args.quick else 4, 1000)
            print(f"  {name:<12} {result['rps']:>9.0f} req/s  socket errors "
                  f"{result['socket_errors']:.0f}  non-2xx {result['non2xx']:.0f}  "
                  f"peak {peak_memory_kib(proc.pid) / 1024:.1f} MiB")
    finally:
        stop_servers(proc for proc, _ in procs.values())


if __name__ == "__main__":
    main()
