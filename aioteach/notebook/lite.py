"""``python -m aioteach lessons --lite DIR``: the lessons as a static JupyterLite site.

Theory of operation.  JupyterLite is JupyterLab with the kernel in the browser tab: Python is
Pyodide (CPython compiled to WebAssembly), the notebooks live in the browser's storage, and the
whole site is static files that any web server (GitHub Pages, a university's web space, ``python
-m http.server``) can host.  A browser tab has no sockets, so the lessons' servers run over the
in-memory transport (``aioteach.memory``; ``serve()`` picks it by itself there).

Building the site takes only the three registries these machines reach, and nothing is fetched
from a CDN when a learner opens it:

1. Pyodide itself: the npm registry's ``pyodide`` package at the version that
   ``jupyterlite-pyodide-kernel`` pins (``npm pack pyodide@VERSION``), unpacked as
   ``static/pyodide``.  That package holds the interpreter and the standard library but not
   Pyodide's own package wheels (those live on its CDN), so its ``pyodide-lock.json`` is
   rewritten to list exactly the wheels below, which sit beside it;
2. the kernel's Python packages (``KERNEL_PACKAGES``: IPython, ipywidgets, anywidget, comm ...,
   and micropip and packaging, which the kernel loads first): pure-Python wheels from PyPI
   (``pip download``), at the versions Pyodide's lock names where it names one;
3. aioteach itself, zipped into a wheel from the package folder that is running this code.

All of them are in the lock and in ``loadPyodideOptions.packages``, so the kernel loads them
as it starts: ``import aioteach`` works in the first cell, with no ``%pip install``.  PyPI as a
fallback is switched off (``disablePyPIFallback``), so a missing wheel is an error, not a
download.

Then ``jupyter lite build`` (``jupyterlite-core`` + ``jupyterlite-pyodide-kernel``) assembles the
site with every lesson in it.  Downloads are kept in ``cache`` (``build/lite-cache`` by default)
and reused by the next build.

What cannot run in a browser says so: a cell that needs an operating system (tornado's own
server, a subprocess, a real socket) starts with ``if needs_os("..."):`` and prints one line
instead of failing.  Simplification: no matplotlib or numpy in the site (Pyodide's compiled
wheels are only on its CDN, not on npm or PyPI).

A browser kernel also needs a few adjustments at run time, all here: ``asyncio_timers`` (Pyodide's
WebLoop timers made to keep asyncio's promises), ``memory_connections`` (its
``create_connection`` reaches memory servers by name) and ``run_blocking`` (a coroutine run to the end
on a ``SocketlessLoop`` where a thread would be used elsewhere: there are no threads).  Two more
are made when this module is imported there (``browser_kernel``): ``time.sleep`` blocks, as it
does on an OS (Pyodide's lets the tab's other callbacks, so the loop, run meanwhile, and lesson 05
is about what a blocking call does to the loop), and the empty ``tornado`` module the kernel puts
into ``sys.modules`` (for plotly) is taken out, so ``import tornado`` says it is not installed.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import pathlib
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from typing import Any, Dict, List, Optional, Sequence

import aioteach
from aioteach import memory

from .lessons import lesson_files

__all__ = ["build_site", "needs_os", "in_browser", "asyncio_timers", "memory_connections",
           "run_blocking", "blocking_sleep", "browser_kernel",
           "SocketlessLoop", "lite_command", "make_wheel",
           "KERNEL_PACKAGES", "DEFAULT_CACHE"]

#: What the site's kernel installs besides what jupyterlite-pyodide-kernel ships (its ipykernel
#: shim, piplite, pyodide-kernel and the widgetsnbextension shim).
KERNEL_PACKAGES = ["ipywidgets", "anywidget", "comm", "ipython", "jedi", "traitlets"]
#: Wheels ``pip download`` brings that the browser kernel does not want: the shims replace
#: widgetsnbextension, and pexpect/ptyprocess are for terminals.
UNWANTED = ("widgetsnbextension", "pexpect", "ptyprocess")
DEFAULT_CACHE = "build/lite-cache"
#: JupyterLab settings for the site: no news pop-up, every cell rendered (tests read them all).
OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                     "checkForUpdates": False},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}


def in_browser() -> bool:
    """True inside Pyodide (JupyterLite): no sockets, no subprocesses, no threads."""
    return sys.platform == "emscripten"


def needs_os(what: str) -> bool:
    """``if needs_os("tornado's own server"):`` at the top of a cell that needs an OS.

    True where there is one; in a browser kernel it prints why the cell is skipped and is
    False, so Run All goes on to the next cell.
    """
    if not in_browser():
        return True
    print(f"skipped in the browser: {what} needs an operating system; run this lesson in "
          f"Jupyter on your computer to see it (pip install 'aioteach[notebook]').")
    return False


def blocking_sleep(seconds: float) -> None:
    """``time.sleep`` as on an OS: the calling thread, here the tab's kernel, does nothing else."""
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pass


