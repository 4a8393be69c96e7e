"""Cross-check with an independent implementation: the ``websockets`` library's sans-I/O core.

Frames we build must parse there, frames it builds must parse here, and whole conversations
between its protocol objects and our WebSocketConnection must mean the same on both sides.
"""
from __future__ import annotations

import pytest

from tests.support import require

from aioteach.websocket import (BytesMessage, CloseReceived, Opcode, Ping, Pong, TextMessage,
                                WebSocketConnection, accept_key, build_frame,
                                client_request_headers, make_key, parse_frame,
                                server_response_headers,
                                validate_client_request, validate_server_response)

pytestmark = pytest.mark.peer

SIZES = [0, 1, 125, 126, 65535, 65536]
OPCODES = [Opcode.TEXT, Opcode.BINARY, Opcode.CONTINUATION]


def theirs():
    require("websockets")
    from websockets import frames, streams
    return frames, streams


def parse_with_websockets(data: bytes, *, mask: bool):
    frames, streams = theirs()
    reader = streams.StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    parser = frames.Frame.parse(reader.read_exact, mask=mask)
    with pytest.raises(StopIteration) as done:
        next(parser)
    return done.value.value


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("size", SIZES)
def test_our_frames_parse_in_websockets(size, masked):
    payload = bytes(i % 256 for i in range(size))
    for opcode in OPCODES:
        for fin in (True, False):
            mask = b"\x9a\x01\xfe\x42" if masked else None
            data = build_frame(opcode, payload, fin=fin, mask=mask)
            frame = parse_with_websockets(data, mask=masked)
            assert (int(frame.opcode), bytes(frame.data), frame.fin) == (opcode, payload, fin)
    for opcode in (Opcode.PING, Opcode.PONG, Opcode.CLOSE):
        small = (1000).to_bytes(2, "big") + payload[:123]
        frame = parse_with_websockets(build_frame(opcode, small, mask=b"abcd" if masked else None),
                                      mask=masked)
        assert (int(frame.opcode), bytes(frame.data)) == (opcode, small)


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("size", SIZES)
def test_websockets_frames_parse_here(size, masked):
    frames, _ = theirs()
    payload = bytes(i % 256 for i in range(size))
    for opcode in (frames.Opcode.TEXT, frames.Opcode.BINARY, frames.Opcode.CONT):
        for fin in (True, False):
            data = frames.Frame(opcode, payload, fin=fin).serialize(mask=masked)
            frame, end = parse_frame(data, expect_mask=masked)
            assert end == len(data)
            assert (frame.opcode, frame.payload, frame.fin) == (int(opcode), payload, fin)


def websockets_client():
    require("websockets")
    from websockets.client import ClientProtocol
    from websockets.protocol import State
    from websockets.uri import parse_uri
    return ClientProtocol(parse_uri("ws://127.0.0.1/"), state=State.OPEN, max_size=None)


def test_conversation_with_a_websockets_client():
    frames, _ = theirs()
    client, server = websockets_client(), WebSocketConnection("server")
    client.send_text("héllo".encode())
    client.send_binary(b"\x00" * 70000)
    client.send_text("frag".encode(), fin=False)
    client.send_ping(b"mid")
    client.send_continuation("ment 😀".encode(), fin=True)
    client.send_close(4001, "done")
    wire = b"".join(client.data_to_send())
    assert server.receive_data(wire) == [
        TextMessage("héllo"), BytesMessage(b"\x00" * 70000), Ping(b"mid"),
        TextMessage("fragment 😀"), CloseReceived(4001, "done", by_peer=True)]

    client.receive_data(server.send_text("à bientôt") + server.send_pong(b"mid")
                        + server.send_close(4001, "done"))
    received = client.events_received()
    assert [(f.opcode, bytes(f.data)) for f in received[:2]] == [
        (frames.Opcode.TEXT, "à bientôt".encode()), (frames.Opcode.PONG, b"mid")]
    assert frames.Close.parse(bytes(received[2].data)) == frames.Close(4001, "done")


def test_websockets_server_reads_our_client():
    require("websockets")
    from websockets.protocol import State
    from websockets.server import ServerProtocol
    ours, server = WebSocketConnection("client"), ServerProtocol(state=State.OPEN, max_size=None)
    server.receive_data(ours.send_text("a", fin=False) + ours.send_ping(b"p")
                        + ours.send_text("b") + ours.send_bytes(b"x" * 300)
                        + ours.send_close(1001, "bye"))
    got = [(int(f.opcode), bytes(f.data)) for f in server.events_received()]
    assert got[:5] == [(1, b"a"), (9, b"p"), (0, b"b"), (2, b"x" * 300),
                       (8, (1001).to_bytes(2, "big") + b"bye")]
    # websockets answers our Ping and our Close; the closing handshake completes.
    assert ours.receive_data(b"".join(server.data_to_send())) == [
        Pong(b"p"), CloseReceived(1001, "bye", by_peer=True)]
    assert ours.state.name == "CLOSED"


def test_our_failure_close_is_understood_by_websockets():
    frames, _ = theirs()
    client, server = websockets_client(), WebSocketConnection("server")
    client.send_text(b"\xff\xfex")          # websockets sends the bytes it is given, unchecked
    events = server.receive_data(b"".join(client.data_to_send()))
    assert events[-1].code == 1007 and not events[-1].by_peer
    client.receive_data(server.data_to_send())
    close = client.events_received()[-1]
    assert frames.Close.parse(bytes(close.data)).code == 1007


def test_handshake_agrees_with_websockets():
    require("websockets")
    from websockets.server import ServerProtocol
    from websockets.utils import accept_key as their_accept_key
    for _ in range(5):
        key = make_key()
        assert accept_key(key) == their_accept_key(key)

    # Their server accepts our client's request and we accept their answer.
    from websockets.http11 import Request
    from websockets.datastructures import Headers
    key = make_key()
    request = Request("/chat", Headers([("Host", "127.0.0.1")]
                                       + client_request_headers(key, ["chat"])))
    server = ServerProtocol(subprotocols=["chat"])
    response = server.accept(request)
    assert response.status_code == 101
    assert validate_server_response(101, list(response.headers.raw_items()), key,
                                    ["chat"]) == "chat"

    # Their client's request passes our checks, and our answer passes theirs.
    from websockets.client import ClientProtocol
    from websockets.uri import parse_uri
    client = ClientProtocol(parse_uri("ws://127.0.0.1/chat"), subprotocols=["chat", "v2"])
    their_request = client.connect()
    key, offered = validate_client_request("GET", list(their_request.headers.raw_items()))
    assert offered == ("chat", "v2")
    answer = (b"HTTP/1.1 101 Switching Protocols\r\n"
              + b"".join(f"{n}: {v}\r\n".encode() for n, v in server_response_headers(key, "v2"))
              + b"\r\n")
    client.send_request(their_request)
    client.receive_data(answer)
    assert client.handshake_exc is None and client.subprotocol == "v2"
