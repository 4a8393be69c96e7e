"""Each named fast path is a cache of the general path: hypothesis proves they agree.

* codec (``aioteach.websocket``): ``WebSocketConnection.receive_whole_message`` against
  ``receive_data`` on a twin connection fed the same bytes; ``apply_mask``'s two methods
  (big integers, ``bytes.translate``) against the definition, a byte-by-byte XOR;
* glue (``aioteach.wsbase``): ``data_received`` hands a small message to a waiting
  ``receive()`` through the same ``_push`` that queues every other message, so what
  ``receive()`` returns is the same whether it waited or found the message queued.
"""
from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from aioteach.websocket import (BytesMessage, TextMessage, WebSocketConnection, apply_mask,
                                build_frame)
from aioteach.websocket.masking import TRANSLATE_FROM
from aioteach.wsbase import WebSocketBase

roles = st.sampled_from(["client", "server"])
keys = st.binary(min_size=4, max_size=4)


def xor_by_definition(payload: bytes, key: bytes) -> bytes:
    return bytes(b ^ key[i % 4] for i, b in enumerate(payload))


@settings(max_examples=200, deadline=None)
@given(payload=st.binary(max_size=3 * TRANSLATE_FROM), key=keys)
def test_apply_mask_is_the_xor_of_section_5_3_at_every_size(payload, key):
    assert apply_mask(payload, key) == xor_by_definition(payload, key)
    assert apply_mask(bytearray(payload), key) == xor_by_definition(payload, key)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=3 * TRANSLATE_FROM), key=keys, cut=st.data())
def test_apply_mask_in_place_is_apply_mask_of_the_slice(data, key, cut):
    """A receiver unmasks where the payload lies (start, end): the same bytes as a copy first."""
    start = cut.draw(st.integers(0, len(data)))
    end = cut.draw(st.integers(start, len(data)))
    expected = xor_by_definition(data[start:end], key)
    assert apply_mask(data, key, start, end) == expected
    assert apply_mask(bytearray(data), key, start, end) == expected
    assert apply_mask(memoryview(data), key, start, end) == expected
    assert apply_mask(data, key, start) == xor_by_definition(data[start:], key)


