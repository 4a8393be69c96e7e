"""The server's connection protocol: bytes from a socket in, handler calls, bytes back out.

Theory of operation.  asyncio creates one ``HttpProtocol`` per accepted connection and calls it
back (``connection_made``, ``data_received`` many times, ``connection_lost``).  A sans-I/O
``aioteach.http1.RequestParser`` turns each chunk of bytes into events that may span several
pipelined requests (RFC 9112 9.3.2); each head becomes a ``web.Request`` in a queue, handled one
at a time, so responses leave in request order.  Handling one is the coroutine ``_respond``:
call the handler (the app's ``_handle``), turn an ``HTTPException`` into its response and any
other error into a logged 500, send.  Its first step runs at once, inside ``data_received``, in a
Task: an eager Task of its own on Python 3.12+ (``web/eager.py``), the connection's Task on 3.11
(``web/connectiontask.py``).  So a handler that never waits is answered before the call
returns, and the answers to one chunk of pipelined requests leave in one write.

Two tables decide, and nothing else does:
* whose turn it is within a request/response cycle: ``aioteach.http1.states``' TRANSITIONS,
  through one ``ConnectionState`` per connection (the table lesson 08 prints).  A queued
  request's events enter it when its cycle begins, as h11 hands out the next request only after
  ``start_next_cycle()``.  The connection persists exactly when the cycle ends with both sides
  DONE (RFC 9112 9.3): not after ``Connection: close`` or an HTTP/1.0 request without
  keep-alive (``http1.rules``), nor while the request body is still unread;
* what the connection as a whole is doing: ``web/lifecycle.py``'s LIFECYCLE (reading,
  handling, closing, taken over).

Bad bytes get the parser's status (400, 413, 414, 431, 501, 505), a short text body and a close
(``web/erroranswers.py``).  ``100 Continue`` (RFC 9110 10.1.1) goes out when the handler first
touches the body, so it can refuse an upload before the client sends it.  Time limits (slow
heads and bodies, idle connections) are ``web/timeouts.py``'s.  A client that disconnects does
not cancel its handler (aiohttp 3.9+): the handler's next read or write fails instead;
``handler_cancellation=True`` cancels it.  Flow control: a body past its reader's high-water
mark, or over 32 queued requests, pauses reading; ``pause_writing``/``resume_writing`` make
``drain()`` wait.  The seam is ``web/writer.py``; settings and shutdown: ``web/server.py``.

Performance notes (valgrind, ``bench_server.py --instructions --headers browser``: in-process,
one connection, CPython 3.11).  Today (Dec 2026) a request costs /hello 68.0k, /json 76.9k,
/user/42 69.9k instructions.  The one fast path is responsehead's (a whole Response, one
write; ``Response.fast_bytes`` is its seam).  ``payload is EMPTY_STREAM`` and
``type(response) is Response`` are tested before the calls they spare (is_eof(), the ABC
isinstance), and a response with nothing queued behind it skips a second ``_run_queue``
(134.5k -> 129.5k when written, with http1.states' one-lookup process_events).
``data_received`` tests ``self._life is TAKEN_OVER`` (an instance attribute) where it tested
``_takeover`` (writer.py's class default); measured together with the moves made through
``advance()`` and fast_bytes asking the framing rule: /hello 70.2k -> 68.0k, not split further.
On 3.11, first steps taken in the connection's Task instead of a new Task per request (no trip
through the loop): one connection 137.2k -> 99.6k, 50 connections 106.6k -> 94.2k (then).
"""
from __future__ import annotations

import asyncio
import collections
import logging
import types
from typing import TYPE_CHECKING, Any, Deque, Optional, Tuple

