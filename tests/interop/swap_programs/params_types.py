"""What ``params=`` accepts: numbers, lists for repeated keys, a string; not True or None."""
from aiohttp import web, ClientSession


async def echo(request):
    return web.json_response({"raw": request.query_string,
                              "pairs": [list(p) for p in request.query.items()]})


def make_app():
    app = web.Application()
    app.router.add_get("/echo", echo)
    return app


async def client(url):
    seen = {}
    attempts = {
        "numbers": {"page": 2, "ratio": 0.5},
        "list_value": {"tag": ["a", "b"]},
        "tuple_pairs": (("q", "x"), ("q", "y")),
        "string": "already=encoded&b=%20",
        "boolean": {"flag": True},
        "none_value": {"gone": None},
    }
    async with ClientSession() as session:
        for label, params in attempts.items():
            try:
                async with session.get(url + "/echo", params=params) as resp:
                    seen[label] = await resp.json()
            except TypeError:
                seen[label] = "TypeError"
    return seen


EXPECTED = {
    "numbers": {"raw": "page=2&ratio=0.5", "pairs": [["page", "2"], ["ratio", "0.5"]]},
    "list_value": {"raw": "tag=a&tag=b", "pairs": [["tag", "a"], ["tag", "b"]]},
    "tuple_pairs": {"raw": "q=x&q=y", "pairs": [["q", "x"], ["q", "y"]]},
    # aiohttp (yarl) escapes the "%" of a str query again: the server gets the text "%20".
    "string": {"raw": "already=encoded&b=%20", "pairs": [["already", "encoded"], ["b", "%20"]]},
    "boolean": "TypeError",
    "none_value": "TypeError",
}

# aioteach keeps a str query's escapes as they are (URL.with_query's docstring says so).
AIOTEACH_CLIENT_DIFFERS = {
    "string": {"raw": "already=encoded&b= ", "pairs": [["already", "encoded"], ["b", " "]]},
}
