"""An error-page middleware: every HTTPException (the router's 404 and 405 too) gets a page."""
from aiohttp import web, ClientSession


@web.middleware
async def error_pages(request, handler):
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise                                    # redirects pass through untouched
        return web.json_response({"error": exc.status, "reason": exc.reason,
                                  "path": request.path}, status=exc.status)
    except Exception:
        return web.json_response({"error": 500, "reason": "oops", "path": request.path},
                                 status=500)


async def fine(request):
    return web.Response(text="fine")


async def teapot(request):
    raise web.HTTPConflict(text="conflict!")


async def crash(request):
    raise RuntimeError("bug in the handler")


async def moved(request):
    raise web.HTTPMovedPermanently("/fine")


def make_app():
    app = web.Application(middlewares=[error_pages])
    app.router.add_get("/fine", fine)
    app.router.add_get("/conflict", teapot)
    app.router.add_get("/crash", crash)
    app.router.add_get("/moved", moved)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        for method, path in (("GET", "/fine"), ("GET", "/nowhere"), ("POST", "/fine"),
                             ("GET", "/conflict"), ("GET", "/crash")):
            async with session.request(method, url + path) as resp:
                seen[f"{method} {path}"] = (
                    resp.status, resp.content_type,
                    await resp.json() if resp.content_type == "application/json"
                    else await resp.text())
        async with session.get(url + "/moved", allow_redirects=False) as resp:
            seen["moved"] = (resp.status, resp.headers["Location"])
    return seen


EXPECTED = {
    "GET /fine": (200, "text/plain", "fine"),
    "GET /nowhere": (404, "application/json",
                     {"error": 404, "reason": "Not Found", "path": "/nowhere"}),
    "POST /fine": (405, "application/json",
                   {"error": 405, "reason": "Method Not Allowed", "path": "/fine"}),
    "GET /conflict": (409, "application/json",
                      {"error": 409, "reason": "Conflict", "path": "/conflict"}),
    "GET /crash": (500, "application/json", {"error": 500, "reason": "oops", "path": "/crash"}),
    "moved": (301, "/fine"),
}