def browser_kernel() -> None:
    """The adjustments made once when this module is imported in a browser kernel."""
    if time.sleep is not blocking_sleep:
        time.sleep = blocking_sleep  # type: ignore[assignment]  # a float is all a lesson passes
    for name in ("tornado.gen", "tornado"):      # the kernel's stand-ins have no import spec
        module = sys.modules.get(name)
        if module is not None and getattr(module, "__spec__", None) is None:
            del sys.modules[name]


class WebLoopTimer(asyncio.TimerHandle):
    """A TimerHandle (``when()``) whose call is carried by one of Pyodide's setTimeout Handles."""

    inner: Optional[asyncio.Handle] = None

    def cancel(self) -> None:
        if self.inner is not None:
            self.inner.cancel()
        asyncio.Handle.cancel(self)       # (WebLoop keeps no timer heap to tell)


def asyncio_timers(loop: asyncio.AbstractEventLoop) -> None:
    """Make Pyodide's WebLoop keep asyncio's timer promises (once per loop class).

    Pyodide's ``call_later``/``call_at`` return a plain ``Handle`` (asyncio promises a
    ``TimerHandle``, with ``when()``) and refuse a time in the past with ValueError (asyncio
    runs it soon).  aioteach's server re-arms its timers by asking ``when()``, and a deadline
    may be in the past by the time it is set, so ``serve()`` calls this in a browser kernel.
    """
    cls: Any = type(loop)             # WebLoop: its methods are replaced, so typed loosely
    if getattr(cls, "aioteach_timers", False) or not hasattr(cls, "call_later"):
        return
    if cls.call_later is asyncio.BaseEventLoop.call_later:
        return      # asyncio's own timers (a SocketlessLoop): they keep the promises already,
        # and their call_later calls self.call_at, so wrapping them would recurse for ever
    plain_call_later = cls.call_later

    def call_at(self: Any, when: float, callback: Any, *args: Any, context: Any = None) -> Any:
        timer = WebLoopTimer(when, callback, args, self, context)
        delay = max(0.0, when - self.time())
        timer.inner = plain_call_later(self, delay, timer._run)
        return timer

    def call_later(self: Any, delay: float, callback: Any, *args: Any,
                   context: Any = None) -> Any:
        return call_at(self, self.time() + delay, callback, *args, context=context)

    cls.call_at, cls.call_later = call_at, call_later
    cls.aioteach_timers = True


class NoSelector:
    """A selector with nothing to select: the clock is all a socketless loop waits for."""

    def select(self, timeout: Optional[float] = None) -> list:
        if timeout is None:
            raise RuntimeError("nothing can wake this loop: every task waits for something "
                               "that no timer and no memory connection will deliver")
        if timeout > 0:
            time.sleep(timeout)
        return []

    def close(self) -> None:
        pass


class SocketlessLoop(asyncio.BaseEventLoop):
    """An asyncio loop with no selector, for memory connections and timers only.

    A browser kernel cannot block its own loop, nor start a thread to run another; a check
    that must answer synchronously (an exercise checker) runs its coroutine here instead,
    in the calling thread, with the servers it needs on the memory transport.
    """

    def __init__(self) -> None:
        super().__init__()
        self._selector = NoSelector()

    def _process_events(self, event_list: list) -> None:
        pass

    def _write_to_self(self) -> None:
        pass                             # nobody in another thread can wake us: there is none


def run_blocking(coroutine: Any) -> Any:
    """Run ``coroutine`` to the end on a SocketlessLoop, even inside a running loop."""
    # Discussion: asyncio keeps "the running loop" and, since 3.12, "the task being executed"
    # per thread; a cell's task is both.  They are set aside (private asyncio calls, the same
    # ones nest_asyncio makes) while the inner loop runs, and put back before we return.
    outer = asyncio.events._get_running_loop()
    outer_task = asyncio.current_task(outer) if outer is not None else None
    if outer is not None and outer_task is not None:
        asyncio.tasks._leave_task(outer, outer_task)
    asyncio.events._set_running_loop(None)
    loop = SocketlessLoop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()
        asyncio.events._set_running_loop(outer)
        if outer is not None and outer_task is not None:
            asyncio.tasks._enter_task(outer, outer_task)


def memory_connections(loop: asyncio.AbstractEventLoop) -> None:
    """Let ``loop.create_connection(host, port)`` reach memory servers by name (once per class).

    A browser kernel's loop can connect nowhere, so a lesson's raw-socket cell
    (``asyncio.open_connection(server.host, server.port)``) would fail; with this it reaches
    the memory server ``server.host`` names, with the same bytes.  Any other host is as before.
    """
    cls: Any = type(loop)
    if getattr(cls, "aioteach_memory", False):
        return
    plain_create_connection = cls.create_connection

    async def create_connection(self: Any, protocol_factory: Any, host: Any = None,
                                port: Any = None, **kwargs: Any) -> Any:
        if memory.serving(host):
            return await memory.connect_memory(protocol_factory, host)
        return await plain_create_connection(self, protocol_factory, host, port, **kwargs)

    cls.create_connection = create_connection
    cls.aioteach_memory = True


