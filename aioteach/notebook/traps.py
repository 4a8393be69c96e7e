"""The classic traps of asyncio in a notebook, each turned into an explanation with a fix.

Theory of operation.  A Jupyter kernel runs an asyncio loop and runs your cells *on* it.  These
mistakes follow from that, and each fails in a way that does not name its cause:

    asyncio.run(main())             RuntimeError: cannot be called from a running event loop
    loop.run_until_complete(c)      RuntimeError: This event loop is already running
    urllib.request.urlopen(own)     hangs: the loop that should answer is blocked by the call
    on_click(button, fetch())       a coroutine object where a function belongs
    time.sleep(1) in a handler      nothing: every other request (and the kernel) waits a second
    with session.get(url) as r      TypeError: an *asynchronous* context manager needs async with
    r = session.get(url); r.status  AttributeError: the request was never sent (no await)
    body = r.text(); body.upper()   AttributeError: 'coroutine' object (no await)
    button.on_click(async_fn)       nothing happens: the coroutine is created, never awaited

``explain(exc)`` names the cause and the fix for a caught exception (``explain()`` alone looks
at the last error of the session); ``show_explained(exc)`` shows a caught one as a failed cell
would show it (the box with the sentence, then the error's line), for a lesson that makes the
mistake on purpose and goes on.

The traps are ON by default: ``import aioteach.notebook`` inside IPython, or any ``serve()`` /
``web.run_app()`` in a cell, calls ``install_default_traps()``.  They are:

* ``http.client``: a blocking call (``urllib``, ``requests``: both use ``http.client``) from
  the kernel's loop thread to a server on that same loop is refused at once with a
  ``BlockingCallError`` that explains itself, instead of hanging until a timeout;
* IPython: when a cell fails with one of the mistakes above, one sentence naming the cause and
  the fix is shown *above* Python's traceback, and the traceback keeps only the frames of your
  own code (the cell's lines, and your modules'): the library frames under them (urllib,
  asyncio, aioteach) say nothing about the mistake and push the sentence off the screen.  The
  whole traceback stays on the exception (``traceback.print_exception(exc)``).  A coroutine
  that the failed ``asyncio.run`` never started is closed, so no "never awaited" warning
  follows;
* warnings: a "coroutine ... was never awaited" warning gets the same kind of sentence;
* ``time.sleep`` (``sleeptrap``): called (0.05 s or longer) by a handler of an aioteach server
  on the loop's thread, it still sleeps, and the first time per function the sentence says
  that the loop slept with it and how to wait instead.

They never change what correct code does: each acts only where the code would fail or hang.
``uninstall_traps()`` switches them off for the rest of the session (a later ``serve()`` does
not switch them on again); ``install_traps()`` switches them on explicitly.

``allow_nested()`` applies nest-asyncio when a lesson asks for it; ``check()`` reports what this
kernel is running.
"""
from __future__ import annotations

import asyncio
import errno
import html
import http.client
import inspect
import os
import sys
import sysconfig
import threading
import types
import warnings
from typing import Any, Dict, List, Optional, Tuple

from . import sleeptrap
from .handle import REGISTRY

__all__ = ["explain", "show_explained", "your_frames", "install_traps", "uninstall_traps", "install_default_traps",
           "allow_nested", "check", "BlockingCallError", "HINTS", "traps_installed"]


class BlockingCallError(RuntimeError):
    """A blocking HTTP call from the kernel's loop to a server on that same loop."""


RUN_HINT = ("this kernel already runs an event loop, and your cell runs on it, so a second "
            "loop cannot start here. Fix: use `await coro` directly in the cell instead "
            "(a notebook cell may await at top level).")

ASYNC_WITH_HINT = ("ClientSession() and session.get(...) are asynchronous context managers: "
                   "opening and closing them waits on the network, so plain `with` cannot "
                   "use them. Fix: write `async with` (inside `async def`, or directly in a "
                   "cell): `async with aioteach.ClientSession() as session:` and "
                   "`async with session.get(url) as response:`.")

FORGOT_AWAIT_HINT = ("this value is a coroutine object, not its result: an `async def` function "
                     "(such as response.text() or response.json()) was called without `await`, "
                     "so it has not run yet. Fix: `await` the call, e.g. "
                     "`body = await response.text()`.")

FORGOT_AWAIT_GET_HINT = ("session.get(url) (or .post, .request...) gives a request that has not "
                         "been sent yet, not a response. Fix: `async with session.get(url) as "
                         "response:`, or `response = await session.get(url)`.")

