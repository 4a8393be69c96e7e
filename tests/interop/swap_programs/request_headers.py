"""The headers a client sends: session defaults, per-request overrides, skip_auto_headers."""
from aiohttp import web, ClientSession


async def echo(request):
    headers = request.headers
    return web.json_response({
        "x_app": headers.getall("X-App", []),
        "accept": headers.get("Accept"),
        "has_user_agent": "User-Agent" in headers,
        "content_type": headers.get("Content-Type"),
        "host_has_port": ":" in headers.get("Host", ""),
    })


def make_app():
    app = web.Application()
    app.router.add_route("*", "/echo", echo)
    return app


async def client(url):
    seen = {}
    async with ClientSession(headers={"X-App": "lesson", "Accept": "application/json"}) as s:
        async with s.get(url + "/echo") as resp:
            seen["defaults"] = await resp.json()
        async with s.get(url + "/echo", headers={"Accept": "text/plain"}) as resp:
            seen["override"] = await resp.json()
        async with s.post(url + "/echo", data=b"raw", skip_auto_headers=["User-Agent"]) as resp:
            seen["skipped"] = await resp.json()
        seen["session_headers"] = dict(s.headers)
    return seen


EXPECTED = {
    "defaults": {"x_app": ["lesson"], "accept": "application/json", "has_user_agent": True,
                 "content_type": None, "host_has_port": True},
    "override": {"x_app": ["lesson"], "accept": "text/plain", "has_user_agent": True,
                 "content_type": None, "host_has_port": True},
    "skipped": {"x_app": ["lesson"], "accept": "application/json", "has_user_agent": False,
                "content_type": "application/octet-stream", "host_has_port": True},
    "session_headers": {"X-App": "lesson", "Accept": "application/json"},
}
