"""Single frames (RFC 6455 section 5.2): length forms at their boundaries, masking, header rules."""
from __future__ import annotations

import pytest

from aioteach.websocket import (FrameError, LocalProtocolError, Opcode, apply_mask, build_frame,
                                parse_frame)
from aioteach.websocket.frames import Frame

KEY = b"\x37\xfa\x21\x3d"


def parse_whole(data: bytes, *, expect_mask: bool, max_payload=None) -> Frame:
    parsed = parse_frame(data, expect_mask=expect_mask, max_payload=max_payload)
    assert parsed is not None
    frame, end = parsed
    assert end == len(data)
    return frame


# (payload length, header size unmasked, second byte's length field)
BOUNDARIES = [
    (0, 2, 0), (1, 2, 1), (125, 2, 125),              # 7-bit form
    (126, 4, 126), (127, 4, 126), (65535, 4, 126),    # 16-bit form
    (65536, 10, 127), (70000, 10, 127),               # 64-bit form
]


@pytest.mark.parametrize("length,header_size,marker", BOUNDARIES)
def test_unmasked_length_forms(length, header_size, marker):
    payload = bytes(i % 251 for i in range(length))
    data = build_frame(Opcode.BINARY, payload)
    assert len(data) == header_size + length
    assert data[0] == 0x82 and data[1] == marker
    if marker == 126:
        assert int.from_bytes(data[2:4], "big") == length
    elif marker == 127:
        assert int.from_bytes(data[2:10], "big") == length
    assert parse_whole(data, expect_mask=False) == Frame(Opcode.BINARY, payload, True)


@pytest.mark.parametrize("length,header_size,marker", BOUNDARIES)
def test_masked_length_forms(length, header_size, marker):
    payload = bytes(i % 251 for i in range(length))
    data = build_frame(Opcode.BINARY, payload, mask=KEY)
    assert len(data) == header_size + 4 + length
    assert data[1] == 0x80 | marker
    assert data[header_size:header_size + 4] == KEY
    assert data[header_size + 4:] == apply_mask(payload, KEY)
    assert parse_whole(data, expect_mask=True) == Frame(Opcode.BINARY, payload, True)


def test_rfc_examples():
    # RFC 6455 section 5.7: a single-frame unmasked and masked "Hello", and an unmasked Ping.
    assert build_frame(Opcode.TEXT, b"Hello") == bytes.fromhex("810548656c6c6f")
    assert build_frame(Opcode.TEXT, b"Hello", mask=bytes.fromhex("37fa213d")) == \
        bytes.fromhex("818537fa213d7f9f4d5158")
    assert build_frame(Opcode.PING, b"Hello") == bytes.fromhex("890548656c6c6f")
    # The fragmented "Hel" + "lo" of the same section.
    assert build_frame(Opcode.TEXT, b"Hel", fin=False) == bytes.fromhex("010348656c")
    assert build_frame(Opcode.CONTINUATION, b"lo") == bytes.fromhex("80026c6f")
    assert parse_whole(bytes.fromhex("818537fa213d7f9f4d5158"), expect_mask=True) == \
        Frame(Opcode.TEXT, b"Hello", True)


@pytest.mark.parametrize("length", [0, 1, 2, 3, 4, 5, 7, 8, 9, 1000, 65537])
def test_apply_mask_is_xor_with_repeated_key_and_its_own_inverse(length):
    payload = bytes((i * 7 + 3) % 256 for i in range(length))
    expected = bytes(b ^ KEY[i % 4] for i, b in enumerate(payload))
    assert apply_mask(payload, KEY) == expected
    assert apply_mask(expected, KEY) == payload
    assert apply_mask(bytearray(payload), KEY) == expected


def test_incomplete_input_returns_none_at_every_cut():
    for data, masked in [(build_frame(Opcode.TEXT, b"x" * 300, mask=KEY), True),
                         (build_frame(Opcode.BINARY, b"y" * 70000), False)]:
        for cut in list(range(0, 16)) + [len(data) - 1]:
            assert parse_frame(data[:cut], expect_mask=masked) is None


def test_parse_from_offset_and_bytearray():
    data = bytearray(build_frame(Opcode.TEXT, b"one") + build_frame(Opcode.PONG, b"two"))
    frame, end = parse_frame(data, expect_mask=False)
    assert frame == Frame(Opcode.TEXT, b"one", True) and end == 5
    frame, end = parse_frame(data, end, expect_mask=False)
    assert frame == Frame(Opcode.PONG, b"two", True) and end == len(data)
    assert type(frame.payload) is bytes


def test_non_minimal_length_is_accepted():
    data = bytes((0x82, 126)) + (5).to_bytes(2, "big") + b"abcde"
    assert parse_whole(data, expect_mask=False) == Frame(Opcode.BINARY, b"abcde", True)


def header_error(data: bytes, *, expect_mask: bool = False, max_payload=None) -> int:
    with pytest.raises(FrameError) as info:
        parse_frame(data, expect_mask=expect_mask, max_payload=max_payload)
    return info.value.code


@pytest.mark.parametrize("rsv", [0x40, 0x20, 0x10, 0x70])
def test_reserved_bits(rsv):
    assert header_error(bytes((0x81 | rsv, 0))) == 1002


@pytest.mark.parametrize("opcode", [3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF])
def test_reserved_opcodes(opcode):
    assert header_error(bytes((0x80 | opcode, 0))) == 1002


def test_masking_by_role():
    assert header_error(build_frame(Opcode.TEXT, b"hi"), expect_mask=True) == 1002
    assert header_error(build_frame(Opcode.TEXT, b"hi", mask=KEY), expect_mask=False) == 1002


@pytest.mark.parametrize("opcode", [Opcode.CLOSE, Opcode.PING, Opcode.PONG])
def test_control_frame_rules(opcode):
    assert header_error(build_frame(opcode, b"x" * 126)) == 1002
    assert header_error(build_frame(opcode, b"x", fin=False)) == 1002
    assert parse_whole(build_frame(opcode, b"x" * 125), expect_mask=False).payload == b"x" * 125


def test_errors_come_from_the_header_alone():
    # A 16-bit-length Ping is refused with only its 4 header bytes in hand.
    assert header_error(bytes((0x89, 126, 0x01, 0x00))) == 1002
    # An announced 2**40-byte frame over the limit is refused before any payload arrives.
    assert header_error(bytes((0x82, 127)) + (2 ** 40).to_bytes(8, "big"), max_payload=1000) == 1009
    assert header_error(bytes((0x82, 127)) + (2 ** 63).to_bytes(8, "big")) == 1002


def test_max_payload_boundary_and_control_frames_exempt():
    assert parse_whole(build_frame(Opcode.BINARY, b"x" * 10), expect_mask=False, max_payload=10)
    assert header_error(build_frame(Opcode.BINARY, b"x" * 11), max_payload=10) == 1009
    assert header_error(build_frame(Opcode.BINARY, b"x"), max_payload=0) == 1009
    assert parse_whole(build_frame(Opcode.PING, b"x" * 100), expect_mask=False, max_payload=0)


def test_build_rejects_bad_mask_key():
    with pytest.raises(LocalProtocolError, match="4 bytes"):
        build_frame(Opcode.TEXT, b"x", mask=b"abc")
