"""Lesson 09's measuring kit: servers in subprocesses, a load generator, CPU time, Task counts.

Theory of operation.  A fair benchmark runs each server in a process of its own (so the
kernel's work is not counted), drives it with a load generator for a few seconds, and divides
the requests answered by two costs: wall-clock seconds (what a user waits for, noisy on a busy
machine) and the *server's* CPU seconds (what the server spent, steadier).

    ServerProcess.start(name)   aioteach, aiohttp or tornado serving GET /hello in a child
                                process on a free port (the child binds port 0 and reports
                                it), plus GET /cpu: its own CPU time
    load_with_wrk / _client     wrk when installed, else aioteach's client; both return the
                                number of responses in the given seconds
    benchmark(...)              rounds x concurrencies x servers, interleaved (round after
                                round, so a noisy moment hurts every server alike), with a
                                progress bar; returns a BenchResult (table, chart)
    count_tasks(url, n)         how many Tasks ran the handlers of n requests, from trace
                                events (in ``taskcount.py``, re-exported here)

CPU time of a server process, in this order: ``/proc/PID/stat`` (Linux), else the server's own
``resource.getrusage`` (asked over ``GET /cpu``; ``time.process_time`` where ``resource`` is
missing, on Windows), else ``psutil``.  One of them always works, so the headline number is
never "n/a"; ``ServerProcess.cpu_source`` says which one was used.

Rules: every process started is stopped by ``stop()`` (``benchmark`` does it in a ``finally``);
ports are always free ones.  ipywidgets and matplotlib are imported only to show progress and
draw the chart.
"""
from __future__ import annotations

import asyncio
import base64
import html
import io
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import aioteach

from .taskcount import TaskCount, count_tasks, task_probe

__all__ = ["SERVER_SCRIPT", "CANDIDATES", "installed", "ServerProcess", "proc_cpu_seconds",
           "psutil_cpu_seconds", "load_with_wrk", "load_with_client", "pick_load", "benchmark",
           "BenchRun", "BenchResult", "count_tasks", "TaskCount", "task_probe"]

CANDIDATES = ("aioteach", "aiohttp", "tornado")

#: The server each child process runs: ``python -c SERVER_SCRIPT NAME``.  It prints its port.
SERVER_SCRIPT = '''
import asyncio, socket, sys, time

def cpu_now():
    try:
        import resource
    except ImportError:                       # Windows: no resource module
        return time.process_time()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime

name = sys.argv[1]
if name in ("aioteach", "aiohttp"):
    if name == "aioteach":
        from aioteach import web
    else:
        from aiohttp import web

    async def hello(request):
        return web.Response(text="Hello, World!")

    async def cpu(request):
        return web.Response(text=repr(cpu_now()))

    app = web.Application()
    app.router.add_get("/hello", hello)
    app.router.add_get("/cpu", cpu)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    print(sock.getsockname()[1], flush=True)
    web.run_app(app, sock=sock, access_log=None, print=None)
else:
    import tornado.httpserver, tornado.netutil, tornado.web

    class Hello(tornado.web.RequestHandler):
        def get(self):
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.write("Hello, World!")

    class Cpu(tornado.web.RequestHandler):
        def get(self):
            self.write(repr(cpu_now()))

    async def main():
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        app = tornado.web.Application([(r"/hello", Hello), (r"/cpu", Cpu)])
        tornado.httpserver.HTTPServer(app).add_sockets(sockets)
        print(sockets[0].getsockname()[1], flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())
'''


def installed(name: str) -> bool:
    """Whether the server ``name`` can run here (aioteach always can)."""
    if name == "aioteach":
        return True
    import importlib.util
    return importlib.util.find_spec(name) is not None


