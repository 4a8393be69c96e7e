"""Cross-check with aiohttp's own WebSocket reader and writer, the library whose API we mirror.

An aioteach client talks to aiohttp servers and the other way round, so each side's frames must
read correctly on the other.  aiohttp's reader and writer are fed through small stand-ins for
its transport and flow control; no sockets are involved.
"""
from __future__ import annotations

import asyncio

import pytest

from tests.support import require

from aioteach.websocket import (BytesMessage, CloseReceived, Ping, Pong, TextMessage,
                                WebSocketConnection, WSMsgType)

pytestmark = pytest.mark.peer


class CollectingTransport:
    """What aiohttp's writer needs of a transport: somewhere to write."""

    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, data: bytes) -> None:
        self.data += data

    def is_closing(self) -> bool:
        return False


class NoFlowControl:
    """What aiohttp's reader queue and writer need of a protocol: no back-pressure."""

    _reading_paused = False

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    async def _drain_helper(self) -> None:
        pass


@pytest.mark.parametrize("our_role", ["server", "client"])
async def test_aiohttp_writer_frames_read_here(our_role):
    require("aiohttp")
    from aiohttp.http_websocket import WebSocketWriter
    transport = CollectingTransport()
    # aiohttp's writer plays the other side: it masks when we are the server.
    writer = WebSocketWriter(NoFlowControl(), transport, use_mask=our_role == "server")
    await writer.send_frame("héllo".encode(), WSMsgType.TEXT)
    await writer.send_frame(b"\x00" * 70000, WSMsgType.BINARY)
    await writer.send_frame(b"are you there", WSMsgType.PING)
    await writer.send_frame(b"yes", WSMsgType.PONG)
    await writer.close(4000, "bye")
    ours = WebSocketConnection(our_role)
    assert ours.receive_data(bytes(transport.data)) == [
        TextMessage("héllo"), BytesMessage(b"\x00" * 70000), Ping(b"are you there"),
        Pong(b"yes"), CloseReceived(4000, "bye", by_peer=True)]
    assert ours.data_to_send() == b""


@pytest.mark.parametrize("our_role", ["client", "server"])
async def test_our_frames_read_by_aiohttps_reader(our_role):
    require("aiohttp")
    from aiohttp._websocket.reader import WebSocketDataQueue
    from aiohttp.http_websocket import WebSocketReader
    queue = WebSocketDataQueue(NoFlowControl(), 2 ** 24, loop=asyncio.get_running_loop())
    reader = WebSocketReader(queue, 4 * 1024 * 1024, False, True)
    ours = WebSocketConnection(our_role)
    wire = (ours.send_text("frag", fin=False) + ours.send_ping(b"mid")
            + ours.send_text("ment 😀") + ours.send_bytes(b"\xff" * 65536)
            + ours.send_close(1001, "going"))
    for i in range(0, len(wire), 1000):          # in pieces, as a socket would deliver them
        reader.feed_data(wire[i:i + 1000])
    got = [await queue.read() for _ in range(4)]
    assert [(m.type, m.data) for m in got] == [
        (WSMsgType.PING, b"mid"), (WSMsgType.TEXT, "fragment 😀"),
        (WSMsgType.BINARY, b"\xff" * 65536), (WSMsgType.CLOSE, 1001)]
    assert got[-1].extra == "going"
