"""The RFC 6455 tables, and aiohttp's names kept with aiohttp's values."""
from __future__ import annotations

import pytest

from tests.support import require

from aioteach.websocket import (NO_STATUS_RCVD, TLS_HANDSHAKE, Opcode, WSCloseCode, WSMessage,
                                WSMsgType, is_valid_close_code)

AIOHTTP_MSG_TYPES = {"CONTINUATION": 0, "TEXT": 1, "BINARY": 2, "PING": 9, "PONG": 0xA,
                     "CLOSE": 8, "CLOSING": 0x100, "CLOSED": 0x101, "ERROR": 0x102}
AIOHTTP_CLOSE_CODES = {"OK": 1000, "GOING_AWAY": 1001, "PROTOCOL_ERROR": 1002,
                       "UNSUPPORTED_DATA": 1003, "ABNORMAL_CLOSURE": 1006, "INVALID_TEXT": 1007,
                       "POLICY_VIOLATION": 1008, "MESSAGE_TOO_BIG": 1009,
                       "MANDATORY_EXTENSION": 1010, "INTERNAL_ERROR": 1011,
                       "SERVICE_RESTART": 1012, "TRY_AGAIN_LATER": 1013, "BAD_GATEWAY": 1014}


def test_names_and_values_match_aiohttps():
    assert {m.name: m.value for m in WSMsgType} == AIOHTTP_MSG_TYPES
    assert {m.name: m.value for m in WSCloseCode} == AIOHTTP_CLOSE_CODES
    assert WSMsgType.text is WSMsgType.TEXT and WSMsgType.closed is WSMsgType.CLOSED


def test_opcodes_of_rfc_6455_section_5_2():
    assert {m.name: m.value for m in Opcode} == {
        "CONTINUATION": 0, "TEXT": 1, "BINARY": 2, "CLOSE": 8, "PING": 9, "PONG": 10}
    assert [op.is_control for op in Opcode] == [False, False, False, True, True, True]
    assert (NO_STATUS_RCVD, TLS_HANDSHAKE) == (1005, 1015)


def test_close_code_table_of_section_7_4():
    valid = [code for code in range(0, 6000) if is_valid_close_code(code)]
    assert valid == [*range(1000, 1004), *range(1007, 1015), *range(3000, 5000)]


def test_ws_message_is_a_named_tuple_with_json():
    msg = WSMessage(WSMsgType.TEXT, '{"n": [1, 2]}', None)
    type_, data, extra = msg
    assert (type_, data, extra) == (WSMsgType.TEXT, '{"n": [1, 2]}', None)
    assert msg.json() == {"n": [1, 2]}
    assert msg.json(loads=lambda s: len(s)) == 13


@pytest.mark.peer
def test_interchangeable_with_aiohttps_objects():
    aiohttp = require("aiohttp")
    assert {m.name: m.value for m in aiohttp.WSMsgType} == AIOHTTP_MSG_TYPES
    assert {m.name: m.value for m in aiohttp.WSCloseCode} == AIOHTTP_CLOSE_CODES
    theirs = aiohttp.WSMessage(aiohttp.WSMsgType.BINARY, b"x", None)
    assert WSMessage(WSMsgType.BINARY, b"x", None) == theirs
    assert WSMsgType.BINARY == aiohttp.WSMsgType.BINARY and WSCloseCode.OK == aiohttp.WSCloseCode.OK
