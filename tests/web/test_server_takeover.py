"""Taking a connection over after ``101 Switching Protocols``: the hook WebSockets build on.

A tiny "shout" protocol stands in for WebSockets: after the upgrade, every byte sent is
echoed upper-cased.  The tests pin down the contract documented on ``HttpProtocol.take_over``.
"""
from __future__ import annotations

import asyncio
from typing import Optional

from aioteach import web
from tests.web.server_support import RawClient, TIMEOUT, serve


class Shout(web.StreamResponse):
    def __init__(self) -> None:
        super().__init__(status=101, headers={"Upgrade": "shout", "Connection": "Upgrade"})
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.lost: Optional[BaseException] = None
        self.shutdown_asked = False

    async def prepare(self, request: web.Request) -> None:
        await super().prepare(request)
        request._protocol.take_over(self)

    # the receiver's side of the contract
    def data_received(self, data: bytes) -> None:
        self.inbox.put_nowait(data)

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        self.inbox.put_nowait(None)

    async def close_for_shutdown(self) -> None:
        self.shutdown_asked = True
        self._protocol.write(b"BYE")
        self._protocol.transport.close()


def make_app(done: asyncio.Future, responses: list) -> web.Application:
    app = web.Application()

    async def shout(request: web.Request) -> web.StreamResponse:
        resp = Shout()
        responses.append(resp)
        await resp.prepare(request)
        while True:
            data = await resp.inbox.get()
            if data is None:
                break
            request._protocol.write(data.upper())
            await request._protocol.drain()
        done.set_result("handler finished")
        return resp

    app.router.add_get("/shout", shout)
    return app


UPGRADE = b"GET /shout HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: shout\r\n\r\n"


async def _read_head(client: RawClient) -> bytes:
    head = await asyncio.wait_for(client.reader.readuntil(b"\r\n\r\n"), TIMEOUT)
    return head


async def test_bytes_after_the_upgrade_go_to_the_taker_including_the_trailing_ones():
    done = asyncio.get_running_loop().create_future()
    async with serve(make_app(done, [])) as (port, _):
        client = await RawClient.connect(port)
        client.send(UPGRADE + b"already here ")          # sent with the request head
        head = await _read_head(client)
        assert head.startswith(b"HTTP/1.1 101 Switching Protocols\r\n")
        assert b"Upgrade: shout" in head and b"Connection: Upgrade" in head
        assert b"Content-Length" not in head and b"Transfer-Encoding" not in head
        assert await asyncio.wait_for(client.reader.readexactly(13), TIMEOUT) == b"ALREADY HERE "
        client.send(b"and more")
        assert await asyncio.wait_for(client.reader.readexactly(8), TIMEOUT) == b"AND MORE"
        client.close()
        assert await asyncio.wait_for(done, TIMEOUT) == "handler finished"   # told: lost


async def test_shutdown_asks_the_taker_to_close_first():
    done = asyncio.get_running_loop().create_future()
    responses: list = []
    async with serve(make_app(done, responses), shutdown_timeout=30) as (port, runner):
        client = await RawClient.connect(port)
        client.send(UPGRADE)
        await _read_head(client)
        cleanup = asyncio.ensure_future(runner.cleanup())
        raw = await client.read_raw_until_closed()
        assert raw == b"BYE"
        await asyncio.wait_for(cleanup, TIMEOUT)
        assert responses[0].shutdown_asked
        assert await asyncio.wait_for(done, TIMEOUT) == "handler finished"
