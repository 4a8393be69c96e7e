"""The asyncio half of a WebSocket, shared by ``web.WebSocketResponse`` and the client.

Theory of operation.  ``aioteach.websocket.WebSocketConnection`` knows RFC 6455 but does no
I/O; this module connects it to a transport and to the coroutines of an application.  The
server (``web/websocket.py``) and the client (``client/websocket.py``) each do their own
opening handshake, then hand the same three things to ``WebSocketBase._start``: the codec, a
``write(bytes)`` function and an ``async drain()``.  Everything after that is here:

    bytes in     ``data_received`` (a transport callback, no Task): codec -> events ->
                 WSMessage in a queue (one whole message alone in a read skips the
                 event: ``receive_whole_message``); Ping answered at once (``autoping``), a
                 peer's Close answered at once with 1000 (``autoclose``), a protocol
                 violation with the codec's Close frame and an ERROR message (section 7.1.7)
    messages out ``await ws.receive()`` pops the queue, or waits on one future for the next
                 message; ``async for msg in ws`` stops at CLOSE, CLOSING or CLOSED
                 (``wsreceive.py``); on the server under Python 3.11 a handler waiting
                 there is *parked*: the read's ``data_received`` runs it on at its end
                 (``Parker``, below)
    bytes out    ``send_str``/``send_bytes``/``send_json``/``ping``/``pong``: one frame, one
                 ``write``, then ``drain()`` if the transport may be paused (below)
    closing      ``close()`` sends our Close, waits up to ``timeout`` seconds for the peer's,
                 then closes the transport (section 7.1.2); 1006 if the peer never answers
    heartbeat    a Ping every ``heartbeat`` seconds, silence: 1006 (``wsheartbeat.py``)

Rules.  A peer's misbehaviour never raises into the application: it becomes a message (CLOSE,
ERROR or CLOSED) and a ``close_code``.  The application's misuse raises at once: sending after
``close()`` is ``ConnectionResetError``, a wrong argument type is ``TypeError``, two coroutines
calling ``receive()`` at the same time is ``RuntimeError`` (all as in aiohttp).

Flow control both ways: ``drain()`` after a send while the transport's buffer is not empty
(or, where the pauses are forwarded to ``write_paused``, while it is paused), and reading
pauses while more than ``QUEUE_HIGH_WATER`` bytes of messages wait in the queue for a slow
``receive()``.

Performance notes (valgrind instructions per 16-byte echo round trip, in-process): the glue's
one fast path is the codec's (``receive_whole_message``: the message's data, no event);
every message, small or not, reaches ``receive()`` through one ``_push``, which hands it to a
waiting ``receive()``'s future instead of the queue (66.1k -> 65.1k, 1.5%, previous harness);
the message goes there alone, its size (``wsreceive.queued_size``) worked out only for one
that waits in the queue (77.0k -> 76.6k, 0.5%; ``tests/websocket/test_ws_fast_handoff.py``).
The inlined copy of ``_push`` in ``data_received`` is folded back: it saved under 1%
(119.3k -> 117.6k together with the codec's fold).  ``tuple.__new__`` builds a WSMessage
without NamedTuple's Python-level ``__new__``.  ``send_str``, untraced on a connection the
transport hands to us directly, writes to the transport itself instead of through the server's
``write`` (the same two steps, one call fewer): 77.5k -> 76.6k (1.2%).  ``__slots__``: the
server's WebSocketResponse had 42 attributes, past the 30 that CPython 3.11 keeps in a class's
shared-key layout, so each of its instances fell back to a dict and every ``self._x`` was a
dict lookup; with the glue's 29 in slots the StreamResponse's 13 stay in the fast layout:
77.6k -> 75.8k (1 connection), 51.5k -> 50.2k (16 connections).  A send drains only while
the transport is paused (``write_paused``, forwarded by the server's DirectRoute) instead
of asking ``get_write_buffer_size()`` each time: 75.8k -> 75.5k, 50.2k -> 49.9k.

Where a 16-byte echo goes (Python 3.11, valgrind on the server's own process, a real socket,
one connection): 80.5k instructions per round trip when each message woke the handler's Task;
65.6k since ``_push`` hands it to a *parked* handler (``web/connectiontask.py``: the handler
runs on inside ``data_received``, no turn of the loop); aiohttp 75.2k.  23.7k of it is
asyncio's own floor (a bare ``asyncio.Protocol`` echo on the same socket), and 3.1k the
standard-library unmask beyond a C one (62.5k with ``use_mask("websockets")``).  With 16
connections in flight the loop's turns are shared and the counts are 52.9k, 50.1k and 54.2k.
"""
from __future__ import annotations

