"""Sans-I/O WebSocket (RFC 6455): bytes in, events out, bytes to send.

Read in this order, each module building on the one before:

    codes.py       opcodes, close codes, and aiohttp's WSMsgType / WSCloseCode / WSMessage
    errors.py      whose fault: the peer's (a close code) or the caller's (an exception)
    masking.py     the XOR of section 5.3, and the one plug-in point: use_mask("websockets")
    frames.py      one frame: header, length forms, masking (section 5)
    fastpath.py    the one shortcut: a small whole message straight to its data
    deflate.py     permessage-deflate (RFC 7692): negotiation and compressed messages
    events.py      what a connection reports: TextMessage, BytesMessage, Ping, Pong, CloseReceived
    connection.py  WebSocketConnection: fragments -> messages, validation, closing handshake
    handshake.py   the HTTP Upgrade that starts it all (section 4), as pure functions

Nothing here touches a socket, asyncio or a clock, so the same code runs under the asyncio
server (``web.WebSocketResponse``), the client (``ClientSession.ws_connect``) and a notebook
cell that feeds it bytes by hand.  ``aioteach.http1`` and this package do not import each other;
the web and client layers wire the Upgrade between them.
"""
from __future__ import annotations

from .codes import (NO_STATUS_RCVD, TLS_HANDSHAKE, Opcode, WSCloseCode, WSMessage, WSMsgType,
                    is_valid_close_code)
from .deflate import DeflateParams, MessageDeflate, accept_response, client_offer, negotiate
from .connection import DEFAULT_MAX_MSG_SIZE, ConnectionState, WebSocketConnection
from .errors import (FrameError, HandshakeError, LocalProtocolError, WebSocketError,
                     WSMessageTypeError)
from .events import BytesMessage, CloseReceived, Event, Ping, Pong, TextMessage
from .frames import Frame, apply_mask, build_frame, parse_frame
from .masking import mask_in_use, use_mask
from .handshake import (ClientRequest, accept_key, choose_subprotocol, client_request_headers,
                        make_key, server_response_headers, validate_client_request,
                        validate_server_response)

__all__ = [
    # codes
    "Opcode", "WSCloseCode", "WSMsgType", "WSMessage", "NO_STATUS_RCVD", "TLS_HANDSHAKE",
    "is_valid_close_code",
    # errors
    "WebSocketError", "FrameError", "LocalProtocolError", "HandshakeError", "WSMessageTypeError",
    # frames
    "Frame", "parse_frame", "build_frame", "apply_mask",
    # masking: the plug-in point for a compiled mask (standard library by default)
    "use_mask", "mask_in_use",
    # events
    "TextMessage", "BytesMessage", "Ping", "Pong", "CloseReceived", "Event",
    # connection
    "WebSocketConnection", "ConnectionState", "DEFAULT_MAX_MSG_SIZE",
    # deflate (RFC 7692)
    "DeflateParams", "MessageDeflate", "negotiate", "client_offer", "accept_response",
    # handshake
    "ClientRequest", "make_key", "accept_key", "validate_client_request", "choose_subprotocol",
    "server_response_headers", "client_request_headers", "validate_server_response",
]