NOTHING_LISTENS = ("nothing listens on that port: did the cell that starts the server run, or "
                   "was it stopped? aioteach.notebook.list_servers() lists the servers this "
                   "kernel runs.")

NO_SOCKETS = ("a browser tab has no sockets, so only the servers this tab runs (serve(app) gives "
              "them http://memory-1, http://memory-2 ...) can be reached. Fix: ask server.url; "
              "for other hosts, run the lesson in Jupyter on your computer.")

#: (exception type, words in its message) -> what happened and what to do.  Checked in order.
HINTS: List[Tuple[type, str, str]] = [
    (RuntimeError, "asyncio.run() cannot be called from a running event loop",
     "asyncio.run() starts a new event loop, but " + RUN_HINT),
    (RuntimeError, "this event loop is already running",
     "loop.run_until_complete() needs a loop that is not running, but " + RUN_HINT),
    (RuntimeError, "cannot run the event loop while another loop is running",
     "a second loop cannot run in this thread: " + RUN_HINT),
    (BlockingCallError, "",
     "a blocking call (urllib, requests) to a server on this kernel's own loop can never be "
     "answered: the loop that would answer is busy waiting for the call. Fix: `async with "
     "aioteach.ClientSession() as s:` and `await s.get(url)` in the cell, or serve the app "
     "with serve(app, mode='thread') if the call must block."),
    (OSError, "address already in use",
     "another server holds this port, often one started by an earlier run of this cell with "
     "web.run_app or AppRunner. Fix: start servers with aioteach.notebook.serve(app, port=...) "
     "(it stops the previous one on the same port), call aioteach.notebook.stop_all(), or "
     "use port=0."),
    (OSError, "cannot open sockets", NO_SOCKETS),              # a browser kernel (Pyodide)
    (ConnectionRefusedError, "", NOTHING_LISTENS),
    (OSError, "cannot connect to host", NOTHING_LISTENS),      # the client's wrapper of it
    (TypeError, "got a coroutine object",
     "a coroutine object was passed where a function belongs: `fetch()` with parentheses "
     "already called the function, and the widget needs the function itself to call on every "
     "click. Fix: drop the parentheses, e.g. `on_click(button, fetch)`."),
    (TypeError, "asynchronous context manager", ASYNC_WITH_HINT),
    (TypeError, "does not support the context manager protocol", ASYNC_WITH_HINT),
    (AttributeError, "__enter__", ASYNC_WITH_HINT),           # Python 3.10's wording
    (AttributeError, "'coroutine' object has no attribute", FORGOT_AWAIT_HINT),
    (TypeError, "'coroutine'", FORGOT_AWAIT_HINT),    # not subscriptable, no len(), not iterable
    (AttributeError, "'requestcontextmanager' object has no attribute", FORGOT_AWAIT_GET_HINT),
    (TypeError, "'requestcontextmanager' object", FORGOT_AWAIT_GET_HINT),
    (TypeError, "can't be used in 'await' expression",
     "you awaited something that is not awaitable, often the *result* of a plain function. "
     "Fix: await coroutines (calls of `async def` functions), tasks and futures only."),
    (RuntimeWarning, "was never awaited",
     "an `async def` function was called without `await`: calling it only creates a "
     "coroutine object. Fix: `await fn()` in a cell or coroutine; for widget buttons use "
     "aioteach.notebook.on_click(button, fn), which schedules it for you."),
]


def explain(exc: Optional[BaseException] = None) -> Optional[str]:
    """The cause and the fix for ``exc`` (default: the session's last error), or None."""
    if exc is None:
        exc = getattr(sys, "last_exc", None) or getattr(sys, "last_value", None)   # 3.12 / older
        if exc is None:
            return None
    message = str(exc).lower()
    for kind, words, hint in HINTS:
        if isinstance(exc, kind) and words.lower() in message:
            if hint is ASYNC_WITH_HINT and not _about_async_with(message):
                continue
            return hint
    if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
        return explain(OSError("address already in use"))
    return None


def _about_async_with(message: str) -> bool:
    """A ``with`` error about one of the client's asynchronous context managers."""
    return any(word in message for word in ("async with", "session", "requestcontextmanager",
                                            "__enter__", "websocket"))


# -- the blocking-call trap: http.client is where urllib and requests meet -----------------------
_ORIGINAL: Dict[str, Any] = globals().get("_ORIGINAL", {})
LOOPBACK = {"127.0.0.1", "localhost", "::1", "0.0.0.0", ""}


