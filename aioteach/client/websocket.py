"""``session.ws_connect(url)``: the client's end of a WebSocket (RFC 6455), aiohttp's names.

Theory of operation.  The opening handshake is an ordinary request through the session, so
cookies, default headers, auth, ``params``, TLS and the connection timeouts all apply::

    async with session.ws_connect("ws://127.0.0.1:8080/chat") as ws:
        await ws.send_str("hello")
        async for msg in ws:                  # TEXT / BINARY until the server closes
            print(msg.data)

``ws_connect`` adds the Upgrade fields and a fresh key (``aioteach.websocket.handshake``),
sends a GET, and checks the answer: a status other than 101, a missing or wrong
``Sec-WebSocket-Accept``, or a subprotocol we never offered raise ``WSServerHandshakeError``
with the status and what was wrong (RFC 6455 section 4.1, "the client MUST validate").  Then
it *detaches* the connection from HTTP (``ClientConnection.detach``, client/connection.py):
the bytes already read past the 101 head and every later byte go to the WebSocket, and the
connection never returns to the pool.  Receiving, sending, closing and the heartbeat are
``aioteach.wsbase.WebSocketBase``, shared with the server; a client masks every frame it
sends with a fresh key (section 5.3), which the codec does for the "client" role.

Deliberate differences from aiohttp: a connection that ends without a Close frame reports
1006 (RFC 6455 section 7.1.5); a server's Close (with ``autoclose``) and Ping (with
``autoping``) are answered the moment they arrive (a Close with 1000, as in aiohttp).
``timeout`` is the close timeout as a number (aiohttp 3.x's older form; ``ClientWSTimeout``
is not offered).

``compress=15`` (window bits, 9-15; aiohttp's default is 0) offers permessage-deflate (RFC
7692, ``aioteach/websocket/deflate.py``); a server that agrees gets compressed messages, and
``ws.compress`` says the window bits.  A server answering with what we did not offer is refused.
"""
from __future__ import annotations

from typing import Any, Generator, Iterable, Optional, Union

from ..url import URL
# The sans-I/O codec, by its package name: every call below says where it comes from.
from .. import websocket as codec
from ..wsbase import WebSocketBase
from .errors import ClientConnectionResetError, ServerTimeoutError, WSServerHandshakeError
from .request import normalize_headers

__all__ = ["ClientWebSocketResponse", "WSConnectContext", "ws_connect"]


class ClientWebSocketResponse(WebSocketBase):
    """An open client WebSocket: ``receive``/``send_*``/``close`` and the rest of aiohttp's API.

    Made by ``session.ws_connect``; ``ws.response`` is the 101 response of the handshake.
    """

    def __init__(self, response: Any, *, timeout: float = 10.0,
                 receive_timeout: Optional[float] = None, autoclose: bool = True,
                 autoping: bool = True, heartbeat: Optional[float] = None,
                 max_msg_size: int = 4 * 1024 * 1024) -> None:
        super().__init__(timeout=timeout, receive_timeout=receive_timeout, autoclose=autoclose,
                         autoping=autoping, heartbeat=heartbeat, max_msg_size=max_msg_size)
        self.response = response

    _closed_error = ClientConnectionResetError  # also a ConnectionResetError, as in aiohttp

    def _timeout_error(self) -> BaseException:
        return ServerTimeoutError("No answer to a heartbeat Ping within heartbeat/2 seconds: "
                                  "the server (or the network) is gone")

    async def receive(self, timeout: Optional[float] = None, *,
                      _iterating: bool = False) -> codec.WSMessage:
        """As on the server, except that once the server's Close has been read (with
        ``autoclose=False``), the next ``receive()`` answers it and says CLOSED (aiohttp's
        client does the same)."""
        if self._closing and not self._closed and not self._messages:
            await self.close()
            return self._closed_message()
        return await super().receive(timeout, _iterating=_iterating)

    async def __aenter__(self) -> "ClientWebSocketResponse":
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()

    def __repr__(self) -> str:
        state = f"closed {self._close_code}" if self._closed else "open"
        return f"<ClientWebSocketResponse {self.response.url} {state}>"


async def ws_connect(session: Any, url: Union[str, URL], *, method: str = "GET",
                     protocols: Iterable[str] = (), timeout: float = 10.0,
                     receive_timeout: Optional[float] = None, autoclose: bool = True,
                     autoping: bool = True, heartbeat: Optional[float] = None,
                     auth: Any = None, origin: Optional[str] = None, params: Any = None,
                     headers: Any = None, ssl: Any = True, compress: int = 0,
                     max_msg_size: int = 4 * 1024 * 1024,
                     **request_kwargs: Any) -> ClientWebSocketResponse:
    """Open a WebSocket through ``session`` (``session.ws_connect`` calls this)."""
    protocols = tuple(protocols)
    key = codec.make_key()
    extra = normalize_headers(headers)
    if origin is not None:
        extra.append(("Origin", origin))
    if compress:
        extra.append(("Sec-WebSocket-Extensions", codec.client_offer(compress)))
    upgrade = codec.client_request_headers(key, protocols, extra)
    response = await session._request(method, url, params=params, headers=upgrade, auth=auth,
                                      ssl=ssl, **request_kwargs)
    try:
        protocol = codec.validate_server_response(response.status, response._raw, key, protocols,
                                                  extensions_offered=bool(compress))
        deflate = codec.accept_response(response.headers.get("Sec-WebSocket-Extensions"), compress) \
            if compress else None
    except (codec.HandshakeError, ValueError) as exc:
        response.close()
        raise WSServerHandshakeError(response.request_info, response.history,
                                     message=getattr(exc, "message", str(exc)),
                                     status=response.status,
                                     headers=response.headers) from None
    connection = response.connection
    if connection is None:              # lost between the 101 and now
        raise WSServerHandshakeError(response.request_info, response.history,
                                     message="the connection closed right after the 101",
                                     status=response.status, headers=response.headers)
    ws = ClientWebSocketResponse(response, timeout=timeout, receive_timeout=receive_timeout,
                                 autoclose=autoclose, autoping=autoping, heartbeat=heartbeat,
                                 max_msg_size=max_msg_size)
    ws._start(codec.WebSocketConnection("client", max_msg_size=max_msg_size, deflate=deflate),
              connection.write,
              connection.drain, connection.transport, protocol)
    trailing = connection.detach(ws.data_received, ws.connection_lost)
    response.release()                  # a 101 releases without closing: the socket is ours
    if trailing:
        ws.data_received(trailing)
    return ws


class WSConnectContext:
    """``await session.ws_connect(url)`` or ``async with session.ws_connect(url) as ws``."""

    __slots__ = ("_coro", "_ws")

    def __init__(self, coro: Any) -> None:
        self._coro = coro
        self._ws: Optional[ClientWebSocketResponse] = None

    def __await__(self) -> Generator[Any, None, ClientWebSocketResponse]:
        return self._coro.__await__()

    async def __aenter__(self) -> ClientWebSocketResponse:
        self._ws = await self._coro
        return self._ws

    async def __aexit__(self, *exc_info: Any) -> None:
        if self._ws is not None:
            await self._ws.close()
