"""Talking through an HTTP proxy: absolute-form requests, and CONNECT tunnels for https.

Theory of operation.  ``session.get(url, proxy="http://proxy:3128")`` (or ``trust_env=True``
with ``HTTP_PROXY`` set: environment.py) sends the request to the proxy instead of the origin.
How depends on the origin's scheme:

    http://origin   the TCP connection goes to the proxy, and the request line names the whole
                    URL, the *absolute form* (RFC 9112 3.2.2): ``GET http://origin/path
                    HTTP/1.1``.  ``Proxy-Authorization`` (RFC 9110 11.7.2) rides along in the
                    request's head; the proxy forwards the rest.
    https://origin  the proxy cannot read TLS, so we ask it for a tunnel (RFC 9110 9.3.6):
                    ``CONNECT origin:443 HTTP/1.1`` with ``Proxy-Authorization``; a 2xx answer
                    means every later byte goes to the origin.  TLS then starts *inside* the
                    tunnel (``loop.start_tls``) with the origin's name and certificate, so the
                    proxy sees only ciphertext; the request itself is an ordinary one.

A ``Proxy`` is part of the pool's ``ConnectionKey``: a connection through one proxy (with one
set of credentials) is never reused for a request that goes straight, or through another.

The CONNECT answer is read by the sans-I/O ``ResponseParser``, told the method is CONNECT: it
stops after a 2xx head (the bytes after it are the tunnel's), and any other status is the
proxy's refusal, ``ClientHttpProxyError`` with that status (407: the proxy wants credentials).
"""
from __future__ import annotations

import asyncio
from typing import Any, NamedTuple, Optional, Tuple

from ..http1 import RemoteProtocolError, Response, ResponseParser, serialize_request_head
from .errors import ClientHttpProxyError, ClientProxyConnectionError, RequestInfo

__all__ = ["Proxy", "open_tunnel", "absolute_target"]


class Proxy(NamedTuple):
    """Where the proxy is and what to tell it (hashable: part of a ConnectionKey)."""

    host: str
    port: int
    authorization: Optional[str]               # the Proxy-Authorization value, or None
    headers: Tuple[Tuple[str, str], ...]       # proxy_headers= for the CONNECT request


def absolute_target(url: Any) -> str:
    """The request target for a proxy: the whole URL without its fragment (RFC 9112 3.2.2)."""
    return str(url.with_fragment(None)) if url.raw_fragment else str(url)


class TunnelHandshake(asyncio.Protocol):
    """Reads the proxy's answer to CONNECT; hands over the transport when it is 2xx."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.parser = ResponseParser()
        self.parser.expect("CONNECT")
        self.transport: Any = None
        self.answer: asyncio.Future = loop.create_future()

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self.answer.done():
            return
        try:
            events = self.parser.feed(data)
        except RemoteProtocolError as exc:
            self.answer.set_exception(exc)
            return
        for event in events:
            if type(event) is Response:
                self.answer.set_result(event)
                return

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        if not self.answer.done():
            self.answer.set_exception(ConnectionResetError(
                f"the proxy closed the connection before answering CONNECT{f': {exc}' if exc else ''}"))


def connect_head(host: str, port: int, proxy: Proxy) -> bytes:
    """``CONNECT host:port HTTP/1.1`` with Host and the proxy's credentials and headers."""
    authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    fields = [("Host", authority)] + list(proxy.headers)
    if proxy.authorization is not None:
        fields.append(("Proxy-Authorization", proxy.authorization))
    return serialize_request_head("CONNECT", authority, fields)


async def open_tunnel(loop: asyncio.AbstractEventLoop, proxy: Proxy, host: str, port: int,
                      **connect_kwargs: Any) -> Any:
    """A transport to ``host:port`` through ``proxy``'s CONNECT tunnel (not yet TLS)."""
    try:
        transport, handshake = await loop.create_connection(
            lambda: TunnelHandshake(loop), proxy.host, proxy.port, **connect_kwargs)
    except OSError as exc:
        raise ClientProxyConnectionError(proxy, exc) from exc
    try:
        transport.write(connect_head(host, port, proxy))
        answer = await handshake.answer
    except BaseException:
        transport.close()
        raise
    if not 200 <= answer.status < 300:
        transport.close()
        raise ClientHttpProxyError(
            RequestInfo(f"{host}:{port}", "CONNECT", {}, f"{host}:{port}"), (),
            status=answer.status,
            message=f"the proxy at {proxy.host}:{proxy.port} refused the tunnel to "
                    f"{host}:{port}: {answer.status} {answer.reason}")
    return transport
