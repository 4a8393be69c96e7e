"""WebSocket details: subprotocols, can_prepare, receive(timeout=), ping, sending after close."""
import asyncio

from aiohttp import web, ClientSession, ClientConnectionError, WSServerHandshakeError

LOG = web.AppKey("log", list)


async def chat(request):
    ws = web.WebSocketResponse(protocols=("chat.v2", "chat.v1"))   # the client's order wins
    ready = ws.can_prepare(request)
    request.app[LOG].append(["can_prepare", bool(ready), ready.protocol])
    await ws.prepare(request)
    try:
        msg = await ws.receive(timeout=0.2)            # the client says nothing at first
    except asyncio.TimeoutError:
        await ws.send_str("are you there?")
        msg = await ws.receive(timeout=10)
    await ws.send_str(f"you said {msg.data} over {ws.ws_protocol}")
    await ws.close()
    return ws


async def page(request):
    ws = web.WebSocketResponse()
    request.app[LOG].append(["plain GET can_prepare", bool(ws.can_prepare(request))])
    return web.Response(text="a page")


def make_app():
    app = web.Application()
    app[LOG] = []
    app.router.add_get("/chat", chat)
    app.router.add_get("/page", page)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        async with session.ws_connect(url + "/chat", protocols=("chat.v1", "chat.v2")) as ws:
            seen["protocol"] = ws.protocol
            seen["nudge"] = await ws.receive_str()
            await ws.ping(b"still here")
            await ws.send_str("hello")
            seen["reply"] = await ws.receive_str()
            last = await ws.receive()
            seen["last"] = (last.type.name, ws.closed)
            try:
                await ws.send_str("too late")
                seen["send_after_close"] = "sent"
            except ConnectionResetError as exc:
                seen["send_after_close"] = (type(exc).__name__,
                                            isinstance(exc, ClientConnectionError))
        async with session.get(url + "/page") as resp:
            seen["page"] = await resp.text()
        try:
            await session.ws_connect(url + "/page")
        except WSServerHandshakeError as exc:
            seen["not_ws"] = exc.status
    return seen


def server_report(app):
    return app[LOG]


EXPECTED = {
    "client": {"protocol": "chat.v1", "nudge": "are you there?",
               "reply": "you said hello over chat.v1", "last": ("CLOSE", True),
               "send_after_close": ("ClientConnectionResetError", True), "page": "a page",
               "not_ws": 200},
    # The client's attempt to upgrade /page is a WebSocket request all the same.
    "server": [["can_prepare", True, "chat.v1"], ["plain GET can_prepare", False],
               ["plain GET can_prepare", True]],
}
