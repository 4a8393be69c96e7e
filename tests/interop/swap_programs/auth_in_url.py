"""Credentials in the URL become Basic auth; a redirect to another host does not carry them."""
from aiohttp import web, ClientSession, BasicAuth


async def whoami(request):
    header = request.headers.get("Authorization")
    user = BasicAuth.decode(header).login if header else None
    return web.json_response({"user": user, "host": request.host.split(":")[0]})


async def elsewhere(request):
    port = request.url.port
    raise web.HTTPFound(f"http://localhost:{port}/whoami")


async def same_place(request):
    raise web.HTTPFound("/whoami")


def make_app():
    app = web.Application()
    app.router.add_get("/whoami", whoami)
    app.router.add_get("/elsewhere", elsewhere)
    app.router.add_get("/same-place", same_place)
    return app


async def client(url):
    seen = {}
    with_user = url.replace("http://", "http://ann:s3cret@")
    async with ClientSession() as session:
        async with session.get(with_user + "/whoami") as resp:
            seen["in_url"] = await resp.json()
        async with session.get(url + "/same-place", auth=BasicAuth("bo", "pw")) as resp:
            seen["same_host_redirect"] = await resp.json()
        async with session.get(url + "/elsewhere", auth=BasicAuth("bo", "pw")) as resp:
            seen["other_host_redirect"] = await resp.json()
    return seen


EXPECTED = {
    "in_url": {"user": "ann", "host": "127.0.0.1"},
    "same_host_redirect": {"user": "bo", "host": "127.0.0.1"},
    "other_host_redirect": {"user": None, "host": "localhost"},
}
