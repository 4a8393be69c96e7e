"""Cookies: the server sets them, the session's cookie jar sends them back, logout deletes."""
from aiohttp import web, ClientSession, CookieJar


async def login(request):
    response = web.Response(text="logged in")
    response.set_cookie("session", "abc123", httponly=True, path="/")
    response.set_cookie("theme", "dark", max_age=3600)
    return response


async def whoami(request):
    return web.json_response(dict(sorted(request.cookies.items())))


async def logout(request):
    response = web.Response(text="bye")
    response.del_cookie("session")
    return response


def make_app():
    app = web.Application()
    app.router.add_get("/login", login)
    app.router.add_get("/whoami", whoami)
    app.router.add_get("/logout", logout)
    return app


async def client(url):
    seen = {}
    # A cookie from a bare IP address (127.0.0.1) is only kept by an "unsafe" jar.
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as session:
        async with session.get(url + "/whoami") as resp:
            seen["before"] = await resp.json()
        async with session.get(url + "/login") as resp:
            morsel = resp.cookies["session"]
            seen["set"] = (await resp.text(), morsel.value, bool(morsel["httponly"]),
                           morsel["path"], resp.cookies["theme"]["max-age"])
        async with session.get(url + "/whoami") as resp:
            seen["after_login"] = await resp.json()
        seen["jar"] = sorted(cookie.key for cookie in session.cookie_jar)
        async with session.get(url + "/logout") as resp:
            await resp.read()
        async with session.get(url + "/whoami") as resp:
            seen["after_logout"] = await resp.json()
        async with session.get(url + "/whoami", cookies={"extra": "1"}) as resp:
            seen["per_request"] = await resp.json()
    async with ClientSession() as strict:
        async with strict.get(url + "/login") as resp:
            await resp.read()
        async with strict.get(url + "/whoami") as resp:
            seen["safe_jar_ignores_ip"] = await resp.json()
    return seen


EXPECTED = {
    "before": {},
    "set": ("logged in", "abc123", True, "/", "3600"),
    "after_login": {"session": "abc123", "theme": "dark"},
    "jar": ["session", "theme"],
    "after_logout": {"theme": "dark"},
    "per_request": {"extra": "1", "theme": "dark"},
    "safe_jar_ignores_ip": {},
}
