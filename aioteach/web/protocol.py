"""The server's connection protocol: bytes from a socket in, handler calls, bytes back out.

Theory of operation.  asyncio creates one ``HttpProtocol`` per accepted connection and calls it
back (``connection_made``, ``data_received`` many times, ``connection_lost``).  A sans-I/O
``aioteach.http1.RequestParser`` turns each chunk of bytes into events that may span several
pipelined requests (RFC 9112 9.3.2); each head becomes a ``web.Request`` in a queue, handled one
at a time, so responses leave in request order.  Handling one is the coroutine ``_respond``:
call the handler (the app's ``_handle``), turn an ``HTTPException`` into its response and any
other error into a logged 500, send.  ``web/eager.py`` starts it: on Python 3.12+ its first step
runs at once, inside ``data_received``, so a handler that never waits is answered before the
call returns, and the answers to one chunk of pipelined requests leave in one write.

Connections (RFC 9112 section 9) stay open unless a side said ``Connection: close``, the request
was HTTP/1.0 without ``keep-alive``, the response was close-delimited, or the request body had
not all arrived when the response was done.  Bad bytes get the parser's status (400, 413, 414,
431, 501, 505), a short text body and a close.  ``100 Continue`` (RFC 9110 10.1.1) goes out when
the handler first touches the body, so it can refuse an upload before the client sends it.

Differs from aiohttp: an unhandled exception's 500 is ``HTTPInternalServerError``'s usual
plain-text page ("500: Internal Server Error"); aiohttp words its own, in HTML for browsers.

Timeouts (``Server``/``AppRunner`` keywords): ``head_timeout`` (60 s; aiohttp has none) drops a
client that starts a head and never ends it, with a 408; ``keepalive_timeout`` (75 s, like
aiohttp) closes an idle connection.  Simplification: no timeout on slow bodies or handlers.
Flow control: a body past its reader's high-water mark, or over 32 queued requests, pauses
reading; ``pause_writing``/``resume_writing`` from the transport make ``drain()`` wait.
"""
from __future__ import annotations

import asyncio
import collections
import logging
import types
from typing import Any, Awaitable, Callable, Deque, Optional, Set, Tuple

from .. import trace
from ..http1 import Data, RemoteProtocolError, Request as RequestHead, RequestParser
from ..http1 import reason_phrase, serialize_response_head
from ..streams import EMPTY_STREAM, StreamReader
from .eager import _continue, as_coroutine, start_eagerly  # noqa: F401 (_continue: lessons)
from .exceptions import HTTPException, HTTPInternalServerError
from .request import BaseRequest, Request, RequestPayloadError
from .response import Response, StreamResponse, http_date

__all__ = ["Server", "HttpProtocol", "RequestHandler", "start_eagerly"]   # the last from eager.py

server_logger = logging.getLogger("aioteach.server")

_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_MAX_PIPELINED = 32       # queued requests before we stop reading: a flood waits in TCP's buffers


