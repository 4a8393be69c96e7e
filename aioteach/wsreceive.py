"""Messages out of a WebSocket (either side): ``receive()`` and its typed and iterating forms.

Theory of operation.  ``WebSocketBase.data_received`` (``wsbase.py``) turns bytes into
WSMessages and hands each to ``_push``: straight into the future of a ``receive()`` that
waits (on the server under Python 3.11 its handler is parked there and runs on at the end of
the read: ``park`` below and ``web/connectiontask.py``), or into the queue ``_messages`` with
its size.  This mixin is the other end:

    receive()         pop the queue; or wait on one future (with ``timeout`` or
                      ``receive_timeout``); after the end, CLOSING (the peer closed: answer
                      with ``close()``) or CLOSED; calling it on and on after that raises
    receive_str/bytes/json   ``receive()`` plus a check of the type (``WSMessageTypeError``)
    async for msg in ws      ``receive()`` until CLOSE, CLOSING or CLOSED

Reading resumes once the queue drains below ``QUEUE_LOW_WATER`` (``wsbase._push`` pauses
it above ``QUEUE_HIGH_WATER``).  A ``receive()`` cancelled just after its message arrived puts
the message back at the front of the queue: no message is ever lost.  The mixin uses only
what ``WebSocketBase`` defines; it lives apart so that module stays one sitting long.

Performance notes (valgrind instructions per 16-byte echo, ``bench_websocket.py
--instructions``, in-process, 1 / 16 connections): ``__anext__`` is a plain method that
returns ``receive(_iterating=True)``, receive()'s own coroutine, instead of an ``async def``
awaiting it: one coroutine made and one level resumed fewer per message, 78.2k -> 77.4k /
52.5k -> 51.7k (1.0%, 1.5%).
"""
from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Deque, Optional, Tuple

from .websocket import WebSocketConnection, WSMessage, WSMessageTypeError, WSMsgType

__all__ = ["ReceiveMixin", "WS_CLOSED_MESSAGE", "WS_CLOSING_MESSAGE", "QUEUE_HIGH_WATER",
           "QUEUE_LOW_WATER", "queued_size"]

WS_CLOSED_MESSAGE, WS_CLOSING_MESSAGE = (WSMessage(WSMsgType.CLOSED, None, None),   # aiohttp's
                                         WSMessage(WSMsgType.CLOSING, None, None))

# Received messages waiting for receive(): above 256 KiB we stop reading the socket, so TCP's
# window pushes back on a fast sender; below 64 KiB we read again.
QUEUE_HIGH_WATER = 256 * 1024
QUEUE_LOW_WATER = 64 * 1024

# A handler calling receive() on a closed socket again and again forgot to stop: aiohttp raises.
CLOSED_RECEIVES_ALLOWED = 5

TEXT, BINARY = WSMsgType.TEXT, WSMsgType.BINARY
_END_OF_ITERATION = (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED)
_DATA_TYPES = (TEXT, BINARY)


def queued_size(message: WSMessage) -> int:
    """What a message counts for in the queue's flow control: the length of its data (str
    or bytes) for TEXT and BINARY, nothing for the rest."""
    return len(message.data) if message.type in _DATA_TYPES else 0


