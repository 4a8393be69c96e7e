"""Testing an app the pytest way: TestServer and TestClient (aiohttp.test_utils' names).

A learner's test module, minus pytest: ``run()`` is what a test function would do.  The
client's cookie jar is the test kit's (it accepts the test server's IP-address cookies).
"""
from aiohttp import web, WSMsgType
from aiohttp.test_utils import TestServer, TestClient, make_mocked_request


async def hello(request):
    return web.Response(text=f"hello {request.query.get('name', 'test')}")


async def login(request):
    response = web.json_response({"ok": True})
    response.set_cookie("user", "ann")
    return response


async def me(request):
    return web.Response(text=request.cookies.get("user", "nobody"))


async def ws_echo(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    async for msg in ws:
        if msg.type == WSMsgType.TEXT:
            await ws.send_str("echo " + msg.data)
    return ws


def make_app():
    app = web.Application()
    app.router.add_get("/", hello)
    app.router.add_post("/login", login)
    app.router.add_get("/me", me)
    app.router.add_get("/ws", ws_echo)
    return app


async def run():
    seen = {}
    async with TestClient(TestServer(make_app())) as client:
        resp = await client.get("/", params={"name": "kit"})
        seen["get"] = (resp.status, await resp.text())
        async with client.post("/login") as resp:
            seen["login"] = await resp.json()
        resp = await client.get("/me")
        seen["cookie"] = await resp.text()
        seen["url"] = (str(client.make_url("/x")).startswith("http://127.0.0.1:"),
                       client.port == client.server.port)
        ws = await client.ws_connect("/ws")
        await ws.send_str("ping")
        seen["ws"] = (await ws.receive()).data
        await ws.close()
        seen["app_is_ours"] = client.app is not None and client.server.app is client.app
    seen["closed"] = (client.session.closed, client.server.closed)
    request = make_mocked_request("GET", "/?name=mock", headers={"X-Test": "1"})
    seen["mocked"] = (request.method, request.path, request.query["name"],
                      request.headers["X-Test"])
    return seen


EXPECTED = {
    "get": (200, "hello kit"),
    "login": {"ok": True},
    "cookie": "ann",
    "url": (True, True),
    "ws": "echo ping",
    "app_is_ours": True,
    "closed": (True, True),
    "mocked": ("GET", "/", "mock", "1"),
}
