"""The server ends the conversation: ws.close(code=...) from a handler, seen by the client.

(What the handler's own ``ws.close_code`` reads afterwards is websocket_close_reply.py's topic.)
"""
from aiohttp import web, ClientSession, WSMsgType, WSCloseCode

LOG = web.AppKey("log", list)


async def countdown(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    for n in (3, 2, 1):
        await ws.send_str(str(n))
    await ws.close(code=4000, message=b"countdown over")
    request.app[LOG].append(["countdown closed", ws.closed])
    return ws


async def policy(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    msg = await ws.receive()
    if msg.type == WSMsgType.TEXT and msg.data != "please":
        await ws.close(code=WSCloseCode.POLICY_VIOLATION, message=b"say please")
    request.app[LOG].append(["policy closed", ws.closed])
    return ws


async def plain(request):
    return web.Response(text="not a websocket")


def make_app():
    app = web.Application()
    app[LOG] = []
    app.router.add_get("/countdown", countdown)
    app.router.add_get("/policy", policy)
    app.router.add_get("/plain", plain)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        async with session.ws_connect(url + "/countdown") as ws:
            received = [msg.data async for msg in ws]         # ends at the close frame
            seen["countdown"] = (received, ws.closed, ws.close_code)
        async with session.ws_connect(url + "/policy") as ws:
            await ws.send_str("now!")
            msg = await ws.receive()
            seen["policy_msg"] = (msg.type.name, msg.data, msg.extra)
            seen["policy"] = (ws.close_code, int(WSCloseCode.POLICY_VIOLATION))
        try:
            async with session.ws_connect(url + "/plain"):
                seen["plain"] = "connected?"
        except Exception as exc:                      # WSServerHandshakeError
            seen["plain"] = (type(exc).__name__, exc.status)
    return seen


def server_report(app):
    return app[LOG]


EXPECTED = {
    "client": {"countdown": (["3", "2", "1"], True, 4000),
               "policy_msg": ("CLOSE", 1008, "say please"),
               "policy": (1008, 1008),
               "plain": ("WSServerHandshakeError", 200)},
    "server": [["countdown closed", True], ["policy closed", True]],
}
