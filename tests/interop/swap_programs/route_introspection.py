"""Looking at routes: match_info.route from a middleware, and HEAD (allowed, or not)."""
from aiohttp import web, ClientSession


@web.middleware
async def tag_route(request, handler):
    response = await handler(request)
    route = request.match_info.route
    response.headers["X-Route"] = f"{route.name}|{route.method}|{route.resource.canonical}"
    return response


async def user(request):
    return web.Response(text="user")


async def no_head(request):
    return web.Response(text="get only")


def make_app():
    app = web.Application(middlewares=[tag_route])
    app.router.add_get("/users/{id}", user, name="user")
    app.router.add_get("/strict", no_head, allow_head=False)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        for method, path in (("GET", "/users/7"), ("HEAD", "/users/7"), ("GET", "/strict"),
                             ("HEAD", "/strict")):
            async with session.request(method, url + path) as resp:
                seen[f"{method} {path}"] = (resp.status, resp.headers.get("X-Route"),
                                            await resp.read())
    return seen


EXPECTED = {
    "GET /users/7": (200, "user|GET|/users/{id}", b"user"),
    "HEAD /users/7": (200, "user|HEAD|/users/{id}", b""),      # the name is the resource's
    "GET /strict": (200, "None|GET|/strict", b"get only"),
    "HEAD /strict": (405, None, b""),
}
