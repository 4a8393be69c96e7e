"""Runners and sites: putting an application on a port, and taking it off again cleanly.

Theory of operation.  Three layers, as in aiohttp, each usable on its own::

    runner = web.AppRunner(app)          # the app, started: on_startup ran, app frozen
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 8080)
    await site.start()                   # listening: loop.create_server(...)
    ...
    await runner.cleanup()               # the graceful shutdown below

A site is one way of listening: ``TCPSite`` (host and port), ``UnixSite`` (a socket file) or
``SockSite`` (a socket someone already bound: a notebook that reserved a port, a supervisor that
hands one down); one runner may serve several sites at once.

``web.run_app(app)`` does all of that for a script: it owns the event loop, prints where it
listens, and blocks until Ctrl+C (SIGINT) or SIGTERM.

Graceful shutdown, in order: (1) stop accepting connections; (2) close idle keep-alive
connections and let busy ones finish their current response (``Connection: close`` goes out
with it), for at most ``shutdown_timeout`` seconds; taken-over connections (WebSockets) are
asked to close with 1001 first; (3) cancel the handlers still running and drop their
connections; (4) run ``on_shutdown``, then ``on_cleanup``.

Listening sockets set ``SO_REUSEADDR`` so a restarted server can bind its port at once, while
the old connections sit in TIME_WAIT.
"""
from __future__ import annotations

import asyncio
import importlib
import os
import logging
import signal
import socket
import sys
from typing import Any, Callable, List, Optional, Set, Union

from .accesslog import LOG_FORMAT, AbstractAccessLogger, AccessLogger, access_logger
from .server import Server

__all__ = ["GracefulExit", "BaseRunner", "AppRunner", "ServerRunner", "BaseSite", "TCPSite",
           "UnixSite", "SockSite", "run_app", "serve_command"]


class GracefulExit(SystemExit):
    """Raised by the SIGINT/SIGTERM handler to leave ``run_app``'s loop and shut down."""

    code = 1


def _raise_graceful_exit() -> None:
    raise GracefulExit()


class BaseRunner:
    """What every runner shares: the ``Server``, its sites, and the shutdown sequence."""

    def __init__(self, *, handle_signals: bool = False, shutdown_timeout: float = 60.0,
                 **kwargs: Any) -> None:
        self._handle_signals = handle_signals
        self._shutdown_timeout = shutdown_timeout
        self._kwargs = kwargs
        self._server: Optional[Server] = None
        self._sites: List[BaseSite] = []

    @property
    def server(self) -> Optional[Server]:
        return self._server

    @property
    def sites(self) -> Set["BaseSite"]:
        return set(self._sites)

    @property
    def addresses(self) -> List[Any]:
        """Every listening socket's address, e.g. ``[("127.0.0.1", 54321)]`` (port 0 resolved)."""
        found = []
        for site in self._sites:
            server = site._server
            if server is not None:
                found.extend(sock.getsockname() for sock in server.sockets)
        return found

    async def setup(self) -> None:
        loop = asyncio.get_running_loop()
        if self._handle_signals:
            try:
                loop.add_signal_handler(signal.SIGINT, _raise_graceful_exit)
                loop.add_signal_handler(signal.SIGTERM, _raise_graceful_exit)
            except (NotImplementedError, RuntimeError):   # not the main thread, or Windows
                pass
        self._server = await self._make_server()

    async def _make_server(self) -> Server:
        raise NotImplementedError

    async def shutdown(self) -> None:
        """Hook for ``on_shutdown``; the AppRunner runs the app's signal here."""

    async def _cleanup_server(self) -> None:
        """Hook for ``on_cleanup``."""

    async def cleanup(self) -> None:
        """The graceful shutdown described in the module docstring (a second call: no-op)."""
        if self._server is None:
            return
        for site in list(self._sites):
            await site.stop()                                   # (1) stop accepting
        if self._server is not None:
            timeout = max([self._shutdown_timeout] +
                          [s._shutdown_timeout for s in self._sites])
            await self._server.shutdown(timeout)                # (2) + (3)
        await self.shutdown()                                   # (4) on_shutdown
        await self._cleanup_server()                            #     on_cleanup
        self._sites.clear()
        self._server = None
        if self._handle_signals:
            loop = asyncio.get_running_loop()
            try:
                loop.remove_signal_handler(signal.SIGINT)
                loop.remove_signal_handler(signal.SIGTERM)
            except (NotImplementedError, RuntimeError):
                pass

    def _reg_site(self, site: "BaseSite") -> None:
        if site in self._sites:
            raise RuntimeError(f"site {site} is already registered in {self}")
        self._sites.append(site)

    def _unreg_site(self, site: "BaseSite") -> None:
        if site in self._sites:
            self._sites.remove(site)


