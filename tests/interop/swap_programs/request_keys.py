"""Typed keys for per-request and per-response values (web.RequestKey / web.ResponseKey).

A timing middleware and an "who is asking" middleware leave values for the handler and for
each other.  (aiohttp 3.14 introduced these keys; plain strings still work, with a warning.)
"""
from aiohttp import web, ClientSession

USER = web.RequestKey("user", str)
ROUTE_NAME = web.ResponseKey("route", str)
SERVED = web.AppKey("served", list)


@web.middleware
async def who(request, handler):
    request[USER] = request.headers.get("X-User", "guest")
    return await handler(request)


@web.middleware
async def remember(request, handler):
    response = await handler(request)
    request.app[SERVED].append([request[USER], response.get(ROUTE_NAME, "?")])
    return response


async def profile(request):
    response = web.Response(text=f"profile of {request[USER]}")
    response[ROUTE_NAME] = "profile"
    return response


def make_app():
    app = web.Application(middlewares=[who, remember])
    app[SERVED] = []
    app.router.add_get("/profile", profile)
    return app


async def client(url):
    async with ClientSession() as session:
        texts = []
        for user in ("ann", None):
            headers = {"X-User": user} if user else {}
            async with session.get(url + "/profile", headers=headers) as resp:
                texts.append(await resp.text())
    return texts


def server_report(app):
    return app[SERVED]


AIOHTTP_AT_LEAST = (3, 14)          # the oldest aiohttp with web.RequestKey

EXPECTED = {
    "client": ["profile of ann", "profile of guest"],
    "server": [["ann", "profile"], ["guest", "profile"]],
}
