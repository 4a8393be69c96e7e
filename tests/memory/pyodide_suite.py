"""Run a slice of the test suite on Python 3.14 inside Pyodide under Node.js.

Why: a JupyterLite kernel is Pyodide, which is CPython 3.14 compiled to WebAssembly, and these
machines have no CPython 3.14 (pyenv stops at 3.13; Debian has none).  So the suite's sans-I/O
and memory-transport tests run in the very interpreter the browser runs:

    python tests/memory/pyodide_suite.py [pytest args]      (make test-3.14)

1. Pyodide: the npm package at jupyterlite-pyodide-kernel's pinned version (``npm pack``, cached
   in build/lite-cache, shared with the Lite site build), unpacked into build/pyodide-3.14;
2. pytest, pytest-asyncio, hypothesis and their dependencies: pure wheels from PyPI
   (``pip download``), installed with micropip from the local files;
3. the checkout is mounted into Pyodide's file system (NODEFS) and ``pytest.main`` runs on it.

Event loops: Pyodide's WebLoop cannot block (``run_until_complete`` returns at once), so the
tests' loops are ``aioteach.notebook.lite.SocketlessLoop`` (timers and memory connections only,
no sockets: there are none here).  What needs TCP, threads or subprocesses is deselected:
``SLICE`` and ``DESELECT`` below say exactly what runs.
"""
from __future__ import annotations

import json
import pathlib
import shutil
import subprocess
import sys
import tarfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
CACHE = ROOT / "build" / "lite-cache"
HERE = ROOT / "build" / "pyodide-3.14"
TEST_PACKAGES = ["pytest", "pytest-asyncio", "hypothesis", "iniconfig", "pluggy", "packaging",
                 "attrs", "sortedcontainers"]

#: The slice: the sans-I/O protocol layers, the L0 values, streams, tracing, the generator
#: runner, and the memory transport with the server, client and WebSockets over it.
SLICE = ["tests/http1", "tests/websocket", "tests/test_multidict.py", "tests/test_url.py",
         "tests/test_hdrs.py", "tests/test_streams.py", "tests/test_trace.py",
         "tests/test_gen.py", "tests/memory"]
#: Not here: anything over TCP (the "tcp" half of tests/memory, its TCP-vs-memory byte
#: comparisons), the peers (curl, h11, tornado...), and the one test that starts a thread.
DESELECT = "not tcp and not same_as_tcp and not two_loops and not peers and not subprocess"
#: These serve over TCP (TestServer, raw sockets: Pyodide has no server sockets, not even
#: socket.SO_REUSEADDR) or start a subprocess; their memory twins are tests/memory.
IGNORE = ["tests/http1/test_never_stuck.py", "tests/websocket/test_chat.py",
          "tests/websocket/test_client_raw_servers.py", "tests/websocket/test_direct_route.py",
          "tests/websocket/test_refusals.py", "tests/websocket/test_server_client.py"]
DESELECT_IDS = ["tests/test_trace.py::test_a_real_request_leaves_the_documented_hooks",
                "tests/http1/test_flow.py::test_importing_http1_pulls_in_no_io"]

RUNNER = r"""
import { loadPyodide } from "%(pyodide)s/pyodide.mjs";
const py = await loadPyodide({indexURL: "%(pyodide)s/"});
py.FS.mkdirTree("/repo");
py.FS.mount(py.FS.filesystems.NODEFS, {root: "%(root)s"}, "/repo");
py.FS.mkdirTree("/wheels");
py.FS.mount(py.FS.filesystems.NODEFS, {root: "%(wheels)s"}, "/wheels");
await py.loadPackage(["micropip"]);
await py.runPythonAsync(`
import micropip, os
await micropip.install(["emfs:/wheels/" + n for n in sorted(os.listdir("/wheels"))
                        if n.endswith(".whl")], deps=False)
`);
// pytest runs synchronously (runPython, not runPythonAsync): no Pyodide task is executing
const code = py.runPython(`
import os, sys
sys.path.insert(0, "/repo")
os.chdir("/repo")
import asyncio
from aioteach.notebook.lite import SocketlessLoop

class Policy(asyncio.DefaultEventLoopPolicy):
    def new_event_loop(self):
        return SocketlessLoop()

asyncio.set_event_loop_policy(Policy())
asyncio.events._set_running_loop(None)       # Pyodide marks its WebLoop as always running
import pytest
print(sys.version)
int(pytest.main(%(args)s))
`);
process.exit(typeof code === "number" ? code : 0);
"""


def prepare() -> pathlib.Path:
    sys.path.insert(0, str(ROOT))
    from aioteach.notebook.lite import _pyodide_version, fetch_pyodide
    tarball = fetch_pyodide(CACHE, _pyodide_version())
    pyodide = HERE / "pyodide"
    if not (pyodide / "pyodide.mjs").exists():
        shutil.rmtree(HERE, ignore_errors=True)
        with tarfile.open(tarball) as archive:
            archive.extractall(HERE, filter="data")
        shutil.move(str(HERE / "package"), str(pyodide))
        # micropip and packaging come from PyPI (the npm package has no wheels)
        lock = json.loads((pyodide / "pyodide-lock.json").read_text(encoding="utf-8"))
        wheels = HERE / "kernel-wheels"
        specs = [f"{n}=={lock['packages'][n]['version']}" for n in ("micropip", "packaging")]
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                        "--only-binary=:all:", "--python-version", "3.14", "-d", str(wheels),
                        *specs], check=True)
        import hashlib
        for name in ("micropip", "packaging"):
            entry = lock["packages"][name]
            found = next(wheels.glob(f"{name}-*.whl"))
            shutil.copy(found, pyodide / entry["file_name"])
            entry["sha256"] = hashlib.sha256(found.read_bytes()).hexdigest()
        lock["packages"] = {n: lock["packages"][n] for n in ("micropip", "packaging")}
        (pyodide / "pyodide-lock.json").write_text(json.dumps(lock), encoding="utf-8")
    wheels = HERE / "test-wheels"
    if not (wheels / "complete").exists():
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:",
                        "--platform", "any", "--python-version", "3.14", "--implementation",
                        "py", "--abi", "none", "-d", str(wheels), *TEST_PACKAGES], check=True)
        (wheels / "complete").write_text("ok\n")
    return pyodide


def main(argv: list) -> int:
    pyodide = prepare()
    args = argv or ["-q", "-p", "no:cacheprovider", "-k", DESELECT, *SLICE,
                    *[f"--ignore={path}" for path in IGNORE],
                    *[f"--deselect={test}" for test in DESELECT_IDS]]
    script = HERE / "run.mjs"
    script.write_text(RUNNER % {"pyodide": pyodide, "root": ROOT, "wheels": HERE / "test-wheels",
                                "args": json.dumps(args)}, encoding="utf-8")
    node = shutil.which("node")
    if node is None:
        print("node is needed (apt-get install nodejs)")
        return 1
    return subprocess.run([node, str(script)]).returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