class AppRunner(BaseRunner):
    """Runs an ``Application``: ``setup()`` freezes it and runs ``on_startup``.

    Keyword arguments not listed are passed to the ``Server``: ``keepalive_timeout`` (75 s),
    ``head_timeout`` (60 s), ``max_line_size``, ``max_field_size``, ``max_headers``,
    ``inline_first_step`` (False; read ``web/eager.py`` first).
    """

    def __init__(self, app: Any, *, handle_signals: bool = False,
                 access_log_class: type = AccessLogger, access_log_format: str = LOG_FORMAT,
                 access_log: Any = access_logger, keepalive_timeout: float = 75.0,
                 shutdown_timeout: float = 60.0, **kwargs: Any) -> None:
        super().__init__(handle_signals=handle_signals, shutdown_timeout=shutdown_timeout,
                         keepalive_timeout=keepalive_timeout, **kwargs)
        if not issubclass(access_log_class, AbstractAccessLogger):
            raise TypeError("access_log_class must subclass web.AbstractAccessLogger")
        self._app = app
        self._access_log = access_log_class(access_log, access_log_format) \
            if access_log is not None else None

    @property
    def app(self) -> Any:
        return self._app

    async def _make_server(self) -> Server:
        app = self._app
        app.freeze()
        await app.startup()
        return Server(app._handle, app=app, access_log=self._access_log,
                      loop=asyncio.get_running_loop(), **self._kwargs)

    async def shutdown(self) -> None:
        await self._app.shutdown()

    async def _cleanup_server(self) -> None:
        await self._app.cleanup()


class ServerRunner(BaseRunner):
    """Runs a low-level ``web.Server`` (a bare handler, no application)."""

    def __init__(self, server: Server, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._web_server = server

    async def _make_server(self) -> Server:
        return self._web_server


class BaseSite:
    """One way of listening.  ``start()`` opens it; ``stop()`` stops accepting."""

    def __init__(self, runner: BaseRunner, *, shutdown_timeout: float = 60.0,
                 ssl_context: Any = None, backlog: int = 128) -> None:
        if runner.server is None:
            raise RuntimeError("call 'await runner.setup()' before creating a site")
        self._runner = runner
        self._shutdown_timeout = shutdown_timeout
        self._ssl_context = ssl_context
        self._backlog = backlog
        self._server: Optional[asyncio.AbstractServer] = None

    @property
    def name(self) -> str:
        raise NotImplementedError

    async def start(self) -> None:
        self._runner._reg_site(self)

    async def stop(self) -> None:
        self._runner._unreg_site(self)
        if self._server is not None:
            self._server.close()         # no new connections; open ones are the Server's job
            self._server = None


class TCPSite(BaseSite):
    """Listen on ``host:port`` (port 0: the OS picks one, see ``runner.addresses``)."""

    def __init__(self, runner: BaseRunner, host: Optional[str] = None,
                 port: Optional[int] = None, *, shutdown_timeout: float = 60.0,
                 ssl_context: Any = None, backlog: int = 128, reuse_address: bool = True,
                 reuse_port: Optional[bool] = None) -> None:
        super().__init__(runner, shutdown_timeout=shutdown_timeout, ssl_context=ssl_context,
                         backlog=backlog)
        self._host = host
        self._port = port if port is not None else (8443 if ssl_context else 8080)
        self._reuse_address = reuse_address
        self._reuse_port = reuse_port

    @property
    def name(self) -> str:
        scheme = "https" if self._ssl_context else "http"
        host = self._host or "0.0.0.0"
        if self._server is not None and self._server.sockets:
            port = self._server.sockets[0].getsockname()[1]
        else:
            port = self._port
        return f"{scheme}://{host}:{port}"

    async def start(self) -> None:
        await super().start()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self._runner.server, self._host, self._port, ssl=self._ssl_context,
            backlog=self._backlog, reuse_address=self._reuse_address,
            reuse_port=self._reuse_port)


