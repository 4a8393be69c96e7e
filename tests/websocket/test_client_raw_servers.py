"""aioteach's WebSocket client against raw asyncio servers that answer exactly as told.

A real server always answers the handshake correctly and masks nothing; these do not, so the
client's checks are tested here: the status, ``Sec-WebSocket-Accept``, an unrequested
subprotocol, masked server frames (1002), a server that stops answering (heartbeat, 1006),
and the client's own duty to mask every frame (RFC 6455 section 5.3).
"""
from __future__ import annotations

import asyncio
import contextlib
from typing import Any, AsyncIterator, Awaitable, Callable, List

import pytest

import aioteach
from aioteach import WSCloseCode, WSMsgType
from aioteach.websocket import Opcode, accept_key, build_frame, parse_frame
from tests.support import within


Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter, str, str], Awaitable[None]]


async def read_request(reader: asyncio.StreamReader) -> List[str]:
    head = await within(reader.readuntil(b"\r\n\r\n"))
    return head.decode().split("\r\n")[:-2]


def field(lines: List[str], name: str) -> str:
    for line in lines[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return ""


@contextlib.asynccontextmanager
async def raw_server(script: Script) -> AsyncIterator[str]:
    """Serve ``script(reader, writer, key, offered_protocols)`` once per connection."""
    tasks = []

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        tasks.append(asyncio.current_task())
        try:
            lines = await read_request(reader)
            await script(reader, writer, field(lines, "Sec-WebSocket-Key"),
                         field(lines, "Sec-WebSocket-Protocol"))
        finally:
            writer.close()

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    try:
        yield f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
    finally:
        server.close()
        for task in tasks:
            task.cancel()
        await server.wait_closed()


def switching(key: str, *extra: str) -> bytes:
    lines = ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
             f"Sec-WebSocket-Accept: {accept_key(key)}", *extra, "", ""]
    return "\r\n".join(lines).encode()


async def read_frame(reader: asyncio.StreamReader, buffer: bytearray) -> Any:
    while True:
        parsed = parse_frame(buffer, expect_mask=True)     # clients must mask: checked here
        if parsed is not None:
            frame, end = parsed
            del buffer[:end]
            return frame
        data = await within(reader.read(65536))
        if not data:
            return None
        buffer += data


async def refuse(status_line: str, *headers: str) -> Script:
    async def script(reader: Any, writer: asyncio.StreamWriter, key: str, offered: str) -> None:
        body = b"no websockets here"
        writer.write("\r\n".join([status_line, *headers, f"Content-Length: {len(body)}",
                                  "", ""]).encode() + body)
        await writer.drain()
        await reader.read()                            # until the client hangs up
    return script


@pytest.mark.parametrize("answer, status, hint", [
    (("HTTP/1.1 426 Upgrade Required", "Sec-WebSocket-Version: 13"), 426, "instead of 101"),
    (("HTTP/1.1 400 Bad Request",), 400, "instead of 101"),
])
async def test_a_refusal_raises_ws_server_handshake_error(answer, status, hint):
    async with raw_server(await refuse(*answer)) as url, aioteach.ClientSession() as session:
        with pytest.raises(aioteach.WSServerHandshakeError) as info:
            await session.ws_connect(url)
    assert info.value.status == status and hint in info.value.message


async def test_a_wrong_accept_key_is_refused():
    async def script(reader: Any, writer: asyncio.StreamWriter, key: str, offered: str) -> None:
        writer.write(switching("dGhlIHNhbXBsZSBub25jZQ=="))   # accepts somebody else's key
        await reader.read()

    async with raw_server(script) as url, aioteach.ClientSession() as session:
        with pytest.raises(aioteach.WSServerHandshakeError) as info:
            await session.ws_connect(url)
    assert info.value.status == 101 and "Sec-WebSocket-Accept" in info.value.message


