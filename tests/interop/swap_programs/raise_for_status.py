"""Turning error statuses into exceptions: resp.raise_for_status() and raise_for_status=True."""
from aiohttp import web, ClientSession, ClientResponseError


async def missing(request):
    raise web.HTTPNotFound(text="not here")


async def ok(request):
    return web.Response(text="ok")


async def busy(request):
    raise web.HTTPServiceUnavailable(reason="Try Later")


def make_app():
    app = web.Application()
    app.router.add_get("/missing", missing)
    app.router.add_get("/ok", ok)
    app.router.add_get("/busy", busy)
    return app


def describe(exc):
    return (type(exc).__name__, exc.status, exc.message, exc.request_info.method,
            exc.request_info.url.path, isinstance(exc, ClientResponseError))


async def client(url):
    seen = {}
    async with ClientSession() as session:
        async with session.get(url + "/missing") as resp:
            try:
                resp.raise_for_status()
            except ClientResponseError as exc:
                seen["explicit"] = describe(exc)
        async with session.get(url + "/ok") as resp:
            resp.raise_for_status()                     # a 200 raises nothing
            seen["ok"] = (resp.ok, await resp.text())
    async with ClientSession(raise_for_status=True) as session:
        for path in ("/busy", "/missing"):
            try:
                async with session.get(url + path) as resp:
                    seen[path] = "no exception"
            except ClientResponseError as exc:
                seen[path] = describe(exc)
        async with session.get(url + "/ok", raise_for_status=False) as resp:
            seen["ok_again"] = resp.status

    async def only_busy_is_an_error(resp):          # a callable decides instead
        if resp.status == 503:
            raise RuntimeError(f"busy: {resp.reason}")

    async with ClientSession(raise_for_status=only_busy_is_an_error) as session:
        async with session.get(url + "/missing") as resp:
            seen["callable_404"] = resp.status
        try:
            async with session.get(url + "/busy"):
                pass
        except RuntimeError as exc:
            seen["callable_503"] = str(exc)
    return seen


EXPECTED = {
    "explicit": ("ClientResponseError", 404, "Not Found", "GET", "/missing", True),
    "ok": (True, "ok"),
    "/busy": ("ClientResponseError", 503, "Try Later", "GET", "/busy", True),
    "/missing": ("ClientResponseError", 404, "Not Found", "GET", "/missing", True),
    "ok_again": 200,
    "callable_404": 404,
    "callable_503": "busy: Try Later",
}
