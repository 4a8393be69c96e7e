"""Who closes, and what close_code the closer reads afterwards: the code in the peer's reply.

RFC 6455 section 7.1.5: the connection's close code is the one in the first Close frame
*received*.  For the side that closes first, that is the peer's reply, so what it reads
depends on how the peer answers: aiohttp answers 1000 whatever code it got.
"""
import asyncio

from aiohttp import web, ClientSession

LOG = web.AppKey("log", list)
CLOSER_DONE = web.AppKey("closer_done", asyncio.Event)


async def listener(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    msg = await ws.receive()                         # the client's Close, answered for us
    request.app[LOG].append(["listener got", msg.data, msg.extra, ws.close_code])
    return ws


async def closer(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    await ws.close(code=4000, message=b"server done")
    request.app[LOG].append(["closer reads", ws.close_code])
    request.app[CLOSER_DONE].set()
    return ws


def make_app():
    app = web.Application()
    app[LOG] = []
    app[CLOSER_DONE] = asyncio.Event()
    app.router.add_get("/listener", listener)
    app.router.add_get("/closer", closer)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        async with session.ws_connect(url + "/listener") as ws:
            await ws.close(code=4001, message=b"client done")
            seen["client closed first, reads"] = ws.close_code
        async with session.ws_connect(url + "/closer") as ws:
            msg = await ws.receive()
            seen["client got"] = (msg.type.name, msg.data, msg.extra, ws.close_code)
    return seen


async def server_settled(app):
    # The closer reads the client's reply to its Close after the client may have finished:
    # the harness waits for it before shutting the server down, else the closer reads 1006.
    await app[CLOSER_DONE].wait()


def server_report(app):
    return app[LOG]


EXPECTED = {
    "client": {"client closed first, reads": 1000,
               "client got": ("CLOSE", 4000, "server done", 4000)},
    "server": [["listener got", 4001, "client done", 4001], ["closer reads", 1000]],
}
