"""What the server benchmarks share: a free port, a server in a subprocess, its CPU time and memory,
and a fake transport for counting instructions in one process.

Each server benchmark runs every contender in its own subprocess (``python bench_X.py --serve
NAME --port N``), so a contender's cost lands in its own process and can be read from Linux's
``/proc``:

* ``/proc/<pid>/stat``    fields 14 and 15 (utime, stime) in clock ticks: the CPU time the
                          server itself spent, the fair figure on a machine shared with others;
* ``/proc/<pid>/status``  the ``VmHWM:`` line: the peak resident memory ("high water mark").

The benchmarks are run as scripts (``python benchmarks/bench_websocket.py``), so Python puts
this folder on ``sys.path`` and ``from common import ...`` finds this module.
Simplification: Linux only (``/proc``); elsewhere the readings raise ``FileNotFoundError``.
"""
from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from typing import Any, Iterable, Optional, Tuple

__all__ = ["free_port", "cpu_seconds", "peak_memory_kib", "start_server", "stop_servers",
           "FakeTransport"]

START_TIMEOUT = 20.0        # seconds for a server to import and listen; generous on a busy machine


def free_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago (the OS picks it for port 0)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds that process ``pid`` has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        # The command name (field 2) sits in parentheses and may hold spaces: split after it.
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")   # utime + stime


def peak_memory_kib(pid: int) -> int:
    """Peak resident memory of process ``pid`` in KiB (VmHWM), or 0 if the kernel does not say."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


# Every server starts in the same state of glibc's allocator.  asyncio reads each time into a
# fresh 256 KiB bytes; whether glibc serves that from its heap or maps and unmaps it (three
# system calls and page faults per read) depends on its adaptive mmap threshold, which moves
# with what the process happened to free before.  Measured (strace, /proc/<pid>/stat): a
# server left on the low threshold paid 1-12 faults per round trip and up to twice the kernel
# time, by accident of its start-up, not of its code.  Fixed thresholds make that the same for
# all: 1 MiB to map, 8 MiB to trim.
MALLOC_ENVIRONMENT = {"MALLOC_MMAP_THRESHOLD_": "1048576", "MALLOC_TRIM_THRESHOLD_": "8388608"}


def start_server(script: str, name: str) -> Tuple[subprocess.Popen, int]:
    """Run ``script --serve name --port N`` and return once it accepts a connection."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, script, "--serve", name, "--port", str(port)],
                            env=dict(os.environ, **MALLOC_ENVIRONMENT))
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, port
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"the {name} server exited with {proc.returncode}")
            time.sleep(0.1)                 # the child cannot tell us it listens: poll
    proc.kill()
    raise RuntimeError(f"the {name} server did not start listening on port {port}")


def stop_servers(procs: Iterable[subprocess.Popen]) -> None:
    """Ask every server to stop (SIGTERM), then kill any that has not within 10 seconds."""
    procs = list(procs)
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


class FakeTransport(asyncio.Transport):
    """Just enough of a transport for aioteach's and aiohttp's server protocols in this process.

    It counts the bytes written and calls ``wrote()`` after each write; a benchmark's subclass
    says what a write means to it (a request answered, a message echoed).  Counting
    instructions in one process leaves the kernel's sockets out of the comparison.
    """

    def __init__(self, protocol: Optional[Any] = None) -> None:
        super().__init__()
        self.protocol, self.written = protocol, 0

    def wrote(self) -> None:
        """Called after every write; nothing by default."""

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 1), "sockname": ("127.0.0.1", 2)}.get(name, default)

    def set_protocol(self, protocol: Any) -> None:
        self.protocol = protocol

    def get_protocol(self) -> Any:
        return self.protocol

    def write(self, data: Any) -> None:
        self.written += len(data)
        self.wrote()

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def is_closing(self) -> bool:
        return False

    def get_write_buffer_size(self) -> int:
        return 0

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass
