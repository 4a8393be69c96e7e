"""Headers in detail: repeated headers both ways, case, and cookies with awkward values."""
from aiohttp import web, ClientSession, CookieJar


async def echo_headers(request):
    response = web.json_response({
        "x_tag": request.headers.getall("X-Tag", []),
        "any_case": request.headers.get("x-tag"),
        "cookie": dict(sorted(request.cookies.items())),
    })
    response.headers.add("X-Reply", "one")
    response.headers.add("X-Reply", "two")
    response.set_cookie("spaced", "a b")
    response.set_cookie("plain", "v1")
    return response


def make_app():
    app = web.Application()
    app.router.add_get("/headers", echo_headers)
    return app


async def client(url):
    seen = {}
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as session:
        async with session.get(url + "/headers",
                               headers=[("X-Tag", "a"), ("X-Tag", "b")]) as resp:
            seen["first"] = await resp.json()
            seen["replies"] = resp.headers.getall("X-Reply")
            seen["spaced"] = resp.cookies["spaced"].value
        async with session.get(url + "/headers") as resp:
            seen["second"] = (await resp.json())["cookie"]
    return seen


EXPECTED = {
    "first": {"x_tag": ["a", "b"], "any_case": "a", "cookie": {}},
    "replies": ["one", "two"],
    "spaced": "a b",
    "second": {"plain": "v1", "spaced": "a b"},
}
