"""What each HTTP exception sends when the handler gives it nothing but its class."""
from http import HTTPStatus

from aiohttp import web, ClientSession

SIMPLE = ["HTTPBadRequest", "HTTPUnauthorized", "HTTPForbidden", "HTTPNotFound", "HTTPConflict",
          "HTTPGone", "HTTPTooManyRequests", "HTTPInternalServerError", "HTTPNotImplemented",
          "HTTPServiceUnavailable", "HTTPUnprocessableEntity", "HTTPRequestTimeout"]


async def simple(request):
    raise getattr(web, request.match_info["name"])()


async def not_allowed(request):
    raise web.HTTPMethodNotAllowed("PUT", ["GET", "POST"])


async def too_large(request):
    raise web.HTTPRequestEntityTooLarge(max_size=10, actual_size=20)


def make_app():
    app = web.Application()
    app.router.add_get("/simple/{name}", simple)
    app.router.add_get("/not-allowed", not_allowed)
    app.router.add_get("/too-large", too_large)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        for name in SIMPLE:
            async with session.get(url + "/simple/" + name) as resp:
                seen[name] = (resp.status, resp.content_type, await resp.text())
        async with session.get(url + "/not-allowed") as resp:
            seen["not_allowed"] = (resp.status, resp.headers["Allow"], await resp.text())
        async with session.get(url + "/too-large") as resp:
            seen["too_large"] = resp.status         # its text changed in aiohttp 3.14
    return seen


def page(status):
    phrase = HTTPStatus(status).phrase        # aiohttp's phrases are Python's http.HTTPStatus
    return (status, "text/plain", f"{status}: {phrase}")


EXPECTED = {
    "HTTPBadRequest": page(400), "HTTPUnauthorized": page(401), "HTTPForbidden": page(403),
    "HTTPNotFound": page(404), "HTTPConflict": page(409), "HTTPGone": page(410),
    "HTTPTooManyRequests": page(429), "HTTPInternalServerError": page(500),
    "HTTPNotImplemented": page(501), "HTTPServiceUnavailable": page(503),
    "HTTPUnprocessableEntity": page(422), "HTTPRequestTimeout": page(408),
    "not_allowed": (405, "GET,POST", "405: Method Not Allowed"),
    "too_large": 413,
}

# aioteach's phrases are RFC 9110's (aioteach/http1/status.py says so); Python's http.HTTPStatus
# took them in 3.13, so on 3.13+ both libraries agree.
AIOTEACH_SERVER_DIFFERS = {
    "HTTPUnprocessableEntity": (422, "text/plain", "422: Unprocessable Content"),
}
