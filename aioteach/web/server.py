"""The low-level server: one handler, its settings, and the set of live connections.

``Server(handler, **settings)`` is a protocol factory for ``loop.create_server`` (aiohttp's
``web.Server``): every accepted connection gets an ``HttpProtocol`` (``web/protocol.py``) that
reads the settings from here.  ``AppRunner`` builds one for an ``Application``; a bare
``async def handler(request)`` works too (``ServerRunner``).

Settings, with their defaults (the README lists them too)::

    keepalive_timeout   75.0   seconds an idle keep-alive connection stays open (aiohttp's)
    head_timeout        20.0   seconds for a request head to arrive ...
    head_timeout_max    40.0   ... extended by 1 s per min_rate bytes received, up to this
    body_timeout        20.0   seconds for a request body, extended the same way ...
    body_timeout_max    None   ... up to this (None: no cap)
    min_rate            500    bytes per second that earn a slow client one more second
    max_line_size       8190   request line (414 beyond); max_field_size 8190 (431 beyond)
    max_headers         100    field lines per head (431 beyond)
    read_limit          65536  body bytes buffered before reading pauses
    handler_cancellation False cancel the handler when its client disconnects (aiohttp 3.9+)
    inline_first_step   False  take handlers' first steps outside a Task (web/eager.py)

(``web/timeouts.py`` explains the time limits: Apache mod_reqtimeout's
``header=20-40,MinRate=500 body=20,MinRate=500``.)  An unknown keyword is a TypeError, so a
typo (``head_timout=5``) cannot silently leave a default in place; aiohttp's handler options
that have no meaning here (``tcp_keepalive``, ``lingering_time`` ...) are accepted and ignored.

Shutdown comes in two steps so that ``on_shutdown`` runs between them, as in aiohttp:
``pre_shutdown()`` closes idle keep-alive connections; ``shutdown(timeout)`` lets busy ones
finish their response, asks taken-over ones (WebSockets) to close with 1001, and after
``timeout`` seconds cancels the handlers still running.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Optional, Set

from .protocol import HttpProtocol, server_logger
from .request import BaseRequest, Request
from .response import StreamResponse
from .timeouts import Timeouts

__all__ = ["Server", "IGNORED_AIOHTTP_OPTIONS"]

# aiohttp RequestHandler options that have no meaning in aioteach: accepted, ignored.
IGNORED_AIOHTTP_OPTIONS = frozenset({
    "tcp_keepalive", "lingering_time", "read_bufsize", "auto_decompress",
    "timeout_ceil_threshold", "debug", "max_line_length"})


class Server:
    """A protocol factory for ``loop.create_server`` (aiohttp's low-level ``web.Server``).

    ``handler`` is ``async def handler(request) -> StreamResponse``; an ``Application`` passes
    its ``_handle``.  The keyword settings (module docstring) apply to every connection.
    """

    def __init__(self, handler: Callable[[BaseRequest], Awaitable[StreamResponse]], *,
                 app: Any = None, request_factory: Optional[Callable[..., BaseRequest]] = None,
                 loop: Optional[asyncio.AbstractEventLoop] = None, access_log: Any = None,
                 keepalive_timeout: float = 75.0, head_timeout: float = 20.0,
                 head_timeout_max: float = 40.0, body_timeout: float = 20.0,
                 body_timeout_max: Optional[float] = None, min_rate: float = 500.0,
                 max_line_size: int = 8190, max_field_size: int = 8190, max_headers: int = 100,
                 read_limit: int = 2 ** 16, logger: logging.Logger = server_logger,
                 handler_cancellation: bool = False, inline_first_step: bool = False,
                 **aiohttp_options: Any) -> None:
        unknown = sorted(set(aiohttp_options) - IGNORED_AIOHTTP_OPTIONS)
        if unknown:
            raise TypeError(f"Server() got unexpected keyword argument(s) {', '.join(unknown)}"
                            " (see aioteach.web.server for the settings)")
        self.handler = handler
        self.app = app
        self.request_factory = request_factory or Request
        self.loop = loop
        self.access_log = access_log
        self.timeouts = Timeouts(keepalive_timeout, head_timeout, head_timeout_max,
                                 body_timeout, body_timeout_max, min_rate)
        self.parser_limits = dict(max_line_size=max_line_size, max_field_size=max_field_size,
                                  max_headers=max_headers)
        self.read_limit = read_limit
        self.handler_cancellation = handler_cancellation
        self.inline_first_step = inline_first_step      # see web/eager.py before saying True
        self.logger = logger
        self.connections: Set[HttpProtocol] = set()
        self.requests_count = 0
        # Signals and sub-apps are frozen with the app: ask once whether any listens.
        self.any_prepare_receivers = app is not None and _any_prepare_receivers(app)
        self._all_closed: "Optional[asyncio.Future[None]]" = None

    @property
    def keepalive_timeout(self) -> float:
        return self.timeouts.keepalive_timeout

    def __call__(self) -> HttpProtocol:
        return HttpProtocol(self)

    def pre_shutdown(self) -> None:
        """Shutdown step one (before ``on_shutdown``): close idle keep-alive connections."""
        for conn in list(self.connections):
            if conn.is_idle():
                conn.close_when_idle()

    async def shutdown(self, timeout: Optional[float] = None) -> None:
        """Close every connection: idle ones now, busy ones after their response.

        Connections still busy after ``timeout`` seconds have their handlers cancelled.
        Taken-over connections (WebSockets) are asked to close first (``close_for_shutdown``).
        """
        for conn in list(self.connections):
            conn.close_when_idle()
        if self.connections:
            self._all_closed = asyncio.get_running_loop().create_future()
            try:
                await asyncio.wait_for(asyncio.shield(self._all_closed), timeout)
            except asyncio.TimeoutError:
                pass
        handlers = [conn.handler_task for conn in self.connections
                    if conn.handler_task is not None]
        for conn in list(self.connections):
            conn.abort()
        if handlers:        # let the cancelled handlers run their finally blocks first
            await asyncio.wait(handlers, timeout=5.0)

    def connection_closed(self, conn: HttpProtocol) -> None:
        """Called by a connection when its transport is gone."""
        self.connections.discard(conn)
        if not self.connections and self._all_closed is not None \
                and not self._all_closed.done():
            self._all_closed.set_result(None)


def _any_prepare_receivers(app: Any) -> bool:
    """Does ``app``, or any application mounted in it, listen to ``on_response_prepare``?"""
    if app.on_response_prepare:
        return True
    return any(_any_prepare_receivers(resource.app) for resource in app.router.resources()
               if isinstance(getattr(resource, "app", None), type(app)))
