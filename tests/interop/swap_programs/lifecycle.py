"""The application's life: on_startup, cleanup_ctx, on_shutdown and on_cleanup, in order."""
from aiohttp import web, ClientSession

EVENTS = web.AppKey("events", list)
DB = web.AppKey("db", dict)


async def open_db(app):
    app[EVENTS].append("on_startup")


async def database(app):
    app[EVENTS].append("cleanup_ctx enter")
    app[DB] = {"connected": True}
    yield
    app[DB]["connected"] = False
    app[EVENTS].append("cleanup_ctx exit")


async def say_goodbye(app):
    app[EVENTS].append("on_shutdown")


async def close_db(app):
    app[EVENTS].append("on_cleanup")


async def status(request):
    request.app[EVENTS].append("request")
    return web.json_response({"db": request.app[DB], "events": request.app[EVENTS]})


def make_app():
    app = web.Application()
    app[EVENTS] = []
    app.on_startup.append(open_db)
    app.cleanup_ctx.append(database)
    app.on_shutdown.append(say_goodbye)
    app.on_cleanup.append(close_db)
    app.router.add_get("/status", status)
    return app


async def client(url):
    async with ClientSession() as session:
        async with session.get(url + "/status") as resp:
            return await resp.json()


def server_report(app):
    return {"events": app[EVENTS], "db": app[DB]}


# cleanup_ctx is itself a startup and a cleanup callback, registered when the Application is
# made: so it is entered before the on_startup callbacks appended later, and left before the
# on_cleanup ones.
EXPECTED = {
    "client": {"db": {"connected": True},
               "events": ["cleanup_ctx enter", "on_startup", "request"]},
    "server": {"events": ["cleanup_ctx enter", "on_startup", "request", "on_shutdown",
                          "cleanup_ctx exit", "on_cleanup"],
               "db": {"connected": False}},
}
