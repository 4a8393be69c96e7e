"""Servers inside a notebook: ``serve(app)`` starts one in the background and returns a handle.

Theory of operation.  A Jupyter kernel already runs an asyncio loop, so the script pattern
(``web.run_app(app)``, which runs a loop of its own until Ctrl-C) cannot work in a cell.  Instead
``serve(app)`` binds the listening socket *synchronously*, before the cell returns, and lets the
server run in the background (``handle.py`` has the details of the two modes, "kernel" and
"thread").  ``web.run_app(app)`` in a cell hands over to ``serve()``, so it follows the same
rules.

Ports.  ``port=None`` (the default) takes a free port on 127.0.0.1 from the operating system,
so thirty learners on one JupyterHub, or two kernels running the same lesson, never collide.
Cells name the server by ``handle.url``, never by a number.  An explicit ``port=8701`` still
works; a port another program holds fails at once with the fix.

The registry: why re-running a cell never leaves a second server.  Every server is filed under
a *key*; serving under a key that is in use stops the server filed there first.  The key is,
in this order:

1. ``name="..."`` when given: the same name is the same server, wherever it is served from;
2. the cell: JupyterLab sends each cell's id with its code, so re-running the cell (edited or
   not) replaces what it served.  The n-th ``serve()`` of one run of a cell is ("cell", id, n),
   so a cell that serves two apps keeps both;
3. elsewhere (nbclient, terminal IPython): the caller's source location (file, line), again
   with the n-th call of the current run.  An unchanged cell that is re-run has the same file
   name in ipykernel (it is a hash of the cell's code).  Outside IPython (a script, a test)
   nothing is ever re-run, so every call gets a key of its own.

Independently of the key, an explicit port held by a server of this process stops that server
first (the old rule).  One app may run on two ports under two keys.  ``stop()``, ``stop_all()`` and ``restart()`` work as before.

Transports.  ``transport="tcp"`` listens on a port; ``transport="memory"`` listens under a name
in this process (``aioteach.memory``; ``handle.url`` is ``http://memory-N``), which a
``ClientSession`` here reaches without a socket, and so do the widgets, the wire views, the
tracing and the live timeline.  ``transport=None`` (the default) is ``"memory"`` where there are
no sockets (``sys.platform == "emscripten"``: Pyodide, JupyterLite) and ``"tcp"`` elsewhere;
there, a server always runs on the kernel's loop (a browser kernel has no threads to run one).

Kernel shutdown.  ``atexit`` closes every listening socket and runs the apps' cleanup hooks
where a loop can still run them, so a lesson's last cell does not need ``stop_all()``: it can
show ``list_servers()`` (a list that displays as "what runs, and how to stop it").

Rules: the registry lives in the module's globals and survives ``importlib.reload``.
"""
from __future__ import annotations

import asyncio
import atexit
import contextvars
import html
import os
import sys
from types import FrameType
from typing import Any, Dict, List, Optional, Tuple

from .handle import (REGISTRY, THREAD_TIMEOUT, ServerHandle, Stopping, background_loop, bind,
                     running_loop, web_for)
from .lite import asyncio_timers, memory_connections
from .requestlog import RequestRecord
from .traps import install_default_traps

__all__ = ["serve", "stop_all", "list_servers", "ServerList", "ServerHandle", "RequestRecord",
           "Stopping", "background_loop", "registry_key", "REGISTRY", "web_for", "bind",
           "THREAD_TIMEOUT", "QUIET", "default_transport"]

# the part of a key before "n-th call" -> (the run it was counted in, calls so far)
_CALLS: Dict[Any, Tuple[Any, int]] = globals().get("_CALLS", {})
#: True while ``both_ways`` runs code: serve() then prints nothing (its output is the code's).
QUIET: "contextvars.ContextVar[bool]" = globals().get(
    "QUIET", contextvars.ContextVar("aioteach_quiet_serve", default=False))
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # aioteach/


def _kernel_parent() -> Dict[str, Any]:
    """The message the kernel is answering now (an execute_request), or {} outside a kernel."""
    if "IPython" not in sys.modules:
        return {}
    from IPython import get_ipython
    kernel = getattr(get_ipython(), "kernel", None)
    try:
        parent = kernel.get_parent() if kernel is not None else None
    except Exception:                 # an ipykernel without get_parent(): no cell ids
        return {}
    return parent if isinstance(parent, dict) else {}


def _caller() -> Tuple[str, int]:
    """(file, line) of the first frame outside the aioteach package: the cell or the script."""
    frame: Optional[FrameType] = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
    if frame is None:
        return ("?", 0)
    return (frame.f_code.co_filename, frame.f_lineno)


def registry_key(name: Optional[str] = None) -> Any:
    """The key ``serve()`` files a server under when called from here (see the module doc)."""
    if name is not None:
        return ("name", name)
    parent = _kernel_parent()
    cell = (parent.get("metadata") or {}).get("cellId")
    base: Tuple[Any, ...] = ("cell", cell) if cell else ("at",) + _caller()
    run = (parent.get("header") or {}).get("msg_id")
    if run is None and "IPython" in sys.modules:
        from IPython import get_ipython
        run = getattr(get_ipython(), "execution_count", None)
    last_run, count = _CALLS.get(base, (None, -1))
    # a new run of the cell counts from 0 again; with no runs to tell apart (a script, which
    # never re-runs a line) every call is a server of its own
    count = count + 1 if run is None or run == last_run else 0
    _CALLS[base] = (run, count)
    return base + (count,)