from .. import trace
from ..http1 import ConnectionState, Data, RemoteProtocolError
from ..http1 import Request as RequestHead
from ..http1 import RequestParser
from ..http1.rules import LENGTH, response_keeps_alive
from ..http1.states import CLIENT, SEND_BODY, SERVER, WHOLE_REQUEST, WHOLE_RESPONSE
from ..streams import EMPTY_STREAM, StreamReader
from .connectiontask import LENDING, ConnectionTask
from .eager import as_coroutine, start_eagerly
from .erroranswers import protocol_error_bytes, protocol_error_response
from .exceptions import HTTPException, HTTPInternalServerError
from .lifecycle import CLOSED, CLOSING_STATES, DRAINING, HANDLING, READING, TAKEN_OVER, advance
from .request import BaseRequest, RequestPayloadError
from .response import StreamResponse
from .wholeresponse import Response
from .shutdownsteps import ShutdownSteps
from .timeouts import BODY, BUSY, HEAD, IDLE, TimedPhases
from .writer import ConnectionWriter

__all__ = ["HttpProtocol", "RequestHandler", "start_eagerly", "server_logger", "MAX_MSG_QUEUE_SIZE"]

server_logger = logging.getLogger("aioteach.server")
MAX_MSG_QUEUE_SIZE = 32   # queued requests before we stop reading (aiohttp's name): a flood
                          # waits in TCP's buffers
# Exceptions a handler raises that must stop the program or the task, not become a 500.
_PROPAGATE = (KeyboardInterrupt, SystemExit, asyncio.CancelledError)

if TYPE_CHECKING:
    from .server import Server

Queued = Tuple[BaseRequest, RequestHead, StreamReader]


