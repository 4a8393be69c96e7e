"""Cookie rules the jar applies: paths, expiry, Secure, several cookies in one response."""
from aiohttp import web, ClientSession, CookieJar


async def set_many(request):
    response = web.Response(text="set")
    response.set_cookie("everywhere", "1")
    response.set_cookie("admin_only", "2", path="/admin")
    response.set_cookie("https_only", "3", secure=True)
    response.set_cookie("short_lived", "4", max_age=0)
    response.set_cookie("lax", "5", samesite="Lax")
    return response


async def show(request):
    return web.json_response(dict(sorted(request.cookies.items())))


def make_app():
    app = web.Application()
    app.router.add_get("/set", set_many)
    app.router.add_get("/show", show)
    app.router.add_get("/admin/show", show)
    return app


async def client(url):
    seen = {}
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as session:
        async with session.get(url + "/set") as resp:
            seen["set_cookie_headers"] = len(resp.headers.getall("Set-Cookie"))
            seen["lax"] = resp.cookies["lax"]["samesite"]
        async with session.get(url + "/show") as resp:
            seen["root"] = await resp.json()
        async with session.get(url + "/admin/show") as resp:
            seen["admin"] = await resp.json()
    return seen


EXPECTED = {
    "set_cookie_headers": 5,
    "lax": "Lax",
    "root": {"everywhere": "1", "lax": "5"},
    "admin": {"admin_only": "2", "everywhere": "1", "lax": "5"},
}