def proc_cpu_seconds(pid: int) -> Optional[float]:
    """User + system CPU seconds of ``pid`` from ``/proc`` (Linux), or None without it."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def psutil_cpu_seconds(pid: int) -> Optional[float]:
    """The same from ``psutil`` (macOS, Windows), or None when it is not installed."""
    try:
        import psutil  # type: ignore[import-untyped]  # optional; no stubs installed
    except ImportError:
        return None
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


async def _get(port: int, path: str, timeout: float = 10.0) -> str:
    """One HTTP/1.0 GET with a bare socket: the body as text."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    try:
        writer.write(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
        raw = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    return raw.partition(b"\r\n\r\n")[2].decode()


class ServerProcess:
    """One server in a child process: ``url``, ``pid``, ``await cpu_seconds()``, ``stop()``."""

    def __init__(self, name: str, process: Any, port: int) -> None:
        self.name, self.process, self.port = name, process, port
        self.url = f"http://127.0.0.1:{port}"
        self.cpu_source = ""

    @property
    def pid(self) -> int:
        return int(self.process.pid)

    @classmethod
    async def start(cls, name: str, timeout: float = 20.0) -> "ServerProcess":
        """Start ``name``'s server; returns once it listens (it reports its own port)."""
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", SERVER_SCRIPT, name, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL)
        try:
            # stdout is not None: it was opened with stdout=PIPE above
            line = await asyncio.wait_for(process.stdout.readline(), timeout)  # type: ignore[union-attr]
            port = int(line)
        except (asyncio.TimeoutError, ValueError):
            process.kill()
            await process.wait()
            raise RuntimeError(f"the {name} server did not start (exit code "
                               f"{process.returncode}): is {name} installed?") from None
        return cls(name, process, port)

    async def cpu_seconds(self) -> float:
        """CPU seconds the server has used so far: /proc, else its resource module, else psutil."""
        found = proc_cpu_seconds(self.pid)
        if found is not None:
            self.cpu_source = "/proc"
            return found
        try:
            found = float(await _get(self.port, "/cpu"))
            self.cpu_source = "resource.getrusage (asked over GET /cpu)"
            return found
        except (OSError, ValueError, asyncio.TimeoutError):
            pass
        found = psutil_cpu_seconds(self.pid)
        if found is None:
            raise RuntimeError("no way to read the server's CPU time: pip install psutil")
        self.cpu_source = "psutil"
        return found

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 5)
            except asyncio.TimeoutError:
                self.process.kill()
                await self.process.wait()


