"""Which method a redirect keeps: 301/302 turn POST into GET, 307/308 keep it and its body."""
from aiohttp import web, ClientSession


def redirect_with(status):
    async def handler(request):
        raise {301: web.HTTPMovedPermanently, 302: web.HTTPFound, 303: web.HTTPSeeOther,
               307: web.HTTPTemporaryRedirect, 308: web.HTTPPermanentRedirect}[status]("/land")
    return handler


async def land(request):
    return web.json_response({"method": request.method, "body": await request.text(),
                              "type": request.content_type})


def make_app():
    app = web.Application()
    for status in (301, 302, 303, 307, 308):
        app.router.add_route("*", f"/r{status}", redirect_with(status))
    app.router.add_route("*", "/land", land)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        for status in (301, 302, 303, 307, 308):
            async with session.post(url + f"/r{status}", data={"k": "v"}) as resp:
                seen[f"POST {status}"] = await resp.json()
        async with session.put(url + "/r303", data=b"x") as resp:
            seen["PUT 303"] = (await resp.json())["method"]
        async with session.delete(url + "/r302") as resp:
            seen["DELETE 302"] = (await resp.json())["method"]
    return seen


GOT = {"method": "GET", "body": "", "type": "application/octet-stream"}
KEPT = {"method": "POST", "body": "k=v", "type": "application/x-www-form-urlencoded"}
EXPECTED = {"POST 301": GOT, "POST 302": GOT, "POST 303": GOT, "POST 307": KEPT,
            "POST 308": KEPT, "PUT 303": "GET", "DELETE 302": "DELETE"}
