"""``web.WebSocketResponse``: a handler that upgrades its request to a WebSocket (RFC 6455).

Theory of operation.  A WebSocket starts as an ordinary GET (RFC 6455 section 4), so it is an
ordinary handler that returns an unusual response::

    async def chat(request):
        ws = web.WebSocketResponse()
        await ws.prepare(request)                 # 101 Switching Protocols goes out
        async for msg in ws:                      # TEXT / BINARY until the peer closes
            await ws.send_str(msg.data)
        return ws

``prepare()`` checks the request with ``aioteach.websocket.handshake`` (a bad one raises
``HTTPBadRequest`` or ``HTTPMethodNotAllowed``, with a body that says why), picks a subprotocol,
sends the 101 head through the normal response path (so ``on_response_prepare`` still runs),
and then *takes over* the connection (``HttpProtocol.take_over``, web/protocol.py): from then
on every byte from the socket goes to ``data_received`` here and never to the HTTP parser
(the transport is even pointed at it directly, ``DirectRoute``, to save a call per read).
Receiving, sending, closing and the heartbeat are ``aioteach.wsbase.WebSocketBase``, shared
with the client.  When the handler returns, the closing handshake is finished (``write_eof``)
and the server closes the TCP connection (RFC 6455 section 7.1.1: the server closes first).

Server shutdown (``runner.cleanup()``, Ctrl+C in ``run_app``) calls ``close_for_shutdown``:
a Close with 1001 (GOING_AWAY) before any handler is cancelled, so clients learn why.

Deliberate differences from aiohttp, each for the RFC's sake or the reader's:
* an HTTP/1.0 upgrade is refused with 400 (RFC 6455 section 4.1; aiohttp accepts it);
* a peer's Close (with ``autoclose``) and a peer's Ping (with ``autoping``) are answered the
  moment they arrive, not when the handler next calls ``receive()``;
* a shutdown closes open WebSockets with 1001 by itself (aiohttp leaves it to ``on_shutdown``);
* a connection that ends without a Close frame reports 1006 (RFC 6455 section 7.1.5);
* a handler that raises after the 101 ends the WebSocket with 1011 (aiohttp drops the TCP
  connection, which the client reads as 1006).

As in aiohttp, ``autoclose`` answers a peer's Close with 1000 whatever its code, and the side
that closed first reads the code of that answer in ``close_code`` (RFC 6455 section 7.1.5).

permessage-deflate (RFC 7692, ``aioteach/websocket/deflate.py``) is accepted when the client
offers it, as aiohttp does by default (``compress=True``); ``compress=False`` declines it.
Simplification: ``send_str(..., compress=)`` does not switch compression per message.

Performance notes (valgrind, ``benchmarks/bench_websocket.py``'s in-process echo, 16 bytes,
one connection, Python 3.11): ``DirectRoute``, the transport calling our ``data_received``
itself rather than through ``HttpProtocol.data_received``, saves 78.6k -> 76.6k (2.6%)
instructions per round trip.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Iterable, Optional, Sequence

from ..websocket import (HandshakeError, WebSocketConnection, WSCloseCode, WSMsgType,
                         choose_subprotocol, negotiate, server_response_headers,
                         validate_client_request)
from ..wsbase import WebSocketBase
from .exceptions import HTTPBadRequest, HTTPMethodNotAllowed
from .response import StreamResponse

__all__ = ["WebSocketResponse", "WebSocketReady", "WSMsgType"]   # aiohttp.web has WSMsgType too


@dataclass(frozen=True)
class WebSocketReady:
    """What ``can_prepare`` found: would the handshake succeed, and with which subprotocol?"""

    ok: bool
    protocol: Optional[str]

    def __bool__(self) -> bool:
        return self.ok


class DirectRoute(asyncio.Protocol):
    """The transport's protocol after the takeover: bytes go straight to the WebSocket;
    the end of the connection and write flow control still go to the ``HttpProtocol``
    (whose ``drain()`` waits), and the pauses to the WebSocket too (``write_paused``: its
    sends then skip ``drain()`` unless paused).

    The hot callback is an instance attribute holding the target's bound method, so the
    transport's ``self._protocol.data_received(data)`` is one call, not two.
    """

    def __init__(self, http: Any, ws: WebSocketBase) -> None:
        self.data_received = ws.data_received           # type: ignore[method-assign]
        self.eof_received = http.eof_received           # type: ignore[method-assign]
        self.connection_lost = http.connection_lost     # type: ignore[method-assign]
        self._http, self._ws = http, ws

    def pause_writing(self) -> None:                    # rare: plain methods will do
        self._ws.write_paused(True)
        self._http.pause_writing()

    def resume_writing(self) -> None:
        self._ws.write_paused(False)
        self._http.resume_writing()


def _version(request: Any) -> str:
    """The request's HTTP version as "1.1" (aiohttp's ``request.version`` is a pair)."""
    version = request.version
    return f"{version[0]}.{version[1]}" if isinstance(version, tuple) else str(version)


def _refusal(exc: HandshakeError, method: str) -> Exception:
    """The handshake's verdict as the HTTP exception a handler raises."""
    if exc.status == 405:
        return HTTPMethodNotAllowed(method, ["GET"], text=exc.message)
    return HTTPBadRequest(text=exc.message, headers=exc.headers or None)