@settings(max_examples=50, deadline=None)
@given(size=st.integers(TRANSLATE_FROM - 8, TRANSLATE_FROM + 8), key=keys)
def test_both_masking_methods_agree_at_the_switch(size, key):
    payload = bytes(range(256)) * (size // 256 + 1)
    assert apply_mask(payload[:size], key) == xor_by_definition(payload[:size], key)


frame_bytes = st.one_of(
    st.binary(max_size=140),                                      # noise
    st.builds(lambda op, payload, fin, masked, rsv: bytes([build_frame(
        op, payload, fin=fin, mask=b"\x01\x02\x03\x04" if masked else None)[0] | rsv])
        + build_frame(op, payload, fin=fin, mask=b"\x01\x02\x03\x04" if masked else None)[1:],
        st.sampled_from([0, 1, 2, 8, 9]),
        st.one_of(st.binary(max_size=130), st.text(max_size=60).map(str.encode),
                  st.just(b"\xff\xfe")),
        st.booleans(), st.booleans(), st.sampled_from([0, 0, 0, 0x40])))


def frame_in_length_form(opcode: int, payload: bytes, masked: bool, form: int, cut: int,
                         extra: bytes) -> bytes:
    """A frame whose length is written in the 7-, 16- or 64-bit form of RFC 6455 section
    5.2 as asked (a longer form than needed is allowed), then cut short or followed by more."""
    n = len(payload)
    mask_bit = 0x80 if masked else 0x00
    if form == 7 and n < 126:
        head = bytes((0x80 | opcode, mask_bit | n))
    elif form == 16 and n < 65536:
        head = bytes((0x80 | opcode, mask_bit | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, mask_bit | 127)) + n.to_bytes(8, "big")
    key = b"\x05\x06\x07\x08"
    frame = head + (key + apply_mask(payload, key) if masked else payload)
    return (frame[:-cut] if cut else frame) + extra


long_frames = st.one_of(
    st.builds(frame_in_length_form, st.sampled_from([1, 2]),
              st.one_of(st.binary(min_size=100, max_size=1500),
                        st.text(min_size=40, max_size=600).map(str.encode),
                        st.binary(min_size=120, max_size=300).map(lambda b: b + b"\xc3")),
              st.booleans(), st.sampled_from([7, 16, 64]), st.sampled_from([0, 0, 1, 3]),
              st.sampled_from([b"", b"", b"\x89\x80"])),
    # a 64-bit length with its top bit set: never a message
    st.just(bytes((0x82, 0xFF)) + (1 << 63 | 5).to_bytes(8, "big") + b"\x01\x02\x03\x04hello"),
    st.just(bytes((0x82, 0xFF)) + (1 << 63 | 5).to_bytes(8, "big") + b"hello"))


@settings(max_examples=800, deadline=None)
@given(role=roles, data=st.one_of(frame_bytes, long_frames),
       max_msg_size=st.sampled_from([0, 3, 125, 1000, 4 << 20]),
       prefix=st.sampled_from([b"", b"\x01\x02"]))   # a message already in progress, or not
def test_receive_whole_message_gives_what_receive_data_gives(role, data, max_msg_size, prefix):
    fast = WebSocketConnection(role, max_msg_size=max_msg_size)
    general = WebSocketConnection(role, max_msg_size=max_msg_size)
    for conn in (fast, general):
        conn.receive_data(prefix)
    before = repr(fast), fast.state, fast.close_code
    message = fast.receive_whole_message(data)
    expected = general.receive_data(data)
    if message is None:
        # Declined: nothing changed, and the general path still gives the full answer.
        assert (repr(fast), fast.state, fast.close_code) == before
        assert fast.receive_data(data) == expected
    else:
        kind = TextMessage if isinstance(message, str) else BytesMessage
        assert expected == [kind(message)]
    assert fast.state is general.state
    # What each owes the peer (a client's Close is masked with a fresh key: compare meanings).
    peer_role = "server" if role == "client" else "client"
    owed = [WebSocketConnection(peer_role).receive_data(c.data_to_send()) for c in (fast, general)]
    assert owed[0] == owed[1]


class FakeTransport:
    def __init__(self) -> None:
        self.written = bytearray()

    def write(self, data: bytes) -> None:
        self.written += data

    def get_write_buffer_size(self) -> int:
        return 0

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def close(self) -> None:
        pass

    def get_extra_info(self, name: str, default: object = None) -> object:
        return default


async def _opened() -> WebSocketBase:
    ws = WebSocketBase()
    transport = FakeTransport()

    async def drain() -> None:
        return None

    ws._start(WebSocketConnection("server"), transport.write, drain, transport, None)
    return ws


messages = st.lists(st.one_of(st.text(max_size=40), st.binary(max_size=300)), min_size=1,
                    max_size=6)


@settings(max_examples=100, deadline=None)
@given(sent=messages, waiting=st.booleans())
def test_the_glue_gives_the_same_messages_whether_receive_waited_or_not(sent, waiting):
    async def story() -> list:
        ws = await _opened()
        client = WebSocketConnection("client")
        got = []
        for item in sent:
            frame = client.send_text(item) if isinstance(item, str) else client.send_bytes(item)
            if waiting:          # receive() waits first: the hand-off through its future
                task = asyncio.ensure_future(ws.receive())
                await asyncio.sleep(0)
                ws.data_received(frame)
                got.append(await task)
            else:                # the message is queued first, then received
                ws.data_received(frame)
                got.append(await ws.receive())
        return [(m.type, m.data, m.extra) for m in got]

    expected = [("TEXT" if isinstance(m, str) else "BINARY", m, None) for m in sent]
    got = asyncio.run(story())
    assert [(t.name, d, e) for t, d, e in got] == expected
