"""The two steps in which a server shuts a connection down, mixed into ``HttpProtocol``.

``web/server.py``'s ``shutdown()`` takes every connection through them: first
``close_when_idle`` (an idle connection closes now, a busy one after the response in progress;
a WebSocket is asked to send its close frame), then, for connections still open when the
grace period is over, ``abort`` (the handler is cancelled, the transport dropped).  What
"idle" means is ``is_idle``: nothing being answered, nothing queued, no byte of the next
request received.
"""
from __future__ import annotations

import asyncio
from typing import Any, Optional

from .lifecycle import CLOSED

__all__ = ["ShutdownSteps"]


class ShutdownSteps:
    """``is_idle``, ``close_when_idle`` and ``abort`` for ``web.protocol.HttpProtocol``.

    They use the protocol's ``_current``, ``_queue``, ``_takeover``, ``_parser``, ``_life``,
    ``_loop``, ``transport``, ``handler_task`` and ``_close_after_current()``.
    """

    _current: Any
    _queue: Any
    _takeover: Any
    _parser: Any
    _life: str
    _loop: asyncio.AbstractEventLoop
    transport: Optional[asyncio.Transport]
    handler_task: "Optional[asyncio.Task[Any]]"

    def _close_after_current(self) -> None: ...

    def is_idle(self) -> bool:
        """Between requests, nothing of the next one received: safe to close at once."""
        return (self._current is None and not self._queue and self._takeover is None
                and not self._parser.mid_message)

    def close_when_idle(self) -> None:
        """Shutdown step one: close now if idle, else after the current response."""
        if self._life is CLOSED:
            return
        self._close_after_current()
        if self._takeover is not None and hasattr(self._takeover, "close_for_shutdown"):
            self._loop.create_task(self._takeover.close_for_shutdown())
        elif self._current is None and self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        """Shutdown's last step: cancel the handler and drop the connection."""
        if self.handler_task is not None:
            self.handler_task.cancel()
        if self.transport is not None:
            self.transport.close()
