"""Compression on the fly: response.enable_compression(), undone by the client by itself."""
from aiohttp import web, ClientSession


async def big(request):
    response = web.Response(text="compress me " * 2000)
    response.enable_compression()
    return response


async def stream(request):
    response = web.StreamResponse()
    response.enable_compression()
    await response.prepare(request)
    for n in range(100):
        await response.write(f"line {n} of a long stream\n".encode())
    await response.write_eof()
    return response


async def forced(request):
    response = web.Response(text="always gzip " * 100)
    response.enable_compression(force=web.ContentCoding.gzip)
    return response


async def empty(request):
    response = web.Response(body=b"")
    response.enable_compression()
    return response


def make_app():
    app = web.Application()
    app.router.add_get("/big", big)
    app.router.add_get("/stream", stream)
    app.router.add_get("/forced", forced)
    app.router.add_get("/empty", empty)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        for path in ("/big", "/stream"):
            async with session.get(url + path) as resp:
                text = await resp.text()
                seen[path] = (resp.headers.get("Content-Encoding") in ("gzip", "deflate"),
                              len(text), text[:12])
        async with session.get(url + "/big", headers={"Accept-Encoding": "identity"}) as resp:
            seen["identity"] = (resp.headers.get("Content-Encoding"), len(await resp.read()))
        async with session.get(url + "/forced", headers={"Accept-Encoding": "identity"}) as resp:
            seen["forced"] = (resp.headers.get("Content-Encoding"), len(await resp.text()))
        async with session.get(url + "/empty") as resp:
            seen["empty"] = (resp.status, await resp.read())
        async with session.head(url + "/big") as resp:
            seen["head"] = (resp.status, resp.headers.get("Content-Encoding") is not None,
                            await resp.read())
    return seen


EXPECTED = {
    "/big": (True, 24000, "compress me "),
    "/stream": (True, sum(len(f"line {n} of a long stream\n") for n in range(100)),
                "line 0 of a "),
    "identity": (None, 24000),
    "forced": ("gzip", 1200),
    "empty": (200, b""),
    "head": (200, True, b""),
}
