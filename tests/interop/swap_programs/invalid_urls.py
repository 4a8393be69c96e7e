"""Which exception a bad URL raises, by name: a learner printing type(exc).__name__ sees it."""
from aiohttp import web, ClientSession, ClientError, InvalidURL


async def to_ftp(request):
    return web.Response(status=302, headers={"Location": "ftp://files.example/x"})


async def elsewhere(request):
    # A redirect to a URL that cannot be parsed (HTTPFound itself would refuse to build it).
    return web.Response(status=302, headers={"Location": "http://[broken/"})


def make_app():
    app = web.Application()
    app.router.add_get("/elsewhere", elsewhere)
    app.router.add_get("/to-ftp", to_ftp)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        for bad in ("not a url", "http://", "ftp://files.example/x", url + "/elsewhere",
                    url + "/to-ftp"):
            try:
                async with session.get(bad):
                    seen[bad.replace(url, "")] = "no error"
            except ClientError as exc:
                seen[bad.replace(url, "")] = (type(exc).__name__, isinstance(exc, InvalidURL))
    return seen


EXPECTED = {
    "not a url": ("InvalidUrlClientError", True),
    "http://": ("InvalidUrlClientError", True),
    "ftp://files.example/x": ("NonHttpUrlClientError", False),
    "/elsewhere": ("InvalidUrlRedirectClientError", True),
    "/to-ftp": ("NonHttpUrlRedirectClientError", False),
}

# aioteach's NonHttpUrlClientError is also an InvalidURL, so that ``except InvalidURL`` catches
# every refused URL (its docstring in aioteach/client/errors.py says so).
AIOTEACH_CLIENT_DIFFERS = {
    "ftp://files.example/x": ("NonHttpUrlClientError", True),
    "/to-ftp": ("NonHttpUrlRedirectClientError", True),
}
