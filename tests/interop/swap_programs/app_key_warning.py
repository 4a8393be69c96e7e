"""App keys: ``web.AppKey`` is quiet; a plain string key still works but warns with
``web.NotAppKeyWarning``, pointing at the line that used it."""
import inspect
import warnings

from aiohttp import web, ClientSession

GREETING = web.AppKey("greeting", str)
REPORT = web.AppKey("report", list)


async def hello(request):
    return web.Response(text=f"{request.app[GREETING]} / {request.app['legacy']}")


def make_app():
    app = web.Application()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        app[GREETING] = "typed key"
        line = inspect.currentframe().f_lineno + 1
        app["legacy"] = "string key"
    app.router.add_get("/", hello)
    app[REPORT] = [[w.category.__name__, issubclass(w.category, UserWarning),
                      w.lineno == line, w.filename == inspect.getsourcefile(make_app) or
                      w.filename == make_app.__code__.co_filename] for w in caught]
    return app


async def client(url):
    async with ClientSession() as session:
        async with session.get(url + "/") as resp:
            return [resp.status, await resp.text()]


def server_report(app):
    return app[REPORT] + [issubclass(web.NotAppKeyWarning, UserWarning)]


EXPECTED = {
    "client": [200, "typed key / string key"],
    "server": [["NotAppKeyWarning", True, True, True], True],
}