def _previous(key: Any, host: str, port: Optional[int]) -> List[ServerHandle]:
    """The servers a new one replaces: the one under the same key, and one on the same port."""
    found = [REGISTRY[key]] if key in REGISTRY else []
    for handle in list(REGISTRY.values()):
        if handle not in found and port and handle.host == host and handle.port == port:
            found.append(handle)
    return found


def default_transport() -> str:
    """``"memory"`` where sockets are unavailable (Pyodide: ``sys.platform == "emscripten"``)."""
    return "memory" if sys.platform == "emscripten" else "tcp"


def serve(app: Any, host: str = "127.0.0.1", port: Optional[int] = None, mode: str = "kernel",
          *, name: Optional[str] = None, quiet: bool = False,
          transport: Optional[str] = None) -> ServerHandle:
    """Serve ``app`` in the background and return its ``ServerHandle`` (``handle.url``).

    ``port=None`` (or 0) takes a free port; an explicit port works too.  Re-running the cell
    replaces the server it started before (``name=`` files it under a name of your choice
    instead: see the module doc).  ``mode="kernel"`` serves on the running loop; ``"thread"``
    on a private loop in a daemon thread.  ``handle = await serve(app)`` also waits for the
    app's start-up hooks.  Serving installs the notebook traps (``uninstall_traps()``).
    ``transport="memory"`` serves with no port at ``http://memory-N`` (None: memory where
    there are no sockets, as in JupyterLite; see the module doc).
    """
    if mode not in ("kernel", "thread"):
        raise ValueError(f"mode must be 'kernel' or 'thread', not {mode!r}")
    transport = transport or default_transport()
    if transport not in ("tcp", "memory"):
        raise ValueError(f"transport must be 'tcp', 'memory' or None, not {transport!r}")
    install_default_traps()
    note = " in memory (no port)" if transport == "memory" else ""
    if sys.platform == "emscripten":
        mode = "kernel"                # no threads in a browser kernel; its loop always runs
        asyncio_timers(asyncio.get_event_loop())
        memory_connections(asyncio.get_event_loop())
    elif mode == "kernel" and running_loop() is None:
        mode, note = "thread", note + " (no event loop is running here, so on a private thread)"
    key = registry_key(name)
    stopping, readers = None, list(REGISTRY[key].listeners) if key in REGISTRY else []
    for previous in _previous(key, host, port if transport == "tcp" else None):
        stopping = previous.stop()
        note += f"; stopped the previous server on {previous.url} first"
    handle = ServerHandle(app, host, port or 0, mode, key=key, registry=REGISTRY,
                          transport=transport)
    handle._start(after=stopping)
    handle.listeners.extend(readers)    # a re-run cell: the old server's log panels follow
    REGISTRY[key] = handle
    if not (quiet or QUIET.get()):
        where = "the running event loop" if mode == "kernel" else "a background thread"
        print(f"aioteach: serving {handle.url} on {where}{note}; it stops with the kernel, "
              f"or now with handle.stop()")
    return handle


class ServerList(List[ServerHandle]):
    """What ``list_servers()`` returns: a list of handles that says how to stop them."""

    def lines(self) -> List[str]:
        if not self:
            return ["no aioteach servers run in this kernel"]
        head = (f"{len(self)} aioteach server{'s' * (len(self) != 1)} run in this kernel; "
                f"they stop when the kernel shuts down (Kernel > Shut Down), or now with "
                f"handle.stop() or aioteach.notebook.stop_all():")
        return [head] + [f"  {h.url}  {h.status}, mode={h.mode}, {len(h.requests)} "
                         f"request{'s' * (len(h.requests) != 1)}, {_describe_key(h.key)}"
                         for h in self]

    def __repr__(self) -> str:
        return "\n".join(self.lines())

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def _repr_html_(self) -> str:
        first, *rest = self.lines()
        items = "".join(f"<li><code>{html.escape(line.strip())}</code></li>" for line in rest)
        return f"<div>{html.escape(first)}<ul>{items}</ul></div>"


def _describe_key(key: Any) -> str:
    if isinstance(key, tuple) and key and key[0] == "name":
        return f"name={key[1]!r}"
    if isinstance(key, tuple) and key and key[0] == "cell":
        return "served by a cell"
    if isinstance(key, tuple) and len(key) >= 3 and key[0] == "at":
        return f"served from {os.path.basename(str(key[1]))}:{key[2]}"
    return f"key={key!r}"


def list_servers() -> ServerList:
    """The servers this process runs now, in the order they were started (displays readably)."""
    return ServerList(REGISTRY.values())


def stop_all() -> int:
    """Stop every server in the registry; returns how many were stopped."""
    handles = list_servers()
    for handle in handles:
        handle.stop()
    return len(handles)


def stop_at_exit() -> None:
    """Registered with ``atexit``: close every listener; run cleanup where a loop still can."""
    for handle in list_servers():
        try:
            handle.stop_at_exit()
        except Exception:                # exiting: nothing useful to do with the error
            pass


if not globals().get("_ATEXIT_REGISTERED"):
    atexit.register(stop_at_exit)
    _ATEXIT_REGISTERED = True
