"""The body as a stream: read(n), readexactly, readany, iter_any, iter_chunks, and gzip kept."""
import gzip

from aiohttp import web, ClientSession


async def digits(request):
    return web.Response(body=b"0123456789" * 100)


async def chunks(request):
    response = web.StreamResponse()
    response.enable_chunked_encoding()
    await response.prepare(request)
    for piece in (b"alpha", b"beta", b"gamma"):
        await response.write(piece)
    await response.write_eof()
    return response


async def zipped(request):
    return web.Response(body=gzip.compress(b"zipped text"), content_type="text/plain",
                        headers={"Content-Encoding": "gzip"})


async def expect_continue(request):
    return web.Response(text=f"got {len(await request.read())} bytes")


def make_app():
    app = web.Application()
    app.router.add_get("/digits", digits)
    app.router.add_get("/chunks", chunks)
    app.router.add_get("/zipped", zipped)
    app.router.add_post("/expect", expect_continue)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        async with session.get(url + "/digits") as resp:
            first = await resp.content.read(5)
            exact = await resp.content.readexactly(7)
            some = await resp.content.readany()
            rest = b"".join([chunk async for chunk in resp.content.iter_any()])
            seen["digits"] = (first, exact, len(first + exact + some + rest),
                              resp.content.at_eof())
        async with session.get(url + "/chunks") as resp:
            data = b""
            async for piece, _end_of_chunk in resp.content.iter_chunks():
                data += piece
            seen["chunks"] = data
        async with session.get(url + "/zipped", auto_decompress=False) as resp:
            seen["kept_gzip"] = gzip.decompress(await resp.read())
    async with ClientSession(auto_decompress=False) as session:
        async with session.get(url + "/zipped") as resp:
            seen["session_kept_gzip"] = (await resp.read())[:2]
    async with ClientSession() as session:
        async with session.post(url + "/expect", data=b"x" * 5000, expect100=True) as resp:
            seen["expect100"] = (resp.status, await resp.text())
    return seen


EXPECTED = {
    "digits": (b"01234", b"5678901", 1000, True),
    "chunks": b"alphabetagamma",
    "kept_gzip": b"zipped text",
    "session_kept_gzip": b"\x1f\x8b",
    "expect100": (200, "got 5000 bytes"),
}
