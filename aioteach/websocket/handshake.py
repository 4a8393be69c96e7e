"""The opening handshake: an HTTP/1.1 Upgrade, as pure functions (RFC 6455 section 4).

A WebSocket starts life as an ordinary HTTP GET that asks to switch protocols::

    GET /chat HTTP/1.1                          HTTP/1.1 101 Switching Protocols
    Host: example.com                           Upgrade: websocket
    Upgrade: websocket                          Connection: Upgrade
    Connection: Upgrade                         Sec-WebSocket-Accept: s3pPLMBiTxaQ9kxGzzhZRbK+xOo=
    Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
    Sec-WebSocket-Version: 13

The client sends 16 random bytes in base64 as its key; the server proves it understood the
request by answering with base64(SHA-1(key + a fixed GUID)) (section 4.2.2, step 5.4).  That
is not security, only a guard against a plain HTTP server or a cache answering by mistake.

The client side:  ``make_key``, ``client_request_headers``, then ``validate_server_response``.
The server side:  ``validate_client_request``, ``choose_subprotocol``, ``server_response_headers``.
Nothing here does I/O: the HTTP layers read and write the heads, these functions only decide.
A refusal is ``HandshakeError(status, message, headers)``, ready to become an HTTP answer.

Headers are accepted in the two shapes the project hands around: a mapping whose ``.items()``
yields every field (``CIMultiDict`` keeps repeated fields), or an iterable of ``(name, value)``
pairs such as ``aioteach.http1`` events carry.  Names are compared case-insensitively.

Extensions: the only one known is permessage-deflate (RFC 7692), negotiated by ``deflate.py``;
these functions only carry its header, and a client that offered none refuses a response
that names one (section 4.1).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import os
from typing import Dict, Iterable, List, Mapping, NamedTuple, Optional, Sequence, Tuple, Union

from .errors import HandshakeError

__all__ = [
    "WEBSOCKET_GUID", "WEBSOCKET_VERSION", "ClientRequest", "make_key", "accept_key",
    "validate_client_request", "choose_subprotocol", "server_response_headers",
    "client_request_headers", "validate_server_response",
]

HeadersLike = Union[Mapping[str, str], Iterable[Tuple[str, str]]]

# Section 1.3: a GUID "unlikely to be used by network endpoints that do not understand the
# WebSocket Protocol", appended to the key before hashing.
WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
# Section 4.1: the only version of the protocol RFC 6455 defines.
WEBSOCKET_VERSION = "13"


class ClientRequest(NamedTuple):
    """What a valid opening request tells the server: its key and the subprotocols offered."""

    key: str
    protocols: Tuple[str, ...] = ()


def make_key() -> str:
    """A fresh Sec-WebSocket-Key: 16 random bytes, base64-encoded (section 4.1)."""
    return base64.b64encode(os.urandom(16)).decode("ascii")


def accept_key(key: str) -> str:
    """The Sec-WebSocket-Accept answering ``key``: base64(SHA-1(key + GUID)) (section 4.2.2).

    >>> accept_key("dGhlIHNhbXBsZSBub25jZQ==")        # the RFC's sample, section 1.3
    's3pPLMBiTxaQ9kYGzzhZRbK+xOo='
    """
    digest = hashlib.sha1((key + WEBSOCKET_GUID).encode("ascii")).digest()
    return base64.b64encode(digest).decode("ascii")


def _fields(headers: HeadersLike) -> Dict[str, List[str]]:
    """Lower-cased name -> every value of that name, in order."""
    pairs = headers.items() if hasattr(headers, "items") else headers
    fields: Dict[str, List[str]] = {}
    for name, value in pairs:
        fields.setdefault(name.lower(), []).append(value)
    return fields


def _tokens(fields: Dict[str, List[str]], name: str) -> List[str]:
    """The comma-separated list elements of a field, over all its lines (RFC 9110 5.6.1)."""
    return [item.strip() for value in fields.get(name, ()) for item in value.split(",")
            if item.strip()]


def _has_token(fields: Dict[str, List[str]], name: str, token: str) -> bool:
    return token in (item.lower() for item in _tokens(fields, name))


def validate_client_request(method: str, headers: HeadersLike,
                            version: str = "1.1") -> ClientRequest:
    """Check an opening request (section 4.2.1); return its key and offered subprotocols.

    Raises ``HandshakeError``: 405 (with ``Allow: GET``) for another method, 400 for a missing
    Upgrade/Connection token, a bad key or an HTTP/1.0 request (``version``: section 4.1 asks
    for HTTP/1.1 or later), and 400 with ``Sec-WebSocket-Version: 13`` for a WebSocket version
    we do not speak (section 4.4 names 426 as one choice; aiohttp answers 400, and so do we).
    Every refusal's ``message`` says why, for the response body.  Host is the HTTP/1.1 parser's to check (RFC 9112
    section 3.2), and Origin the application's (section 10.2): neither is looked at here.
    """
    if method != "GET":
        raise HandshakeError(405, f"a WebSocket handshake must be a GET request, not {method}",
                             [("Allow", "GET")])
    fields = _fields(headers)
    if not _has_token(fields, "upgrade", "websocket"):
        raise HandshakeError(400, "this is a WebSocket endpoint: the request needs "
                             "'Upgrade: websocket' (RFC 6455 section 4.1); a plain GET cannot "
                             "be answered here")
    if version in ("0.9", "1.0"):
        raise HandshakeError(400, f"a WebSocket handshake needs HTTP/1.1 or later, not "
                             f"HTTP/{version} (RFC 6455 section 4.1)")
    if not _has_token(fields, "connection", "upgrade"):
        raise HandshakeError(400, "missing 'Connection: upgrade' in the WebSocket handshake")
    versions = fields.get("sec-websocket-version", [])
    if [v.strip() for v in versions] != [WEBSOCKET_VERSION]:
        raise HandshakeError(400, f"unsupported Sec-WebSocket-Version {', '.join(versions)!r}: "
                             f"this server speaks version {WEBSOCKET_VERSION}",
                             [("Sec-WebSocket-Version", WEBSOCKET_VERSION)])
    keys = fields.get("sec-websocket-key", [])
    if len(keys) != 1:
        raise HandshakeError(400, "the WebSocket handshake needs exactly one Sec-WebSocket-Key")
    key = keys[0].strip()
    try:
        raw = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 16:
        raise HandshakeError(400, f"Sec-WebSocket-Key {key!r} is not 16 bytes in base64 "
                             "(RFC 6455 section 4.1)")
    return ClientRequest(key, tuple(_tokens(fields, "sec-websocket-protocol")))


def choose_subprotocol(offered: Sequence[str], supported: Sequence[str]) -> Optional[str]:
    """The first protocol the client ``offered`` that the server ``supported``, or None.

    The client's order of preference wins, as in aiohttp's ``WebSocketResponse(protocols=...)``
    (RFC 6455 section 4.2.2 leaves the choice to the server).  Names are compared exactly
    (section 11.3.4).
    """
    for protocol in offered:
        if protocol in supported:
            return protocol
    return None


def server_response_headers(key: str, protocol: Optional[str] = None,
                            extensions: Optional[str] = None) -> List[Tuple[str, str]]:
    """The header fields of the server's 101 Switching Protocols answer (section 4.2.2)."""
    headers = [("Upgrade", "websocket"), ("Connection", "Upgrade"),
               ("Sec-WebSocket-Accept", accept_key(key))]
    if extensions:
        headers.append(("Sec-WebSocket-Extensions", extensions))
    if protocol is not None:
        headers.append(("Sec-WebSocket-Protocol", protocol))
    return headers