class HttpProtocol(ConnectionWriter, TimedPhases, ShutdownSteps, asyncio.Protocol):
    """One HTTP/1.1 connection (aiohttp calls this ``RequestHandler``).

    Writing and flow control come from ``ConnectionWriter`` (web/writer.py, the seam), the
    time limits from ``TimedPhases`` (web/timeouts.py), shutdown from ``ShutdownSteps``.
    """

    def __init__(self, server: "Server") -> None:
        self._server = server
        self._handler = server.handler
        self._access_log = server.access_log
        self._inline = server.inline_first_step
        self._app = server.app
        self._timeouts = limits = server.timeouts
        self._idle_delay = min(limits.keepalive_timeout, limits.head_timeout)   # timeouts.py
        # Signals are frozen with the app, so whether the root app has on_response_prepare
        # receivers is settled before the first connection.
        self._root_prepares = bool(server.app is not None and server.app.on_response_prepare)
        self._any_prepares = server.any_prepare_receivers
        self._loop: asyncio.AbstractEventLoop = server.loop or asyncio.get_event_loop()
        self.transport: Optional[asyncio.Transport] = None
        self.conn_id = id(self)                   # names the connection in traces
        self.handler_task: "Optional[asyncio.Task[Any]]" = None  # once the handler waited
        self._parser = RequestParser(**server.parser_limits)
        self._cycle = ConnectionState(SERVER)            # http1's tables: whose turn it is
        self._life = READING                             # lifecycle.py's table
        self._queue: Deque[Queued] = collections.deque()
        self._current: Optional[Queued] = None           # being handled
        self._continue_due = False                       # it asked for 100 Continue
        self._body: Optional[StreamReader] = None        # where Data events go ...
        self._body_owner: Optional[BaseRequest] = None   # ... and whose body that is
        self._out: Optional[list[bytes]] = None          # writes collected during a batch
        self._error: Optional[RemoteProtocolError] = None  # to answer once the queue drains
        self.lender: Optional[ConnectionTask] = None    # 3.11: the Task handlers run in
        # Flow control (_reading_paused, _write_paused, _drain_waiter), _takeover (a response
        # owning the bytes) and the timer's state start as writer.py's and timeouts.py's defaults.

    @property
    def closing(self) -> bool:  # type: ignore[override]  # writer.py reads it; never set
        """The response being sent is the connection's last (lifecycle.CLOSING_STATES)."""
        return self._life in CLOSING_STATES

    def _close_after_current(self) -> None:
        self._life = advance(self._life, "close")

    # -- asyncio's callbacks ---------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self._server.connections.add(self)
        self._start_phase(HEAD)                  # the first head is due, like any other
        if LENDING and not self._inline:
            self.lender = ConnectionTask(self._loop)    # web/connectiontask.py
        if trace.enabled:
            trace.emit("server.connection_made", conn=self.conn_id,
                       peer=transport.get_extra_info("peername"))

    def data_received(self, data: bytes) -> None:
        if trace.enabled:
            trace.emit("server.bytes_in", conn=self.conn_id, n=len(data), data=bytes(data))
        if self._life is TAKEN_OVER:
            self._takeover.data_received(data)
            return
        if (self._life is not READING and self._life is not HANDLING) or self._error is not None:
            return                                  # we are closing: ignore what follows
        self._received += len(data)
        try:
            events = self._parser.feed(data)
        except RemoteProtocolError as exc:
            self._parser_failed(exc)
            events = ()
        self._on_events(events)
        if self._current is None:
            self._run_queue()

    def _parser_failed(self, exc: RemoteProtocolError) -> None:
        self._error = exc
        self._pause_reading()
        self._cycle.process_error(CLIENT)
        if self._body is not None:          # a handler may be waiting for this body
            self._body.set_exception(RequestPayloadError.from_parser(exc))
            self._body = None

    def _on_events(self, events: Any) -> None:
        for event in events:
            kind = type(event)
            if kind is Data:
                self._body.feed_data(event.data)            # type: ignore[union-attr]
            elif kind is RequestHead:
                self._on_head(event)
            elif self._body is not None:                    # the EndOfMessage of a body
                self._body.feed_eof()
                self._body = None
                if self._current is not None and self._current[0] is self._body_owner:
                    self._cycle.process_event(CLIENT, "EndOfMessage")
                    self._start_phase(BUSY)

    def _on_head(self, message: RequestHead) -> None:
        server = self._server
        payload: StreamReader
        if message.chunked or message.content_length:
            payload = self._body = StreamReader(server.read_limit, on_pause=self._pause_reading,
                                                on_resume=self._resume_reading)
        else:
            payload = EMPTY_STREAM
        request = server.request_factory(message, payload, self, self._app)
        if payload is not EMPTY_STREAM:
            self._body_owner = request
            self._start_phase(BODY)
        else:
            self._phase = BUSY                  # the handler's time has no limit
        server.requests_count += 1
        if trace.enabled:
            trace.emit("server.head_parsed", conn=self.conn_id, req=id(request),
                       method=message.method, path=request.path)
        self._queue.append((request, message, payload))
        if len(self._queue) > MAX_MSG_QUEUE_SIZE:
            self._pause_reading()

    def eof_received(self) -> Optional[bool]:
        """The client shut its sending side (a half-close): answer what came, then close."""
        if self._life is TAKEN_OVER:
            return None
        self._life = advance(self._life, "half_close")
        if self._body is not None:
            self._body.set_exception(ConnectionResetError("the client stopped sending mid-body"))
        if self._current is None and not self._queue:
            return None                     # nothing to answer: let the transport close
        if self._server.handler_cancellation and self.handler_task is not None:
            self.handler_task.cancel()      # opted in: leaving half-way counts (aiohttp's)
        return True                         # keep the sending side open for the answers

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        if trace.enabled:
            trace.emit("server.connection_lost", conn=self.conn_id)
        self.transport = None
        self._life = advance(self._life, "lost")
        task = self.handler_task
        if self._takeover is not None and task is not None and not task.done():
            # shutdown waits for a WebSocket handler's code after the close, as aiohttp's does
            task.add_done_callback(lambda _task: self._server.connection_closed(self))
        else:
            self._server.connection_closed(self)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.lender is not None:
            self.lender.close()
        lost = ConnectionResetError("the client closed the connection")
        for _, _, payload in ((self._current,) if self._current else ()) + tuple(self._queue):
            if payload is not EMPTY_STREAM and not payload.is_eof():
                payload.set_exception(lost)
        self._queue.clear()
        if self._takeover is not None:
            # A WebSocket handler learns of the loss from receive() (CLOSED), not by being
            # cancelled: its cleanup (leaving a chat room...) runs as ordinary code.
            self._takeover.connection_lost(exc)
        elif task is not None and self._server.handler_cancellation:
            task.cancel()                   # opted in: the handler sees CancelledError
        self._wake_drain()

    # -- handling the queue, one request at a time -----------------------------------------
    def _run_queue(self) -> None:
        """Start queued requests while each finishes at once; write all answers in one go."""
        out = self._out = []
        while self._queue and self._current is None and (
                self._life is READING or self._life is DRAINING):
            current = self._current = self._queue.popleft()
            # The request's turn: its events enter the tables now (see the docstring).
            message = current[1]
            if current[2] is EMPTY_STREAM or current[2].is_eof():
                self._cycle.process_events(WHOLE_REQUEST)
            else:
                self._cycle.process_event(CLIENT, "Request")
            if not message.keep_alive:
                self._cycle.process_keep_alive_disabled()
            self._continue_due = message.expect_continue is True and message.version == "1.1"
            self._life = advance(self._life, "request")
            try:
                if self.lender is not None:
                    self.handler_task = self.lender.start(self._respond(current))
                else:
                    self.handler_task = start_eagerly(self._respond(current), self._loop,
                                                      self._inline)
            except _PROPAGATE:
                raise
            except Exception:          # a bug in the machinery, not in a handler: stop here
                server_logger.exception("unexpected error while answering %r", current[0])
                self._current = None
                self._close_after_current()
        self._out = None
        transport = self.transport
        if transport is None:
            return
        if out:
            transport.write(out[0] if len(out) == 1 else b"".join(out))
            if trace.enabled:
                trace.emit("server.bytes_out", conn=self.conn_id, n=sum(map(len, out)),
                           data=b"".join(out))
        if self._current is None:
            self._all_answered(transport)

    def _all_answered(self, transport: asyncio.Transport) -> None:
        """Nothing is being handled: answer bad bytes, close, or wait idle for the next head."""
        if self._error is not None and not self.closing:
            self._send_error(self._error)
        if self._life is not READING:           # closing, or the client half-closed
            transport.close()
        else:
            if not self._parser.mid_message:
                self._start_phase(IDLE)
            elif self._phase is not HEAD:       # a head began: timed from the read it began in,
                self._start_phase(HEAD)         # not from each later read of it
            if self._reading_paused and not self._queue:
                self._resume_reading()

    async def _respond(self, current: Queued) -> None:
        """Handle one request and send its response; never raises but what must propagate."""
        request, _, payload = current
        if trace.enabled:
            trace.emit("server.handler_start", req=id(request), handler=request.path)
        access_log = self._access_log
        started = self._loop.time() if access_log is not None and access_log.enabled else 0.0
        response: Optional[StreamResponse] = None
        try:
            try:
                coro = self._handler(request)
                if type(coro) is not types.CoroutineType:
                    coro = as_coroutine(coro)
                response = await coro
            except HTTPException as exc:
                response = exc
            except _PROPAGATE:
                self._abandon()
                raise
            except BaseException as exc:    # noqa: B036 - pytest's Failed, GeneratorExit...
                response = self._handler_failed(request, payload, exc)
                if response is None:
                    return                  # the client went away: nobody to answer
            if type(response) is not Response and not isinstance(response, StreamResponse):
                self._server.logger.error("handler for %s returned %r, not a response",
                                          request.path, response)
                response = HTTPInternalServerError()
            if self._takeover is not None and response is not self._takeover:
                # No HTTP answer may follow a 101: the new owner ends the connection (1011).
                response = self._takeover.handler_failed()
            if type(response) is Response and (payload is EMPTY_STREAM or payload.is_eof()) \
                    and not (self._any_prepares and self._prepare_receivers(request)):
                # The one fast path (web/responsehead.py): a whole Response in one write,
                # with the same moves in the tables as prepare() + write_eof() make.  It
                # serves only answers http1.rules frames by their length (fast_bytes says
                # None to the rest), so LENGTH is the rule's framing here.
                message = current[1]
                keep_alive = response_keeps_alive(message.keep_alive, LENGTH,
                                                  self._life in CLOSING_STATES)
                data = response.fast_bytes(message.version, request.method, keep_alive)
                if data is not None:
                    self._cycle.process_events(WHOLE_RESPONSE)
                    if not keep_alive:
                        self._cycle.process_keep_alive_disabled()
                    self.write(data)
                    return
            await self._send(request, payload, response)
        finally:
            self._finish(request, response, started)

    def _handler_failed(self, request: BaseRequest, payload: StreamReader,
                        exc: BaseException) -> Optional[StreamResponse]:
        """The answer to a handler's exception, or None when the client is gone."""
        if isinstance(exc, RemoteProtocolError):
            # The body the handler was reading broke the protocol (a bad chunk size, a
            # stall...): this request gets the 4xx, and the connection closes after it.
            self._error = None
            self._close_after_current()
            return protocol_error_response(exc)
        if isinstance(exc, ConnectionError) and (
                self.transport is None or self.transport.is_closing()
                or payload.exception() is not None):
            self._abandon()                 # the client left while the handler read its body
            return None
        # Otherwise it is the handler's bug, or its own connection (to a database...) that
        # failed: a server error like any other.
        self._server.logger.error("Error handling request %s %s", request.method,
                                  request.raw_path, exc_info=exc)
        return HTTPInternalServerError()

    async def _send(self, request: BaseRequest, payload: StreamReader,
                    response: StreamResponse) -> None:
        """The general path: prepare() (signals, cookies, headers), then the body."""
        try:
            if not response.eof_sent:
                if not response.prepared and not payload.is_eof():
                    response.force_close()   # the handler is done, the body is not: say so
                await response.prepare(request)
                await response.write_eof()
        except ConnectionError:
            self._close_after_current()
        except Exception:
            self._server.logger.exception("Error sending the response to %s", request.path)
            self._close_after_current()
            if not response.prepared and self.transport is not None and \
                    self._cycle.states[SERVER] != SEND_BODY:
                # Nothing went out yet (a failing signal receiver, a bad cookie): a 500.
                fallback = HTTPInternalServerError()
                await fallback.prepare(request)
                await fallback.write_eof()
            elif self.transport is not None:
                self.transport.close()

    def _prepare_receivers(self, request: BaseRequest) -> bool:
        """Does any app on the request's path listen to ``on_response_prepare``?"""
        apps = getattr(request.match_info, "apps", None)
        if apps is None or len(apps) == 1:
            return self._root_prepares          # the common case, worked out once
        return any(app is not None and app.on_response_prepare for app in apps)

    def _finish(self, request: BaseRequest, response: Optional[StreamResponse],
                started: float) -> None:
        """After a response: log it, end the cycle, make way for the next request."""
        self._current = None
        if trace.enabled:
            trace.emit("server.handler_end", req=id(request),
                       status=response.status if response is not None else None)
        if started and response is not None:
            self._access_log.log(request, response, self._loop.time() - started)
        if self._cycle.next_cycle():
            self._life = advance(self._life, "answered")
            if self._parser.paused and self._life is READING:
                try:                                  # an upgrade we declined: carry on
                    self._on_events(self._parser.resume())
                except RemoteProtocolError as exc:
                    self._parser_failed(exc)
        else:        # MUST_CLOSE, switched, or an unread body hides where the next one starts
            self._life = advance(advance(self._life, "close"), "answered")
        if self.handler_task is not None:
            # We ran in a Task (the handler waited): start the next request from here.  No
            # done-callback: that would cost another trip through the loop per request.
            self.handler_task = None
            transport = self.transport
            if transport is not None:
                if self._queue:
                    self._run_queue()
                else:
                    self._all_answered(transport)

    def _abandon(self) -> None:
        """Give up on this connection now: no answer, no further requests."""
        self._current = None
        if self._life is not CLOSED:
            self._life = advance(self._life, "close")
        if self.transport is not None:
            self.transport.close()

    # -- bad bytes (timeouts: web/timeouts.py, shutdown: web/shutdownsteps.py) -----------
    def _send_error(self, exc: RemoteProtocolError) -> None:
        """Answer bytes we cannot parse: the status the parser chose, a hint, and a close."""
        self._close_after_current()
        self.write(protocol_error_bytes(exc))
        self._server.logger.debug("bad request from %s: %s",
                                  self.transport.get_extra_info("peername")
                                  if self.transport else None, exc)


RequestHandler = HttpProtocol      # aiohttp's name for the per-connection protocol

