"""Flow control in the WebSocket glue (``aioteach.wsbase``), with a hand-made transport.

Both directions, without sockets and without timing: a handler that does not read makes the
glue stop reading the transport (and start again once it has caught up); a peer that does not
read makes ``send_*`` wait in ``drain()`` until the transport has room again.
"""
from __future__ import annotations

import asyncio
import os
from typing import List

from aioteach import WSMsgType
from aioteach.websocket import Opcode, WebSocketConnection, build_frame
from aioteach.wsbase import QUEUE_HIGH_WATER, WebSocketBase


class FakeTransport:
    def __init__(self) -> None:
        self.written: List[bytes] = []
        self.buffered = 0                  # what get_write_buffer_size() reports
        self.reading = True
        self.calls: List[str] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def get_write_buffer_size(self) -> int:
        return self.buffered

    def pause_reading(self) -> None:
        self.reading = False
        self.calls.append("pause")

    def resume_reading(self) -> None:
        self.reading = True
        self.calls.append("resume")

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str, default: object = None) -> object:
        return default


def open_socket(transport: FakeTransport, drain=None) -> WebSocketBase:
    async def no_wait() -> None:
        return None

    ws = WebSocketBase()
    ws._start(WebSocketConnection("server"), transport.write, drain or no_wait, transport, None)
    return ws


def client_frame(payload: bytes) -> bytes:
    return build_frame(Opcode.BINARY, payload, mask=os.urandom(4))


async def test_a_handler_that_does_not_read_pauses_the_transport_until_it_catches_up():
    transport = FakeTransport()
    ws = open_socket(transport)
    chunk = b"z" * 65536
    sent = 0
    while transport.reading:               # the peer keeps sending; the glue stops reading
        ws.data_received(client_frame(chunk))
        sent += 1
        assert sent * len(chunk) <= QUEUE_HIGH_WATER + len(chunk)   # stops right past the mark
    assert transport.calls == ["pause"]
    received = 0
    while not transport.reading:           # the handler reads: below the low mark, resume
        msg = await ws.receive()
        assert (msg.type, msg.data) == (WSMsgType.BINARY, chunk)
        received += 1
    assert transport.calls == ["pause", "resume"]
    while received < sent:                 # nothing was lost on the way
        assert (await ws.receive()).data == chunk
        received += 1
    assert ws._queued == 0


async def test_send_waits_in_drain_while_the_transport_is_full():
    transport = FakeTransport()
    room = asyncio.Event()
    drains = []

    async def drain() -> None:
        drains.append(transport.buffered)
        await room.wait()

    ws = open_socket(transport, drain)
    await ws.send_str("fits")                      # nothing buffered: no drain at all
    assert drains == []
    transport.buffered = 1 << 20                   # the peer stopped reading
    sender = asyncio.ensure_future(ws.send_bytes(b"more"))
    await asyncio.sleep(0)                         # one loop turn: the sender runs until drain
    assert drains == [1 << 20] and not sender.done()
    room.set()                                     # the transport drained
    await asyncio.wait_for(sender, 10)
    assert [frame[:1] for frame in transport.written] == [b"\x81", b"\x82"]


async def test_autoping_answers_even_while_nobody_reads():
    transport = FakeTransport()
    ws = open_socket(transport)
    ws.data_received(build_frame(Opcode.PING, b"tick", mask=os.urandom(4)))
    assert transport.written == [build_frame(Opcode.PONG, b"tick")]
    assert not ws._messages                        # nothing for receive(): autoping is on


async def test_once_the_pauses_are_forwarded_a_send_drains_only_while_paused():
    transport = FakeTransport()
    drains = []

    async def drain() -> None:
        drains.append(transport.buffered)

    ws = open_socket(transport, drain)
    ws.write_paused(False)                         # what DirectRoute does after the takeover
    transport.buffered = 100                       # some bytes wait, under the high-water mark
    await ws.send_str("a")
    assert drains == []                            # not paused: the buffer is not even asked
    ws.write_paused(True)                          # the transport's pause_writing
    await ws.send_bytes(b"b")
    await ws.send_str("c")
    assert drains == [100, 100]
    ws.write_paused(False)                         # its resume_writing
    await ws.send_str("d")
    assert drains == [100, 100]
    assert [frame[:1] for frame in transport.written] == [b"\x81", b"\x82", b"\x81", b"\x81"]


async def test_direct_route_forwards_the_pauses_to_the_http_protocol_and_the_websocket():
    from aioteach.web.websocket import DirectRoute

    class Http:
        def __init__(self) -> None:
            self.calls: List[str] = []

        def pause_writing(self) -> None:
            self.calls.append("pause")

        def resume_writing(self) -> None:
            self.calls.append("resume")

        eof_received = connection_lost = None

    http, ws = Http(), open_socket(FakeTransport())
    route = DirectRoute(http, ws)
    route.pause_writing()
    assert http.calls == ["pause"] and ws._write_paused is True
    route.resume_writing()
    assert http.calls == ["pause", "resume"] and ws._write_paused is False
