"""WebSocketConnection: messages, fragments, violations and the closing handshake (RFC 6455)."""
from __future__ import annotations

import pytest

from aioteach.websocket import (BytesMessage, CloseReceived, ConnectionState, LocalProtocolError,
                                Opcode, Ping, Pong, TextMessage, WebSocketConnection, WSCloseCode,
                                WSMessage, WSMsgType, build_frame, parse_frame)

KEY = b"\x01\x02\x03\x04"


def client_frame(opcode, payload=b"", fin=True) -> bytes:
    """A frame as a client sends it: masked.  Servers read these."""
    return build_frame(opcode, payload, fin=fin, mask=KEY)


def feed(conn: WebSocketConnection, data: bytes, how: str) -> list:
    if how == "whole":
        return conn.receive_data(data)
    events = []
    for i in range(len(data)):
        events += conn.receive_data(data[i:i + 1])
    return events


FEEDS = ["whole", "byte-by-byte"]


def closed_with(conn: WebSocketConnection, events: list, code: int) -> None:
    """The connection failed with ``code``: last event, queued Close frame, state CLOSED."""
    assert isinstance(events[-1], CloseReceived)
    assert events[-1].code == code and events[-1].by_peer is False and events[-1].reason
    assert conn.state is ConnectionState.CLOSED and conn.close_code == code
    sent = conn.data_to_send()
    frame, end = parse_frame(sent, expect_mask=conn.role == "client")
    assert end == len(sent) and frame.opcode == Opcode.CLOSE
    assert int.from_bytes(frame.payload[:2], "big") == code
    assert conn.data_to_send() == b""
    # Nothing after a failure is read.
    assert conn.receive_data(client_frame(Opcode.TEXT, b"late")) == []


# -- messages --------------------------------------------------------------------------------

@pytest.mark.parametrize("how", FEEDS)
def test_messages_of_every_kind_and_boundary_size(how):
    server = WebSocketConnection("server")
    wire = b""
    expected = []
    for size in (0, 1, 125, 126, 65535, 65536):
        wire += client_frame(Opcode.TEXT, b"a" * size) + client_frame(Opcode.BINARY, bytes(size))
        expected += [TextMessage("a" * size), BytesMessage(bytes(size))]
    wire += client_frame(Opcode.TEXT, "é€😀".encode())
    wire += client_frame(Opcode.PING, b"p") + client_frame(Opcode.PONG, b"q")
    expected += [TextMessage("é€😀"), Ping(b"p"), Pong(b"q")]
    assert feed(server, wire, how) == expected
    assert server.state is ConnectionState.OPEN and server.data_to_send() == b""


@pytest.mark.parametrize("how", FEEDS)
def test_client_reads_unmasked_server_frames(how):
    server, client = WebSocketConnection("server"), WebSocketConnection("client")
    wire = server.send_text("hello") + server.send_bytes(b"\x00\xff" * 100) + server.send_ping(b"!")
    assert feed(client, wire, how) == [TextMessage("hello"), BytesMessage(b"\x00\xff" * 100),
                                       Ping(b"!")]


def test_every_split_point_of_a_stream():
    wire = (client_frame(Opcode.TEXT, b"Hel", fin=False) + client_frame(Opcode.PING, b"x")
            + client_frame(Opcode.CONTINUATION, b"lo") + client_frame(Opcode.BINARY, b"z" * 130))
    expected = [Ping(b"x"), TextMessage("Hello"), BytesMessage(b"z" * 130)]
    for cut in range(len(wire) + 1):
        server = WebSocketConnection("server")
        assert server.receive_data(wire[:cut]) + server.receive_data(wire[cut:]) == expected


@pytest.mark.parametrize("how", FEEDS)
def test_fragmented_message_with_interleaved_control_frames(how):
    server = WebSocketConnection("server")
    wire = (client_frame(Opcode.TEXT, b"one ", fin=False)
            + client_frame(Opcode.PING, b"1")
            + client_frame(Opcode.CONTINUATION, b"two ", fin=False)
            + client_frame(Opcode.PONG, b"2")
            + client_frame(Opcode.CONTINUATION, b"three")
            + client_frame(Opcode.BINARY, b"a", fin=False)
            + client_frame(Opcode.CONTINUATION, b"", fin=False)
            + client_frame(Opcode.CONTINUATION, b"b"))
    assert feed(server, wire, how) == [Ping(b"1"), Pong(b"2"), TextMessage("one two three"),
                                       BytesMessage(b"ab")]


