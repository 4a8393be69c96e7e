"""Named routes and url_for: build links instead of writing paths twice."""
from aiohttp import web, ClientSession


async def user(request):
    return web.Response(text="user " + request.match_info["id"])


async def links(request):
    router = request.app.router
    return web.json_response({
        "user": str(router["user"].url_for(id="7")),
        "user_tab": str(router["user"].url_for(id="7").with_query({"tab": "posts"})),
        "search": str(router["search"].url_for().with_query(q="x y", page=2)),
        "spaced": str(router["user"].url_for(id="Ann Lee")),
        "static": str(router["static"].url_for(filename="css/site.css")),
        "names": sorted(name for name in router.named_resources()),
    })


def make_app():
    app = web.Application()
    app.router.add_get("/users/{id}", user, name="user")
    app.router.add_get("/search", user, name="search")
    app.router.add_get("/links", links)
    app.router.add_static("/static", ".", name="static")
    return app


async def client(url):
    async with ClientSession() as session:
        async with session.get(url + "/links") as resp:
            links = await resp.json()
        async with session.get(url + links["user"]) as resp:
            followed = await resp.text()
    return {"links": links, "followed": followed}


EXPECTED = {
    "links": {
        "user": "/users/7",
        "user_tab": "/users/7?tab=posts",
        "search": "/search?q=x+y&page=2",
        "spaced": "/users/Ann%20Lee",
        "static": "/static/css/site.css",
        "names": ["search", "static", "user"],
    },
    "followed": "user 7",
}