def client_request_headers(key: str, protocols: Sequence[str] = (),
                           extra: Optional[HeadersLike] = None) -> List[Tuple[str, str]]:
    """The header fields a client adds to its GET (section 4.1); Host is the HTTP layer's."""
    headers = [("Upgrade", "websocket"), ("Connection", "Upgrade"),
               ("Sec-WebSocket-Key", key), ("Sec-WebSocket-Version", WEBSOCKET_VERSION)]
    if protocols:
        headers.append(("Sec-WebSocket-Protocol", ", ".join(protocols)))
    if extra is not None:
        headers.extend(extra.items() if hasattr(extra, "items") else extra)
    return headers


def validate_server_response(status: int, headers: HeadersLike, key: str,
                             protocols: Sequence[str] = (), *,
                             extensions_offered: bool = False) -> Optional[str]:
    """Check the server's answer (section 4.1, "the client MUST validate"); return its protocol.

    Raises ``HandshakeError`` carrying the status received and what was wrong with it.  With
    ``extensions_offered`` the caller checks Sec-WebSocket-Extensions itself (``deflate.py``).
    """
    if status != 101:
        raise HandshakeError(status, f"the server answered {status} instead of "
                             "101 Switching Protocols")
    fields = _fields(headers)
    if not _has_token(fields, "upgrade", "websocket"):
        raise HandshakeError(status, "the server's 101 response lacks 'Upgrade: websocket'")
    if not _has_token(fields, "connection", "upgrade"):
        raise HandshakeError(status, "the server's 101 response lacks 'Connection: upgrade'")
    accepts = fields.get("sec-websocket-accept", [])
    expected = accept_key(key)
    if [a.strip() for a in accepts] != [expected]:
        raise HandshakeError(status, f"wrong Sec-WebSocket-Accept {', '.join(accepts)!r}: "
                             f"expected {expected!r} for our key")
    if fields.get("sec-websocket-extensions") and not extensions_offered:
        raise HandshakeError(status, "the server chose an extension we did not offer "
                             "(Sec-WebSocket-Extensions)")
    chosen = _tokens(fields, "sec-websocket-protocol")
    if not chosen:
        return None
    if len(chosen) != 1 or chosen[0] not in protocols:
        raise HandshakeError(status, f"the server chose subprotocol {', '.join(chosen)!r}, "
                             f"which we did not offer (we offered {list(protocols)!r})")
    return chosen[0]
