"""Streaming: a StreamResponse written piece by piece, read with content.iter_chunked()."""
import asyncio

from aiohttp import web, ClientSession


async def countdown(request):
    response = web.StreamResponse(headers={"Content-Type": "text/plain"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    for n in range(5, 0, -1):
        await response.write(f"{n}...\n".encode())
        await asyncio.sleep(0)
    await response.write(b"liftoff\n")
    await response.write_eof()
    return response


async def sized(request):
    body = b"x" * 100_000
    response = web.StreamResponse()
    response.content_length = len(body)
    response.content_type = "application/octet-stream"
    await response.prepare(request)
    for start in range(0, len(body), 8192):
        await response.write(body[start:start + 8192])
    return response


def make_app():
    app = web.Application()
    app.router.add_get("/countdown", countdown)
    app.router.add_get("/sized", sized)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        async with session.get(url + "/countdown") as resp:
            chunks = [chunk async for chunk in resp.content.iter_chunked(4)]
            seen["countdown"] = (resp.status, resp.headers.get("Transfer-Encoding"),
                                 resp.content_length, b"".join(chunks).decode(),
                                 max(len(c) for c in chunks) <= 4)
        async with session.get(url + "/countdown") as resp:
            seen["lines"] = [line async for line in resp.content]
        async with session.get(url + "/sized") as resp:
            total = 0
            async for chunk in resp.content.iter_chunked(1000):
                assert len(chunk) <= 1000
                total += len(chunk)
            seen["sized"] = (resp.status, resp.content_length,
                             resp.headers.get("Transfer-Encoding"), total)
    return seen


EXPECTED = {
    "countdown": (200, "chunked", None, "5...\n4...\n3...\n2...\n1...\nliftoff\n", True),
    "lines": [b"5...\n", b"4...\n", b"3...\n", b"2...\n", b"1...\n", b"liftoff\n"],
    "sized": (200, 100_000, None, 100_000),
}
