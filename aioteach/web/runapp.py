"""run_app: a script's whole server life.

``web.run_app(app)`` owns the event loop: it sets up an ``AppRunner`` (web/runner.py), starts
one site per host (or the ``path``/``sock`` given), prints where it listens, blocks until
Ctrl+C (SIGINT) or SIGTERM, then runs the graceful shutdown.  Called while a loop is already
running (a Jupyter cell), it serves in the background through ``aioteach.notebook.serve``
instead: the one plug-in point of this module.  Keywords that are not run_app's own are the
server's settings (web/server.py); an unknown one is a TypeError before anything starts.
"""
from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, Callable, List, Optional, Union

from .accesslog import LOG_FORMAT, AccessLogger, access_logger
from .runner import (SERVER_SETTINGS, AppRunner, BaseSite, GracefulExit, SockSite, TCPSite,
                     UnixSite)

__all__ = ["run_app", "ACCESS_LOGGER_NAMES"]

# The default access logger's name, and aiohttp's, which code ported from aiohttp passes.
ACCESS_LOGGER_NAMES = frozenset({access_logger.name, "aiohttp.access"})


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
        # plug-in point: the notebook layer (L4) serves run_app() inside a running loop
        from ..notebook import serve
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
    # port None: a free port.  ignore: serve is a PEP 562 lazy name, mypy cannot see its type
    handle = serve(app, host=host or "127.0.0.1", port=port, quiet=True)  # type: ignore[misc]
    print(f"web.run_app: an event loop is already running (a notebook?), so {handle.url} is "
          f"served in the background by aioteach.notebook.serve(); handle.stop() stops it")
    return handle


def _make_sites(runner: AppRunner, *, host: Any, port: Optional[int], path: Any, sock: Any,
                shutdown_timeout: float, ssl_context: Any, backlog: int,
                reuse_address: Optional[bool], reuse_port: Optional[bool]) -> List[BaseSite]:
    """The sites ``run_app``'s arguments ask for, in aiohttp's order: TCP, Unix, sockets.

    Each of ``host``, ``path`` and ``sock`` may be one value or a list.  With none of them
    given, one TCP site on every interface; ``port`` alone also asks for a TCP site."""
    common = dict(shutdown_timeout=shutdown_timeout, ssl_context=ssl_context, backlog=backlog)
    sites: List[BaseSite] = []
    if host is not None or (path is None and sock is None) or port is not None:
        hosts = host if isinstance(host, (list, tuple)) else [host]
        sites.extend(TCPSite(runner, one, port, reuse_address=reuse_address,
                             reuse_port=reuse_port, **common) for one in hosts)
    paths = [] if path is None else [path] if isinstance(path, (str, bytes, os.PathLike)) \
        else path
    sites.extend(UnixSite(runner, one, **common) for one in paths)
    socks = [] if sock is None else sock if isinstance(sock, (list, tuple)) else [sock]
    sites.extend(SockSite(runner, one, **common) for one in socks)
    return sites


def _default_access_log_setup(access_log: Any) -> None:
    """In debug mode (``loop.set_debug(True)``), the default access logger prints.

    As in aiohttp: only the default logger (ours, or one named as aiohttp's, which ported
    code passes), only when nobody set its level or gave it a handler."""
    if access_log is None or getattr(access_log, "name", None) not in ACCESS_LOGGER_NAMES:
        return
    if access_log.level == logging.NOTSET:
        access_log.setLevel(logging.DEBUG)
    if not access_log.hasHandlers():
        access_log.addHandler(logging.StreamHandler())


async def _run_app(app: Any, *, host: Optional[Union[str, List[str]]], port: Optional[int],
                   path: Any, sock: Any, shutdown_timeout: float, ssl_context: Any,
                   print: Optional[Callable[..., None]], backlog: int,
                   reuse_address: Optional[bool], reuse_port: Optional[bool],
                   **runner_kwargs: Any) -> None:
    if asyncio.iscoroutine(app) or isinstance(app, asyncio.Future):
        app = await app                                  # run_app(make_app()) is allowed
    if asyncio.get_running_loop().get_debug():
        _default_access_log_setup(runner_kwargs.get("access_log"))
    runner = AppRunner(app, shutdown_timeout=shutdown_timeout, **runner_kwargs)
    await runner.setup()
    try:
        sites = _make_sites(runner, host=host, port=port, path=path, sock=sock,
                            shutdown_timeout=shutdown_timeout, ssl_context=ssl_context,
                            backlog=backlog, reuse_address=reuse_address, reuse_port=reuse_port)
        for site in sites:
            await site.start()
        if print is not None:
            names = ", ".join(sorted(site.name for site in sites))
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
    unknown = sorted(set(kwargs) - SERVER_SETTINGS)
    if unknown:
        raise TypeError(f"run_app() got unexpected keyword argument(s) {', '.join(unknown)}")
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
        _stop(loop, main_task)
    return None


def _stop(loop: asyncio.AbstractEventLoop, main_task: "asyncio.Task[None]") -> None:
    """The end of run_app: finish the main task (its finally runs the runner's cleanup), cancel
    what is left, close the loop.  The loop is closed even when the cleanup fails (an
    on_cleanup hook raising): that error propagates, the loop's sockets do not leak."""
    try:
        if not main_task.done():           # stopped by a signal
            main_task.cancel()
            try:
                loop.run_until_complete(main_task)
            except (asyncio.CancelledError, GracefulExit, KeyboardInterrupt):
                pass
    finally:
        try:
            _cancel_all_tasks(loop)
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()
            asyncio.set_event_loop(None)


def _cancel_all_tasks(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what is left, as ``asyncio.run`` does: a task that fails while being cancelled
    goes to the loop's exception handler, not into silence."""
    tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in tasks:
        task.cancel()
    if not tasks:
        return
    loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    for task in tasks:
        if not task.cancelled() and task.exception() is not None:
            loop.call_exception_handler({
                "message": "unhandled exception during asyncio.run() shutdown",
                "exception": task.exception(), "task": task})

