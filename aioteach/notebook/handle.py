"""The object ``serve()`` returns: one server running in the background, and how it stops.

Theory of operation.  A ``ServerHandle`` owns one app and, while it serves, one ``_Run``: the
listening socket (bound *synchronously*, so the port is known and connections already queue
when ``serve()`` returns), the app's runner and the asyncio server.  Two places can run it:

* ``mode="kernel"``: a background task on the kernel's own loop; the learner's cells and the
  server's coroutines interleave on one loop, which is the lesson.
* ``mode="thread"``: a private loop in a daemon thread (``background_loop()``), for terminal
  IPython, scripts, and blocking clients that must reach the server.

Two transports (``transport=``): ``"tcp"``, a listening socket on a port, and ``"memory"``, a
name in this process's table of memory servers (``aioteach.memory``; the URL is
``http://memory-N``, no port), for a browser kernel (Pyodide has no sockets) or a kernel that
may not open ports.  The name is claimed synchronously too, so a client that connects before
the server has started waits for it, as it would in a socket's backlog.

``stop()`` closes the listening socket at once (the port is free when it returns) and finishes
the rest (open connections, ``on_cleanup``) in the background; the ``Stopping`` it returns can
be awaited.  ``restart()`` serves the same app on the same port again.

Rules: the handle serves aiohttp apps too (``both_ways`` relies on it): the runner comes from
the app's own package, ``aioteach.web`` or ``aiohttp.web``.  The registry (which handle a
re-run cell replaces) is ``servers.py``'s business; the handle only removes itself from it.
"""
from __future__ import annotations

import asyncio
import errno
import html
import importlib
import socket
import sys
import threading
from typing import Any, Callable, Dict, Generator, List, Optional, Tuple

from .. import memory
from ..trace import Span
from .requestlog import RequestRecord, request_log_middleware

__all__ = ["ServerHandle", "Stopping", "background_loop", "web_for", "bind", "running_loop",
           "REGISTRY", "current_handle"]

# The registry: key -> the handle filed under it (servers.py decides the keys).  It lives here,
# below servers.py and traps.py, which both read it; ``globals().get`` keeps the same dict
# across ``importlib.reload``, so a reload does not orphan running servers.
REGISTRY: Dict[Any, "ServerHandle"] = globals().get("REGISTRY", {})



def current_handle(target: Any) -> Any:
    """The server now filed under ``target``'s registry key (a re-run cell serves anew), or
    ``target`` itself when it is a URL or a handle no longer in the registry.  Panels call it
    each time they need their server, so they follow the cell that serves it."""
    key = getattr(target, "key", None)
    return REGISTRY.get(key, target) if key is not None else target

#: Seconds a thread-mode start or stop may take before we give up waiting for it.
THREAD_TIMEOUT = 10.0
#: Requests a handle remembers; older ones are dropped (a long lab would otherwise grow forever).
REQUEST_LOG_LIMIT = 1000


def web_for(app: Any) -> Any:
    """The ``web`` module of the package ``app`` comes from: ``aioteach.web`` or ``aiohttp.web``.

    Plug-in point: imported when a server starts (L3 from L4), never on import.
    """
    package = type(app).__module__.split(".")[0]
    return importlib.import_module("aiohttp.web" if package == "aiohttp" else "aioteach.web")


class Stopping:
    """What ``stop()`` returns: already done in thread mode, a background task in kernel mode.

    Calling ``handle.stop()`` in a cell is enough (the port is free when it returns);
    ``await handle.stop()`` also waits until open connections and cleanup hooks are finished.
    """

    def __init__(self, task: Optional["asyncio.Future[None]"] = None) -> None:
        self.task = task

    @property
    def done(self) -> bool:
        return self.task is None or self.task.done()

    def __await__(self) -> Generator[Any, None, None]:
        if self.task is not None:
            yield from self.task.__await__()

    def __repr__(self) -> str:
        return f"<Stopping {'done' if self.done else 'finishing in the background'}>"


def bind(host: str, port: int) -> socket.socket:
    """A listening, non-blocking socket, bound now (so ``port=0`` resolves before we return)."""
    candidates = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                    flags=socket.AI_PASSIVE)
    # IPv4 first: "localhost" may list ::1 first, and most lesson clients try 127.0.0.1.
    candidates.sort(key=lambda info: info[0] != socket.AF_INET)
    family, _, _, _, address = candidates[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        # SO_REUSEADDR: rebinding right after a stop must not wait out TIME_WAIT (like asyncio).
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)            # backlog 128: Linux's long-time default somaxconn
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise OSError(exc.errno, f"port {port} on {host} is taken by another program (a "
                          f"server started by this kernel would have been stopped first). "
                          f"Fix: pick another port, or port=0 for any free one.") from exc
        raise
    return sock


