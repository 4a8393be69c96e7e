"""permessage-deflate (RFC 7692): the negotiation as pure functions, the codec, and peers.

Peers both ways: aioteach's server with the ``websockets`` library's client and aiohttp's
client (both offer deflate), and aioteach's client (``compress=15``) with aiohttp's and the
``websockets`` library's servers.  Each exchange carries a message big enough to compress.
"""
from __future__ import annotations

import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aioteach import ClientSession, web
from aioteach.websocket import (BytesMessage, CloseReceived, DeflateParams, TextMessage,
                                WebSocketConnection, accept_response, client_offer, negotiate)
from tests.support import require, within
from tests.web.server_support import serve

CHROMIUM_OFFER = "permessage-deflate; client_max_window_bits"
TEXT = "the same words again and again, " * 40


def test_a_chromium_offer_is_accepted_with_the_plain_answer():
    params = negotiate(CHROMIUM_OFFER)
    assert params == DeflateParams()
    assert params.header_value() == "permessage-deflate"


def test_firefox_style_and_unusual_offers():
    assert negotiate("permessage-deflate") == DeflateParams()
    chosen = negotiate("permessage-deflate; server_no_context_takeover; server_max_window_bits=10")
    assert chosen == DeflateParams(server_no_context_takeover=True, server_max_window_bits=10)
    assert chosen.header_value() == ("permessage-deflate; server_no_context_takeover; "
                                     "server_max_window_bits=10")
    # Declined: 8-bit windows, unknown or doubled parameters, other extensions.
    assert negotiate("permessage-deflate; server_max_window_bits=8") is None
    assert negotiate("permessage-deflate; foo=1") is None
    assert negotiate("permessage-deflate; server_no_context_takeover; "
                     "server_no_context_takeover") is None
    assert negotiate("x-webkit-deflate-frame") is None
    assert negotiate(None) is None
    # The first acceptable offer wins.
    assert negotiate("permessage-deflate; foo, permessage-deflate; client_max_window_bits=9") \
        == DeflateParams(client_max_window_bits=9)


def test_the_client_offer_and_its_check_of_the_answer():
    assert client_offer(15) == CHROMIUM_OFFER
    assert client_offer(10) == CHROMIUM_OFFER + "; server_max_window_bits=10"
    with pytest.raises(ValueError):
        client_offer(8)
    assert accept_response(None, 15) is None
    assert accept_response("permessage-deflate", 15) == DeflateParams()
    for bad in ("x-other", "permessage-deflate; foo", "permessage-deflate, permessage-deflate"):
        with pytest.raises(ValueError):
            accept_response(bad, 15)
    with pytest.raises(ValueError):                # a bigger window than we asked for
        accept_response("permessage-deflate; server_max_window_bits=12", 10)


def pair(params=DeflateParams()):
    return (WebSocketConnection("client", deflate=params),
            WebSocketConnection("server", deflate=params))


@settings(max_examples=100, deadline=None)
@given(messages=st.lists(st.one_of(st.text(max_size=400), st.binary(max_size=400)), max_size=6),
       params=st.builds(DeflateParams, st.booleans(), st.booleans(), st.integers(9, 15),
                        st.integers(9, 15)),
       cut=st.integers(0, 400))
def test_compressed_messages_round_trip_whole_and_fragmented(messages, params, cut):
    client, server = pair(params)
    wire, expected = b"", []
    for message in messages:
        if isinstance(message, str):
            wire += client.send_text(message[:cut], fin=False) + client.send_text(message[cut:])
            expected.append(TextMessage(message))
        else:
            wire += client.send_bytes(message)
            expected.append(BytesMessage(message))
    assert server.receive_data(wire) == expected
    answer = server.send_text(TEXT) + server.send_text(TEXT)
    assert client.receive_data(answer) == [TextMessage(TEXT)] * 2


def test_compression_shrinks_and_sets_rsv1_on_the_first_frame_only():
    client, server = pair()
    frame = server.send_text(TEXT)
    assert frame[0] == 0xC1 and len(frame) < len(TEXT) // 4
    first, second = server.send_bytes(b"a" * 500, fin=False), server.send_bytes(b"b" * 500)
    assert first[0] == 0x42 and second[0] == 0x80          # RSV1 only on the first fragment
    assert client.receive_data(frame + first + second) == [TextMessage(TEXT),
                                                           BytesMessage(b"a" * 500 + b"b" * 500)]


