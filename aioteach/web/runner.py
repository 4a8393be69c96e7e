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
listens, and blocks until Ctrl+C (SIGINT) or SIGTERM.  It lives one module up, in
``web/runapp.py``, which builds on this one (this module never imports it).

Graceful shutdown, in order, as in aiohttp 3.9+: (1) stop accepting connections; (2) close
idle keep-alive connections; (3) run ``on_shutdown``, so a hook can close the WebSockets with
its own code and message; (4) let busy connections finish their current response
(``Connection: close`` goes out with it), for at most ``shutdown_timeout`` seconds, and ask
taken-over connections (WebSockets) still open to close with 1001; (5) cancel the handlers
still running and drop their connections; (6) run ``on_cleanup``.

Listening sockets set ``SO_REUSEADDR`` (asyncio's default when ``reuse_address`` is None, on
Unix) so a restarted server can bind its port at once, while the old connections sit in
TIME_WAIT.
"""
from __future__ import annotations

import asyncio
import inspect
import signal
import socket
from typing import Any, List, Optional, Set

from .accesslog import LOG_FORMAT, AbstractAccessLogger, AccessLogger, access_logger
from .server import IGNORED_AIOHTTP_OPTIONS, Server

# The keywords a runner passes on to Server: its settings, named once, in web/server.py.
SERVER_SETTINGS = frozenset(inspect.signature(Server.__init__).parameters) - {
    "self", "handler", "aiohttp_options"} | IGNORED_AIOHTTP_OPTIONS

__all__ = ["GracefulExit", "BaseRunner", "AppRunner", "ServerRunner", "BaseSite", "TCPSite",
           "UnixSite", "SockSite"]


class GracefulExit(SystemExit):
    """Raised by the SIGINT/SIGTERM handler to leave ``run_app``'s loop and shut down."""

    code = 1


def _raise_graceful_exit() -> None:
    raise GracefulExit()


def _signals(loop: asyncio.AbstractEventLoop, install: bool) -> None:
    """SIGINT and SIGTERM raise GracefulExit (not in a thread, nor on Windows)."""
    try:
        for signum in (signal.SIGINT, signal.SIGTERM):
            if install:
                loop.add_signal_handler(signum, _raise_graceful_exit)
            else:
                loop.remove_signal_handler(signum)
    except (NotImplementedError, RuntimeError):
        pass


class BaseRunner:
    """What every runner shares: the ``Server``, its sites, and the shutdown sequence."""

    def __init__(self, *, handle_signals: bool = False, shutdown_timeout: float = 60.0,
                 **kwargs: Any) -> None:
        unknown = sorted(set(kwargs) - SERVER_SETTINGS)
        if unknown:
            raise TypeError(f"{type(self).__name__}() got unexpected keyword argument(s) "
                            f"{', '.join(unknown)} (the server's settings are listed in "
                            "aioteach.web.server)")
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
        found: List[Any] = []
        for site in self._sites:
            server = site._server
            if server is not None:
                found.extend(sock.getsockname() for sock in server.sockets)
        return found

    async def setup(self) -> None:
        if self._handle_signals:
            _signals(asyncio.get_running_loop(), install=True)
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
        self._server.pre_shutdown()                             # (2) idle ones close
        await self.shutdown()                                   # (3) on_shutdown
        if self._server is not None:
            timeout = max([self._shutdown_timeout] +
                          [s._shutdown_timeout for s in self._sites])
            await self._server.shutdown(timeout)                # (4) + (5)
        await self._cleanup_server()                            # (6) on_cleanup
        self._sites.clear()
        self._server = None
        if self._handle_signals:
            _signals(asyncio.get_running_loop(), install=False)

    def _reg_site(self, site: "BaseSite") -> None:
        if site in self._sites:
            raise RuntimeError(f"site {site} is already registered in {self}")
        self._sites.append(site)

    def _unreg_site(self, site: "BaseSite") -> None:
        if site in self._sites:
            self._sites.remove(site)


class AppRunner(BaseRunner):
    """Runs an ``Application``: ``setup()`` freezes it and runs ``on_startup``.

    Other keywords are the ``Server``'s settings (listed in web/server.py); unknown ones
    are a TypeError at once.
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
        # The app's handler_args are server settings too (the runner's own win), and
        # aiohttp's read_bufsize is our read_limit: the body stream's high-water mark.
        settings = {**(app.handler_args or {}), **self._kwargs}
        if "read_bufsize" in settings:
            settings["read_limit"] = settings.pop("read_bufsize")
        return Server(app._handle, app=app, access_log=self._access_log,
                      loop=asyncio.get_running_loop(), **settings)

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
    """One way of listening.  ``start()`` opens it; ``stop()`` stops accepting.

    The seam between a runner and its sites, private as in aiohttp: a subclass's ``start()``
    calls ``super().start()`` (the runner's ``_reg_site``) and then sets ``self._server`` to
    what it listens with (an ``asyncio.Server``, or anything with ``close()`` and ``sockets``,
    like web/memorysite.py's); ``stop()`` closes it and the runner's ``addresses`` reads it.
    """

    def __init__(self, runner: BaseRunner, *, shutdown_timeout: float = 60.0,
                 ssl_context: Any = None, backlog: int = 128) -> None:
        if runner.server is None:
            raise RuntimeError("call 'await runner.setup()' before creating a site")
        self._runner = runner
        self._shutdown_timeout = shutdown_timeout
        self._ssl_context = ssl_context
        self._backlog = backlog
        self._server: Optional[asyncio.Server] = None

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
                 ssl_context: Any = None, backlog: int = 128,
                 reuse_address: Optional[bool] = None, reuse_port: Optional[bool] = None) -> None:
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
        if ":" in host:
            host = f"[{host}]"                # an IPv6 literal in a URL (RFC 3986 3.2.2)
        if self._server is not None and self._server.sockets:
            port = self._server.sockets[0].getsockname()[1]
        else:
            port = self._port
        return f"{scheme}://{host}:{port}"

    async def start(self) -> None:
        await super().start()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self._runner.server,  # type: ignore[arg-type]  # set: BaseSite checks
            self._host, self._port, ssl=self._ssl_context,
            backlog=self._backlog, reuse_address=self._reuse_address,
            reuse_port=self._reuse_port)


class UnixSite(BaseSite):
    """Listen on a Unix domain socket at ``path`` (a str, a PathLike, or bytes for a Linux
    abstract name such as ``b"\\0name"``)."""

    def __init__(self, runner: BaseRunner, path: Any, **kwargs: Any) -> None:
        super().__init__(runner, **kwargs)
        self._path = path

    @property
    def name(self) -> str:
        scheme = "https" if self._ssl_context else "http"
        return f"{scheme}://unix:{self._path}:"

    async def start(self) -> None:
        await super().start()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_unix_server(
            self._runner.server,  # type: ignore[arg-type]  # set: BaseSite checks
            self._path, ssl=self._ssl_context, backlog=self._backlog)


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
            host = f"[{host}]" if ":" in host else host
            self._name = f"{scheme}://{host}:{port}"

    @property
    def name(self) -> str:
        return self._name

    async def start(self) -> None:
        await super().start()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self._runner.server, sock=self._sock,  # type: ignore[arg-type]  # set: BaseSite checks
            ssl=self._ssl_context, backlog=self._backlog)

