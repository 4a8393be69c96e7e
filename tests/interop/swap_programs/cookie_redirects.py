"""Cookies set on a redirect are kept for the next hop; jars can be filled, cleared or dummy."""
from aiohttp import web, ClientSession, CookieJar, DummyCookieJar


async def login(request):
    response = web.HTTPFound("/home")
    response.set_cookie("session", "s1")
    raise response


async def home(request):
    return web.json_response(dict(sorted(request.cookies.items())))


def make_app():
    app = web.Application()
    app.router.add_post("/login", login)
    app.router.add_get("/home", home)
    return app


async def client(url):
    seen = {}
    async with ClientSession(cookie_jar=CookieJar(unsafe=True),
                             cookies={"lang": "fr"}) as session:
        async with session.post(url + "/login") as resp:
            seen["after_redirect"] = (resp.status, await resp.json(), len(resp.history))
        session.cookie_jar.update_cookies({"theme": "dark"})
        async with session.get(url + "/home") as resp:
            seen["updated"] = await resp.json()
        session.cookie_jar.clear()
        async with session.get(url + "/home") as resp:
            seen["cleared"] = await resp.json()
    async with ClientSession(cookie_jar=DummyCookieJar()) as session:
        async with session.post(url + "/login") as resp:
            seen["dummy"] = (await resp.json(), len(session.cookie_jar))
    return seen


EXPECTED = {
    "after_redirect": (200, {"lang": "fr", "session": "s1"}, 1),
    "updated": {"lang": "fr", "session": "s1", "theme": "dark"},
    "cleared": {},
    "dummy": ({}, 0),
}
