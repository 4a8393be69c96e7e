"""Pings by hand: with autoping=False a handler sees PING and PONG messages and answers itself."""
from aiohttp import web, ClientSession, WSMsgType

LOG = web.AppKey("log", list)


async def manual(request):
    ws = web.WebSocketResponse(autoping=False)
    await ws.prepare(request)
    async for msg in ws:
        request.app[LOG].append([msg.type.name, msg.data if msg.type != WSMsgType.CLOSE else None])
        if msg.type == WSMsgType.PING:
            await ws.pong(msg.data + b"!")
        elif msg.type == WSMsgType.TEXT:
            await ws.ping(b"server ping")
    return ws


def make_app():
    app = web.Application()
    app[LOG] = []
    app.router.add_get("/manual", manual)
    return app


async def client(url):
    seen = []
    async with ClientSession() as session:
        async with session.ws_connect(url + "/manual", autoping=False) as ws:
            await ws.ping(b"hello?")
            msg = await ws.receive()
            seen.append([msg.type.name, msg.data])
            await ws.send_str("ping me")
            msg = await ws.receive()
            seen.append([msg.type.name, msg.data])
            await ws.pong(msg.data)
    return seen


def server_report(app):
    return app[LOG]


EXPECTED = {
    "client": [["PONG", b"hello?!"], ["PING", b"server ping"]],
    "server": [["PING", b"hello?"], ["TEXT", "ping me"], ["PONG", b"server ping"]],
}
