"""Query strings: request.query is a MultiDict; the client builds them from dicts or pairs."""
from aiohttp import web, ClientSession


async def search(request):
    query = request.query
    return web.json_response({
        "q": query.get("q"),
        "page": int(query.get("page", "1")),
        "tags": query.getall("tag", []),
        "missing": query.get("nope", "default"),
        "keys": list(query.keys()),        # a MultiDict's keys() names each key once
        "raw": request.query_string,       # decoded, except "&" and "=" inside values
    })


def make_app():
    app = web.Application()
    app.router.add_get("/search", search)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        requests = {
            "dict": {"params": {"q": "asyncio", "page": "3"}},
            "pairs": {"params": [("tag", "a"), ("tag", "b c"), ("q", "Zoë & co")]},
            "none": {},
        }
        for label, kwargs in requests.items():
            async with session.get(url + "/search", **kwargs) as resp:
                seen[label] = await resp.json()
        async with session.get(url + "/search?tag=x&tag=y&page=5") as resp:
            seen["in_url"] = await resp.json()
    return seen


EXPECTED = {
    "dict": {"q": "asyncio", "page": 3, "tags": [], "missing": "default",
             "keys": ["q", "page"], "raw": "q=asyncio&page=3"},
    "pairs": {"q": "Zoë & co", "page": 1, "tags": ["a", "b c"], "missing": "default",
              "keys": ["tag", "q"], "raw": "tag=a&tag=b c&q=Zoë %26 co"},
    "none": {"q": None, "page": 1, "tags": [], "missing": "default", "keys": [], "raw": ""},
    "in_url": {"q": None, "page": 5, "tags": ["x", "y"], "missing": "default",
               "keys": ["tag", "page"], "raw": "tag=x&tag=y&page=5"},
}