def _run(command: Sequence[str], cwd: Optional[pathlib.Path] = None) -> None:
    print("$", " ".join(command), flush=True)
    subprocess.run(list(command), cwd=cwd, check=True)


def _pyodide_version() -> str:
    from jupyterlite_pyodide_kernel.constants import PYODIDE_VERSION
    return str(PYODIDE_VERSION)


def fetch_pyodide(cache: pathlib.Path, version: str) -> pathlib.Path:
    """The npm tarball of ``pyodide@version`` in ``cache`` (``npm pack`` it if missing)."""
    tarball = cache / f"pyodide-{version}.tgz"
    if not tarball.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is needed once, to fetch the pyodide package (apt-get "
                               "install npm), or put pyodide-VERSION.tgz into the cache")
        cache.mkdir(parents=True, exist_ok=True)
        _run([npm, "pack", f"pyodide@{version}", "--pack-destination", str(cache)])
    return tarball


def download_wheels(cache: pathlib.Path, lock: Dict[str, dict]) -> pathlib.Path:
    """Pure-Python wheels of KERNEL_PACKAGES (and micropip, packaging) in one folder."""
    specs = []
    for name in KERNEL_PACKAGES + ["micropip", "packaging"]:
        entry = lock.get(name)
        specs.append(f"{name}=={entry['version']}" if entry else name)
    key = hashlib.sha256(" ".join(specs).encode()).hexdigest()[:12]
    folder = cache / f"wheels-{key}"
    if not (folder / "complete").exists():
        _run([sys.executable, "-m", "pip", "download", "--only-binary=:all:", "--platform",
              "any", "--python-version", "3.14", "--implementation", "py", "--abi", "none",
              "-d", str(folder), *specs])
        (folder / "complete").write_text(" ".join(specs) + "\n")
    return folder


