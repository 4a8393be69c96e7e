"""Gunicorn worker: serve an aioteach app from several processes.

Theory of operation.  Gunicorn's arbiter opens the listening sockets, forks N workers and
watches them.  Each worker is an instance of this class: it builds an event loop, wraps the
arbiter's sockets in ``web.SockSite``-style servers (``loop.create_server(sock=...)``), and
then, once a second, tells the arbiter it is alive (``self.notify()``) and checks whether it
should stop (``self.alive``, cleared by SIGTERM/SIGINT/SIGQUIT or by the parent going away).
The kernel spreads incoming connections over the workers that accept on the shared socket::

    gunicorn pkg.module:app -k aioteach.GunicornWebWorker -w 2 -b 127.0.0.1:8080

``app`` may be an ``Application`` or a factory returning one (or a coroutine of one).
Unlike the rest of ``aioteach.web``, this module imports gunicorn, so ``web/__init__.py``
does not import it: gunicorn loads it by name.
"""
from __future__ import annotations

import asyncio
import os
import signal
import sys
from typing import Any, List

from gunicorn.workers import base

from .accesslog import AccessLogger
from .runner import AppRunner

__all__ = ["GunicornWebWorker"]


class GunicornWebWorker(base.Worker):
    """``-k aioteach.GunicornWebWorker``: one asyncio loop per worker process."""

    def init_process(self) -> None:
        # A fresh loop: the parent's one (if any) must not leak into the forked child.
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        self.exit_code = 0
        super().init_process()          # gunicorn then calls self.run()

    def run(self) -> None:
        try:
            self.loop.run_until_complete(self._serve())
        finally:
            self.loop.close()
        sys.exit(self.exit_code)

    async def _serve(self) -> None:
        app: Any = self.wsgi             # gunicorn's name for "the loaded application"
        if asyncio.iscoroutine(app):
            app = await app
        access_log = self.log.access_log if self.cfg.accesslog else None
        runner = AppRunner(app, access_log=access_log, access_log_class=AccessLogger,
                           keepalive_timeout=self.cfg.keepalive,
                           shutdown_timeout=self.cfg.graceful_timeout / 100 * 95)
        await runner.setup()
        servers: List[asyncio.AbstractServer] = []
        for sock in self.sockets:
            servers.append(await self.loop.create_server(
                runner.server, sock=sock.sock,  # type: ignore[arg-type]  # set by setup()
                backlog=self.cfg.backlog,
                ssl=None))
        try:
            parent = os.getppid()
            while self.alive:           # the heartbeat: gunicorn kills a silent worker
                self.notify()
                if self.ppid != parent or os.getppid() != self.ppid:
                    self.log.info("parent changed, shutting down: %s", self)
                    break
                await asyncio.sleep(1.0)
        finally:
            for server in servers:
                server.close()
            await runner.cleanup()

    # -- signals: gunicorn's handlers are replaced by loop-aware ones -----------------------
    def init_signals(self) -> None:
        self.loop.add_signal_handler(signal.SIGQUIT, self.handle_quit, signal.SIGQUIT, None)
        self.loop.add_signal_handler(signal.SIGTERM, self.handle_exit, signal.SIGTERM, None)
        self.loop.add_signal_handler(signal.SIGINT, self.handle_quit, signal.SIGINT, None)
        self.loop.add_signal_handler(signal.SIGWINCH, self.handle_winch, signal.SIGWINCH, None)
        self.loop.add_signal_handler(signal.SIGUSR1, self.handle_usr1, signal.SIGUSR1, None)
        self.loop.add_signal_handler(signal.SIGABRT, self.handle_abort, signal.SIGABRT, None)
        signal.siginterrupt(signal.SIGTERM, False)
        signal.siginterrupt(signal.SIGUSR1, False)

    def handle_quit(self, sig: int, frame: Any) -> None:
        self.alive = False

    def handle_abort(self, sig: int, frame: Any) -> None:
        self.alive = False
        self.exit_code = 1