# -- the server: settings and the set of live connections ------------------------------------
class Server:
    """A protocol factory for ``loop.create_server`` (aiohttp's low-level ``web.Server``).

    ``handler`` is ``async def handler(request) -> StreamResponse``; an ``Application`` passes
    its ``_handle``.  The keyword settings apply to every connection.
    """

    def __init__(self, handler: Callable[[BaseRequest], Awaitable[StreamResponse]], *,
                 app: Any = None, request_factory: Optional[Callable[..., BaseRequest]] = None,
                 loop: Optional[asyncio.AbstractEventLoop] = None,
                 access_log: Any = None, keepalive_timeout: float = 75.0,
                 head_timeout: float = 60.0, max_line_size: int = 8190,
                 max_field_size: int = 8190, max_headers: int = 100,
                 read_limit: int = 2 ** 16, logger: logging.Logger = server_logger,
                 inline_first_step: bool = False, **kwargs: Any) -> None:
        self.handler = handler
        self.app = app
        self.request_factory = request_factory or Request
        self.loop = loop
        self.access_log = access_log
        self.keepalive_timeout = keepalive_timeout
        self.head_timeout = head_timeout
        self.parser_limits = dict(max_line_size=max_line_size, max_field_size=max_field_size,
                                  max_headers=max_headers)
        self.read_limit = read_limit
        self.inline_first_step = inline_first_step      # see web/eager.py before saying True
        # An idle connection's timer fires after the shorter timeout, then re-checks.
        self.idle_check_delay = min(keepalive_timeout, head_timeout)
        self.logger = logger
        self.connections: Set[HttpProtocol] = set()
        self.requests_count = 0
        self._all_closed: Optional[asyncio.Future] = None

    def __call__(self) -> "HttpProtocol":
        return HttpProtocol(self)

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
        handlers = [conn._task for conn in self.connections if conn._task is not None]
        for conn in list(self.connections):
            conn.abort()
        if handlers:        # let the cancelled handlers run their finally blocks first
            await asyncio.wait(handlers, timeout=5.0)

    def _connection_closed(self, conn: "HttpProtocol") -> None:
        self.connections.discard(conn)
        if not self.connections and self._all_closed is not None \
                and not self._all_closed.done():
            self._all_closed.set_result(None)


