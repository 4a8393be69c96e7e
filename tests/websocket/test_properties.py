"""Properties over arbitrary input: the connection never raises on peer bytes, and round-trips."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aioteach.websocket import (BytesMessage, CloseReceived, ConnectionState, TextMessage,
                                WebSocketConnection, build_frame)

roles = st.sampled_from(["client", "server"])


def chunks_of(data: bytes, cuts: list) -> list:
    points = sorted({c % (len(data) + 1) for c in cuts})
    bounds = [0] + points + [len(data)]
    return [data[a:b] for a, b in zip(bounds, bounds[1:])]


@settings(max_examples=300, deadline=None)
@given(role=roles, data=st.binary(max_size=400), cuts=st.lists(st.integers(0, 400), max_size=6),
       max_msg_size=st.sampled_from([0, 1, 16, 4 * 1024 * 1024]))
def test_receive_data_never_raises_on_arbitrary_bytes(role, data, cuts, max_msg_size):
    conn = WebSocketConnection(role, max_msg_size=max_msg_size)
    events = []
    for chunk in chunks_of(data, cuts):
        events += conn.receive_data(chunk)
    closes = [e for e in events if isinstance(e, CloseReceived)]
    assert len(closes) <= 1 and (not closes or events[-1] is closes[0])
    if closes and not closes[0].by_peer:
        assert conn.state is ConnectionState.CLOSED and conn.data_to_send()[:1] == b"\x88"


# Plausible frames make the interesting paths likelier than raw noise does.
frame_parts = st.tuples(st.sampled_from([0, 1, 2, 3, 8, 9, 10, 11]), st.binary(max_size=140),
                        st.booleans(), st.booleans())


@settings(max_examples=300, deadline=None)
@given(role=roles, parts=st.lists(frame_parts, max_size=6), cuts=st.lists(st.integers(0, 900)))
def test_receive_data_never_raises_on_near_valid_frames(role, parts, cuts):
    wire = b"".join(build_frame(op, payload, fin=fin, mask=b"abcd" if masked else None)
                    for op, payload, fin, masked in parts)
    conn = WebSocketConnection(role, max_msg_size=200)
    whole = conn.receive_data(wire)
    split = WebSocketConnection(role, max_msg_size=200)
    pieces = []
    for chunk in chunks_of(wire, cuts):
        pieces += split.receive_data(chunk)
    assert pieces == whole          # how the bytes were cut never changes what they mean


@settings(max_examples=200, deadline=None)
@given(messages=st.lists(st.one_of(st.text(max_size=300), st.binary(max_size=300)), max_size=8),
       fragment_at=st.integers(0, 300))
def test_what_one_side_sends_the_other_receives(messages, fragment_at):
    client, server = WebSocketConnection("client"), WebSocketConnection("server")
    wire, expected = b"", []
    for message in messages:
        if isinstance(message, str):
            head, tail = message[:fragment_at], message[fragment_at:]
            wire += client.send_text(head, fin=False) + client.send_text(tail)
            expected.append(TextMessage(message))
        else:
            wire += client.send_bytes(message)
            expected.append(BytesMessage(message))
    wire += client.send_close(1000, "done")
    expected.append(CloseReceived(1000, "done"))
    assert server.receive_data(wire) == expected
