"""Expect: 100-continue (RFC 9110 10.1.1): the body waits for the server's go-ahead; a final
answer first means the body is never sent.  And a released response's content cannot be read."""
from __future__ import annotations

import asyncio

import pytest

import aioteach
from aioteach import ClientSession

from .servers import RawServer, respond, serve_responses


async def read_head(conn):
    head = (await conn.reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    return {line.split(":", 1)[0].lower(): line.split(":", 1)[1].strip()
            for line in head.split("\r\n")[1:] if ":" in line}


async def test_the_body_goes_after_100_continue():
    got = asyncio.get_running_loop().create_future()

    async def handler(conn):
        fields = await read_head(conn)
        assert fields["expect"] == "100-continue"
        conn.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = await conn.reader.readexactly(int(fields["content-length"]))
        got.set_result(body)
        conn.write(respond(200, b"thanks"))
        await conn.drain()

    async with RawServer(handler) as server:
        async with ClientSession() as session:
            async with session.post(server.url("/"), data=b"payload", expect100=True) as resp:
                assert await resp.read() == b"thanks"
    assert got.result() == b"payload"


async def test_a_final_answer_before_100_means_no_body():
    async def handler(conn):
        await read_head(conn)
        conn.write(respond(417, b"no", reason="Expectation Failed"))
        await conn.drain()
        assert await conn.reader.read() == b""   # the client closed without sending a body

    async with RawServer(handler) as server:
        async with ClientSession() as session:
            async with session.post(server.url("/"), data=b"x" * 100, expect100=True) as resp:
                assert resp.status == 417 and await resp.read() == b"no"


async def test_a_released_responses_content_raises():
    async with RawServer(serve_responses(lambda seen: respond(200, b"data"))) as server:
        async with ClientSession() as session:
            async with session.get(server.url("/")) as resp:
                assert resp.status == 200
            with pytest.raises(aioteach.ClientConnectionError, match="Connection closed"):
                await resp.content.readline()
            with pytest.raises(aioteach.ClientConnectionError, match="released"):
                await resp.read()