@pytest.mark.parametrize("how", FEEDS)
def test_utf8_character_split_across_fragments_is_valid(how):
    emoji = "😀".encode()          # 4 bytes: f0 9f 98 80
    server = WebSocketConnection("server")
    wire = (client_frame(Opcode.TEXT, b"a" + emoji[:1], fin=False)
            + client_frame(Opcode.CONTINUATION, emoji[1:3], fin=False)
            + client_frame(Opcode.CONTINUATION, emoji[3:] + b"z"))
    assert feed(server, wire, how) == [TextMessage("a😀z")]


def test_to_message_gives_aiohttps_shape():
    assert TextMessage("{\"a\": 1}").to_message().json() == {"a": 1}
    assert BytesMessage(b"x").to_message() == WSMessage(WSMsgType.BINARY, b"x", None)
    assert CloseReceived(1000, "bye").to_message() == WSMessage(WSMsgType.CLOSE, 1000, "bye")
    assert Ping(b"p").to_message().type is WSMsgType.PING


# -- violations: each one fails the connection with the RFC's close code --------------------

def close_frame(code: int, reason: bytes = b"") -> bytes:
    return client_frame(Opcode.CLOSE, code.to_bytes(2, "big") + reason)


VIOLATIONS = {
    "unmasked client frame": ("server", build_frame(Opcode.TEXT, b"hi"), 1002),
    "masked server frame": ("client", build_frame(Opcode.TEXT, b"hi", mask=KEY), 1002),
    "reserved bit RSV1": ("server", bytes((0xC1, 0x80)) + KEY, 1002),
    "reserved opcode 0x3": ("server", bytes((0x83, 0x80)) + KEY, 1002),
    "reserved opcode 0xB": ("server", bytes((0x8B, 0x80)) + KEY, 1002),
    "ping over 125 bytes": ("server", client_frame(Opcode.PING, b"x" * 126), 1002),
    "fragmented close": ("server", client_frame(Opcode.CLOSE, b"", fin=False), 1002),
    "continuation without a start": ("server", client_frame(Opcode.CONTINUATION, b"x"), 1002),
    "new start inside a message": ("server", client_frame(Opcode.TEXT, b"a", fin=False)
                                   + client_frame(Opcode.BINARY, b"b"), 1002),
    "invalid UTF-8 text": ("server", client_frame(Opcode.TEXT, b"\xff"), 1007),
    "truncated UTF-8 at the end": ("server", client_frame(Opcode.TEXT, b"\xf0\x9f\x98"), 1007),
    "overlong UTF-8": ("server", client_frame(Opcode.TEXT, b"\xc0\xaf"), 1007),
    "UTF-16 surrogate in UTF-8": ("server", client_frame(Opcode.TEXT, b"\xed\xa0\x80"), 1007),
    "invalid UTF-8 in a fragment": ("server", client_frame(Opcode.TEXT, b"ok", fin=False)
                                    + client_frame(Opcode.CONTINUATION, b"\xff", fin=False), 1007),
    "incomplete UTF-8 at the last fragment": (
        "server", client_frame(Opcode.TEXT, b"ok", fin=False)
        + client_frame(Opcode.CONTINUATION, b"\xe2\x82"), 1007),
    "close payload of 1 byte": ("server", client_frame(Opcode.CLOSE, b"\x03"), 1002),
    "close reason not UTF-8": ("server", close_frame(1000, b"\xff"), 1007),
}
for bad_code in (0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535):
    VIOLATIONS[f"close code {bad_code}"] = ("server", close_frame(bad_code), 1002)


@pytest.mark.parametrize("how", FEEDS)
@pytest.mark.parametrize("name", sorted(VIOLATIONS))
def test_violation_fails_with_the_rfc_close_code(name, how):
    role, wire, code = VIOLATIONS[name]
    conn = WebSocketConnection(role)
    events = feed(conn, wire, how)
    closed_with(conn, events, code)


def test_invalid_utf8_is_caught_in_the_fragment_that_brings_it():
    server = WebSocketConnection("server")
    assert server.receive_data(client_frame(Opcode.TEXT, b"fine", fin=False)) == []
    events = server.receive_data(client_frame(Opcode.CONTINUATION, b"\x80", fin=False))
    closed_with(server, events, 1007)