async def test_an_unrequested_subprotocol_is_refused():
    async def script(reader: Any, writer: asyncio.StreamWriter, key: str, offered: str) -> None:
        writer.write(switching(key, "Sec-WebSocket-Protocol: soap"))
        await reader.read()

    async with raw_server(script) as url, aioteach.ClientSession() as session:
        with pytest.raises(aioteach.WSServerHandshakeError) as info:
            await session.ws_connect(url, protocols=["chat"])
    assert "subprotocol 'soap'" in info.value.message and info.value.status == 101


async def test_client_frames_are_masked_and_bytes_after_the_101_are_kept():
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, key: str,
                     offered: str) -> None:
        # The 101 head and the first frame in one write: the client must not lose the frame.
        writer.write(switching(key, f"Sec-WebSocket-Protocol: {offered.split(',')[0]}")
                     + build_frame(Opcode.TEXT, b"welcome"))
        buffer = bytearray()
        frame = await read_frame(reader, buffer)       # parse_frame refuses unmasked frames
        writer.write(build_frame(Opcode.TEXT, b"got " + frame.payload))
        frame = await read_frame(reader, buffer)
        assert frame.opcode is Opcode.CLOSE
        writer.write(build_frame(Opcode.CLOSE, frame.payload))

    async with raw_server(script) as url, aioteach.ClientSession() as session:
        ws = await session.ws_connect(url, protocols=["chat", "other"], origin="http://x.test")
        assert ws.protocol == "chat"
        assert await within(ws.receive_str()) == "welcome"
        await ws.send_str("masked?")
        assert await within(ws.receive_str()) == "got masked?"
        assert await within(ws.close(code=4000, message="bye")) is True
        assert ws.close_code == 4000 and ws.exception() is None


async def test_a_masked_server_frame_is_a_protocol_error():
    answer = asyncio.get_running_loop().create_future()

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, key: str,
                     offered: str) -> None:
        writer.write(switching(key) + build_frame(Opcode.TEXT, b"hi", mask=b"abcd"))
        frame = await read_frame(reader, bytearray())
        answer.set_result((frame.opcode, int.from_bytes(frame.payload[:2], "big")))

    async with raw_server(script) as url, aioteach.ClientSession() as session:
        ws = await session.ws_connect(url)
        msg = await within(ws.receive())
        assert msg.type is WSMsgType.ERROR and msg.data.code == WSCloseCode.PROTOCOL_ERROR
        assert "masked frame from a server" in str(msg.data)
        assert ws.close_code == WSCloseCode.PROTOCOL_ERROR and ws.closed
        assert (await within(ws.receive())).type is WSMsgType.CLOSED
        assert await within(answer) == (Opcode.CLOSE, WSCloseCode.PROTOCOL_ERROR)


async def test_heartbeat_detects_a_server_that_went_silent():
    silent = asyncio.Event()

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, key: str,
                     offered: str) -> None:
        writer.write(switching(key))
        await reader.read()                            # reads pings, answers nothing
        silent.set()

    async with raw_server(script) as url, aioteach.ClientSession() as session:
        ws = await session.ws_connect(url, heartbeat=0.2)
        msg = await within(ws.receive())
        assert msg.type is WSMsgType.ERROR and isinstance(msg.data, aioteach.ServerTimeoutError)
        assert ws.close_code == WSCloseCode.ABNORMAL_CLOSURE and ws.exception() is msg.data
        assert (await within(ws.receive())).type is WSMsgType.CLOSED
        await within(silent.wait())                    # the client hung up on the server


async def test_a_server_that_disconnects_without_close_reports_1006():
    async def script(reader: Any, writer: asyncio.StreamWriter, key: str, offered: str) -> None:
        writer.write(switching(key) + build_frame(Opcode.BINARY, b"\x01\x02"))
        await writer.drain()

    async with raw_server(script) as url, aioteach.ClientSession() as session:
        async with session.ws_connect(url) as ws:
            assert await within(ws.receive_bytes()) == b"\x01\x02"
            msg = await within(ws.receive())
            assert msg.type is WSMsgType.CLOSED
            assert ws.close_code == WSCloseCode.ABNORMAL_CLOSURE
            with pytest.raises(ConnectionResetError):
                await ws.send_str("anyone?")