# -- a private loop in a daemon thread, shared by thread-mode servers and widget callbacks ----
_BACKGROUND: Dict[str, Any] = globals().get("_BACKGROUND", {"lock": threading.Lock()})


def background_loop() -> asyncio.AbstractEventLoop:
    """A loop running forever in a daemon thread (created on first use, shared)."""
    with _BACKGROUND["lock"]:          # two threads asking at once must get the same loop
        loop = _BACKGROUND.get("loop")
        if loop is not None and not loop.is_closed() and _BACKGROUND["thread"].is_alive():
            return loop
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="aioteach-server-loop",
                                  daemon=True)
        thread.start()
        _BACKGROUND.update(loop=loop, thread=thread)
        return loop


def running_loop() -> Optional[asyncio.AbstractEventLoop]:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class _Run:
    """One start-to-stop of a server: its socket, runner, asyncio server and start-up task.

    A restart makes a new run while the old one may still be cleaning up in the background.
    """

    def __init__(self, sock: Optional[socket.socket],
                 listener: Optional[memory.MemoryServer] = None) -> None:
        self.sock = sock
        self.runner: Any = None
        # a memory listener is its own server from the start: close() is all it needs
        self.server: Optional[asyncio.AbstractServer] = listener
        self.starting: Any = None        # asyncio.Task (kernel) or concurrent Future (thread)
        self.after: Optional["asyncio.Future[None]"] = None   # a cleanup to let finish first

    def close_listener(self) -> None:
        if isinstance(self.starting, asyncio.Task) and not self.starting.done():
            self.starting.cancel()
        try:
            if self.server is not None:
                self.server.close()            # stops accepting and closes the socket
            elif self.sock is not None:
                self.sock.close()              # asyncio never saw it: ours to close
        except Exception:                      # a loop that has gone away: close directly
            if self.sock is not None:
                self.sock.close()

    async def shutdown(self) -> None:
        if isinstance(self.starting, asyncio.Task) and not self.starting.done():
            await asyncio.wait([self.starting])     # its cancellation has been requested
        if self.runner is not None:
            await self.runner.cleanup()             # closes connections, runs on_cleanup
        if self.server is not None:
            try:
                await asyncio.wait_for(self.server.wait_closed(), 5.0)
            except asyncio.TimeoutError:
                pass         # a client holding a connection open must not hang the stop

    async def stop(self) -> None:
        self.close_listener()
        await self.shutdown()