def test_events_before_a_violation_are_kept():
    server = WebSocketConnection("server")
    events = server.receive_data(client_frame(Opcode.TEXT, b"good")
                                 + build_frame(Opcode.TEXT, b"bad")
                                 + client_frame(Opcode.TEXT, b"never"))
    assert events[0] == TextMessage("good")
    assert len(events) == 2
    closed_with(server, events, 1002)


@pytest.mark.parametrize("code", [1000, 1001, 1002, 1003, 1007, 1011, 1012, 1014, 3000, 4999])
def test_valid_close_codes_are_accepted(code):
    server = WebSocketConnection("server")
    events = server.receive_data(close_frame(code, "déjà".encode()))
    assert events == [CloseReceived(code, "déjà", by_peer=True)]


@pytest.mark.parametrize("how", FEEDS)
def test_max_msg_size_single_frame_and_fragmented(how):
    limit = 200
    conn = WebSocketConnection("server", max_msg_size=limit)
    events = feed(conn, client_frame(Opcode.BINARY, b"x" * limit), how)
    assert events == [BytesMessage(b"x" * limit)]
    events = feed(conn, client_frame(Opcode.TEXT, b"x" * (limit + 1)), how)
    closed_with(conn, events, 1009)

    conn = WebSocketConnection("server", max_msg_size=limit)
    wire = (client_frame(Opcode.BINARY, b"x" * 150, fin=False)
            + client_frame(Opcode.PING, b"control frames do not count")
            + client_frame(Opcode.CONTINUATION, b"x" * 50, fin=False)
            + client_frame(Opcode.CONTINUATION, b"x"))
    events = feed(conn, wire, how)
    assert events[0] == Ping(b"control frames do not count")
    closed_with(conn, events, 1009)


def test_max_msg_size_default_and_unlimited():
    assert WebSocketConnection("server").max_msg_size == 4 * 1024 * 1024
    big = b"x" * (4 * 1024 * 1024 + 1)
    conn = WebSocketConnection("server")
    closed_with(conn, conn.receive_data(client_frame(Opcode.BINARY, big)), 1009)
    unlimited = WebSocketConnection("server", max_msg_size=0)
    assert unlimited.receive_data(client_frame(Opcode.BINARY, big)) == [BytesMessage(big)]


def test_client_fails_with_a_masked_close_frame():
    client = WebSocketConnection("client")
    events = client.receive_data(build_frame(Opcode.TEXT, b"\xff"))
    assert events == [CloseReceived(1007, events[0].reason, by_peer=False)]
    assert client.data_to_send()[1] & 0x80      # the client's Close is masked
    assert client.state is ConnectionState.CLOSED


# -- the closing handshake ---------------------------------------------------------------------

def test_server_initiates_close():
    server, client = WebSocketConnection("server"), WebSocketConnection("client")
    close = server.send_close(WSCloseCode.GOING_AWAY, "restarting")
    assert server.state is ConnectionState.CLOSING
    assert server.send_close() == b""          # only one Close ever goes out
    # The peer may still be sending data: the closing side keeps reading until the Close.
    assert server.receive_data(client.send_text("last words")) == [TextMessage("last words")]
    assert client.receive_data(close + server.send_ping(b"still allowed")) == \
        [CloseReceived(1001, "restarting", by_peer=True)]
    assert client.state is ConnectionState.REMOTE_CLOSING and client.close_code == 1001
    assert client.receive_data(build_frame(Opcode.TEXT, b"ignored after Close")) == []
    reply = client.send_close(1001)
    assert client.state is ConnectionState.CLOSED
    assert server.receive_data(reply) == [CloseReceived(1001, "", by_peer=True)]
    assert server.state is ConnectionState.CLOSED
    assert server.data_to_send() == b"" and client.data_to_send() == b""


def test_client_initiates_close_and_empty_close_is_1005():
    server, client = WebSocketConnection("server"), WebSocketConnection("client")
    events = server.receive_data(client.send_close(None))
    assert events == [CloseReceived(1005, "", by_peer=True)]
    assert server.state is ConnectionState.REMOTE_CLOSING
    # The server may finish what it was sending before it answers (section 5.5.1).
    assert client.receive_data(server.send_text("bye")) == [TextMessage("bye")]
    reply = server.send_close(events[0].code)       # echoing 1005 sends an empty Close
    assert reply == b"\x88\x00"
    assert client.receive_data(reply) == [CloseReceived(1005, "", by_peer=True)]
    assert client.state is server.state is ConnectionState.CLOSED


