"""Reading a body three ways: request.read() bytes, request.text() and what the request says."""
from aiohttp import web, ClientSession


async def inspect(request):
    unread = request.can_read_body               # True until the body has been read
    raw = await request.read()
    text = await request.text()                  # the same body again: it is kept
    return web.json_response({
        "method": request.method,
        "length": request.content_length,
        "can_read_body": [unread, request.can_read_body],
        "body_exists": request.body_exists,
        "charset": request.charset,
        "bytes": len(raw),
        "text": text,
    })


def make_app():
    app = web.Application()
    app.router.add_route("*", "/inspect", inspect)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        async with session.post(url + "/inspect", data="héllo".encode("utf-8")) as resp:
            seen["bytes"] = await resp.json()
        async with session.put(url + "/inspect", data="wörld".encode("latin-1"),
                               headers={"Content-Type": "text/plain; charset=latin-1"}) as resp:
            seen["latin1"] = await resp.json()
        async with session.get(url + "/inspect") as resp:
            seen["empty"] = await resp.json()
    return seen


EXPECTED = {
    "bytes": {"method": "POST", "length": 6, "can_read_body": [True, False], "body_exists": True,
              "charset": None, "bytes": 6, "text": "héllo"},
    "latin1": {"method": "PUT", "length": 5, "can_read_body": [True, False], "body_exists": True,
               "charset": "latin-1", "bytes": 5, "text": "wörld"},
    "empty": {"method": "GET", "length": None, "can_read_body": [False, False],
              "body_exists": False, "charset": None, "bytes": 0, "text": ""},
}