class WebSocketResponse(WebSocketBase, StreamResponse):
    """The server's end of a WebSocket, under aiohttp's name.  See the module docstring.

    ``timeout`` bounds the wait for the client's Close in ``close()``; ``receive_timeout`` is
    the default for ``receive()``; ``heartbeat`` (seconds) turns on the Ping/Pong liveness
    check; ``protocols`` are the subprotocols we speak (the client's order of preference
    decides, as in aiohttp); ``max_msg_size`` caps one message (0: no limit), a bigger one
    is refused with 1009.
    """

    def __init__(self, *, timeout: float = 10.0, receive_timeout: Optional[float] = None,
                 autoclose: bool = True, autoping: bool = True,
                 heartbeat: Optional[float] = None, protocols: Iterable[str] = (),
                 compress: bool = True, max_msg_size: int = 4 * 1024 * 1024) -> None:
        StreamResponse.__init__(self, status=101)
        WebSocketBase.__init__(self, timeout=timeout, receive_timeout=receive_timeout,
                               autoclose=autoclose, autoping=autoping, heartbeat=heartbeat,
                               max_msg_size=max_msg_size)
        self._protocols = tuple(protocols)
        self._compress_wanted = compress
        self._eof_code: int = WSCloseCode.OK              # what write_eof closes with
        self._eof_message = b""

    def can_prepare(self, request: Any) -> WebSocketReady:
        """Would ``prepare(request)`` succeed?  Never raises: ``if ws.can_prepare(request):``."""
        try:
            offer = validate_client_request(request.method, request.headers, _version(request))
        except HandshakeError:
            return WebSocketReady(False, None)
        return WebSocketReady(True, self._choose(offer.protocols))

    def _choose(self, offered: Sequence[str]) -> Optional[str]:
        return choose_subprotocol(offered, self._protocols)     # the client's order wins

    async def prepare(self, request: Any) -> None:
        """Answer the handshake with 101 and take the connection over (see the docstring)."""
        if self._conn is not None or self._prepared:
            return
        try:
            offer = validate_client_request(request.method, request.headers, _version(request))
        except HandshakeError as exc:
            raise _refusal(exc, request.method) from None
        protocol = self._choose(offer.protocols)
        deflate = negotiate(request.headers.get("Sec-WebSocket-Extensions")) \
            if self._compress_wanted else None
        self.set_status(101)                  # whatever set_status() said before prepare()
        headers = self.headers
        for name, value in server_response_headers(
                offer.key, protocol, deflate.header_value() if deflate else None):
            headers[name] = value
        # Keep "Connection: Upgrade": the HTTP layer would otherwise write its own verdict.
        self._keep_alive = True
        await StreamResponse.prepare(self, request)
        http = request.protocol
        self._start(WebSocketConnection("server", max_msg_size=self._max_msg_size,
                                        deflate=deflate),
                    http.write, http.drain, http.transport, protocol)
        http.take_over(self)
        self._parker = getattr(http, "lender", None)   # 3.11: the connection's Task (parking)
        transport = http.transport
        if transport is not None:
            try:
                # Speed (2.0k instructions a message, see Performance notes): the transport
                # calls our data_received itself, not through HttpProtocol.data_received.
                transport.set_protocol(DirectRoute(http, self))
            except NotImplementedError:
                return                        # a transport that cannot switch keeps the hop
            # From now on DirectRoute forwards the pauses; an empty buffer is not paused.
            self.write_paused(bool(transport.get_write_buffer_size()))
            # HttpProtocol no longer sees the bytes to trace: we emit them, under the
            # connection's name from the documented seam (web/writer.py's ResponseWriter).
            self._trace_conn = http.conn_id

    async def write_eof(self, data: bytes = b"") -> None:
        """The handler returned: finish the closing handshake (the server then hangs up)."""
        if self._eof_sent:
            return
        if self._conn is None:
            raise RuntimeError("Call .prepare() first (the WebSocket handshake has not happened)")
        await self.close(code=self._eof_code, message=self._eof_message)
        self._eof_sent = True

    def handler_failed(self) -> "WebSocketResponse":
        """The handler raised after the 101 (the server logged it): close with 1011, the
        WebSocket's "internal server error" (RFC 6455 section 7.4.1).  aiohttp drops the TCP
        connection instead, which the client sees as 1006."""
        self._eof_code = WSCloseCode.INTERNAL_ERROR
        self._eof_message = b"the server's handler failed"
        return self

    async def write(self, data: Any) -> None:
        raise RuntimeError("a WebSocket sends with send_str(), send_bytes() or send_json()")

    async def close_for_shutdown(self) -> None:
        """The server is going away: Close with 1001 (GOING_AWAY), RFC 6455 section 7.4.1."""
        await self.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")

    def __repr__(self) -> str:
        state = "not prepared" if self._conn is None else (
            f"closed {self._close_code}" if self._closed else "open")
        return f"<WebSocketResponse {state}>"
