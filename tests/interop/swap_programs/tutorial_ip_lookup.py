"""The seed tutorial's server: /hello/{name}, /echo, and POST /ip, which is a client too.

POST /ip asks an IP-information service with a ClientSession of its own; the service here is
the same app's /ipinfo/{ip}, reached through the request's own origin and a named route.
"""
from aiohttp import web, ClientSession, ClientTimeout

PLACES = {"8.8.8.8": "Mountain View", "1.1.1.1": "Sydney"}


async def hello(request):
    return web.Response(text="Hello, " + request.match_info.get("name", "Anonymous"))


async def echo(request):
    name = request.query.get("name", "Anonymous")
    return web.Response(text=f"{name} wrote: {await request.text()}")


async def ipinfo(request):
    ip = request.match_info["ip"]
    if ip not in PLACES:
        raise web.HTTPNotFound(text=f"unknown address {ip}")
    return web.json_response({"ip": ip, "city": PLACES[ip]})


async def ip_query(request):
    form = await request.post()
    path = request.app.router["ipinfo"].url_for(ip=form["ip"])
    service = request.url.origin().join(path)
    async with ClientSession(timeout=ClientTimeout(total=10)) as session:
        async with session.get(service) as res:
            if res.status != 200:
                return web.Response(status=502, text=f"lookup failed: {await res.text()}")
            info = await res.json()
    return web.Response(text=f"{info['ip']} is in {info['city']}")


def make_app():
    app = web.Application()
    app.router.add_get("/hello", hello)
    app.router.add_get("/hello/{name}", hello)
    app.router.add_post("/echo", echo)
    app.router.add_get("/ipinfo/{ip}", ipinfo, name="ipinfo")
    app.router.add_post("/ip", ip_query)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        async with session.get(url + "/hello/Ann") as resp:
            seen["hello"] = await resp.text()
        async with session.post(url + "/echo?name=Ann", data="hi there") as resp:
            seen["echo"] = await resp.text()
        for ip in ("8.8.8.8", "10.0.0.1"):
            async with session.post(url + "/ip", data={"ip": ip}) as resp:
                seen[ip] = (resp.status, await resp.text())
    return seen


EXPECTED = {
    "hello": "Hello, Ann",
    "echo": "Ann wrote: hi there",
    "8.8.8.8": (200, "8.8.8.8 is in Mountain View"),
    "10.0.0.1": (502, "lookup failed: unknown address 10.0.0.1"),
}
