"""Streaming both ways: the client uploads from an async generator, the server reads chunks."""
from aiohttp import web, ClientSession


async def count(request):
    total, chunks = 0, 0
    async for chunk in request.content.iter_chunked(4096):
        assert len(chunk) <= 4096
        total += len(chunk)
        chunks += 1
    return web.json_response({"bytes": total, "several_chunks": chunks > 1,
                              "chunked": request.headers.get("Transfer-Encoding"),
                              "length": request.content_length})


async def lines(request):
    seen = []
    while True:
        line = await request.content.readline()
        if not line:
            break
        seen.append(line.decode().rstrip("\n"))
    return web.json_response(seen)


def make_app():
    app = web.Application()
    app.router.add_post("/count", count)
    app.router.add_post("/lines", lines)
    return app


async def numbers():
    for n in range(1000):
        yield f"{n:04d}\n".encode() * 10          # 50 bytes a piece, 50 kB in all


async def three_lines():
    yield b"first\nsec"
    yield b"ond\n"
    yield b"third"


async def client(url):
    seen = {}
    async with ClientSession() as session:
        async with session.post(url + "/count", data=numbers()) as resp:
            seen["generator"] = await resp.json()
        async with session.post(url + "/count", data=b"z" * 50_000) as resp:
            seen["bytes"] = await resp.json()
        async with session.post(url + "/lines", data=three_lines()) as resp:
            seen["lines"] = await resp.json()
    return seen


EXPECTED = {
    "generator": {"bytes": 50_000, "several_chunks": True, "chunked": "chunked", "length": None},
    "bytes": {"bytes": 50_000, "several_chunks": True, "chunked": None, "length": 50_000},
    "lines": ["first", "second", "third"],
}