async def load_with_wrk(url: str, concurrency: int, seconds: float) -> int:
    """Responses wrk (one thread, ``concurrency`` connections) got in whole ``seconds``."""
    process = await asyncio.create_subprocess_exec(
        "wrk", "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", url,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    out, _ = await asyncio.wait_for(process.communicate(), seconds + 30)
    found = re.search(r"(\d+) requests in", out.decode())
    return int(found.group(1)) if found else 0


async def load_with_client(url: str, concurrency: int, seconds: float) -> int:
    """Responses ``concurrency`` aioteach client workers got in ``seconds``."""
    done = 0
    connector = aioteach.TCPConnector(limit=concurrency)
    async with aioteach.ClientSession(connector=connector) as session:
        deadline = time.perf_counter() + seconds      # from here: not the client's import
        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                async with session.get(url) as resp:
                    await resp.read()
                done += 1
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done


Load = Callable[[str, int, float], Any]


def pick_load() -> Tuple[str, Load]:
    """wrk when it is installed (it costs the machine least), else aioteach's client."""
    if shutil.which("wrk"):
        return "wrk", load_with_wrk
    return "aioteach client", load_with_client


@dataclass
class BenchRun:
    """One measurement: a server, a concurrency, requests answered, seconds, CPU seconds."""

    server: str
    concurrency: int
    requests: int
    seconds: float
    cpu: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def per_cpu_second(self) -> float:
        return self.requests / self.cpu if self.cpu > 0 else 0.0


@dataclass
class BenchResult:
    """Every run of ``benchmark``; ``best()`` keeps the best round per (server, concurrency)."""

    runs: List[BenchRun]
    load: str
    seconds: float
    rounds: int
    cpu_source: str = ""
    skipped: List[str] = field(default_factory=list)

    def best(self) -> Dict[Tuple[str, int], BenchRun]:
        best: Dict[Tuple[str, int], BenchRun] = {}
        for run in self.runs:
            key = (run.server, run.concurrency)
            if key not in best or run.per_second > best[key].per_second:
                best[key] = run
        return dict(sorted(best.items(), key=lambda kv: (kv[0][1], kv[0][0])))

    def table(self) -> str:
        lines = [f"{'server':10} {'conns':>5} {'requests/s':>11} {'requests/CPU-s':>15}"]
        lines += [f"{name:10} {conns:5} {r.per_second:11,.0f} {r.per_cpu_second:15,.0f}"
                  for (name, conns), r in self.best().items()]
        return "\n".join(lines)

    def figure(self) -> Any:
        """Two bar charts (requests per second, per server CPU-second); no pyplot."""
        from matplotlib.figure import Figure
        best = self.best()
        servers = list(dict.fromkeys(name for name, _ in best))
        concurrencies = sorted({c for _, c in best})
        figure = Figure(figsize=(11, 3.6))
        axes = figure.subplots(1, 2)
        width = 0.8 / max(len(servers), 1)
        for i, name in enumerate(servers):
            xs = [j + i * width for j in range(len(concurrencies))]
            axes[0].bar(xs, [best[name, c].per_second for c in concurrencies], width, label=name)
            axes[1].bar(xs, [best[name, c].per_cpu_second for c in concurrencies], width,
                        label=name)
        for ax, title in zip(axes, ("requests per second", "requests per server CPU-second")):
            ax.set_title(title)
            ax.set_xticks([j + width * (len(servers) - 1) / 2 for j in range(len(concurrencies))])
            ax.set_xticklabels([f"{c} connection{'s' * (c > 1)}" for c in concurrencies])
            ax.legend()
        figure.suptitle(f"GET /hello, load by {self.load}, best of {self.rounds} rounds of "
                        f"{self.seconds:g} s")
        return figure

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.figure().savefig(buffer, format="png")
        return buffer.getvalue()

    def __repr__(self) -> str:
        notes = [f"{name} is not installed, so it was skipped" for name in self.skipped]
        return "\n".join([self.table(), f"(CPU time from {self.cpu_source})"] + notes)

    def _repr_html_(self) -> str:
        image = base64.b64encode(self.png()).decode()
        return (f"<pre>{html.escape(repr(self))}</pre>"
                f'<img src="data:image/png;base64,{image}" style="max-width:100%">')


def _progress(total: int) -> Callable[[str], None]:
    """A progress bar and a label in the notebook (or nothing outside IPython)."""
    try:
        import ipywidgets as w
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return lambda label: None
    if get_ipython() is None:
        return lambda label: None
    bar = w.IntProgress(value=0, max=total, description="runs")
    label = w.Label("starting the servers")
    display(w.HBox([bar, label]))

    def step(text: str) -> None:
        if text == "done":
            bar.value = total
        elif bar.value or label.value != "starting the servers":
            bar.value += 1
        label.value = text
    return step


async def benchmark(servers: Optional[Sequence[str]] = None,
                    concurrencies: Sequence[int] = (1, 50), seconds: float = 2.0,
                    rounds: int = 2, load: Optional[Load] = None,
                    show_progress: bool = True) -> BenchResult:
    """Measure each installed server at each concurrency, ``rounds`` times, interleaved."""
    wanted = list(servers or CANDIDATES)
    names = [name for name in wanted if installed(name)]
    load_name, load_fn = pick_load() if load is None else (getattr(load, "__name__", "load"),
                                                           load)
    plan = [(r, c, name) for r in range(rounds) for c in concurrencies for name in names]
    step = _progress(len(plan)) if show_progress else (lambda label: None)
    result = BenchResult([], load_name, seconds, rounds,
                         skipped=[name for name in wanted if name not in names])
    processes: Dict[str, ServerProcess] = {}
    try:
        for name in names:
            processes[name] = await ServerProcess.start(name)
        for round_, concurrency, name in plan:
            step(f"round {round_ + 1}: {name}, {concurrency} connections")
            server = processes[name]
            cpu_before, started = await server.cpu_seconds(), time.perf_counter()
            count = await load_fn(server.url + "/hello", concurrency, seconds)
            elapsed = time.perf_counter() - started
            cpu = await server.cpu_seconds() - cpu_before
            result.runs.append(BenchRun(name, concurrency, count, elapsed, cpu))
            result.cpu_source = server.cpu_source
        step("done")
    finally:
        for server in processes.values():            # stop what we started, always
            await server.stop()
    return result
