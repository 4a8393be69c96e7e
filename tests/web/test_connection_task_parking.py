"""Parking (web/connectiontask.py, Python 3.11): a WebSocket handler waiting in ``receive()``
is run on inside ``data_received``, with no turn of the loop, and behaves exactly as when its
Task is woken for each message: same frames out for any mix of handlers that echo, sleep,
time out, wait in another Task or touch context variables, whatever the reads; every step in
the connection's Task; cancels, timeouts and a lost connection reach it as before."""
from __future__ import annotations

import asyncio
import contextvars
import os
import sys
from typing import Any, List, Optional, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aioteach import web
from aioteach.web import connectiontask
from aioteach.websocket import Opcode, build_frame
from aioteach.websocket.frames import parse_frame

pytestmark = pytest.mark.skipif(not connectiontask.LENDING,
                                reason="only Python 3.11 lends (and parks) the connection's Task")

seen: contextvars.ContextVar[str] = contextvars.ContextVar("seen", default="")
UPGRADE = (b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")


async def script(request: web.Request) -> web.WebSocketResponse:
    """Each TEXT message is a command; each command sends one reply."""
    ws = web.WebSocketResponse(timeout=0.5)      # cleanup() waits at most that for a Close
    await ws.prepare(request)
    task = asyncio.current_task()
    async for msg in ws:
        command, _, arg = msg.data.partition(":")
        reply = f"{command} {arg}"
        if command == "sleep":
            await asyncio.sleep(0)
        elif command == "ctx":
            reply = f"ctx was {seen.get()!r}"
            seen.set(arg)
        elif command == "timeout":
            try:
                await ws.receive(timeout=0.001)
            except asyncio.TimeoutError:
                reply = "receive timed out"
        elif command == "cm" and sys.version_info >= (3, 11):   # the Task's own timeout
            try:
                async with asyncio.timeout(0.001):
                    await ws.receive()
            except TimeoutError:
                reply = "cm timed out"
        elif command == "waitfor":         # receive() in a Task of its own: not parked
            reply = f"waited {(await asyncio.wait_for(ws.receive(), 5)).data}"
        elif command == "cancelme":
            try:
                await ws.receive()
            except asyncio.CancelledError:
                reply = "cancelled"
        elif command == "fail":
            raise ValueError("handler bug")
        reply += f" task={asyncio.current_task() is task}"
        await ws.send_str(reply)
    return ws


class Transport(asyncio.Transport):
    """Collects what the server writes; ``replies(n)`` waits (bounded) for n text frames."""

    def __init__(self) -> None:
        super().__init__()
        self.data = bytearray()
        self.closed = False
        self.protocol: Any = None
        self.changed: Optional[asyncio.Future] = None

    def write(self, data: Any) -> None:
        self.data += data
        if self.changed is not None and not self.changed.done():
            self.changed.set_result(None)

    def set_protocol(self, protocol: Any) -> None:
        self.protocol = protocol

    def get_write_buffer_size(self) -> int:
        return 0

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:                      # as asyncio's: connection_lost follows
        if not self.closed:
            self.closed = True
            asyncio.get_running_loop().call_soon(self.protocol.connection_lost, None)

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default

    def frames(self) -> List[Tuple[int, bytes]]:
        head_end = self.data.find(b"\r\n\r\n") + 4
        out, pos = [], head_end
        while True:
            parsed = parse_frame(bytes(self.data), pos, expect_mask=False)
            if parsed is None:
                return out
            frame, pos = parsed
            out.append((int(frame.opcode), frame.payload))

    async def replies(self, count: int) -> List[Tuple[int, bytes]]:
        for _ in range(200):                      # bounded: a handful of turns each
            if len(self.frames()) >= count or self.closed:
                break
            self.changed = asyncio.get_running_loop().create_future()
            await asyncio.wait_for(self.changed, 5)
        return self.frames()


def text(data: str) -> bytes:
    return build_frame(Opcode.TEXT, data.encode(), mask=os.urandom(4))


async def open_connection() -> Tuple[Any, Transport, Any]:
    app = web.Application()
    app.router.add_get("/ws", script)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    protocol, transport = runner.server(), Transport()
    transport.protocol = protocol
    protocol.connection_made(transport)
    protocol.data_received(UPGRADE)
    for _ in range(20):                           # the 101 goes out in the handler's first step
        if b"\r\n\r\n" in transport.data:
            break
        await asyncio.sleep(0)
    for _ in range(5):
        await asyncio.sleep(0)                    # the Task takes over the handler (parks it)
    return runner, transport, protocol


def feed(transport: Transport, data: bytes) -> None:
    transport.protocol.data_received(data)        # the WebSocket's own, after the takeover


async def feed_from_loop(transport: Transport, data: bytes) -> List[Tuple[int, bytes]]:
    """Feed ``data`` from a callback of the loop, as a socket's reader does (no Task is
    running then); give the frames written by the time ``data_received`` returned."""
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def read() -> None:
        feed(transport, data)
        done.set_result(transport.frames())
    loop.call_soon(read)
    return await done


def frame_of(command: str) -> bytes:
    if command == "ping":                         # answered in data_received (autoping)
        return build_frame(Opcode.PING, b"p", mask=os.urandom(4))
    if command == "waitfor":                      # its handler waits for the next message
        return text(command) + text("payload")
    return text(command)


async def converse(chunks: List[List[str]], split: List[bool],
                   close_in_last_read: bool = False) -> List[Tuple[int, bytes]]:
    """Feed each chunk of commands as one read (or two, cut inside its last frame), waiting
    for their replies; then the client's Close, alone or in the last chunk's read."""
    runner, transport, _ = await open_connection()
    close = build_frame(Opcode.CLOSE, b"\x03\xe8", mask=os.urandom(4))
    try:
        sent = 0
        for number, (commands, cut) in enumerate(zip(chunks, split)):
            data = b"".join(map(frame_of, commands))
            last = number == len(chunks) - 1
            if last and close_in_last_read:       # one read: the peer's Close in it too
                data, cut = data + close, False   # (cut, what came first would be a race)
            if cut and len(data) > 3:             # the read ends inside the last frame
                await feed_from_loop(transport, data[:-3])
                await feed_from_loop(transport, data[-3:])
            else:
                await feed_from_loop(transport, data)
            sent += len(commands)
            if not (last and close_in_last_read):
                await transport.replies(sent)
        if not close_in_last_read:
            await feed_from_loop(transport, close)
        for _ in range(50):                       # bounded: closed within a few turns
            if transport.closed:
                break
            await asyncio.sleep(0)
        return transport.frames()
    finally:
        await runner.cleanup()


LAST = st.sampled_from(["timeout", "cm", "waitfor"])     # each must end its read
ANY = st.sampled_from(["echo:a", "sleep:b", "ctx:c", "echo:d", "ctx:e", "ping"])
CHUNK = st.builds(lambda middle, last: middle + last, st.lists(ANY, max_size=3),
                  st.lists(LAST, max_size=1)).filter(bool)


def apart(frames: List[Tuple[int, bytes]]) -> Tuple[list, list]:
    """The handler's frames in order, and the Pongs in order.  A Pong is written inside
    data_received as soon as its Ping is read (autoping), so where it falls among the replies
    of a handler that slept depends on which turn of the loop the next read comes in, parked
    or not (found by hypothesis: ``[['timeout'], ['sleep:b', 'sleep:b', 'ping']]`` with the
    second read cut).  RFC 6455 5.5.3 lets a Pong go at any time after its Ping."""
    return ([frame for frame in frames if frame[0] != Opcode.PONG],
            [frame for frame in frames if frame[0] == Opcode.PONG])


@settings(max_examples=40, deadline=None)
@given(chunks=st.lists(CHUNK, min_size=1, max_size=4), close_in_last_read=st.booleans(),
       data=st.data())
def test_a_parked_handler_sends_the_frames_of_one_woken_by_its_task(chunks, close_in_last_read,
                                                                    data):
    split = data.draw(st.lists(st.booleans(), min_size=len(chunks), max_size=len(chunks)))
    parked = asyncio.run(converse(chunks, split, close_in_last_read))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(connectiontask.ConnectionTask, "park", lambda self, waiter: None)
        woken = asyncio.run(converse(chunks, split, close_in_last_read))
    assert apart(parked) == apart(woken)
    assert parked[-1][0] == Opcode.CLOSE
    if not close_in_last_read:                    # one frame per command, then the Close
        assert len(parked) == sum(map(len, chunks)) + 1
        assert all(payload.endswith(b"task=True") for kind, payload in parked[:-1]
                   if kind == Opcode.TEXT)


def test_a_pong_may_fall_anywhere_among_a_sleeping_handlers_replies():
    """The case hypothesis found: parked, both replies go before the Pong; woken, the Pong
    goes between them.  Same replies, same Pong."""
    chunks, split = [["timeout"], ["sleep:b", "sleep:b", "ping"]], [False, True]
    parked = asyncio.run(converse(chunks, split))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(connectiontask.ConnectionTask, "park", lambda self, waiter: None)
        woken = asyncio.run(converse(chunks, split))
    assert apart(parked) == apart(woken)
    assert apart(parked)[1] == [(Opcode.PONG, b"p")]


async def test_the_echo_is_written_before_data_received_returns():
    runner, transport, _ = await open_connection()
    try:
        before = len(transport.frames())
        written = await feed_from_loop(transport, text("echo:now") + text("echo:again"))
        assert written[before:] == [(Opcode.TEXT, b"echo now task=True"),
                                               (Opcode.TEXT, b"echo again task=True")]
    finally:
        await runner.cleanup()


async def test_a_cancel_reaches_a_parked_receive():
    runner, transport, protocol = await open_connection()
    try:
        await feed_from_loop(transport, text("cancelme"))
        protocol.handler_task.cancel()
        assert await transport.replies(1) == [(Opcode.TEXT, b"cancelled task=True")]
    finally:
        await runner.cleanup()


async def test_a_failing_handler_closes_with_1011_from_a_parked_step():
    runner, transport, _ = await open_connection()
    try:
        await feed_from_loop(transport, text("echo:x") + text("fail"))
        frames = await transport.replies(2)
        assert frames[0] == (Opcode.TEXT, b"echo x task=True")
        assert frames[1][0] == Opcode.CLOSE and frames[1][1][:2] == b"\x03\xf3"   # 1011
    finally:
        await runner.cleanup()


async def test_a_lost_connection_wakes_the_handler_on_a_later_turn():
    runner, transport, protocol = await open_connection()
    try:
        task = protocol.handler_task
        protocol.connection_lost(None)
        assert not task.done()                    # not run inside connection_lost
        await asyncio.wait_for(asyncio.shield(task), 5)
        assert task.done() and not task.cancelled()
    finally:
        await runner.cleanup()
