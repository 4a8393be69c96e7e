"""A WebSocket echo: text, binary and JSON messages, then the client closes with its own code."""
from aiohttp import web, ClientSession, WSMsgType

LOG = web.AppKey("log", list)


async def echo(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    log = request.app[LOG]
    async for msg in ws:
        if msg.type == WSMsgType.TEXT:
            log.append(["text", msg.data[:30], len(msg.data)])
            if msg.data.startswith("{"):
                data = msg.json()
                await ws.send_json({"echo": data, "keys": sorted(data)})
            else:
                await ws.send_str(msg.data.upper())
        elif msg.type == WSMsgType.BINARY:
            log.append(["binary", len(msg.data)])
            await ws.send_bytes(msg.data[::-1])
    log.append(["closed", ws.close_code])
    return ws


def make_app():
    app = web.Application()
    app[LOG] = []
    app.router.add_get("/ws", echo)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        async with session.ws_connect(url + "/ws") as ws:
            await ws.send_str("hello")
            seen["text"] = await ws.receive_str()
            await ws.send_bytes(bytes(range(10)))
            seen["binary"] = list(await ws.receive_bytes())
            await ws.send_json({"b": 2, "a": [1, "x"]})
            seen["json"] = await ws.receive_json()
            big = "é" * 70_000                       # a 140 kB frame: 64-bit length field
            await ws.send_str(big)
            seen["big_ok"] = (await ws.receive_str()) == big.upper()
            await ws.close(code=4001, message=b"done here")
            seen["client_closed"] = ws.closed      # close_code here: see websocket_close_reply.py
    return seen


def server_report(app):
    return app[LOG]


EXPECTED = {
    "client": {"text": "HELLO", "binary": [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
               "json": {"echo": {"b": 2, "a": [1, "x"]}, "keys": ["a", "b"]},
               "big_ok": True, "client_closed": True},
    "server": [["text", "hello", 5], ["binary", 10], ["text", '{"b": 2, "a": [1, "x"]}', 23],
               ["text", "é" * 30, 70_000], ["closed", 4001]],
}
