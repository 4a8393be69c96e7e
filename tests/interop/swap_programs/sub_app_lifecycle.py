"""A sub-application's own signals and state, and which app a middleware sees."""
from aiohttp import web, ClientSession

EVENTS = web.AppKey("events", list)
NAME = web.AppKey("name", str)


def recorder(label):
    async def record(app):
        app[EVENTS].append(label)
    return record


async def api_context(app):
    app[EVENTS].append("api ctx enter")
    yield
    app[EVENTS].append("api ctx exit")


def which_app(label):
    @web.middleware
    async def middleware(request, handler):
        before = request.app[NAME]                 # an app's middleware sees its own app
        response = await handler(request)
        response.headers[f"X-{label}-Sees"] = f"{before}/{request.app[NAME]}"
        return response
    return middleware


async def status(request):
    return web.json_response({"app": request.app[NAME],
                              "apps": [app[NAME] for app in request.match_info.apps]})


def make_app():
    events = []
    app = web.Application(middlewares=[which_app("Root")])
    app[EVENTS], app[NAME] = events, "root"
    api = web.Application(middlewares=[which_app("Api")])
    api[EVENTS], api[NAME] = events, "api"
    for target, label in ((app, "root"), (api, "api")):
        target.on_startup.append(recorder(f"{label} startup"))
        target.on_shutdown.append(recorder(f"{label} shutdown"))
        target.on_cleanup.append(recorder(f"{label} cleanup"))
    api.cleanup_ctx.append(api_context)
    api.router.add_get("/status", status)
    app.router.add_get("/status", status)
    app.add_subapp("/api", api)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        for path in ("/status", "/api/status"):
            async with session.get(url + path) as resp:
                seen[path] = (await resp.json(), resp.headers.get("X-Root-Sees"),
                              resp.headers.get("X-Api-Sees"))
    return seen


def server_report(app):
    return app[EVENTS]


EXPECTED = {
    "client": {
        "/status": ({"app": "root", "apps": ["root"]}, "root/root", None),
        "/api/status": ({"app": "api", "apps": ["root", "api"]}, "root/root", "api/api"),
    },
    "server": ["root startup", "api ctx enter", "api startup", "root shutdown",
               "api shutdown", "root cleanup", "api ctx exit", "api cleanup"],
}