import asyncio
import collections
import json
from typing import Any, Awaitable, Callable, Deque, Optional, Protocol, Tuple, Union

from . import trace
from .wsheartbeat import HeartbeatMixin
from .wsreceive import (QUEUE_HIGH_WATER, WS_CLOSED_MESSAGE, WS_CLOSING_MESSAGE, ReceiveMixin,
                        queued_size)
from .websocket import (BytesMessage, CloseReceived, ConnectionState, FrameError, Ping, Pong,
                        TextMessage, WebSocketConnection, WSCloseCode, WSMessage,
                        WSMsgType)

__all__ = ["WebSocketBase", "WS_CLOSED_MESSAGE", "WS_CLOSING_MESSAGE", "QUEUE_HIGH_WATER"]



TEXT, BINARY = WSMsgType.TEXT, WSMsgType.BINARY
_CLOSED = ConnectionState.CLOSED
# The codec's data events and the WSMessage type each becomes (a table, not an if-chain).
_DATA_MESSAGE_TYPES = {TextMessage: TEXT, BytesMessage: BINARY}
_new_tuple = tuple.__new__


def _wake(waiter: Optional[asyncio.Future]) -> None:
    if waiter is not None and not waiter.done():
        waiter.set_result(None)


class Parker(Protocol):
    """What lets a message reach a waiting ``receive()`` without a turn of the loop: the
    server's ``web.connectiontask.ConnectionTask`` on Python 3.11 (read it for the why);
    None on the client, on 3.12+ and with ``inline_first_step``."""

    def park(self, waiter: "asyncio.Future[Any]") -> None:
        """``receive()`` is about to await ``waiter``, which this WebSocket completes."""

    def unpark(self, waiter: "asyncio.Future[Any]", here: bool = False) -> None:
        """``waiter`` is done: run the handler on from it (``here``: now, in this callback)."""


