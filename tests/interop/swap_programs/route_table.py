"""Routes declared as data: a RouteTableDef with decorators, and web.get(...) in a list."""
from aiohttp import web, ClientSession

routes = web.RouteTableDef()


@routes.get("/")
async def index(request):
    return web.Response(text="index")


@routes.post("/echo")
async def echo(request):
    return web.Response(text=await request.text())


@routes.route("*", "/any")
async def any_method(request):
    return web.Response(text=request.method)


@routes.view("/view")
class Thing(web.View):
    async def get(self):
        return web.Response(text="view get")


async def about(request):
    return web.Response(text="about")


def make_app():
    app = web.Application()
    app.add_routes(routes)
    app.add_routes([web.get("/about", about, name="about"),
                    web.patch("/about", about)])
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        for method, path in (("GET", "/"), ("POST", "/echo"), ("PATCH", "/any"),
                             ("DELETE", "/any"), ("GET", "/view"), ("GET", "/about"),
                             ("PATCH", "/about"), ("PUT", "/about")):
            async with session.request(method, url + path, data=b"ping") as resp:
                seen[f"{method} {path}"] = (resp.status, await resp.text()
                                            if resp.status == 200 else None)
    seen["table_size"] = len(routes)
    return seen


EXPECTED = {
    "GET /": (200, "index"),
    "POST /echo": (200, "ping"),
    "PATCH /any": (200, "PATCH"),
    "DELETE /any": (200, "DELETE"),
    "GET /view": (200, "view get"),
    "GET /about": (200, "about"),
    "PATCH /about": (200, "about"),
    "PUT /about": (405, None),
    "table_size": 4,
}
