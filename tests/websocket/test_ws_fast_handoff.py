"""The hand-off to a waiting ``receive()`` is a cache of the queue (``aioteach.wsbase._push``).

A message that finds ``receive()`` waiting goes into its future alone, without the size the
queue's flow control keeps beside every queued message: the size is worked out only if the
message has to wait in the queue, by ``wsreceive.queued_size``, whether it is queued at once
or put back after its ``receive()`` was cancelled.  Hypothesis proves, for any mix of text,
binary, Ping and Pong messages (autoping off, so they reach ``receive()`` too) cut at any
point, that the two ways give the same messages in the same order and the same queued bytes.
"""
from __future__ import annotations

import asyncio
import os

from hypothesis import given, settings
from hypothesis import strategies as st

from aioteach.websocket import Opcode, WebSocketConnection, build_frame
from aioteach.wsbase import WebSocketBase
from tests.websocket.test_server_flow_control import FakeTransport

payloads = st.one_of(
    st.tuples(st.just(Opcode.TEXT), st.text(max_size=300)),
    st.tuples(st.just(Opcode.BINARY), st.binary(max_size=300)),
    st.tuples(st.sampled_from([Opcode.PING, Opcode.PONG]), st.binary(max_size=125)),
)


def frame(opcode: Opcode, payload: object) -> bytes:
    data = payload.encode() if isinstance(payload, str) else payload
    return build_frame(opcode, data, mask=os.urandom(4))        # type: ignore[arg-type]


def opened() -> WebSocketBase:
    async def no_wait() -> None:
        return None

    transport = FakeTransport()
    ws = WebSocketBase(autoping=False)
    ws._start(WebSocketConnection("server"), transport.write, no_wait, transport, None)
    return ws


async def queued_first(sent: list) -> tuple:
    """Every message is queued, then read: the general path."""
    ws = opened()
    for opcode, payload in sent:
        ws.data_received(frame(opcode, payload))
    queued = ws._queued
    got = [await ws.receive() for _ in sent]
    return queued, got, ws._queued


async def handed_then_cancelled(sent: list) -> tuple:
    """The first message is handed to a waiting receive() that is cancelled before it runs:
    it goes back to the front of the queue, before those queued after it."""
    ws = opened()
    task = asyncio.ensure_future(ws.receive())
    while ws._waiter is None:                     # one step: the task starts and waits
        await asyncio.sleep(0)
    for opcode, payload in sent:
        ws.data_received(frame(opcode, payload))
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    queued = ws._queued
    got = [await ws.receive() for _ in sent]
    return queued, got, ws._queued


@settings(max_examples=150, deadline=None)
@given(sent=st.lists(payloads, min_size=1, max_size=8))
def test_a_handed_message_put_back_counts_as_one_queued_at_once(sent):
    def shape(result: tuple) -> tuple:
        queued, got, after = result
        return queued, [(m.type, m.data, m.extra) for m in got], after

    general = shape(asyncio.run(queued_first(sent)))
    handed = shape(asyncio.run(handed_then_cancelled(sent)))
    assert handed == general
    assert general[2] == 0                        # all read: nothing counted any more
    assert [data for _, data, _ in general[1]] == [payload for _, payload in sent]
