"""Frames cut into reads anywhere mean what they mean whole (connection.py, frames.py).

A long frame over TCP may arrive in several reads.  ``receive_data`` reads such a frame's
header once, keeps the reads (``keep_piece``) until ``bytes_needed`` says the frame is whole,
joins them once and reads the frame as if it had come in one read.  These tests prove that
buffering changes nothing a peer can see: the same events, state, close code and bytes to
send, whatever the cuts, fed as ``receive_data`` alone or as ``aioteach.wsbase`` feeds it
(the fast path first); and that a bad header is still refused as soon as it is in.
"""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aioteach.websocket import (BytesMessage, CloseReceived, Opcode, WebSocketConnection,
                                WSCloseCode, build_frame)
from aioteach.websocket.frames import SMALL_READ, bytes_needed, parse_frame

KEY = b"\x11\x22\x33\x44"


def payload_of(size: int, seed: int) -> bytes:
    return ((bytes(range(seed % 256, 256)) + bytes(range(seed % 256))) * (size // 256 + 1))[:size]


# Sizes in all three length forms of RFC 6455 section 5.2, a few of them long.
sizes = st.one_of(st.integers(0, 130), st.integers(126, 5000), st.sampled_from([65535, 65536,
                                                                                70000]))
texts = st.text(max_size=40)


@st.composite
def wire_and_role(draw: st.DrawFn) -> tuple:
    """Valid traffic for one role: whole and fragmented messages, pings between fragments,
    maybe a Close at the end, masked as a client masks (section 5.3)."""
    role = draw(st.sampled_from(["client", "server"]))
    mask = KEY if role == "server" else None        # what the peer of ``role`` sends
    wire = b""
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["binary", "text", "fragments", "ping"]))
        if kind == "binary":
            wire += build_frame(Opcode.BINARY, payload_of(draw(sizes), draw(st.integers())),
                                mask=mask)
        elif kind == "text":
            wire += build_frame(Opcode.TEXT, draw(texts).encode(), mask=mask)
        elif kind == "ping":
            wire += build_frame(Opcode.PING, draw(st.binary(max_size=125)), mask=mask)
        else:
            parts = draw(st.lists(sizes, min_size=2, max_size=3))
            for i, size in enumerate(parts):
                wire += build_frame(Opcode.BINARY if i == 0 else Opcode.CONTINUATION,
                                    payload_of(size, i), fin=i == len(parts) - 1, mask=mask)
                if draw(st.booleans()):
                    wire += build_frame(Opcode.PONG, b"between", mask=mask)
    if draw(st.booleans()):
        wire += build_frame(Opcode.CLOSE, (1000).to_bytes(2, "big") + b"bye", mask=mask)
        wire += build_frame(Opcode.TEXT, b"after the close: ignored", mask=mask)
    return wire, role


def reads_of(data: bytes, cuts: list) -> list:
    points = sorted({c % (len(data) + 1) for c in cuts})
    bounds = [0] + points + [len(data)]
    return [data[a:b] for a, b in zip(bounds, bounds[1:])]


def as_wsbase_feeds(conn: WebSocketConnection, read: bytes) -> list:
    """What ``WebSocketBase.data_received`` does with a read: the fast path, then the rest."""
    message = conn.receive_whole_message(read)
    if message is None:
        return conn.receive_data(read)
    return [BytesMessage(message)] if isinstance(message, bytes) else conn.receive_data(read)


def outcome(conn: WebSocketConnection, events: list) -> tuple:
    """What the peer can see.  A client masks its Close with a fresh key: compare the frame."""
    sent = conn.data_to_send()
    close = parse_frame(sent, expect_mask=conn.role == "client") if sent else None
    return events, conn.state, conn.close_code, close


@settings(max_examples=150, deadline=None)
@given(traffic=wire_and_role(), cuts=st.lists(st.integers(0, 300000), max_size=12),
       max_msg_size=st.sampled_from([0, 4096, 4 * 1024 * 1024]))
def test_any_cuts_give_the_events_of_the_whole(traffic, cuts, max_msg_size):
    wire, role = traffic
    whole = WebSocketConnection(role, max_msg_size=max_msg_size)
    expected = outcome(whole, whole.receive_data(wire))
    split, glued = (WebSocketConnection(role, max_msg_size=max_msg_size) for _ in range(2))
    events, glued_events = [], []
    for read in reads_of(wire, cuts):
        events += split.receive_data(read)
        glued_events += (as_wsbase_feeds(glued, read) if glued.state.name == "OPEN"
                         else glued.receive_data(read))
    assert outcome(split, events) == expected
    assert outcome(glued, glued_events)[1:] == expected[1:]
    assert [type(e) for e in glued_events] == [type(e) for e in expected[0]]


@settings(max_examples=100, deadline=None)
@given(size=sizes, masked=st.booleans(), cut=st.integers(0, 80000))
def test_bytes_needed_never_asks_past_the_frame(size, masked, cut):
    frame = build_frame(Opcode.BINARY, payload_of(size, 0), mask=KEY if masked else None)
    head = frame[:cut % len(frame)]
    needed = bytes_needed(head)
    assert len(head) < needed <= len(frame)     # more is needed, never more than the frame
    assert parse_frame(head, expect_mask=masked) is None
    header_size = 2 + (2 if size >= 126 else 0) + (6 if size >= 65536 else 0)
    if len(head) >= header_size:
        assert needed == len(frame)             # once the length is in, it is exact


def test_a_frame_a_byte_at_a_time_is_one_message_and_few_pieces():
    frame = build_frame(Opcode.BINARY, payload_of(3 * SMALL_READ, 7), mask=KEY)
    conn = WebSocketConnection("server")
    events = []
    for i in range(len(frame)):
        events += conn.receive_data(frame[i:i + 1])
        assert len(conn._pieces) <= 1          # one bytearray, not an object per byte
    assert events == [BytesMessage(payload_of(3 * SMALL_READ, 7))]


def test_a_too_big_frame_is_refused_when_its_header_is_in_not_later():
    frame_head = bytes((0x82, 0x80 | 127)) + (5 * 1024 * 1024).to_bytes(8, "big")
    conn = WebSocketConnection("server")               # 4 MiB max_msg_size by default
    for byte in frame_head[:-1]:
        assert conn.receive_data(bytes((byte,))) == []
    [event] = conn.receive_data(frame_head[-1:])
    assert isinstance(event, CloseReceived) and event.code == WSCloseCode.MESSAGE_TOO_BIG


def test_a_callers_reused_bytearray_does_not_change_what_was_kept():
    frame = build_frame(Opcode.BINARY, payload_of(5000, 3), mask=KEY)
    conn = WebSocketConnection("server")
    buffer = bytearray(frame[:3000])
    assert conn.receive_data(buffer) == []
    buffer[:] = b"\xff" * 3000                  # the caller reuses its buffer for the next read
    assert conn.receive_data(frame[3000:]) == [BytesMessage(payload_of(5000, 3))]
