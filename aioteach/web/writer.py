"""The seam between a request/response and the connection they travel on.

``web.Request`` and ``web.StreamResponse`` never reach into the server's connection object;
they use only what ``ResponseWriter`` below lists, which ``web.protocol.HttpProtocol``
implements and ``request.protocol`` returns (aiohttp's name).  A test, or another transport,
can stand in for the server by providing the same few members.

What the request side offers in return is its documented properties (``web/request.py``):
``method``, ``version``, ``keep_alive``, ``apps``, ``body_complete``, ``body_error``,
``continue_pending``, ``headers``.

The order of calls for one response::

    response_keep_alive(request, framing)         will the connection persist? (a question)
    start_response(request, status, keep_alive)   the head is rendered and about to go: the
                                                  server's state moves in http1.states' tables
    write(head); write(body piece) ...; await drain()
    end_response()                                the body is complete
"""
from __future__ import annotations

import asyncio
from typing import Any, List, Optional, Protocol

from .. import trace
from ..http1 import ConnectionState
from ..http1.rules import is_switch, response_keeps_alive
from ..http1.states import SEND_BODY, SERVER
from .lifecycle import advance

__all__ = ["ResponseWriter", "ConnectionWriter"]

_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


class ResponseWriter(Protocol):
    """What a request and its response may use of their connection."""

    transport: Optional[asyncio.Transport]     # None once the connection is gone
    conn_id: int                               # names the connection in traces
    handler_task: "Optional[asyncio.Task[Any]]"  # the Task running the current handler
    lender: Any          # 3.11: the connection's Task (web/connectiontask.py), else None

    @property
    def closing(self) -> bool:
        """No further request will be read on this connection."""

    def write(self, data: bytes) -> None:
        """Queue bytes for the client (sent at once, or with the batch being answered)."""

    async def drain(self) -> None:
        """Wait while the client is slower than we are; raise ConnectionResetError if gone."""

    def send_continue(self) -> None:
        """``100 Continue`` for a request that asked for it (RFC 9110 10.1.1), at most once."""

    def response_keep_alive(self, request: Any, framing: str,
                            keep_alive: Optional[bool] = None) -> bool:
        """Will the connection persist after this response (framed as ``http1.rules`` chose;
        ``keep_alive=False``: the response itself said no)?  Asking changes nothing."""

    def start_response(self, request: Any, status: int, keep_alive: bool) -> None:
        """The head is rendered and about to be written: the server's state moves (a 1xx is
        interim, a 101 switches protocols; ``keep_alive`` is what the head says)."""

    def end_response(self) -> None:
        """The response's body is complete."""

    def take_over(self, receiver: Any) -> None:
        """After a 101: hand the connection's bytes to ``receiver`` (see HttpProtocol)."""

    def force_close(self) -> None:
        """Close the connection now (aiohttp's ``RequestHandler.force_close``)."""


