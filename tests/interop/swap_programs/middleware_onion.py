"""Three middlewares make an onion: each wraps the next, in the order they are listed."""
from aiohttp import web, ClientSession


def tracer(label):
    @web.middleware
    async def middleware(request, handler):
        request["trail"].append(f"{label} in")
        response = await handler(request)
        request["trail"].append(f"{label} out")
        response.headers[f"X-{label}"] = "seen"
        return response
    return middleware


@web.middleware
async def start_trail(request, handler):
    request["trail"] = []
    response = await handler(request)
    response.headers["X-Trail"] = " > ".join(request["trail"])
    return response


async def hello(request):
    request["trail"].append("handler")
    return web.Response(text="hello")


def make_app():
    app = web.Application(middlewares=[start_trail, tracer("Outer"), tracer("Middle"),
                                       tracer("Inner")])
    app.router.add_get("/", hello)
    return app


async def client(url):
    async with ClientSession() as session:
        async with session.get(url + "/") as resp:
            return {"status": resp.status, "body": await resp.text(),
                    "trail": resp.headers["X-Trail"],
                    "marks": [resp.headers.get(f"X-{n}") for n in ("Outer", "Middle", "Inner")]}


EXPECTED = {
    "status": 200,
    "body": "hello",
    "trail": "Outer in > Middle in > Inner in > handler > Inner out > Middle out > Outer out",
    "marks": ["seen", "seen", "seen"],
}
