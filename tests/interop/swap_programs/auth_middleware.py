"""An authentication middleware: Basic credentials checked before the handler, 401 otherwise."""
from aiohttp import web, ClientSession, BasicAuth

USERS = {"ann": "s3cret"}
PUBLIC = {"/", "/health"}


@web.middleware
async def require_login(request, handler):
    if request.path in PUBLIC:
        return await handler(request)
    header = request.headers.get("Authorization", "")
    try:
        credentials = BasicAuth.decode(header)
    except ValueError:
        credentials = None
    if credentials is None or USERS.get(credentials.login) != credentials.password:
        raise web.HTTPUnauthorized(headers={"WWW-Authenticate": 'Basic realm="lesson"'})
    request["user"] = credentials.login
    return await handler(request)


async def home(request):
    return web.Response(text="welcome")


async def secret(request):
    return web.Response(text=f"hello {request['user']}")


def make_app():
    app = web.Application(middlewares=[require_login])
    app.router.add_get("/", home)
    app.router.add_get("/secret", secret)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        async with session.get(url + "/") as resp:
            seen["public"] = (resp.status, await resp.text())
        async with session.get(url + "/secret") as resp:
            seen["anonymous"] = (resp.status, resp.headers.get("WWW-Authenticate"))
        async with session.get(url + "/secret", auth=BasicAuth("ann", "wrong")) as resp:
            seen["wrong"] = resp.status
        async with session.get(url + "/secret", auth=BasicAuth("ann", "s3cret")) as resp:
            seen["right"] = (resp.status, await resp.text())
    async with ClientSession(auth=BasicAuth("ann", "s3cret")) as session:
        async with session.get(url + "/secret") as resp:
            seen["session_auth"] = (resp.status, await resp.text())
    return seen


EXPECTED = {
    "public": (200, "welcome"),
    "anonymous": (401, 'Basic realm="lesson"'),
    "wrong": 401,
    "right": (200, "hello ann"),
    "session_auth": (200, "hello ann"),
}