class ServerHandle:
    """A server running in the background.  Made by ``serve()``; display it to see a card."""

    def __init__(self, app: Any, host: str, port: int, mode: str, key: Any = None,
                 registry: Optional[Dict[Any, "ServerHandle"]] = None,
                 transport: str = "tcp") -> None:
        if transport not in ("tcp", "memory"):
            raise ValueError(f"transport must be 'tcp' or 'memory', not {transport!r}")
        self.app = app
        self.transport = transport
        self.key = key                       # its place in the registry (see servers.py)
        self.registry: Dict[Any, "ServerHandle"] = {} if registry is None else registry
        self.host = host
        self.requested_port = port
        self.port = port
        self.address = ""                    # the IP address bound, once started
        self.mode = mode
        self.requests: List[RequestRecord] = []
        self.error: Optional[BaseException] = None
        self.listeners: List[Callable[[RequestRecord], None]] = []
        self.loop: Optional[asyncio.AbstractEventLoop] = None
        self._run: Optional[_Run] = None
        self._stopping: Optional[Stopping] = None

    # -- what a learner reads ----------------------------------------------------------------
    @property
    def url(self) -> str:
        """``http://address:port``: the address actually bound, so a name cannot mislead.

        In memory, ``http://memory-N``: the server's name is the whole address."""
        if self.transport == "memory":
            return f"http://{self.address}"
        host = self.address or self.host
        host = "127.0.0.1" if host in ("", "0.0.0.0") else "::1" if host == "::" else host
        host = f"[{host}]" if ":" in host else host          # an IPv6 literal needs brackets
        return f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._run is not None and self._stopping is None and self.error is None

    def routes(self) -> List[Tuple[str, str, str]]:
        """(method, path, handler name) for each route, in the router's order."""
        table = []
        for route in self.app.router.routes():
            resource = getattr(route, "resource", None)
            path = getattr(resource, "canonical", None) or str(resource or "")
            handler = getattr(route, "handler", None)
            name = getattr(handler, "__qualname__", None) or type(handler).__name__
            table.append((route.method, path, name))
        return table

    # -- starting ---------------------------------------------------------------------------
    def _start(self, after: Optional[Stopping] = None) -> None:
        if self.transport == "memory":     # same name on a restart: the URL stays valid
            listener = memory.MemoryServer(self.address or memory.next_name()).listen()
            run = self._run = _Run(None, listener)
            self.host = self.address = listener.name    # server.host names it, for cells
            self.port = 80
        else:
            run = self._run = _Run(bind(self.host, self.requested_port))
            self.address, self.port = run.sock.getsockname()[:2]  # type: ignore[union-attr]
        if after is not None and self.mode == "kernel":
            run.after = after.task
        self._stopping, self.error = None, None
        middleware = request_log_middleware(self.app, web_for(self.app))
        if middleware is not None and self not in middleware.aioteach_handles:
            middleware.aioteach_handles.append(self)
        if self.mode == "kernel":
            self.loop = asyncio.get_running_loop()
            run.starting = self.loop.create_task(self._serve(run))
            run.starting.add_done_callback(self._start_failed)
        else:
            self.loop = background_loop()
            run.starting = asyncio.run_coroutine_threadsafe(self._serve(run), self.loop)
            try:
                run.starting.result(THREAD_TIMEOUT)
            except BaseException:
                self.stop()
                raise

    async def _serve(self, run: "_Run") -> None:
        web = web_for(self.app)
        if run.after is not None and run.after.get_loop() is asyncio.get_running_loop():
            # Discussion: re-serving the same app (a re-run cell, restart()).  The old run's
            # on_cleanup hooks must not run *after* our on_startup hooks, or they would tear
            # down the state we just built (a session in app[...]).  The port is already
            # ours, so connections wait in the backlog meanwhile.
            await asyncio.wait([run.after])
        run.runner = web.AppRunner(self.app)
        await run.runner.setup()                    # runs the app's on_startup hooks
        if isinstance(run.server, memory.MemoryServer):
            run.server.protocol_factory = run.runner.server
            await run.server.start_serving()     # the clients waiting in its backlog go on
            return
        loop = asyncio.get_running_loop()
        # start_serving=False, then start_serving(): the server object is ours before the one
        # await inside, so a stop() arriving at that moment can still close it.
        run.server = await loop.create_server(
            run.runner.server, sock=run.sock,  # type: ignore[arg-type]  # tcp: a socket
            start_serving=False)
        await run.server.start_serving()

    def _start_failed(self, task: "asyncio.Task[None]") -> None:
        if task.cancelled() or task.exception() is None:
            return
        self.error = task.exception()
        print(f"aioteach: the server on {self.url} failed to start: {self.error!r}",
              file=sys.stderr)
        self.stop()

    def __await__(self) -> Generator[Any, None, "ServerHandle"]:
        """``await handle`` (or ``await serve(app)``) waits until the server is serving."""
        starting = self._run.starting if self._run is not None else None
        if isinstance(starting, asyncio.Task):
            yield from asyncio.shield(starting).__await__()
        return self

    # -- stopping ---------------------------------------------------------------------------
    def stop(self) -> Stopping:
        """Stop listening now; finish open connections in the background (await to wait)."""
        if self._stopping is not None:
            return self._stopping
        if self.registry.get(self.key) is self:
            del self.registry[self.key]
        run, loop = self._run, self.loop
        if run is None or loop is None or loop.is_closed():   # never started, or loop ended
            if run is not None:
                run.close_listener()
            self._stopping = Stopping()
        elif running_loop() is loop:      # on the server's own loop: blocking would deadlock
            run.close_listener()                   # synchronous: the port is free right now
            self._stopping = Stopping(loop.create_task(run.shutdown()))
        else:                                      # thread mode, or a call from another thread
            future = asyncio.run_coroutine_threadsafe(run.stop(), loop)
            self._stopping = Stopping()
            try:
                future.result(THREAD_TIMEOUT)
            except Exception as exc:       # keep stopping; a stuck cleanup must not hang a cell
                print(f"aioteach: stopping {self.url} did not finish cleanly: {exc!r}",
                      file=sys.stderr)
        middleware = request_log_middleware(self.app, web_for(self.app))
        if middleware is not None and self in middleware.aioteach_handles:
            middleware.aioteach_handles.remove(self)
        return self._stopping

    def stop_at_exit(self) -> None:
        """The interpreter is exiting: close the listener; run cleanup if a loop still can."""
        run, loop = self._run, self.loop
        if self._stopping is not None or run is None:
            return
        self._stopping = Stopping()
        run.close_listener()
        if loop is None or loop.is_closed():
            return
        if loop.is_running():                   # thread mode: its loop is still alive
            if running_loop() is not loop:
                future = asyncio.run_coroutine_threadsafe(run.shutdown(), loop)
                future.result(2.0)
        else:                                   # the kernel's loop, stopped: run it once more
            loop.run_until_complete(asyncio.wait_for(run.shutdown(), 2.0))

    def restart(self) -> "ServerHandle":
        """Stop, then serve the same app on the same port again.  Returns the handle.

        The old run's cleanup may still be finishing in the background (kernel mode); the
        new run has a listener of its own, so the two do not meet.
        """
        stopping = self.stop()
        self.requested_port = self.port
        self._start(after=stopping)
        self.registry[self.key] = self
        return self

    # -- the request log ---------------------------------------------------------------------
    def spans(self, last: int = 50) -> List[Span]:
        """The last requests as timeline spans, one row each: ``Timeline(handle.spans())``."""
        return [Span(f"{r.method} {r.path} #{i}", r.path, r.started, r.started + r.duration)
                for i, r in enumerate(self.requests[-last:])]

    def _log(self, record: RequestRecord) -> None:
        self.requests.append(record)
        if len(self.requests) > REQUEST_LOG_LIMIT:
            del self.requests[: len(self.requests) - REQUEST_LOG_LIMIT]
        for listener in list(self.listeners):
            try:
                listener(record)
            except Exception as exc:     # a broken widget must not break the server
                print(f"aioteach: a request-log listener failed: {exc!r}", file=sys.stderr)

    # -- how it looks ------------------------------------------------------------------------
    @property
    def status(self) -> str:
        if self.error is not None:
            return f"failed: {self.error!r}"
        return "running" if self.running else "stopped"

    def __repr__(self) -> str:
        return (f"<ServerHandle {self.url} {self.status} mode={self.mode} "
                f"{'transport=memory ' if self.transport == 'memory' else ''}"
                f"routes={len(self.routes())} requests={len(self.requests)}>")

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        lines = [repr(self)]
        lines += [f"  {methods:9} {path:30} {name}"
                  for methods, path, name in self.route_summary()]
        lines += [f"  {record}" for record in self.requests[-10:]]
        printer.text("\n".join(lines))

    def route_summary(self) -> List[Tuple[str, str, str]]:
        """``routes()`` with the methods of one path and handler merged: ("GET, HEAD", ...)."""
        merged: Dict[Tuple[str, str], List[str]] = {}
        for method, path, name in self.routes():
            merged.setdefault((path, name), []).append(method)
        return [(", ".join(sorted(methods)), path, name)
                for (path, name), methods in merged.items()]

    def _repr_html_(self) -> str:
        esc = html.escape
        colour = "#2e7d32" if self.running else "#9e9e9e"
        cell = 'style="text-align:left;padding:1px 8px"'
        routes = "".join(f"<tr><td {cell}>{esc(m)}</td><td {cell}><code>{esc(p)}</code></td>"
                         f"<td {cell}>{esc(n)}</td></tr>" for m, p, n in self.route_summary())
        log = "".join(f"<tr><td {cell}><code>{esc(str(r))}</code></td></tr>"
                      for r in self.requests[-10:]) \
            or f"<tr><td {cell}><i>no requests yet</i></td></tr>"
        return (f'<div style="border:1px solid #ccc;border-radius:6px;padding:8px;'
                f'font-family:sans-serif">'
                f'<b>aioteach server</b> <a href="{esc(self.url)}" target="_blank">{esc(self.url)}'
                f'</a> <span style="color:{colour}">&#9679; {esc(self.status)}</span> '
                f'<small>mode={esc(self.mode)}'
                f'{" transport=memory" if self.transport == "memory" else ""}</small>'
                f'<table><tr><th {cell}>methods</th><th {cell}>path</th><th {cell}>handler</th>'
                f'</tr>{routes}</table>'
                f'<details open><summary>last requests ({len(self.requests)} in all)</summary>'
                f'<table>{log}</table></details></div>')
