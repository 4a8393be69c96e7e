"""One client connection: an asyncio.Protocol that carries one exchange at a time.

Theory of operation.  A ``ClientConnection`` owns a TCP (or TLS) transport and a sans-I/O
``ResponseParser`` (aioteach.http1).  An *exchange* is one request and its response:

    start(response)   the session hands over the ClientResponse that will receive the answer;
                      the parser is told the method (a HEAD response has no body, RFC 9110 9.3.2)
    write(head+body)  the request goes out (``drain()`` waits while the kernel buffer is full)
    data_received     bytes -> parser -> events -> the response:
                      Response -> response._on_head   Data -> response._on_data
                      EndOfMessage -> response._on_eof, then the connection goes back to the
                      pool if both sides allow keep-alive (RFC 9112 section 9.3)
    connection_lost   mid-exchange this is an error for the response (ServerDisconnectedError
                      before the head, ClientPayloadError mid-body); an until-close body
                      (RFC 9112 6.3 rule 8) ends here normally

Rules:
* The connection is reusable only when the response's end was read off the wire.  A response
  released early closes its connection: the unread rest would be read as the next response.
* Bytes arriving while no exchange is in progress, or after the end of the response, are a
  broken server (we never pipeline): the connection closes instead of going back to the pool.
* Two timers guard the exchange and break it when they fire: ``sock_read`` (the longest silence
  between two reads, re-armed lazily: one timer per period, not one per packet) and the
  request's ``total`` deadline, so that every read path, even ``resp.content.read()``, ends.
* A streamed request body is written while the answer is awaited (request.py): a response
  that ends first waits for the body's writer (``body_written``) before the pool gets the
  connection back.
* Flow control both ways: the response's StreamReader pauses reading when its buffer fills up
  (``transport.pause_reading``: TCP then slows the server down); ``drain()`` waits while
  asyncio says our write buffer is too full (``pause_writing``).

Upgrades (the WebSocket client's hook).  After a ``101 Switching Protocols`` the bytes on this
connection are no longer HTTP.  ``detach(on_data, on_lost)`` takes the connection out of HTTP:
it returns the bytes the parser had already read past the 101 head, and from then on every
``data_received``/``connection_lost`` goes straight to the two callbacks; ``transport`` is the
raw transport to write to.  A detached connection never returns to the pool.
"""
from __future__ import annotations

import asyncio
from typing import Any, Callable, Optional, Tuple

from .. import trace
from ..http1 import Data, EndOfMessage, InformationalResponse, RemoteProtocolError, Response
from ..http1 import ResponseParser
from .errors import ClientPayloadError, ServerDisconnectedError, SocketTimeoutError

__all__ = ["ClientConnection", "DEFAULT_LIMITS"]

# (max_line_size, max_field_size, max_headers) for the response parser: aiohttp's defaults
# (8190 bytes a line, 128 field lines; the parser's own default of 100 is a server's).
DEFAULT_LIMITS = (8190, 8190, 128)