# -- one connection ---------------------------------------------------------------------------
class HttpProtocol(asyncio.Protocol):
    """One HTTP/1.1 connection (aiohttp calls this ``RequestHandler``)."""

    def __init__(self, server: Server) -> None:
        self._server = server
        self._handler = server.handler
        self._access_log = server.access_log
        self._inline = server.inline_first_step
        self._app = server.app
        # Signals are frozen with the app, so whether the root app has on_response_prepare
        # receivers is settled before the first connection.
        self._root_prepares = bool(server.app is not None and server.app.on_response_prepare)
        self._loop: asyncio.AbstractEventLoop = server.loop or asyncio.get_event_loop()
        self.transport: Optional[asyncio.Transport] = None
        self._parser = RequestParser(**server.parser_limits)
        self._queue: Deque[BaseRequest] = collections.deque()
        self._current: Optional[BaseRequest] = None       # being handled
        self._task: Optional[asyncio.Task] = None         # its Task, once it has waited
        self._body: Optional[StreamReader] = None         # where Data events go
        self._out: Optional[list] = None                  # writes collected during a batch
        self._error: Optional[RemoteProtocolError] = None # to answer once the queue drains
        self.closing = False                              # no further requests on this one
        self._peer_eof = False                            # the client half-closed
        self._reading_paused = False
        self._write_paused = False
        self._drain_waiter: Optional[asyncio.Future] = None
        self._takeover: Any = None                        # a StreamResponse owning the bytes
        self._idle_since = 0.0                            # loop time we became idle, or None
        self._head_since: Optional[float] = None          # loop time a partial head began
        self._timer: Optional[asyncio.TimerHandle] = None
        self._conn_id = id(self)

    # -- asyncio's callbacks ---------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self._server.connections.add(self)
        self._head_since = self._idle_since = self._loop.time()   # the first head is due
        self._arm_timer(self._server.head_timeout)
        if trace.enabled:
            trace.emit("server.connection_made", conn=self._conn_id,
                       peer=transport.get_extra_info("peername"))

    def data_received(self, data: bytes) -> None:
        if trace.enabled:
            trace.emit("server.bytes_in", conn=self._conn_id, n=len(data))
        if self._takeover is not None:
            self._takeover.data_received(data)
            return
        if self.closing or self._error is not None:
            return                                  # we are closing: ignore what follows
        try:
            events = self._parser.feed(data)
        except RemoteProtocolError as exc:
            self._error = exc
            self._pause_reading()
            events = ()
            if self._body is not None:          # a handler may be waiting for this body
                self._body.set_exception(RequestPayloadError.from_parser(exc))
                self._body = None
        self._on_events(events)
        if self._current is None:
            self._run_queue()
            if self._current is None and not self._queue and self._parser.mid_message \
                    and self._head_since is None:
                self._head_since = self._loop.time()

    def _on_events(self, events: Any) -> None:
        for event in events:
            kind = type(event)
            if kind is Data:
                self._body.feed_data(event.data)            # type: ignore[union-attr]
            elif kind is RequestHead:
                self._on_head(event)
            elif self._body is not None:                    # EndOfMessage
                self._body.feed_eof()
                self._body = None

    def _on_head(self, message: RequestHead) -> None:
        self._head_since = None
        server = self._server
        if message.chunked or message.content_length:
            payload = self._body = StreamReader(server.read_limit, on_pause=self._pause_reading,
                                                on_resume=self._resume_reading)
        else:
            payload = EMPTY_STREAM
        request = server.request_factory(message, payload, self, self._app)
        server.requests_count += 1
        if trace.enabled:
            trace.emit("server.head_parsed", conn=self._conn_id, req=id(request),
                       method=message.method, path=request.path)
        self._queue.append(request)
        if len(self._queue) > _MAX_PIPELINED:
            self._pause_reading()

    def eof_received(self) -> Optional[bool]:
        """The client shut its sending side (a half-close): answer what came, then close."""
        self._peer_eof = True
        if self._takeover is not None:
            return None
        if self._body is not None:
            self._body.set_exception(ConnectionResetError(
                "the client stopped sending in the middle of a request body"))
        if self._current is None and not self._queue:
            return None                     # nothing to answer: let the transport close
        return True                         # keep the sending side open for the answers

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        if trace.enabled:
            trace.emit("server.connection_lost", conn=self._conn_id)
        self.transport = None
        self.closing = True
        if self._takeover is not None and self._task is not None and not self._task.done():
            # shutdown waits for a WebSocket handler's code after the close, as aiohttp's does
            self._task.add_done_callback(lambda _task: self._server._connection_closed(self))
        else:
            self._server._connection_closed(self)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        lost = ConnectionResetError("the client closed the connection")
        for request in (self._current, *self._queue):
            if request is not None and request._payload is not EMPTY_STREAM:
                request._payload.set_exception(lost)
        self._queue.clear()
        if self._takeover is not None:
            # A WebSocket handler learns of the loss from receive() (CLOSED), not by being
            # cancelled: its cleanup (leaving a chat room...) runs as ordinary code.
            self._takeover.connection_lost(exc)
        elif self._task is not None:
            self._task.cancel()             # the handler sees CancelledError, as in aiohttp
        self._wake_drain()

    # -- writing, with flow control ---------------------------------------------------------
    def write(self, data: bytes) -> None:
        """Queue bytes for the client (collected into one write while a batch is handled)."""
        if self._out is not None:
            self._out.append(data)
        elif self.transport is not None:
            self.transport.write(data)
            if trace.enabled:
                trace.emit("server.bytes_out", conn=self._conn_id, n=len(data))

    def _flush_collected(self) -> None:
        """Send what the current batch collected so far (the list stays, emptied)."""
        out = self._out
        if out and self.transport is not None:
            data = b"".join(out)
            out.clear()
            self.transport.write(data)
            if trace.enabled:
                trace.emit("server.bytes_out", conn=self._conn_id, n=len(data))

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
        if self._current is not None and self._current._message.version == "1.1":
            self.write(_CONTINUE)

    # -- handling the queue, one request at a time -----------------------------------------
    def _run_queue(self) -> None:
        """Start queued requests while each finishes at once; write all answers in one go."""
        out = self._out = []
        while self._queue and self._current is None and not self.closing:
            request = self._current = self._queue.popleft()
            try:
                self._task = start_eagerly(self._respond(request), self._loop, self._inline)
            except Exception:          # a bug in the machinery, not in a handler: stop here
                server_logger.exception("unexpected error while answering %r", request)
                self._current = None
                self.closing = True
        self._out = None
        transport = self.transport
        if transport is None:
            return
        if out:
            transport.write(out[0] if len(out) == 1 else b"".join(out))
            if trace.enabled:
                trace.emit("server.bytes_out", conn=self._conn_id, n=sum(map(len, out)))
        if self._current is None:
            if self._error is not None and not self.closing:
                self._send_error(self._error)
            if self.closing or self._peer_eof:
                transport.close()
            else:
                self._become_idle()
                if self._reading_paused and not self._queue:
                    self._resume_reading()

    async def _respond(self, request: BaseRequest) -> None:
        """Handle one request and send its response; never raises but CancelledError."""
        if trace.enabled:
            trace.emit("server.handler_start", req=id(request), handler=request.path)
        access_log = self._access_log
        started = self._loop.time() if access_log is not None and access_log.enabled else 0.0
        try:
            coro = self._handler(request)
            if type(coro) is not types.CoroutineType:
                coro = as_coroutine(coro)
            response = await coro
        except HTTPException as exc:
            response = exc
        except RemoteProtocolError as exc:
            # The body the handler was reading broke the protocol (a bad chunk size...):
            # this request gets the parser's 4xx, and the connection closes after it.
            self._error = None
            self.closing = True
            response = _error_response(exc)
        except ConnectionError:
            if self._client_gone(request):
                # The client went away while the handler read its body: nobody to answer.
                self._current = None
                self.closing = True
                if self.transport is not None:
                    self.transport.close()
                return
            # Otherwise it is the handler's own connection (to a database, another
            # service...) that failed: a server error like any other.
            self._server.logger.exception("Error handling request %s %s", request.method,
                                          request.raw_path)
            response = HTTPInternalServerError()
        except Exception:
            self._server.logger.exception("Error handling request %s %s", request.method,
                                          request.raw_path)
            response = HTTPInternalServerError()
        if not isinstance(response, StreamResponse):
            self._server.logger.error("handler for %s returned %r, not a response",
                                      request.path, response)
            response = HTTPInternalServerError()
        if self._takeover is not None and response is not self._takeover:
            # No HTTP answer may follow a 101: the new owner ends the connection (close 1011).
            response = self._takeover.handler_failed()
        try:
            # The fast path: a plain Response, nobody to notify, the request body all read.
            data = None
            if type(response) is Response and not response._prepared and \
                    request._payload.is_eof() and not self._prepare_receivers(request):
                data = response._fast_bytes(request)
            if data is not None:
                self.write(data)
            else:
                await self._send_response(request, response)
        except ConnectionError:
            self.closing = True
        except Exception:
            self._server.logger.exception("Error sending the response to %s", request.path)
            self.closing = True
            if not response._prepared and self.transport is not None:
                # Nothing went out yet (a header value with CR/LF, a failing signal): a 500.
                response = HTTPInternalServerError()
                self.write(response._fast_bytes(request) or b"")
            elif self.transport is not None:
                self.transport.close()
        self._finish(request, response, started)

    def _client_gone(self, request: BaseRequest) -> bool:
        transport = self.transport
        return transport is None or transport.is_closing() or \
            request._payload.exception() is not None

    async def _send_response(self, request: BaseRequest, response: StreamResponse) -> None:
        """The general path: ``prepare()`` (signals, cookies, headers), then the body."""
        if not response._eof_sent:
            if not response._prepared and not request._payload.is_eof():
                response.force_close()       # the handler is done, the body is not: say so
            await response.prepare(request)
            await response.write_eof()

    def _prepare_receivers(self, request: BaseRequest) -> bool:
        """Does any app on the request's path listen to ``on_response_prepare``?"""
        info = request._match_info
        if info is None or info.current_app is self._app:
            return self._root_prepares          # the common case, worked out once
        for app in info.apps:
            if app is not None and app.on_response_prepare:
                return True
        return False

    def _finish(self, request: BaseRequest, response: StreamResponse, started: float) -> None:
        """After a response: log it, decide about the connection, make way for the next."""
        self._current = None
        if trace.enabled:
            trace.emit("server.handler_end", req=id(request), status=response.status)
        if not response._keep_alive or not request._payload.is_eof():
            self.closing = True        # an unread body hides where the next request starts
        access_log = self._access_log
        if started:
            access_log.log(request, response, self._loop.time() - started)
        if self._takeover is None and self._parser.paused and not self.closing:
            try:                                      # an upgrade we declined: carry on
                self._on_events(self._parser.resume())
            except RemoteProtocolError as exc:
                self._error = exc
        if self._task is not None:
            # We ran in a Task (the handler waited): start the next request from here.  No
            # done-callback: that would cost another trip through the loop per request.
            self._task = None
            if self.transport is not None:
                self._run_queue()

    # -- errors, timeouts, shutdown ------------------------------------------------------------
    def _send_error(self, exc: RemoteProtocolError) -> None:
        """Answer bytes we cannot parse: the status the parser chose, a hint, and a close."""
        self.closing = True
        status, body = _error_answer(exc)
        head = serialize_response_head(status, (
            ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
            ("Connection", "close"), ("Date", http_date()), ("Server", "aioteach")))
        self.write(head + body)
        self._server.logger.debug("bad request from %s: %s",
                                  self.transport.get_extra_info("peername")
                                  if self.transport else None, exc)

    def _become_idle(self) -> None:
        now = self._idle_since = self._loop.time()
        due = now + self._server.idle_check_delay
        timer = self._timer
        if timer is None or timer.when() > due:       # an earlier timer re-checks on its own
            if timer is not None:
                timer.cancel()
            self._timer = self._loop.call_at(due, self._on_timer)

    def _arm_timer(self, delay: float) -> None:
        self._timer = self._loop.call_at(self._loop.time() + delay, self._on_timer)

    def _on_timer(self) -> None:
        """One timer per connection, re-armed lazily: cheaper than one per request."""
        self._timer = None
        if self.transport is None or self._current is not None or self._queue:
            return                                  # busy: re-armed when idle again
        server = self._server
        if self._head_since is not None:
            deadline = self._head_since + server.head_timeout
        else:
            deadline = self._idle_since + server.keepalive_timeout
        now = self._loop.time()
        if now >= deadline:
            if self._head_since is not None and self._parser.mid_message:
                self._send_error(RemoteProtocolError("the request head took too long", 408))
            self.transport.close()
        else:
            self._timer = self._loop.call_at(deadline, self._on_timer)

    def close_when_idle(self) -> None:
        """Shutdown step one: close now if idle, else after the current response."""
        self.closing = True
        if self._takeover is not None and hasattr(self._takeover, "close_for_shutdown"):
            self._loop.create_task(self._takeover.close_for_shutdown())
        elif self._current is None and self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        """Shutdown's last step: cancel the handler and drop the connection."""
        if self._task is not None:
            self._task.cancel()
        if self.transport is not None:
            self.transport.close()

    # -- handing the connection over (WebSockets) ---------------------------------------------
    def take_over(self, receiver: Any) -> None:
        """Give this connection's bytes to ``receiver`` after a ``101 Switching Protocols``.

        How ``web.WebSocketResponse`` (or any ``StreamResponse`` subclass) takes a connection:
        in its ``prepare()``, after writing the 101 head with ``self._protocol.write(...)``, it
        calls ``request._protocol.take_over(self)``.  From then on:

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
        self.closing = True
        self._flush_collected()          # the 101 head goes first; from now on every write
        self._out = None                 # goes out at once, so the receiver may also write
                                         # to the transport itself without reordering bytes
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        trailing = self._parser.take_trailing()
        if trailing:
            receiver.data_received(trailing)


RequestHandler = HttpProtocol      # aiohttp's name for the per-connection protocol


def _error_answer(exc: RemoteProtocolError) -> Tuple[int, bytes]:
    """The status the parser chose and a one-line hint, for bytes that broke the protocol."""
    status = getattr(exc, "status", 400) or 400
    return status, f"{status} {reason_phrase(status)}: {exc}\n".encode("utf-8", "replace")


def _error_response(exc: RemoteProtocolError) -> Response:
    """The same answer as a Response, for a body that broke while a handler read it."""
    status, body = _error_answer(exc)
    response = Response(status=status, body=body, content_type="text/plain", charset="utf-8")
    response.force_close()
    return response
