"""JSON at the edges: an empty body, a JSON list, unicode, custom loads/dumps, json in GET."""
import json

from aiohttp import web, ClientSession


async def parse(request):
    try:
        data = await request.json()
    except json.JSONDecodeError as exc:
        return web.json_response({"error": type(exc).__name__}, status=400)
    return web.json_response({"type": type(data).__name__, "data": data})


async def listing(request):
    return web.json_response(["a", 1, None, True, {"é": "ü"}])


async def text_json(request):
    return web.Response(text='{"n": 1}', content_type="application/json")


def make_app():
    app = web.Application()
    app.router.add_post("/parse", parse)
    app.router.add_get("/list", listing)
    app.router.add_get("/text-json", text_json)
    return app


async def client(url):
    seen = {}
    async with ClientSession(json_serialize=lambda o: json.dumps(o, sort_keys=True)) as session:
        async with session.post(url + "/parse", data=b"") as resp:
            seen["empty"] = (resp.status, await resp.json())
        async with session.post(url + "/parse", json=[3, 2, 1]) as resp:
            seen["list"] = await resp.json()
        async with session.post(url + "/parse", json={"b": 1, "a": "ö"}) as resp:
            seen["dict"] = await resp.json()
        async with session.get(url + "/list") as resp:
            seen["listing"] = (resp.content_type, resp.charset, await resp.json(),
                               await resp.json(loads=lambda s: len(s)))
        async with session.get(url + "/text-json") as resp:
            seen["text_json"] = (resp.content_type, resp.charset, await resp.json())
    return seen


EXPECTED = {
    "empty": (400, {"error": "JSONDecodeError"}),
    "list": {"type": "list", "data": [3, 2, 1]},
    "dict": {"type": "dict", "data": {"b": 1, "a": "ö"}},
    "listing": ("application/json", "utf-8", ["a", 1, None, True, {"é": "ü"}], 42),  # \u-escaped
    "text_json": ("application/json", "utf-8", {"n": 1}),
}
