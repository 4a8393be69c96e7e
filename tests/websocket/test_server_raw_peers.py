"""aioteach's WebSocket server against a raw asyncio peer that writes exactly the bytes we say.

A library client would never send an unmasked frame or ignore a Ping; a raw peer can, so the
server's answers to misbehaviour are tested here: the handshake refusals (400, 405), a
protocol violation (1002), a peer that stops answering (heartbeat, 1006).
"""
from __future__ import annotations

import asyncio
import base64
import os
from typing import Any, List, Tuple

from aioteach import WSCloseCode, WSMsgType, web
from aioteach.websocket import Opcode, accept_key, build_frame, parse_frame
from tests.support import within
from tests.web.server_support import serve


def upgrade_request(path: str = "/ws", key: str = "", *extra: str, method: str = "GET",
                    version: str = "13") -> Tuple[bytes, str]:
    key = key or base64.b64encode(os.urandom(16)).decode()
    lines = [f"{method} {path} HTTP/1.1", "Host: test", "Upgrade: websocket",
             "Connection: Upgrade", f"Sec-WebSocket-Key: {key}",
             f"Sec-WebSocket-Version: {version}", *extra, "", ""]
    return "\r\n".join(lines).encode(), key


class RawPeer:
    """A client that speaks WebSocket by hand: its frames are whatever the test builds."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.buffer = b""

    @classmethod
    async def connect(cls, port: int) -> "RawPeer":
        return cls(*await within(asyncio.open_connection("127.0.0.1", port)))

    async def handshake(self, request: bytes, then: bytes = b"") -> bytes:
        """Send the upgrade (and ``then``, in the same packet); return the response head."""
        self.writer.write(request + then)
        while b"\r\n\r\n" not in self.buffer:
            data = await within(self.reader.read(65536))
            if not data:
                break
            self.buffer += data
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        return head

    async def frame(self) -> Any:
        """The next frame from the server, or None at the end of the stream."""
        while True:
            parsed = parse_frame(self.buffer, expect_mask=False)
            if parsed is not None:
                frame, end = parsed
                self.buffer = self.buffer[end:]
                return frame
            data = await within(self.reader.read(65536))
            if not data:
                return None
            self.buffer += data

    def send(self, opcode: int, payload: bytes = b"", masked: bool = True) -> None:
        self.writer.write(build_frame(opcode, payload, mask=os.urandom(4) if masked else None))

    def close(self) -> None:
        self.writer.close()


def recording_app(**ws_options: Any) -> web.Application:
    """A handler that records every message it gets, and how the socket ended."""
    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(**ws_options)
        await ws.prepare(request)
        seen: List[Any] = []
        while True:
            msg = await ws.receive()
            seen.append(msg.type)
            if msg.type is WSMsgType.TEXT:
                await ws.send_str(msg.data)
            if msg.type in (WSMsgType.CLOSED, WSMsgType.CLOSE):
                break
        app["done"].set_result((seen, ws.close_code, ws.exception()))
        return ws

    app = web.Application()
    app["done"] = asyncio.get_running_loop().create_future()
    app.router.add_get("/ws", handler)
    return app


async def test_the_101_answer_and_bytes_sent_with_the_upgrade_request():
    app = recording_app()
    async with serve(app) as (port, _):
        peer = await RawPeer.connect(port)
        request, key = upgrade_request()
        # The first frame rides in the same packet as the request: it must not be lost.
        head = await peer.handshake(request, build_frame(Opcode.TEXT, b"early",
                                                         mask=os.urandom(4)))
        lines = head.decode().split("\r\n")
        assert lines[0] == "HTTP/1.1 101 Switching Protocols"
        fields = {k.lower(): v for k, v in (line.split(": ", 1) for line in lines[1:])}
        assert fields["upgrade"] == "websocket" and fields["connection"] == "Upgrade"
        assert fields["sec-websocket-accept"] == accept_key(key)
        assert "content-length" not in fields and "transfer-encoding" not in fields
        frame = await peer.frame()
        assert (frame.opcode, frame.payload) == (Opcode.TEXT, b"early")
        peer.send(Opcode.CLOSE, (1000).to_bytes(2, "big"))
        frame = await peer.frame()
        assert (frame.opcode, frame.payload) == (Opcode.CLOSE, (1000).to_bytes(2, "big"))
        assert await peer.frame() is None               # the server closes TCP first (7.1.1)
        peer.close()
        seen, code, exc = await within(app["done"])
        assert seen == [WSMsgType.TEXT, WSMsgType.CLOSE] and code == 1000 and exc is None


async def test_an_unmasked_client_frame_is_answered_with_close_1002():
    app = recording_app()
    async with serve(app) as (port, _):
        peer = await RawPeer.connect(port)
        await peer.handshake(upgrade_request()[0])
        peer.send(Opcode.TEXT, b"no mask", masked=False)
        frame = await peer.frame()
        assert frame.opcode is Opcode.CLOSE
        assert int.from_bytes(frame.payload[:2], "big") == WSCloseCode.PROTOCOL_ERROR
        assert b"unmasked" in frame.payload
        assert await peer.frame() is None
        peer.close()
        seen, code, exc = await within(app["done"])
        assert seen == [WSMsgType.ERROR, WSMsgType.CLOSED]
        assert code == WSCloseCode.PROTOCOL_ERROR and exc.code == WSCloseCode.PROTOCOL_ERROR


async def test_invalid_utf8_text_is_answered_with_close_1007():
    app = recording_app()
    async with serve(app) as (port, _):
        peer = await RawPeer.connect(port)
        await peer.handshake(upgrade_request()[0])
        peer.send(Opcode.TEXT, b"\xff\xfe")
        frame = await peer.frame()
        assert int.from_bytes(frame.payload[:2], "big") == WSCloseCode.INVALID_TEXT
        peer.close()
        seen, code, _ = await within(app["done"])
        assert code == WSCloseCode.INVALID_TEXT


async def test_heartbeat_closes_a_peer_that_never_answers_pings_with_1006():
    app = recording_app(heartbeat=0.2)
    async with serve(app) as (port, _):
        peer = await RawPeer.connect(port)
        await peer.handshake(upgrade_request()[0])
        frames = []
        while True:                                     # read, never answer
            frame = await peer.frame()
            if frame is None:
                break
            frames.append(frame.opcode)
        peer.close()
        assert frames == [Opcode.PING]                  # one Ping, no Close: just hung up
        seen, code, exc = await within(app["done"])
        assert seen == [WSMsgType.ERROR, WSMsgType.CLOSED]
        assert code == WSCloseCode.ABNORMAL_CLOSURE and isinstance(exc, asyncio.TimeoutError)


async def test_heartbeat_keeps_a_live_peer():
    app = recording_app(heartbeat=0.05)
    async with serve(app) as (port, _):
        peer = await RawPeer.connect(port)
        await peer.handshake(upgrade_request()[0])
        pings = 0
        while pings < 3:                                # three heartbeats, each answered
            frame = await peer.frame()
            assert frame is not None and frame.opcode is Opcode.PING
            pings += 1
            peer.send(Opcode.PONG, frame.payload)
        peer.send(Opcode.CLOSE, (1000).to_bytes(2, "big"))
        peer.close()
        seen, code, _ = await within(app["done"])
        assert seen == [WSMsgType.CLOSE] and code == 1000


async def test_bad_handshakes_get_the_right_http_status():
    app = recording_app()
    async with serve(app) as (port, _):
        async def answer(request: bytes) -> Tuple[str, bytes]:
            peer = await RawPeer.connect(port)
            try:
                head = await peer.handshake(request)
            finally:
                peer.close()
            return head.split(b"\r\n", 1)[0].decode(), head

        status, head = await answer(upgrade_request(version="8")[0])
        assert status == "HTTP/1.1 400 Bad Request"        # as aiohttp; the header says why
        assert b"\r\nSec-WebSocket-Version: 13" in head
        status, _ = await answer(upgrade_request(key="c2hvcnQ=")[0])     # 5 bytes, not 16
        assert status == "HTTP/1.1 400 Bad Request"
        no_upgrade = upgrade_request()[0].replace(b"Upgrade: websocket\r\n", b"")
        status, _ = await answer(no_upgrade)
        assert status == "HTTP/1.1 400 Bad Request"
        status, _ = await answer(upgrade_request(method="HEAD")[0])
        assert status == "HTTP/1.1 405 Method Not Allowed"  # routed GET answers HEAD too
        assert not app["done"].done()                   # no handshake got through
