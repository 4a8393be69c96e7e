"""A chat room: handlers join a set, broadcast, and leave it in finally, before on_cleanup runs."""
import asyncio

from aiohttp import web, ClientSession, WSMsgType

ROOM = web.AppKey("room", set)
LOG = web.AppKey("log", list)


async def chat(request):
    name = request.query["name"]
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    room = request.app[ROOM]
    room.add(ws)
    try:
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                for other in list(room):
                    await other.send_str(f"{name}: {msg.data}")
    finally:
        room.discard(ws)
        still_here = len(room)
        await asyncio.sleep(0.05)                    # leaving takes a moment (a database...)
        request.app[LOG].append(f"{name} left, {still_here} still here")
    return ws


async def on_cleanup(app):
    app[LOG].append(f"on_cleanup with {len(app[ROOM])} in the room")


def make_app():
    app = web.Application()
    app[ROOM] = set()
    app[LOG] = []
    app.on_cleanup.append(on_cleanup)
    app.router.add_get("/chat", chat)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        async with session.ws_connect(url + "/chat?name=ann") as ann:
            async with session.ws_connect(url + "/chat?name=bob") as bob:
                await ann.send_str("hi bob")
                seen["bob hears"] = await bob.receive_str()
                seen["ann hears"] = await ann.receive_str()
                await bob.send_str("hi ann")
                seen["ann hears back"] = await ann.receive_str()
                seen["bob hears himself"] = await bob.receive_str()
            await ann.send_str("bye")                # bob has gone: only ann hears it
            seen["ann alone"] = await ann.receive_str()
    return seen


def server_report(app):
    return app[LOG]


EXPECTED = {
    "client": {"bob hears": "ann: hi bob", "ann hears": "ann: hi bob",
               "ann hears back": "bob: hi ann", "bob hears himself": "bob: hi ann",
               "ann alone": "ann: bye"},
    "server": ["bob left, 1 still here", "ann left, 0 still here",
               "on_cleanup with 0 in the room"],
}
