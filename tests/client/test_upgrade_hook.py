"""The hook the WebSocket client uses: a 101 response, then ``connection.detach()``."""
from __future__ import annotations

import asyncio

from aioteach import ClientSession

from .servers import RawServer


async def test_detach_after_101_hands_over_the_raw_connection():
    go_on = asyncio.Event()

    async def handler(conn):
        seen = await conn.request()
        assert seen.header("upgrade") == "x-echo"
        # The 101 head and the first bytes of the new protocol in one packet.
        conn.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x-echo\r\n"
                   b"Connection: Upgrade\r\n\r\nearly|")
        await conn.drain()
        await go_on.wait()
        while data := await conn.reader.read(100):
            conn.write(b"echo:" + data)
            await conn.drain()

    async with RawServer(handler) as server:
        async with ClientSession() as session:
            resp = await session._request(
                "GET", server.url("/chat"),
                headers={"Upgrade": "x-echo", "Connection": "Upgrade"})
            assert resp.status == 101
            received, lost = [], asyncio.get_running_loop().create_future()
            got_echo = asyncio.Event()

            def on_data(data):
                received.append(data)
                got_echo.set()

            trailing = resp.connection.detach(on_data, lost.set_result)
            assert trailing == b"early|"
            assert "0 in use" in repr(session.connector)       # no longer the pool's
            transport = resp.connection.transport
            go_on.set()
            transport.write(b"ping")
            await got_echo.wait()
            assert b"".join(received) == b"echo:ping"
            transport.close()
            assert await lost is None
