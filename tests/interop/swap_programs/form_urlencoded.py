"""An HTML form, urlencoded: await request.post() gives a MultiDict of the fields."""
from aiohttp import web, ClientSession


async def signup(request):
    form = await request.post()
    return web.json_response({
        "content_type": request.content_type,
        "name": form["name"],
        "note": form.get("note", ""),
        "colours": form.getall("colour", []),
        "fields": sorted(set(form.keys())),
    })


def make_app():
    app = web.Application()
    app.router.add_post("/signup", signup)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        async with session.post(url + "/signup",
                                data={"name": "Ann Lee", "note": "a&b=c+d ünï"}) as resp:
            seen["dict"] = await resp.json()
        async with session.post(url + "/signup", data=[("name", "Bo"), ("colour", "red"),
                                                       ("colour", "blue")]) as resp:
            seen["pairs"] = await resp.json()
    return seen


EXPECTED = {
    "dict": {"content_type": "application/x-www-form-urlencoded", "name": "Ann Lee",
             "note": "a&b=c+d ünï", "colours": [], "fields": ["name", "note"]},
    "pairs": {"content_type": "application/x-www-form-urlencoded", "name": "Bo", "note": "",
              "colours": ["red", "blue"], "fields": ["colour", "name"]},
}