class ReceiveMixin:
    """``receive()`` and friends over ``WebSocketBase``'s queue and waiter."""

    _messages: Deque[Tuple[WSMessage, int]]
    _queued: int
    _reading_paused: bool
    _waiter: Optional[asyncio.Future]
    _conn: Optional[WebSocketConnection]
    _loop: Optional[asyncio.AbstractEventLoop]
    _transport: Any
    _receive_timeout: Optional[float]
    _closed: bool
    _closing: bool
    _lost: bool
    _closed_receives: int
    _parker: Any                                     # WebSocketBase's Parker, or None

    if TYPE_CHECKING:                                    # provided by WebSocketBase
        def _pause_reading(self) -> None: ...
        def _run_parked(self, here: bool = False) -> None: ...

    async def receive(self, timeout: Optional[float] = None, *,
                      _iterating: bool = False) -> WSMessage:
        """The next message.  After the end: CLOSING (the peer closed, answer with close())
        or CLOSED.  ``timeout`` (or ``receive_timeout``) raises ``asyncio.TimeoutError``.
        (``_iterating``: raise StopAsyncIteration instead of returning the end, for
        ``__anext__``.)"""
        # long because: the queue, the end and the wait are one decision, read top to bottom;
        # a helper coroutine for the wait would cost every message a level (Performance notes).
        messages = self._messages
        if not messages:
            if self._conn is None:
                raise RuntimeError("Call .prepare() first (the WebSocket handshake has not "
                                   "happened)")
            if self._closed or self._lost:
                return self._end(self._closed_message(), _iterating)
            if self._closing:
                return self._end(WS_CLOSING_MESSAGE, _iterating)
            if self._waiter is not None:
                raise RuntimeError("Concurrent call to receive() is not allowed: one coroutine "
                                   "reads a WebSocket, others may send")
            waiter = self._waiter = self._loop.create_future()   # type: ignore[union-attr]
            timeout = timeout or self._receive_timeout
            timer = self._loop.call_later(timeout, self._time_out, waiter) if timeout else None  # type: ignore[union-attr]
            if self._parker is not None:              # the server's: see wsbase's _push
                self._parker.park(waiter)
            try:
                handed = await waiter                 # the message, or None: the end
            except asyncio.CancelledError:
                # Cancelled after data_received handed us a message: it goes back to the
                # front of the queue, so the next receive() gets it (never lost).
                if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                    self._requeue(waiter.result())
                raise
            finally:
                self._waiter = None
                if timer is not None:
                    timer.cancel()
            if handed is not None:                    # data_received handed it over directly
                if _iterating and handed.type in _END_OF_ITERATION:
                    raise StopAsyncIteration
                return handed
            if not messages:                          # woken by the end of the connection
                return self._end(self._closed_message() if self._closed
                                 else WS_CLOSING_MESSAGE, _iterating)
        message, size = messages.popleft()
        if size:
            self._queued -= size
            if self._reading_paused and self._queued < QUEUE_LOW_WATER and not self._lost:
                self._reading_paused = False
                self._transport.resume_reading()
        elif _iterating and message.type in _END_OF_ITERATION:
            raise StopAsyncIteration
        return message

    @staticmethod
    def _end(message: WSMessage, iterating: bool) -> WSMessage:
        """CLOSING or CLOSED for receive(); the end of the iteration for ``async for``."""
        if iterating:
            raise StopAsyncIteration
        return message

    def _time_out(self, waiter: "asyncio.Future[Any]") -> None:
        if not waiter.done():
            waiter.set_exception(asyncio.TimeoutError())
            self._run_parked()                    # a parked handler: on the next turn

    def _requeue(self, message: Optional[WSMessage]) -> None:
        """Put a message handed to a cancelled receive() back at the front of the queue."""
        if message is None:
            return
        size = queued_size(message)
        self._messages.appendleft((message, size))
        self._queued += size
        if self._queued > QUEUE_HIGH_WATER:
            self._pause_reading()

    def _closed_message(self) -> WSMessage:
        self._closed_receives += 1
        if self._closed_receives > CLOSED_RECEIVES_ALLOWED:
            raise RuntimeError("WebSocket connection is closed: stop calling receive() after "
                               "a CLOSE or CLOSED message")
        return WS_CLOSED_MESSAGE

    async def _receive_kind(self, kind: WSMsgType, timeout: Optional[float]) -> Any:
        message = await self.receive(timeout)
        if message.type is not kind:
            raise WSMessageTypeError(f"Received {message.type!r} is not WSMsgType.{kind.name}")
        return message.data

    async def receive_str(self, *, timeout: Optional[float] = None) -> str:
        return await self._receive_kind(TEXT, timeout)

    async def receive_bytes(self, *, timeout: Optional[float] = None) -> bytes:
        return await self._receive_kind(BINARY, timeout)

    async def receive_json(self, *, loads: Callable[[str], Any] = json.loads,
                           timeout: Optional[float] = None) -> Any:
        return loads(await self.receive_str(timeout=timeout))

    def __aiter__(self) -> "ReceiveMixin":
        return self

    def __anext__(self) -> Awaitable[WSMessage]:
        """``receive()`` until CLOSE, CLOSING or CLOSED.  Not ``async def``: it hands over
        receive()'s own coroutine, so a handler in ``async for`` waits one level deep, not two
        (Performance notes)."""
        return self.receive(_iterating=True)