class ConnectionWriter:
    """``ResponseWriter``'s implementation, mixed into ``web.protocol.HttpProtocol``.

    It uses these members of the protocol: ``transport``, ``_out`` (None, or the list a batch
    of eager answers collects into), ``_loop``, ``_cycle`` (the http1 ConnectionState),
    ``_current`` (the (request, head, body) being answered), ``_continue_due``,
    ``_error``, ``closing`` and ``conn_id``.
    """

    transport: Optional[asyncio.Transport]
    conn_id: int
    _out: Optional[List[bytes]]
    _loop: asyncio.AbstractEventLoop
    _cycle: ConnectionState
    _current: Any
    _continue_due: bool
    _error: Any
    closing: bool
    _reading_paused = False
    _write_paused = False
    _drain_waiter: "Optional[asyncio.Future[None]]" = None
    _takeover: Any = None
    _life: str
    _timer: Any
    _parser: Any

    def write(self, data: bytes) -> None:
        """Queue bytes for the client (collected into one write while a batch is handled)."""
        if self._out is not None:
            self._out.append(data)
        elif self.transport is not None:
            self.transport.write(data)
            if trace.enabled:
                trace.emit("server.bytes_out", conn=self.conn_id, n=len(data), data=bytes(data))

    def _flush_collected(self) -> None:
        """Send what the current batch collected so far (the list stays, emptied)."""
        out = self._out
        if out and self.transport is not None:
            data = b"".join(out)
            out.clear()
            self.transport.write(data)
            if trace.enabled:
                trace.emit("server.bytes_out", conn=self.conn_id, n=len(data), data=bytes(data))

    async def drain(self) -> None:
        """Wait while the transport's buffer is over its high-water mark.

        A streaming handler may write megabytes in its first, eager step: each ``drain``
        hands the collected bytes to the transport, so its flow control sees them.
        """
        if self._out:
            self._flush_collected()
        transport = self.transport
        # is_closing(): the socket failed during a write; connection_lost is only scheduled,
        # and a handler that never waits would otherwise write on into the void.
        if transport is None or transport.is_closing():
            raise ConnectionResetError("the client closed the connection")
        if self._write_paused:
            self._drain_waiter = self._loop.create_future()
            await self._drain_waiter
            if self.transport is None:
                raise ConnectionResetError("the client closed the connection")

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        self._wake_drain()

    def _wake_drain(self) -> None:
        waiter, self._drain_waiter = self._drain_waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _pause_reading(self) -> None:
        if not self._reading_paused and self.transport is not None:
            self._reading_paused = True
            self.transport.pause_reading()

    def _resume_reading(self) -> None:
        if self._reading_paused and self.transport is not None and self._error is None:
            self._reading_paused = False
            self.transport.resume_reading()

    def send_continue(self) -> None:
        """``100 Continue``: the handler wants the body the client is holding back."""
        if self._continue_due:
            self._continue_due = False
            self._cycle.process_event(SERVER, "InformationalResponse")
            self.write(_CONTINUE)

    def response_keep_alive(self, request: Any, framing: str,
                            keep_alive: Optional[bool] = None) -> bool:
        """Will the connection persist after this response?  (RFC 9112 9.3, http1.rules.)"""
        if keep_alive is False:
            return False
        current = self._current
        if current is None or current[0] is not request:
            return False                  # not the request being answered: be safe
        # The client may still be holding its body back, awaiting a 100 we never sent: then
        # nobody knows where the next request would start.
        unsure = self._continue_due and not current[2].is_eof()
        return response_keeps_alive(current[1].keep_alive, framing, self.closing or unsure)

    def start_response(self, request: Any, status: int, keep_alive: bool) -> None:
        """The head is about to be written: move the server's state in the tables."""
        cycle = self._cycle
        if status < 200 and status != 101:
            cycle.process_event(SERVER, "InformationalResponse")
            return
        cycle.process_event(SERVER, "Switch" if is_switch(request.method, status) else "Response")
        if not keep_alive:
            cycle.process_keep_alive_disabled()

    def end_response(self) -> None:
        """The response's body is complete."""
        if self._cycle.states[SERVER] is SEND_BODY:
            self._cycle.process_event(SERVER, "EndOfMessage")

    def force_close(self) -> None:
        """Close the connection now, whatever is in progress (aiohttp's name)."""
        self._life = advance(self._life, "close")
        if self.transport is not None:
            self.transport.close()

    # -- handing the connection over (WebSockets) ---------------------------------------------
    def take_over(self, receiver: Any) -> None:
        """Give this connection's bytes to ``receiver`` after a ``101 Switching Protocols``.

        How ``web.WebSocketResponse`` (or any ``StreamResponse`` subclass) takes a connection:
        its ``prepare()`` sends the 101 head (``StreamResponse.prepare``: the tables' "Switch"),
        then calls ``request.protocol.take_over(self)``.  From then on:

        * ``receiver.data_received(data)`` gets every byte that arrives, starting with what
          the client sent right after the upgrade request (given at once, here);
        * ``protocol.write(data)`` and ``await protocol.drain()`` send, with flow control;
        * ``receiver.connection_lost(exc)`` is called when the connection goes;
        * the receiver may go further and have the transport call its ``data_received``
          directly (``transport.set_protocol``), as WebSocketResponse does to save a hop per
          message (wsbase.DirectRoute); it then emits the ``server.bytes_in`` trace itself;
        * on shutdown, ``await receiver.close_for_shutdown()`` (if defined) runs before the
          handlers are cancelled: the place to send close code 1001 (going away).

        When the handler returns, the connection is closed.
        """
        self._takeover = receiver
        self._life = advance(self._life, "take_over")
        self._flush_collected()          # the 101 head goes first; from now on every write
        self._out = None                 # goes out at once, so the receiver may also write
                                         # to the transport itself without reordering bytes
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        trailing = self._parser.take_trailing()
        if trailing:
            receiver.data_received(trailing)