def test_rsv1_without_negotiation_and_on_control_frames_fails_with_1002():
    compressed = zlib.compressobj(wbits=-15)
    data = compressed.compress(b"hello") + compressed.flush(zlib.Z_SYNC_FLUSH)
    frame = bytes([0xC1, len(data) - 4]) + data[:-4]
    (event,) = WebSocketConnection("client").receive_data(frame)
    assert isinstance(event, CloseReceived) and event.code == 1002 and not event.by_peer
    assert WebSocketConnection("client", deflate=DeflateParams()).receive_data(frame) == \
        [TextMessage("hello")]
    (event,) = WebSocketConnection("client", deflate=DeflateParams()).receive_data(b"\xc9\x00")
    assert event.code == 1002                              # RSV1 on a Ping


def test_a_zip_bomb_is_refused_with_1009_and_garbage_with_1002():
    client = WebSocketConnection("client", deflate=DeflateParams())
    server = WebSocketConnection("server", deflate=DeflateParams(), max_msg_size=10_000)
    (event,) = server.receive_data(client.send_bytes(bytes(1_000_000)))
    assert event.code == 1009
    server = WebSocketConnection("server", deflate=DeflateParams())
    (event,) = server.receive_data(client.send_bytes(b"x")[:2] + b"\x00" * 4 + b"\xff\xff\xff")
    assert isinstance(event, CloseReceived) and not event.by_peer


def echo_app(compress: bool = True) -> web.Application:
    async def echo(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(compress=compress)
        await ws.prepare(request)
        async for msg in ws:
            await ws.send_str(f"{ws.compress}:{msg.data}")
        return ws
    app = web.Application()
    app.router.add_get("/ws", echo)
    return app


async def test_websockets_and_aiohttp_clients_get_compression_from_our_server():
    websockets = require("websockets")
    aiohttp = require("aiohttp")
    async with serve(echo_app()) as (port, _):
        async with websockets.connect(f"ws://127.0.0.1:{port}/ws") as ws:
            assert ws.response.headers["Sec-WebSocket-Extensions"] == "permessage-deflate"
            await ws.send(TEXT)
            assert await within(ws.recv()) == f"15:{TEXT}"
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"http://127.0.0.1:{port}/ws", compress=15) as ws:
                assert ws.compress == 15
                await ws.send_str(TEXT)
                assert (await within(ws.receive())).data == f"15:{TEXT}"


async def test_compress_false_declines_the_offer():
    websockets = require("websockets")
    async with serve(echo_app(compress=False)) as (port, _):
        async with websockets.connect(f"ws://127.0.0.1:{port}/ws") as ws:
            assert "Sec-WebSocket-Extensions" not in ws.response.headers
            await ws.send(TEXT)
            assert await within(ws.recv()) == f"0:{TEXT}"


async def test_our_client_with_compress_against_aiohttp_and_websockets_servers():
    aiohttp = require("aiohttp")
    websockets = require("websockets")
    from aiohttp import web as aiohttp_web

    async def echo(request):
        ws = aiohttp_web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            await ws.send_str(f"{ws.compress}:{msg.data}")
        return ws

    app = aiohttp_web.Application()
    app.router.add_get("/ws", echo)
    runner = aiohttp_web.AppRunner(app)
    await runner.setup()
    site = aiohttp_web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with ClientSession() as session:
            async with session.ws_connect(f"http://127.0.0.1:{port}/ws", compress=15) as ws:
                assert ws.compress == 15
                await ws.send_str(TEXT)
                assert (await within(ws.receive())).data == f"15:{TEXT}"
    finally:
        await runner.cleanup()
    assert aiohttp  # imported for its server above

    async def ws_echo(conn):
        async for message in conn:
            await conn.send(message)

    async with websockets.serve(ws_echo, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        async with ClientSession() as session:
            async with session.ws_connect(f"http://127.0.0.1:{port}/", compress=15) as ws:
                assert ws.compress == 12        # websockets answers server_max_window_bits=12
                await ws.send_str(TEXT)
                await ws.send_bytes(TEXT.encode())
                assert (await within(ws.receive())).data == TEXT
                assert (await within(ws.receive())).data == TEXT.encode()
            async with session.ws_connect(f"http://127.0.0.1:{port}/") as ws:   # no offer
                assert ws.compress == 0