class WebSocketBase(ReceiveMixin, HeartbeatMixin):
    """Receiving, sending, closing and the heartbeat of one open WebSocket (either side).

    Subclasses do the opening handshake, then call ``_start``.  ``_timeout_error()`` names
    the exception a missed heartbeat leaves in ``exception()`` (the server's and the client's
    differ, as in aiohttp).
    """

    # Slots, not the instance's __dict__: the server's WebSocketResponse adds a
    # StreamResponse's attributes, and an instance of a class with more than 30 of them in
    # its __dict__ (3.11) loses the shared-keys layout, so every attribute access becomes a
    # dict lookup (Performance notes).
    __slots__ = ("_timeout", "_receive_timeout", "_autoclose", "_autoping", "_heartbeat",
                 "_max_msg_size", "_conn", "_write", "_drain", "_transport", "_loop",
                 "_ws_protocol", "_messages", "_queued", "_reading_paused", "_waiter",
                 "_close_waiter", "_closed", "_closing", "_lost", "_close_code", "_exception",
                 "_closed_receives", "_heard", "_ping_timer", "_pong_timer", "_trace_conn",
                 "_parker", "_write_paused")

    def __init__(self, *, timeout: float = 10.0, receive_timeout: Optional[float] = None,
                 autoclose: bool = True, autoping: bool = True,
                 heartbeat: Optional[float] = None, max_msg_size: int = 4 * 1024 * 1024) -> None:
        self._timeout = timeout                    # how long close() waits for the peer's Close
        self._receive_timeout = receive_timeout
        self._autoclose = autoclose
        self._autoping = autoping
        self._heartbeat = heartbeat
        self._max_msg_size = max_msg_size
        self._conn: Optional[WebSocketConnection] = None    # the codec, once the handshake is done
        self._write: Callable[[bytes], None] = self._not_started
        self._drain: Callable[[], Awaitable[None]] = self._not_started
        self._transport: Any = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._ws_protocol: Optional[str] = None               # the negotiated subprotocol
        self._messages: Deque[Tuple[WSMessage, int]] = collections.deque()   # (message, size)
        self._queued = 0                           # bytes of TEXT/BINARY data in _messages
        self._reading_paused = False
        self._waiter: Optional[asyncio.Future] = None         # receive() waiting for a message
        self._close_waiter: Optional[asyncio.Future] = None   # close() waiting for the peer's
        self._closed = False                       # we sent our Close, or the connection is gone
        self._closing = False                      # the peer's Close (or a failure) arrived
        self._lost = False                         # the transport is gone
        self._close_code: Optional[int] = None
        self._exception: Optional[BaseException] = None
        self._closed_receives = 0
        self._heard = False                        # bytes arrived since the last heartbeat Ping
        self._ping_timer: Optional[asyncio.TimerHandle] = None
        self._pong_timer: Optional[asyncio.TimerHandle] = None
        # The server's connection id once the transport calls data_received directly
        # (web/websocket.py's DirectRoute): then the "server.bytes_in" trace is emitted here,
        # and send_str, untraced, writes to the transport itself.
        self._trace_conn: Optional[int] = None
        # The server's ConnectionTask (Python 3.11), which runs the handler on from a waiting
        # receive() inside data_received: no turn of the loop per message (see _push).
        self._parker: Optional[Parker] = None
        # Must a send drain?  None: ask the transport each time (is its buffer empty?); a bool
        # once its pause_writing/resume_writing reach us (``write_paused``: the server's
        # DirectRoute forwards them), True while it may be paused.
        self._write_paused: Optional[bool] = None

    @staticmethod
    def _not_started(*args: Any) -> Any:
        raise RuntimeError("Call .prepare() first (the WebSocket handshake has not happened)")

    def _start(self, conn: WebSocketConnection, write: Callable[[bytes], None],
               drain: Callable[[], Awaitable[None]], transport: Any,
               protocol: Optional[str]) -> None:
        """The handshake is done: from now on ``conn`` speaks through ``write``/``drain``."""
        self._conn = conn
        self._write = write
        self._drain = drain
        self._transport = transport
        self._ws_protocol = protocol
        self._loop = asyncio.get_running_loop()
        if self._heartbeat:
            self._ping_timer = self._loop.call_later(self._heartbeat, self._send_heartbeat)

    def _timeout_error(self) -> BaseException:
        return asyncio.TimeoutError("no answer to a heartbeat Ping within heartbeat/2 seconds")
    _closed_error = ConnectionResetError      # what sending after close raises (client: its own)

    # -- what we know ---------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        """True once our Close went out (or the connection is gone): sending is over."""
        return self._closed

    @property
    def close_code(self) -> Optional[int]:
        """The peer's close code, the one we failed with, or 1006 for a connection that died."""
        return self._close_code

    @property
    def protocol(self) -> Optional[str]:
        """The subprotocol both sides agreed on (Sec-WebSocket-Protocol), or None."""
        return self._ws_protocol

    ws_protocol = protocol                         # the server's name for it in aiohttp

    @property
    def compress(self) -> int:
        """permessage-deflate's negotiated server window bits (RFC 7692), 0 for none (aiohttp)."""
        params = self._conn.deflate if self._conn is not None else None
        return params.server_max_window_bits if params is not None else 0

    def exception(self) -> Optional[BaseException]:
        """What ended the connection abnormally (a protocol error, a timeout), or None."""
        return self._exception

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """The transport's ``get_extra_info`` (``"peername"``, ``"sslcontext"`` ...)."""
        if self._transport is None:
            return default
        return self._transport.get_extra_info(name, default)

    # -- bytes in: called by the transport's protocol, never awaited -------------------------
    def data_received(self, data: bytes) -> None:
        if trace.enabled and self._trace_conn is not None:
            trace.emit("server.bytes_in", conn=self._trace_conn, n=len(data))
        self._heard = True
        conn: Any = self._conn      # Any: mypy cannot see that a data `kind` means `event.data`
        # The hot path first: exactly one whole message comes back as its data, with no
        # event made on the way (WebSocketConnection.receive_whole_message says why).
        message = conn.receive_whole_message(data)
        if message is not None:
            self._push(_new_tuple(WSMessage, (TEXT if type(message) is str else BINARY,
                                              message, None)))
        else:
            for event in conn.receive_data(data):
                kind = _DATA_MESSAGE_TYPES.get(type(event))
                if kind is not None:
                    self._push(_new_tuple(WSMessage, (kind, event.data, None)))
                else:
                    self._on_control(event)
        if self._parker is not None:                 # every event of the read is handled:
            self._run_parked(here=True)             # a parked handler runs on, now

    def _on_control(self, event: Union[Ping, Pong, CloseReceived]) -> None:
        kind = type(event)
        if kind is Ping:
            if self._autoping:
                self._write(self._conn.send_pong(event.payload))    # type: ignore[union-attr]
            else:
                self._push(event.to_message())
        elif kind is Pong:
            if not self._autoping:                   # with autoping a Pong is only a sign of life
                self._push(event.to_message())
        else:
            self._on_close(event)                    # type: ignore[arg-type]

    def _push(self, message: WSMessage) -> None:
        """Give a message to receive().

        A receive() that waits gets it in its future, with no queue on the way; otherwise
        it is queued with its size, and reading pauses once the queue holds too many bytes.
        """
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(message)              # receive() requeues it if cancelled
            return
        size = queued_size(message)
        self._messages.append((message, size))
        if size:
            self._queued += size
            if self._queued > QUEUE_HIGH_WATER:
                self._pause_reading()

    def _pause_reading(self) -> None:
        """Too many bytes wait for receive(): let TCP's window push back on the sender."""
        if not self._reading_paused and not self._lost:
            self._reading_paused = True
            self._transport.pause_reading()

    def _on_close(self, event: CloseReceived) -> None:
        conn = self._conn
        self._closing = True
        self._close_code = event.code
        if not event.by_peer:
            # The peer broke RFC 6455: the codec failed the connection and queued its Close
            # (1002, 1007, 1009).  Send it, report an ERROR, and hang up (section 7.1.7).
            self._closed = True
            self._exception = FrameError(event.code, event.reason)
            self._write(conn.data_to_send())         # type: ignore[union-attr]
            self._push(WSMessage(WSMsgType.ERROR, self._exception, None))
            self._finish()
            return
        if conn.state is _CLOSED:                     # type: ignore[union-attr]
            # The answer to our own Close: the closing handshake is complete.
            self._push(event.to_message())
            self._finish()
            return
        if self._autoclose:
            # Answer at once, and with 1000 whatever the peer's code, as aiohttp does: the
            # closer's close_code is the code of our answer (section 7.1.5), so this is what
            # makes ``ws.close(code=4000)`` read the same on both libraries.  (Section 5.5.1
            # says an endpoint "typically" echoes the code; 1000 is allowed too.)
            self._closed = True
            self._write(conn.send_close(WSCloseCode.OK))  # type: ignore[union-attr]
            self._push(event.to_message())
            self._finish()
            return
        self._push(event.to_message())            # the application answers with close()

    def connection_lost(self, exc: Optional[BaseException] = None) -> None:
        """The transport is gone.  Without a closing handshake first, that is 1006."""
        self._lost = True
        if self._close_code is None:
            self._close_code = WSCloseCode.ABNORMAL_CLOSURE
            if exc is not None and self._exception is None:
                self._exception = exc
        self._closed = True
        self._stop_heartbeat()
        self._wake_receive()
        _wake(self._close_waiter)

    def _run_parked(self, here: bool = False) -> None:
        """A message or the end reached a waiting receive(): if its handler is parked (the
        server, Python 3.11), it runs on, at once if ``here`` (the end of a read, every
        event of it handled), else in its Task on the loop's next turn (timers, closing)."""
        waiter = self._waiter
        if self._parker is not None and waiter is not None and waiter.done():
            self._parker.unpark(waiter, here)

    def _wake_receive(self) -> None:
        """The end came: a waiting receive() returns (CLOSED or CLOSING), in the handler's
        Task on the loop's next turn, never inside our caller."""
        _wake(self._waiter)
        self._run_parked()

    def _finish(self) -> None:
        """Both Close frames went by (or we gave up): close the transport (section 7.1.1)."""
        self._stop_heartbeat()
        _wake(self._close_waiter)
        if self._transport is not None and not self._lost:
            self._transport.close()

    # -- bytes out -----------------------------------------------------------------------------
    def write_paused(self, paused: bool) -> None:
        """The transport's ``pause_writing`` (True) or ``resume_writing`` (False), forwarded
        by whoever owns it: from the first call on, a send drains only while it is paused,
        without asking the transport about its buffer each time.  (``drain()`` itself still
        decides whether to wait: a True here only costs a call.)"""
        self._write_paused = paused

    def _check_open(self) -> WebSocketConnection:
        if self._closed or self._lost:
            raise self._closed_error("Cannot write to closing transport: the WebSocket is "
                                     "closed (check ws.closed before sending)")
        if self._conn is None:
            self._not_started()
        return self._conn                             # type: ignore[return-value]

    async def send_str(self, data: str, compress: Optional[int] = None) -> None:
        if not isinstance(data, str):
            raise TypeError(f"data argument must be str ({type(data)!r})")
        if self._closed or self._lost or self._conn is None:
            self._check_open()                        # raises; tested inline to save a call
        frame = self._conn.send_text(data)           # type: ignore[union-attr]  # checked above
        if self._trace_conn is not None and not trace.enabled:
            self._transport.write(frame)              # speed: the server's write hop skipped
        else:
            self._write(frame)
        paused = self._write_paused                   # None: unknown, ask the transport
        if paused or (paused is None and self._transport.get_write_buffer_size()):
            await self._drain()

    async def send_bytes(self, data: Union[bytes, bytearray, memoryview],
                         compress: Optional[int] = None) -> None:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data argument must be byte-ish ({type(data)!r})")
        self._write(self._check_open().send_bytes(data))
        paused = self._write_paused                   # as in send_str
        if paused or (paused is None and self._transport.get_write_buffer_size()):
            await self._drain()

    async def send_json(self, data: Any, compress: Optional[int] = None, *,
                        dumps: Callable[[Any], str] = json.dumps) -> None:
        await self.send_str(dumps(data))

    async def ping(self, message: Union[bytes, str] = b"") -> None:
        await self._send_control(message, ping=True)

    async def pong(self, message: Union[bytes, str] = b"") -> None:
        await self._send_control(message, ping=False)

    async def _send_control(self, message: Union[bytes, str], ping: bool) -> None:
        payload = message.encode("utf-8") if isinstance(message, str) else message
        conn = self._check_open()
        self._write(conn.send_ping(payload) if ping else conn.send_pong(payload))
        await self._drain()

    # -- closing -------------------------------------------------------------------------------
    async def close(self, *, code: int = WSCloseCode.OK, message: Union[bytes, str] = b"",
                    drain: bool = True) -> bool:
        """The closing handshake: our Close, then up to ``timeout`` s for the peer's (7.1.2).

        Returns False if the WebSocket was already closed (a second ``close()`` waits for the
        first to finish).  Afterwards ``receive()`` returns CLOSED.
        """
        conn = self._conn
        if conn is None:
            self._not_started()
        if self._closed:
            waiter = self._close_waiter
            if waiter is not None and not waiter.done():
                await asyncio.wait([waiter], timeout=self._timeout)
            return False
        self._closed = True
        self._stop_heartbeat()
        if not self._lost:
            reason = message.decode("utf-8") if isinstance(message, (bytes, bytearray)) \
                else message
            try:
                self._write(conn.send_close(code, reason))     # type: ignore[union-attr]
                if drain:
                    await self._drain()
            except ConnectionError:
                pass                                   # gone meanwhile: connection_lost says so
        if conn.state is not _CLOSED and not self._lost:   # type: ignore[union-attr]
            waiter = self._close_waiter = self._loop.create_future()   # type: ignore[union-attr]
            try:
                await asyncio.wait_for(waiter, self._timeout)
            except asyncio.TimeoutError as exc:
                # Section 7.1.1 lets us give up on a peer that never answers.
                self._close_code = WSCloseCode.ABNORMAL_CLOSURE
                self._exception = exc
        self._finish()
        self._messages.clear()                         # after close(), receive() says CLOSED
        self._queued = 0
        self._wake_receive()
        return True