def make_wheel(out_dir: pathlib.Path, version: Optional[str] = None) -> pathlib.Path:
    """Zip the running aioteach package into a pure-Python wheel (PEP 427) in ``out_dir``."""
    package = pathlib.Path(aioteach.__file__).resolve().parent
    version = version or aioteach.__version__
    dist_info = f"aioteach-{version}.dist-info"
    files: Dict[str, bytes] = {}
    for path in sorted(package.rglob("*")):
        if path.is_file() and (path.suffix == ".py" or path.name == "py.typed"):
            files[f"aioteach/{path.relative_to(package).as_posix()}"] = path.read_bytes()
    files[f"{dist_info}/METADATA"] = (f"Metadata-Version: 2.1\nName: aioteach\nVersion: "
                                      f"{version}\nRequires-Python: >=3.10\n").encode()
    files[f"{dist_info}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: aioteach.notebook.lite\n"
                                   b"Root-Is-Purelib: true\nTag: py3-none-any\n")
    record = [f"{name},sha256={_digest(data)},{len(data)}" for name, data in files.items()]
    files[f"{dist_info}/RECORD"] = ("\n".join(record + [f"{dist_info}/RECORD,,"]) + "\n").encode()
    out_dir.mkdir(parents=True, exist_ok=True)
    wheel = out_dir / f"aioteach-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), data)
    return wheel


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def wheel_entry(wheel: pathlib.Path, known: Sequence[str]) -> dict:
    """A pyodide-lock entry for a pure-Python wheel: name, version, imports, depends.

    ``depends`` keeps only requirements that apply in a browser (markers evaluated for
    Emscripten) and that ``known`` (the site's packages) has; the shims cover the rest.
    """
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
    environment = {"sys_platform": "emscripten", "platform_system": "Emscripten",
                   "python_version": "3.14", "python_full_version": "3.14.2",
                   "implementation_name": "cpython", "extra": ""}
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
        fields = [line.split(": ", 1) for line in
                  archive.read(meta).decode("utf-8").split("\n\n", 1)[0].splitlines()
                  if ": " in line]
    info: Dict[str, List[str]] = {}
    for key, value in fields:
        info.setdefault(key, []).append(value)
    depends = []
    for text in info.get("Requires-Dist", []):
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        if name in known and (requirement.marker is None
                              or requirement.marker.evaluate(environment)):
            depends.append(name)
    imports = sorted({n.split("/")[0].removesuffix(".py") for n in names
                      if not n.split("/")[0].endswith((".dist-info", ".data"))})
    return {"name": canonicalize_name(info["Name"][0]), "version": info["Version"][0],
            "file_name": wheel.name, "install_dir": "site", "package_type": "package",
            "imports": imports, "depends": sorted(set(depends)), "unvendored_tests": False,
            "shared_library": False, "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest()}


def stage_pyodide(tarball: pathlib.Path, wheels: Sequence[pathlib.Path],
                  target: pathlib.Path) -> List[str]:
    """Unpack Pyodide into ``target`` with ``wheels`` beside it and a lock of just those.

    The kernel then loads them when it starts (``loadPyodideOptions.packages``): ``import
    aioteach`` works in the first cell, with no ``%pip install``.  Returns their names.
    """
    from packaging.utils import canonicalize_name
    with tarfile.open(tarball) as archive:
        archive.extractall(target.parent / "npm", filter="data")
    shutil.move(str(target.parent / "npm" / "package"), str(target))
    lock_path = target / "pyodide-lock.json"
    lock = json.loads(lock_path.read_text(encoding="utf-8"))
    known = [canonicalize_name(w.name.split("-")[0]) for w in wheels]
    packages = {}
    for wheel in wheels:
        shutil.copy(wheel, target / wheel.name)
        entry = wheel_entry(target / wheel.name, known)
        packages[entry["name"]] = entry
    lock["packages"] = packages
    lock_path.write_text(json.dumps(lock, indent=1), encoding="utf-8")
    return sorted(packages)


def build_site(out: str, lessons: Sequence[pathlib.Path], cache: str = DEFAULT_CACHE) -> float:
    """Build the JupyterLite site in ``out`` (replaced if it exists); returns seconds taken."""
    started = time.monotonic()
    cache_dir = pathlib.Path(cache).resolve()
    version = _pyodide_version()
    tarball = fetch_pyodide(cache_dir, version)
    with tarfile.open(tarball) as archive:
        member = archive.extractfile("package/pyodide-lock.json")
        lock = json.load(member)["packages"] if member else {}
    wheels = download_wheels(cache_dir, lock)
    stage = cache_dir / "stage"
    shutil.rmtree(stage, ignore_errors=True)
    (stage / "static").mkdir(parents=True)
    chosen = [w for w in sorted(wheels.glob("*.whl")) if not w.name.startswith(UNWANTED)]
    chosen.append(make_wheel(stage / "aioteach-wheel"))
    packages = stage_pyodide(tarball, chosen, stage / "static" / "pyodide")
    files = stage / "files"
    files.mkdir()
    for lesson in lessons:
        (files / lesson.name).write_bytes(lesson.read_bytes())
    settings = {"@jupyterlite/pyodide-kernel-extension:kernel": {
        "disablePyPIFallback": True, "loadPyodideOptions": {"packages": packages}}}
    (stage / "jupyter-lite.json").write_text(json.dumps({
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {"appName": "aioteach lessons", "litePluginSettings": settings},
    }, indent=2), encoding="utf-8")
    (stage / "overrides.json").write_text(json.dumps(OVERRIDES, indent=2), encoding="utf-8")
    output = pathlib.Path(out).resolve()
    shutil.rmtree(output, ignore_errors=True)
    _run([sys.executable, "-m", "jupyter", "lite", "build", "--lite-dir", str(stage),
          "--contents", str(files), "--output-dir", str(output), "--no-sourcemaps"], cwd=stage)
    (output / ".nojekyll").write_text("")    # GitHub Pages: serve the files as they are
    return time.monotonic() - started


def lite_command(target: str, cache: str = DEFAULT_CACHE) -> int:
    """``lessons --lite DIR``: build the site; say how to serve it.  0, or 1 with the reason."""
    try:
        import jupyterlite_core  # noqa: F401  (plug-in point: the site builder is optional)
        import jupyterlite_pyodide_kernel  # noqa: F401
    except ImportError:
        print("building the site needs jupyterlite-core and jupyterlite-pyodide-kernel: "
              "pip install 'aioteach[lite]'")
        return 1
    lessons = [pathlib.Path(str(lesson)) for lesson in lesson_files()]
    try:
        seconds = build_site(target, lessons, cache)
    except (subprocess.CalledProcessError, RuntimeError, OSError) as exc:
        print(f"the JupyterLite build failed: {exc}")
        return 1
    size = sum(p.stat().st_size for p in pathlib.Path(target).rglob("*") if p.is_file())
    print(f"built {target} in {seconds:.0f} s ({size / 2 ** 20:.0f} MiB, {len(lessons)} "
          f"lessons); try it: python -m http.server --bind 127.0.0.1 -d {target} 8000, then "
          f"open http://127.0.0.1:8000/lab/index.html")
    return 0


def _main(argv: List[str]) -> int:     # python -m aioteach.notebook.lite DIR
    return lite_command(argv[0] if argv else "build/lite")


if in_browser():
    browser_kernel()

if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