class UnixSite(BaseSite):
    """Listen on a Unix domain socket at ``path``."""

    def __init__(self, runner: BaseRunner, path: str, **kwargs: Any) -> None:
        super().__init__(runner, **kwargs)
        self._path = path

    @property
    def name(self) -> str:
        return f"http://unix:{self._path}:"

    async def start(self) -> None:
        await super().start()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_unix_server(
            self._runner.server, self._path, ssl=self._ssl_context, backlog=self._backlog)


class SockSite(BaseSite):
    """Listen on a socket that is already bound (and maybe already listening).

    The caller owns the choice of address: bind port 0 and read the port back before the
    server starts, or inherit a socket from a supervisor.  ``listen()`` is called by the loop
    with ``backlog``; the socket is closed when the site stops, as every site closes its own.
    """

    def __init__(self, runner: BaseRunner, sock: socket.socket, *,
                 shutdown_timeout: float = 60.0, ssl_context: Any = None,
                 backlog: int = 128) -> None:
        super().__init__(runner, shutdown_timeout=shutdown_timeout, ssl_context=ssl_context,
                         backlog=backlog)
        self._sock = sock
        scheme = "https" if ssl_context else "http"
        if hasattr(socket, "AF_UNIX") and sock.family == socket.AF_UNIX:
            self._name = f"{scheme}://unix:{sock.getsockname()}:"
        else:
            host, port = sock.getsockname()[:2]      # IPv6 adds flowinfo and scope id
            self._name = f"{scheme}://{host}:{port}"

    @property
    def name(self) -> str:
        return self._name

    async def start(self) -> None:
        await super().start()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self._runner.server, sock=self._sock, ssl=self._ssl_context, backlog=self._backlog)


# -- run_app: a script's whole server life --------------------------------------------------
def _running_loop() -> Optional[asyncio.AbstractEventLoop]:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _run_app_in_running_loop(app: Any, *, host: Any = None, port: Optional[int] = None,
                             **ignored: Any) -> Any:
    """``run_app`` inside a running loop (a Jupyter cell): serve in the background.

    This is the one place the notebook layer plugs in: ``aioteach.notebook.serve`` starts the
    server on the running loop and returns a handle (URL, routes, request log, ``stop()``).
    """
    try:
        from ..notebook import serve            # L4, imported only when this case arises
    except ImportError as exc:
        raise RuntimeError(
            "web.run_app() was called while an event loop is already running (a Jupyter cell?)."
            " Use 'runner = web.AppRunner(app); await runner.setup(); "
            "await web.TCPSite(runner, port=8080).start()' instead.") from exc
    if ignored.get("sock") is not None:          # serve() picks its own socket by host/port
        raise RuntimeError(
            "web.run_app(app, sock=...) inside a running event loop: start it yourself with "
            "'runner = web.AppRunner(app); await runner.setup(); "
            "await web.SockSite(runner, sock).start()'")
    if isinstance(host, (list, tuple)):
        host = host[0] if host else None
    handle = serve(app, host=host or "127.0.0.1", port=8080 if port is None else port,
                   quiet=True)
    print(f"web.run_app: an event loop is already running (a notebook?), so {handle.url} is "
          f"served in the background by aioteach.notebook.serve(); handle.stop() stops it")
    return handle


