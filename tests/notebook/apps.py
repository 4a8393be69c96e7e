"""Small apps and a bounded poll shared by the notebook tests."""
from __future__ import annotations

import asyncio
from typing import Any, Callable

from aioteach import web


def hello_app(text: str = "hello") -> web.Application:
    """``GET /`` answers ``text``; ``POST /echo`` answers the body; ``GET /slow`` waits 50 ms."""
    async def hello(request: web.Request) -> web.Response:
        return web.Response(text=text)

    async def echo(request: web.Request) -> web.Response:
        return web.Response(body=await request.read(),
                            headers={"X-Seen-Header": request.headers.get("X-Test", "")})

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(0.05)
        return web.Response(text="slow")

    app = web.Application()
    app.router.add_get("/", hello)
    app.router.add_post("/echo", echo)
    app.router.add_get("/slow", slow)
    return app


async def fetch_text(url: str) -> tuple:
    import aioteach
    async with aioteach.ClientSession() as session:
        async with session.get(url) as response:
            return response.status, await response.text()


async def until(condition: Callable[[], Any], what: str, timeout: float = 5.0) -> Any:
    """Poll ``condition`` every 10 ms (yielding to the loop) until it is truthy; bounded."""
    for _ in range(int(timeout / 0.01)):
        value = condition()
        if value:
            return value
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