def _own_server(host: str, port: int) -> Any:
    """The kernel-mode server this thread's running loop serves on (host, port), if any."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    for handle in list(REGISTRY.values()):
        same_host = host == handle.host or (host in LOOPBACK and handle.host in LOOPBACK)
        if (handle.port == port and same_host and handle.mode == "kernel"
                and handle.loop is loop and handle.running):
            return handle
    return None


def _guarded_putrequest(self: http.client.HTTPConnection, method: str, url: str,
                        *args: Any, **kwargs: Any) -> Any:
    handle = _own_server(self.host, self.port or 80)
    if handle is not None:
        raise BlockingCallError(
            f"{method} {handle.url}{url if url.startswith('/') else ''} is a blocking call "
            f"to a server that runs on this kernel's own loop, on thread "
            f"{threading.current_thread().name!r}: the loop cannot answer while this call "
            f"waits for it, so it would hang until a timeout. Fix: use `async with "
            f"aioteach.ClientSession() as s: await s.get(url)` in the cell, or start the server "
            f"with serve(app, mode='thread').")
    return _ORIGINAL["putrequest"](self, method, url, *args, **kwargs)


def _close_unstarted_coroutines(tb: Any) -> None:
    """Close the coroutine a failed ``asyncio.run(main())`` never started (no warning later)."""
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_globals.get("__name__", "").startswith("asyncio."):
            for value in list(frame.f_locals.values()):
                if inspect.iscoroutine(value) and \
                        inspect.getcoroutinestate(value) == inspect.CORO_CREATED:
                    value.close()
        tb = tb.tb_next


def show_hint(hint: str) -> None:
    """Show ``aioteach explains: <hint>`` as its own output (not pink stderr) in IPython."""
    text = f"aioteach explains: {hint}"
    try:
        from IPython.display import display
    except ImportError:
        print(text)
        return
    box = ('<div style="border-left:4px solid #f9a825;background:#fffde7;padding:4px 8px;'
           'font-family:sans-serif">')
    display({"text/plain": text,
             "text/html": f"{box}<b>aioteach explains:</b> {html.escape(hint)}</div>"},
            raw=True)


def show_explained(exc: BaseException) -> Optional[str]:
    """Show a caught ``exc`` as a failed cell shows it: the sentence's box, then the error line.

    Returns the sentence (None when the traps know no explanation for ``exc``).
    """
    hint = explain(exc)
    if hint:
        show_hint(hint)
    print(f"{type(exc).__name__}: {exc}")
    return hint


#: Folders whose frames are library code: the standard library, installed packages, aioteach.
LIBRARY_FOLDERS = tuple({os.path.realpath(sysconfig.get_paths()[name]) + os.sep
                         for name in ("stdlib", "platstdlib", "purelib", "platlib")}
                        | {os.path.dirname(os.path.dirname(os.path.realpath(__file__))) + os.sep})


def your_frames(tb: Any) -> Any:
    """The traceback ``tb`` cut at the first library frame *after* a frame of your code.

    Leading library frames stay (IPython's own first frame, which its traceback skips); a
    traceback without a frame of yours is returned whole.
    """
    def library(frame_tb: Any) -> bool:
        filename = os.path.realpath(frame_tb.tb_frame.f_code.co_filename)
        return filename.startswith(LIBRARY_FOLDERS) and os.path.exists(filename)

    kept, yours, cut = [], False, False
    while tb is not None:
        if library(tb) and yours:
            cut = True
            break
        yours = yours or not library(tb)
        kept.append(tb)
        tb = tb.tb_next
    if not cut:
        return kept[0] if kept else None
    rebuilt = None
    for frame_tb in reversed(kept):
        rebuilt = types.TracebackType(rebuilt, frame_tb.tb_frame, frame_tb.tb_lasti,
                                      frame_tb.tb_lineno)
    return rebuilt


def _ipython_hook(shell: Any, etype: type, value: BaseException, tb: Any,
                  tb_offset: Optional[int] = None) -> Any:
    hint = explain(value)
    if hint:
        _close_unstarted_coroutines(tb)
        show_hint(hint)          # above the traceback: the sentence is what to read first
        tb = your_frames(tb)     # and under it, where in *your* code, not urllib's innards
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)


def _showwarning(message: Any, category: type, filename: str, lineno: int, file: Any = None,
                 line: Optional[str] = None) -> None:
    _ORIGINAL["showwarning"](message, category, filename, lineno, file, line)
    if issubclass(category, RuntimeWarning) and "was never awaited" in str(message):
        hint = explain(RuntimeWarning(str(message)))
        if hint:
            print(f"aioteach explains: {hint}", file=file or sys.stderr)


_STATE: Dict[str, bool] = globals().get("_STATE", {"off": False})


def traps_installed() -> bool:
    """Whether the traps are on now."""
    return "putrequest" in _ORIGINAL


def install_default_traps() -> None:
    """Switch the traps on unless the learner switched them off (``uninstall_traps()``)."""
    if not _STATE["off"] and not traps_installed():
        install_traps()


def install_traps() -> List[str]:
    """Switch on the traps; returns what was installed.  Idempotent; ``uninstall_traps()``."""
    _STATE["off"] = False
    installed = []
    if "putrequest" not in _ORIGINAL:
        _ORIGINAL["putrequest"] = http.client.HTTPConnection.putrequest
        http.client.HTTPConnection.putrequest = _guarded_putrequest   # type: ignore[method-assign]
    installed.append("http.client: blocking calls to this kernel's own servers fail at once")
    if "showwarning" not in _ORIGINAL:
        _ORIGINAL["showwarning"] = warnings.showwarning
        warnings.showwarning = _showwarning
    installed.append("warnings: 'coroutine ... was never awaited' is explained")
    sleeptrap.install(lambda hint: show_hint(hint))
    installed.append("time: time.sleep in a handler on a loop is explained, once per function")
    shell = _shell()
    if shell is not None:
        shell.set_custom_exc((RuntimeError, OSError, TypeError, AttributeError), _ipython_hook)
        _STATE["hooked"] = True
        installed.append("IPython: the classic mistakes are explained above the traceback")
    return installed


def uninstall_traps() -> None:
    """Switch the traps off for this session: a later ``serve()`` leaves them off."""
    _STATE["off"] = True
    original = _ORIGINAL.pop("putrequest", None)
    if original is not None:
        http.client.HTTPConnection.putrequest = original            # type: ignore[method-assign]
    sleeptrap.uninstall()
    showwarning = _ORIGINAL.pop("showwarning", None)
    if showwarning is not None and warnings.showwarning is _showwarning:
        warnings.showwarning = showwarning
    shell = _shell()
    if shell is not None and _STATE.get("hooked"):
        shell.set_custom_exc((), None)
        _STATE["hooked"] = False


def _shell() -> Any:
    if "IPython" not in sys.modules:       # not inside IPython: nothing to hook
        return None
    from IPython import get_ipython
    return get_ipython()


def allow_nested() -> str:
    """Make ``asyncio.run`` and ``run_until_complete`` work in a cell; returns the module used.

    It applies ``nest_asyncio2`` when installed, else ``nest_asyncio``.  What they patch: the
    running loop's ``run_until_complete``/``run_forever`` become re-entrant (a nested call runs
    the loop's ready callbacks itself until its future is done), and ``asyncio.run`` is
    replaced by one that reuses the running loop.

    Why nest_asyncio2 first: nest-asyncio is archived (no longer maintained).  It breaks where
    asyncio moved on: on Python 3.12+ its ``asyncio.run`` does not take ``loop_factory``, and on
    3.14 its swap to the pure-Python Task breaks ``asyncio.current_task()`` (and so
    ``asyncio.timeout``, ``all_tasks()`` and every library relying on them).  nest-asyncio2 is
    its maintained fork, the one ipykernel 7.3+ itself depends on; it keeps ``loop_factory``
    and leaves the C Task alone on 3.14.

    Why the project uses it nowhere else: the patch affects the whole process, for good, and it
    hides the real lesson: in a notebook, ``await`` is the answer.  Use this in the lesson that
    shows the failure, on request only.
    """
    try:
        import nest_asyncio2 as nest     # type: ignore[import-untyped]  # ships no types
    except ImportError:
        import nest_asyncio as nest
    nest.apply()
    return nest.__name__


def check() -> Dict[str, Any]:
    """What this kernel runs: loop, IPython, widgets, nest_asyncio, servers.  Printed too."""
    try:
        loop: Any = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    report: Dict[str, Any] = {
        "python": sys.version.split()[0],
        "running loop": type(loop).__name__ if loop is not None else None,
        "inside IPython": _shell() is not None,
        "nest_asyncio applied": bool(getattr(loop, "_nest_patched", False)),
        "traps installed": "putrequest" in _ORIGINAL,
        "servers": [repr(h) for h in REGISTRY.values()],
    }
    for package in ("ipywidgets", "matplotlib"):
        try:
            # plug-in point: optional packages, imported only to report their versions
            report[package] = __import__(package).__version__
        except ImportError:
            report[package] = None
    width = max(len(key) for key in report)
    for key, value in report.items():
        print(f"{key:<{width}}  {value}")
    return report