async def _run_app(app: Any, *, host: Optional[Union[str, List[str]]], port: Optional[int],
                   path: Optional[str], sock: Any, shutdown_timeout: float, ssl_context: Any,
                   print: Optional[Callable[..., None]], backlog: int,
                   reuse_address: Optional[bool], reuse_port: Optional[bool],
                   **runner_kwargs: Any) -> None:
    if asyncio.iscoroutine(app) or isinstance(app, asyncio.Future):
        app = await app                                  # run_app(make_app()) is allowed
    runner = AppRunner(app, shutdown_timeout=shutdown_timeout, **runner_kwargs)
    await runner.setup()
    try:
        sites: List[BaseSite] = []
        if path is not None:
            sites.append(UnixSite(runner, path, shutdown_timeout=shutdown_timeout,
                                  ssl_context=ssl_context, backlog=backlog))
        socks = [] if sock is None else sock if isinstance(sock, (list, tuple)) else [sock]
        for one_sock in socks:
            sites.append(SockSite(runner, one_sock, shutdown_timeout=shutdown_timeout,
                                  ssl_context=ssl_context, backlog=backlog))
        if (path is None and not socks) or host is not None or port is not None:
            hosts = host if isinstance(host, (list, tuple)) else [host]
            for one in hosts:
                sites.append(TCPSite(runner, one, port, shutdown_timeout=shutdown_timeout,
                                     ssl_context=ssl_context, backlog=backlog,
                                     reuse_address=reuse_address if reuse_address is not None
                                     else True, reuse_port=reuse_port))
        for site in sites:
            await site.start()
        if print is not None:
            names = ", ".join(site.name for site in sites)
            print(f"======== Running on {names} ========\n(Press CTRL+C to quit)")
        while True:                     # serve until cancelled (by run_app, on a signal)
            await asyncio.sleep(3600)
    finally:
        await runner.cleanup()


def run_app(app: Any, *, host: Optional[Union[str, List[str]]] = None,
            port: Optional[int] = None, path: Optional[str] = None, sock: Any = None,
            shutdown_timeout: float = 60.0, keepalive_timeout: float = 75.0,
            ssl_context: Any = None, print: Optional[Callable[..., None]] = print,
            backlog: int = 128, access_log_class: type = AccessLogger,
            access_log_format: str = LOG_FORMAT, access_log: Any = access_logger,
            handle_signals: bool = True, reuse_address: Optional[bool] = None,
            reuse_port: Optional[bool] = None, loop: Optional[asyncio.AbstractEventLoop] = None,
            **kwargs: Any) -> Any:
    """Serve ``app`` (or a coroutine returning one) until SIGINT/SIGTERM, then shut down.

    Called while an event loop is already running (a notebook), it starts the server in the
    background instead and returns a handle: see ``_run_app_in_running_loop``.
    """
    options = dict(host=host, port=port, path=path, sock=sock, shutdown_timeout=shutdown_timeout,
                   ssl_context=ssl_context, print=print, backlog=backlog,
                   reuse_address=reuse_address, reuse_port=reuse_port,
                   keepalive_timeout=keepalive_timeout, access_log_class=access_log_class,
                   access_log_format=access_log_format, access_log=access_log,
                   handle_signals=handle_signals, **kwargs)
    if loop is None and _running_loop() is not None:
        return _run_app_in_running_loop(app, **options)
    if loop is None:
        loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    main_task = loop.create_task(_run_app(app, **options))
    try:
        loop.run_until_complete(main_task)
    except (GracefulExit, KeyboardInterrupt):
        pass
    finally:
        main_task.cancel()                 # its finally runs runner.cleanup()
        try:
            loop.run_until_complete(main_task)
        except (asyncio.CancelledError, GracefulExit, KeyboardInterrupt):
            pass
        _cancel_all_tasks(loop)
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
        asyncio.set_event_loop(None)
    return None


def _cancel_all_tasks(loop: asyncio.AbstractEventLoop) -> None:
    tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in tasks:
        task.cancel()
    if tasks:
        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))


# -- python -m aioteach serve pkg.module:app ---------------------------------------------------
def load_app_target(target: str) -> Any:
    """``"pkg.module:app"`` -> the app, or what a factory returns (maybe a coroutine)."""
    module_name, _, attr = target.partition(":")
    if not module_name or not attr:
        raise SystemExit(f"expected 'package.module:attribute', got {target!r}")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())      # like python -m: the current directory imports
    obj: Any = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    from .app import Application
    if not isinstance(obj, Application) and callable(obj):
        obj = obj()                           # a factory: may return an app or a coroutine
    return obj


def serve_command(args: Any) -> int:
    """The ``serve`` command of ``python -m aioteach``."""
    app = load_app_target(args.target)
    if not logging.getLogger().handlers:     # a learner at a terminal wants to see requests
        logging.basicConfig(level=logging.INFO, format="%(message)s")
    run_app(app, host=args.host, port=args.port,
            access_log=None if getattr(args, "no_access_log", False) else access_logger)
    return 0