def test_data_after_the_peers_close_in_the_same_chunk_is_ignored():
    server = WebSocketConnection("server")
    events = server.receive_data(close_frame(1000) + client_frame(Opcode.TEXT, b"after"))
    assert events == [CloseReceived(1000, "", True)]
    assert server.receive_data(b"\xff\xff garbage") == []


def test_eof_without_close_is_abnormal_closure():
    server = WebSocketConnection("server")
    server.receive_data(client_frame(Opcode.TEXT, b"partial")[:4])
    assert server.receive_eof() == [
        CloseReceived(1006, "the connection ended without a Close frame", by_peer=False)]
    assert server.receive_eof() == []
    assert server.state is ConnectionState.CLOSED and server.close_code == 1006
    done = WebSocketConnection("server")
    done.receive_data(close_frame(1000))
    assert done.receive_eof() == []


# -- sending -------------------------------------------------------------------------------------

def test_client_masks_every_frame_with_a_fresh_key_and_server_never_masks():
    client, server = WebSocketConnection("client"), WebSocketConnection("server")
    frames = [client.send_text("same") for _ in range(8)]
    assert all(f[1] & 0x80 for f in frames)
    assert len({f[2:6] for f in frames}) > 1
    assert not server.send_text("x")[1] & 0x80 and not server.send_close()[1] & 0x80


def test_fragmented_send():
    client, server = WebSocketConnection("client"), WebSocketConnection("server")
    wire = (client.send_text("Hel", fin=False) + client.send_ping(b"between")
            + client.send_text("lo", fin=False) + client.send_text("!")
            + client.send_bytes(b"a", fin=False) + client.send_bytes(b"b"))
    assert server.receive_data(wire) == [Ping(b"between"), TextMessage("Hello!"),
                                         BytesMessage(b"ab")]
    client.send_text("x", fin=False)
    with pytest.raises(LocalProtocolError, match="in progress"):
        client.send_bytes(b"y")


def test_caller_misuse_raises_local_protocol_error():
    conn = WebSocketConnection("server")
    with pytest.raises(LocalProtocolError, match="125"):
        conn.send_ping(b"x" * 126)
    with pytest.raises(LocalProtocolError, match="may not be sent"):
        conn.send_close(1006)
    with pytest.raises(LocalProtocolError, match="123"):
        conn.send_close(1000, "x" * 124)
    with pytest.raises(LocalProtocolError):
        conn.send_close(None, "reason without code")
    assert conn.state is ConnectionState.OPEN       # refused sends change nothing
    conn.send_close()
    with pytest.raises(LocalProtocolError, match="Close"):
        conn.send_text("too late")
    with pytest.raises(LocalProtocolError):
        conn.send_bytes(b"too late")
    assert conn.send_pong(b"ok while CLOSING")
    conn.receive_data(close_frame(1000))
    assert conn.state is ConnectionState.CLOSED
    with pytest.raises(LocalProtocolError, match="closed"):
        conn.send_ping()
    with pytest.raises(LocalProtocolError, match="role"):
        WebSocketConnection("peer")


def test_wrong_types_are_type_errors_like_aiohttps():
    conn = WebSocketConnection("server")
    with pytest.raises(TypeError, match="send_bytes"):
        conn.send_text(b"bytes")
    with pytest.raises(TypeError, match="send_text"):
        conn.send_bytes("text")


def test_repr_is_readable():
    assert repr(WebSocketConnection("client")) == \
        "<WebSocketConnection client OPEN, 0 bytes buffered, 0 to send>"


def test_any_bytes_like_input():
    server = WebSocketConnection("server")
    wire = client_frame(Opcode.TEXT, b"a") + client_frame(Opcode.BINARY, b"b" * 200)
    assert server.receive_data(memoryview(wire)[:7]) == [TextMessage("a")]
    assert server.receive_data(bytearray(wire[7:100])) == []
    assert server.receive_data(memoryview(wire[100:])) == [BytesMessage(b"b" * 200)]


def test_violation_while_closing_sends_no_second_close():
    server = WebSocketConnection("server")
    server.send_close(1000)
    events = server.receive_data(build_frame(Opcode.TEXT, b"unmasked"))
    assert events == [CloseReceived(1002, events[0].reason, by_peer=False)]
    assert server.state is ConnectionState.CLOSED and server.data_to_send() == b""
