"""The heartbeat of a WebSocket (either side): aiohttp's liveness rule, as a mixin.

Theory of operation.  With ``heartbeat=N``, ``WebSocketBase._start`` schedules
``_send_heartbeat`` after N seconds: it sends a Ping and checks N/2 seconds later whether
*any* bytes arrived meanwhile (``_heard``, set by ``data_received``).  Silence means the peer
(or the network) is dead: no Close frame (it would never be read), just close code 1006, an
ERROR message for ``receive()`` and an aborted transport.  ``_stop_heartbeat`` cancels both
timers; closing and losing the connection call it.

The mixin only uses what ``aioteach.wsbase.WebSocketBase`` defines (``_closed``, ``_lost``,
``_write``, ``_conn``, ``_push``, ``_transport`` ...); it lives apart so that module stays one
sitting long.  Precedent: aiohttp's ``heartbeat`` parameter, RFC 6455 section 5.5.2 (Ping).
"""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Callable, Optional

from .websocket import WSCloseCode, WSMessage, WSMsgType

__all__ = ["HeartbeatMixin"]


class HeartbeatMixin:
    """Ping every ``_heartbeat`` seconds; no bytes within half of that: the peer is dead."""

    _heartbeat: Optional[float]
    _heard: bool
    _ping_timer: Optional[asyncio.TimerHandle]
    _pong_timer: Optional[asyncio.TimerHandle]
    _closed: bool
    _closing: bool
    _lost: bool
    _loop: Any
    _conn: Any
    _transport: Any
    _close_code: Optional[int]
    _exception: Optional[BaseException]
    _close_waiter: Optional[asyncio.Future[Any]]
    _write: Callable[[bytes], None]                      # set by WebSocketBase.__init__/_start

    if TYPE_CHECKING:                                    # provided by WebSocketBase
        def _push(self, message: WSMessage) -> None: ...
        def _run_parked(self, here: bool = False) -> None: ...
        def _timeout_error(self) -> BaseException: ...

    def _send_heartbeat(self) -> None:
        self._ping_timer = None
        if self._closed or self._lost:
            return
        heartbeat = self._heartbeat
        self._heard = False
        self._write(self._conn.send_ping())
        loop = self._loop
        # heartbeat is a float here: _start schedules this only when one was given.
        self._pong_timer = loop.call_later(heartbeat / 2,  # type: ignore[operator]
                                           self._check_heartbeat)
        self._ping_timer = loop.call_later(heartbeat, self._send_heartbeat)

    def _check_heartbeat(self) -> None:
        # Any bytes count as an answer, not only the Pong: a peer busy sending a big message
        # is clearly alive, and its Pong may be queued behind that message.
        self._pong_timer = None
        if self._heard or self._closed or self._lost:
            return
        # Dead peer: no Close frame (it would not read it), just 1006 and a closed transport.
        self._close_code = WSCloseCode.ABNORMAL_CLOSURE
        self._exception = self._timeout_error()
        self._closed = self._closing = True
        self._push(WSMessage(WSMsgType.ERROR, self._exception, None))
        self._stop_heartbeat()
        waiter = self._close_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        if self._transport is not None:
            self._transport.abort()                   # close() would wait to flush to the dead
        self._run_parked()                            # a parked handler: on the next turn

    def _stop_heartbeat(self) -> None:
        for timer in (self._ping_timer, self._pong_timer):
            if timer is not None:
                timer.cancel()
        self._ping_timer = self._pong_timer = None