class ClientConnection(asyncio.Protocol):
    """An HTTP/1.1 connection to one server (``key``), owned by a connector's pool."""

    def __init__(self, loop: asyncio.AbstractEventLoop, key: Any, pool: Any, *,
                 limits: Tuple[int, int, int] = DEFAULT_LIMITS) -> None:
        self.loop = loop
        self.key = key
        self.pool = pool                       # the connector: release(conn) / forget(conn)
        self.transport: Optional[asyncio.Transport] = None
        self.parser = ResponseParser(max_line_size=limits[0], max_field_size=limits[1],
                                     max_headers=limits[2])
        self.limits = limits                   # the session's tuple: compared by identity
        self.exchanges = 0                     # how many requests this connection has carried
        self.should_close = False              # a reason to never reuse it has been seen
        self.trace_req: Any = None             # the request id traced for this exchange
        self._response: Any = None             # the ClientResponse of the exchange in progress
        self._lost = False
        self._reading_paused = False
        self._writing_paused = False
        self._drain_waiter: Optional[asyncio.Future] = None
        self._first_byte = False               # has this exchange received its first byte?
        self._sock_read: Optional[float] = None
        self._last_read = 0.0
        self._read_timer: Optional[asyncio.TimerHandle] = None
        self._deadline_timer: Optional[asyncio.TimerHandle] = None
        self.writing = False                   # a request body is still being sent (request.py)
        self._release_pending = False          # the answer ended first: release when written
        self._on_data: Optional[Callable[[bytes], None]] = None       # set by detach()
        self._on_lost: Optional[Callable[[Optional[BaseException]], None]] = None

    def __repr__(self) -> str:
        state = "closed" if self._lost else ("busy" if self._response is not None else "idle")
        return f"<ClientConnection {self.key.host}:{self.key.port} {state}, {self.exchanges} exchanges>"

    # -- the transport's callbacks ---------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def is_connected(self) -> bool:
        return not self._lost and self.transport is not None and not self.transport.is_closing()

    def data_received(self, data: bytes) -> None:
        # long because: the parser's events, one branch each, in one loop: the hot path
        if trace.enabled: trace.emit("client.bytes_in", req=self.trace_req, data=data)
        if self._on_data is not None:          # detached after an upgrade: not HTTP any more
            self._on_data(data)
            return
        response = self._response
        if response is None:                   # nobody asked: a broken server, see the rules
            self.should_close = True
            self.transport.close()             # type: ignore[union-attr]
            return
        if self._sock_read is not None:
            self._last_read = self.loop.time()
        if not self._first_byte:
            self._first_byte = True
            if trace.enabled:
                trace.emit("client.first_byte", req=self.trace_req)
        try:
            events = self.parser.feed(data)
        except RemoteProtocolError as exc:
            error: BaseException = exc
            if response.head_received:         # the head was fine, the body is not
                error = ClientPayloadError(f"Response payload is not valid: {exc.hint}")
            self._break(error)
            return
        for i, event in enumerate(events):
            if self._response is not response:  # the response gave up on this exchange
                return
            kind = type(event)
            # kind is type(event): mypy does not narrow through the alias, hence the ignores
            if kind is Data:
                response._on_data(event.data)  # type: ignore[union-attr]
            elif kind is Response:
                if not event.keep_alive:       # type: ignore[union-attr]
                    self.should_close = True
                # The parser ends a message without a body (HEAD, 204, 304, Content-Length: 0)
                # in the same feed as its head: the response then needs no body reader.
                response._on_head(event, i + 1 < len(events)
                                  and type(events[i + 1]) is EndOfMessage)
            elif kind is EndOfMessage:
                if event is not events[-1] or self.parser.mid_message:
                    self.should_close = True   # bytes after the end: see the rules
                self._end_exchange()
                response._on_eof(event)
                if self.writing:               # an early answer: wait for our body's end
                    self._release_pending = True
                else:
                    self.pool.release(self)
                return                        # nothing may follow the end, see the rules
            elif kind is InformationalResponse and event.status == 101:  # type: ignore[union-attr]
                self.should_close = True       # never HTTP again: see detach()
                self._stop_timers()
                response._on_head(event)
                return
            elif kind is InformationalResponse and event.status == 100:  # type: ignore[union-attr]
                response._on_continue()        # Expect: 100-continue: the body may go now
            # other 1xx (103 Early Hints) are interim: the final answer follows

    def eof_received(self) -> Optional[bool]:
        return False                           # let asyncio close; connection_lost does the rest

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        self._lost = True
        if self._on_lost is not None:
            self._wake_drain(exc or ConnectionResetError("connection lost"))
            self._on_lost(exc)
            return
        self._stop_timers()
        self._wake_drain(exc or ConnectionResetError("connection lost"))
        response, self._response = self._response, None
        if response is not None:
            self._finish_at_close(response, exc)
        self.pool.forget(self)

    def _finish_at_close(self, response: Any, exc: Optional[BaseException]) -> None:
        """The server closed mid-exchange: a normal end for an until-close body, else an error."""
        if not response.head_received:
            reason = f": {exc}" if exc else ""
            if self.parser.mid_message:
                response._on_error(ServerDisconnectedError(
                    f"Server disconnected in the middle of the response head{reason}"))
            else:
                response._on_error(ServerDisconnectedError(
                    f"Server disconnected before sending a response{reason} (did it crash, "
                    f"or close an idle keep-alive connection just as we used it?)"))
            return
        try:
            events = self.parser.feed_eof()
        except RemoteProtocolError as error:
            response._on_error(ClientPayloadError(
                f"Response payload is not completed: {error.hint}; received "
                f"{response.body_bytes_received} body bytes before the server closed the "
                f"connection"))
            return
        for event in events:
            if type(event) is Data:
                response._on_data(event.data)
            elif type(event) is EndOfMessage:
                response._on_eof(event)
                return
        response._on_error(ServerDisconnectedError("Server disconnected mid-response"))

    def _break(self, exc: BaseException) -> None:
        """Fail the exchange in progress with ``exc`` and close: the bytes cannot be trusted."""
        self.should_close = True
        self._stop_timers()
        response, self._response = self._response, None
        if response is not None:
            response._on_error(exc)
        if self.transport is not None:
            self.transport.close()

    # -- one exchange ----------------------------------------------------------------------
    def start(self, response: Any, method: str, trace_req: Any = None, *,
              sock_read: Optional[float] = None) -> None:
        """Begin an exchange: ``response`` will receive what the server answers.

        ``sock_read`` starts the silence timer now; the session passes it to
        ``watch_silence`` instead once the request is written, so that a slow upload is
        not taken for a silent server (as in aiohttp).
        """
        if self._lost:
            raise ServerDisconnectedError("Server disconnected before the request was sent")
        self._response = response
        self.trace_req = trace_req
        self._first_byte = False
        self.exchanges += 1
        self.parser.expect(method)
        if sock_read is not None:
            self.watch_silence(sock_read)

    def watch_silence(self, sock_read: float) -> None:
        """From now on, ``sock_read`` seconds without a byte from the server break the exchange."""
        if self._response is None or self._read_timer is not None:
            return                             # over already (an early answer), or watched
        self._sock_read = sock_read
        self._last_read = self.loop.time()
        self._read_timer = self.loop.call_at(self._last_read + sock_read, self._check_silence)

    def set_limits(self, limits: Tuple[int, int, int]) -> None:
        """The parser's limits for the next response: (max_line_size, max_field_size, max_headers)."""
        # Between exchanges the parser holds nothing (we never pipeline): a new one is the
        # simple way to change its limits, and the head-size rule stays the parser's.
        self.parser = ResponseParser(max_line_size=limits[0], max_field_size=limits[1],
                                     max_headers=limits[2])
        self.limits = limits

    def arm_deadline(self, when: float) -> None:
        """Break the exchange at loop time ``when`` (what is left of ClientTimeout.total)."""
        if self._response is not None and self._deadline_timer is None:
            self._deadline_timer = self.loop.call_at(when, self._deadline_passed)

    def write(self, data: bytes) -> None:
        self.transport.write(data)             # type: ignore[union-attr]
        if trace.enabled:
            trace.emit("client.bytes_out", req=self.trace_req, data=bytes(data))

    async def drain(self) -> None:
        """Wait while asyncio holds more unsent bytes than its high-water mark (64 KiB)."""
        if self._lost:
            raise ServerDisconnectedError("Server disconnected while the request body was sent")
        if self._writing_paused:
            self._drain_waiter = self.loop.create_future()
            await self._drain_waiter

    def body_written(self) -> None:
        """The request body's writer is done (or gave up); an answer that ended first may now
        give the connection back to the pool."""
        self.writing = False
        if self._release_pending:
            self._release_pending = False
            self.pool.release(self)

    def fail(self, exc: BaseException) -> None:
        """Sending the request failed: the exchange ends with ``exc`` and the connection closes."""
        self._break(exc)

    def release_early(self) -> None:
        """The response was released before its end arrived: this connection cannot be reused."""
        self._response = None
        self.should_close = True
        self._stop_timers()
        if self.transport is not None:
            self.transport.close()

    def _end_exchange(self) -> None:
        self._response = None
        self._stop_timers()
        if self._reading_paused:               # the next exchange starts with reading on
            self.resume_reading()

    # -- timers ----------------------------------------------------------------------------
    def _check_silence(self) -> None:
        """sock_read: fires at most once per period; re-arms if bytes came in the meantime."""
        self._read_timer = None
        if self._response is None or self._sock_read is None:
            return
        if self._reading_paused:               # we stopped reading: the silence is ours
            self._last_read = self.loop.time()
        quiet_until = self._last_read + self._sock_read
        if self.loop.time() < quiet_until:
            self._read_timer = self.loop.call_at(quiet_until, self._check_silence)
            return
        self._break(SocketTimeoutError(
            f"Timeout on reading data from socket: the server sent nothing for "
            f"{self._sock_read} s (ClientTimeout.sock_read)"))

    def _deadline_passed(self) -> None:
        self._deadline_timer = None
        # aiohttp raises a bare TimeoutError for total; ours also says which limit it was.
        self._break(asyncio.TimeoutError("ClientTimeout.total passed before the response "
                                         "was complete"))

    def _stop_timers(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None
        if self._deadline_timer is not None:
            self._deadline_timer.cancel()
            self._deadline_timer = None
        self._sock_read = None

    # -- flow control ----------------------------------------------------------------------
    def pause_reading(self) -> None:
        if not self._reading_paused and self.transport is not None and not self._lost:
            self._reading_paused = True
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        if self._reading_paused and self.transport is not None and not self._lost:
            self._reading_paused = False
            self.transport.resume_reading()

    def pause_writing(self) -> None:
        self._writing_paused = True

    def resume_writing(self) -> None:
        self._writing_paused = False
        self._wake_drain(None)

    def _wake_drain(self, exc: Optional[BaseException]) -> None:
        waiter, self._drain_waiter = self._drain_waiter, None
        if waiter is not None and not waiter.done():
            if exc is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(ServerDisconnectedError(f"Connection lost: {exc}"))

    # -- after 101 Switching Protocols -----------------------------------------------------
    def detach(self, on_data: Callable[[bytes], None],
               on_lost: Callable[[Optional[BaseException]], None]) -> bytes:
        """Leave HTTP: return the bytes read past the 101 head; route later events to callbacks."""
        self.should_close = True
        self._response = None
        self._stop_timers()
        self._on_data, self._on_lost = on_data, on_lost
        self.pool.forget(self)
        if self._reading_paused:
            self.resume_reading()
        return self.parser.take_trailing()

    def close(self) -> None:
        self.should_close = True
        if self.transport is not None:
            self.transport.close()
