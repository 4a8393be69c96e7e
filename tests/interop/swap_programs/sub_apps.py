"""Sub-applications: an admin app under /admin/ with its own middleware and routes."""
from aiohttp import web, ClientSession

SITE_NAME = web.AppKey("site_name", str)


@web.middleware
async def admins_only(request, handler):
    if request.headers.get("X-Role") != "admin":
        raise web.HTTPForbidden(text="admins only")
    return await handler(request)


async def home(request):
    return web.Response(text=f"{request.app[SITE_NAME]} home")


async def dashboard(request):
    link = request.app.router["user"].url_for(name="ann")
    return web.json_response({"site": request.config_dict[SITE_NAME], "path": request.path,
                              "link": str(link), "is_sub_app": SITE_NAME not in request.app})


async def user(request):
    return web.Response(text="admin view of " + request.match_info["name"])


def make_app():
    admin = web.Application(middlewares=[admins_only])
    admin.router.add_get("/", dashboard)
    admin.router.add_get("/users/{name}", user, name="user")
    app = web.Application()
    app[SITE_NAME] = "teach"
    app.router.add_get("/", home)
    app.add_subapp("/admin/", admin)
    return app


async def client(url):
    seen = {}
    admin = {"X-Role": "admin"}
    async with ClientSession() as session:
        async with session.get(url + "/", headers=admin) as resp:
            seen["home"] = (resp.status, await resp.text())
        async with session.get(url + "/admin/") as resp:
            seen["not_admin"] = (resp.status, await resp.text())
        async with session.get(url + "/admin/", headers=admin) as resp:
            seen["dashboard"] = (resp.status, await resp.json())
        async with session.get(url + "/admin/users/ann", headers=admin) as resp:
            seen["user"] = (resp.status, await resp.text())
        async with session.get(url + "/admin/nothing", headers=admin) as resp:
            seen["missing"] = resp.status
    return seen


EXPECTED = {
    "home": (200, "teach home"),
    "not_admin": (403, "admins only"),
    "dashboard": (200, {"site": "teach", "path": "/admin/", "link": "/admin/users/ann",
                        "is_sub_app": True}),
    "user": (200, "admin view of ann"),
    "missing": 404,
}
