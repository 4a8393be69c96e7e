"""A message handed straight to a waiting ``receive()`` is never lost (``aioteach.wsbase``).

When a ``receive()`` waits, ``data_received`` gives it the next small message in its future
instead of queueing it.  If that ``receive()`` is cancelled before it runs again (a
``wait_for`` timeout, a task cancelled from outside), the message must go back to the front of
the queue.  Driven with a hand-made transport: the order of events is set by the test, not by
timing.
"""
from __future__ import annotations

import asyncio
import os

import pytest

from aioteach import WSMsgType
from aioteach.websocket import Opcode, build_frame
from aioteach.wsbase import WebSocketBase
from tests.websocket.test_server_flow_control import FakeTransport, open_socket


def text_frame(text: str) -> bytes:
    return build_frame(Opcode.TEXT, text.encode(), mask=os.urandom(4))


async def waiting_receive(ws: WebSocketBase) -> "asyncio.Task":
    task = asyncio.ensure_future(ws.receive())
    while ws._waiter is None:                 # let the task start and wait (bounded: one step)
        await asyncio.sleep(0)
    return task


async def test_a_message_handed_to_a_waiting_receive_is_returned():
    ws = open_socket(FakeTransport())
    task = await waiting_receive(ws)
    ws.data_received(text_frame("one"))
    message = await asyncio.wait_for(task, 5)
    assert (message.type, message.data) == (WSMsgType.TEXT, "one")
    assert not ws._messages and ws._queued == 0


async def test_a_receive_cancelled_after_the_hand_off_gives_the_message_to_the_next():
    ws = open_socket(FakeTransport())
    task = await waiting_receive(ws)
    ws.data_received(text_frame("handed"))     # goes into the waiting receive()'s future
    task.cancel()                              # ... which is cancelled before it runs again
    with pytest.raises(asyncio.CancelledError):
        await task
    ws.data_received(text_frame("later"))
    first = await asyncio.wait_for(ws.receive(), 5)
    second = await asyncio.wait_for(ws.receive(), 5)
    assert [first.data, second.data] == ["handed", "later"]
    assert ws._queued == 0


async def test_a_cancelled_hand_off_goes_before_messages_queued_after_it():
    ws = open_socket(FakeTransport())
    task = await waiting_receive(ws)
    ws.data_received(text_frame("a"))          # handed over
    ws.data_received(text_frame("b"))          # queued: the future already holds "a"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    got = [(await asyncio.wait_for(ws.receive(), 5)).data for _ in range(2)]
    assert got == ["a", "b"]
