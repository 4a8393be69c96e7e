"""One test application, written once against aiohttp.web's API.

``make_app(web)`` builds it with whichever ``web`` module it is given: aioteach's or
aiohttp's.  The client tests run against both, which is the project's promise in miniature.
"""
from __future__ import annotations

import contextlib
import gzip
import zlib
from typing import Any, AsyncIterator

__all__ = ["make_app", "serve_app"]


def make_app(web: Any) -> Any:
    routes = web.RouteTableDef()

    @routes.get("/hello")
    async def hello(request: Any) -> Any:
        return web.Response(text="hello " + request.query.get("name", "world"))

    @routes.route("*", "/echo")
    async def echo(request: Any) -> Any:
        body = await request.read()
        return web.json_response({
            "method": request.method,
            "path_qs": request.path_qs,
            "query": list(request.query.items()),
            "headers": list(request.headers.items()),
            "body": body.decode("latin-1"),
        })

    @routes.route("*", "/redirect/{code}")
    async def redirect(request: Any) -> Any:
        await request.read()
        code = int(request.match_info["code"])
        return web.Response(status=code, headers={"Location": request.query.get("to", "/echo")})

    @routes.get("/loop/{n}")
    async def loop(request: Any) -> Any:
        n = int(request.match_info["n"])
        return web.Response(status=302, headers={"Location": f"/loop/{n + 1}"})

    @routes.get("/cookies/set")
    async def set_cookies(request: Any) -> Any:
        response = web.Response(text="set")
        for name, value in request.query.items():
            response.set_cookie(name, value)
        return response

    @routes.get("/cookies/set-path")
    async def set_path_cookie(request: Any) -> Any:
        response = web.Response(text="set")
        response.set_cookie("scoped", "yes", path="/cookies/scoped")
        return response

    @routes.get("/cookies/delete")
    async def delete_cookie(request: Any) -> Any:
        response = web.Response(text="deleted")
        response.del_cookie(request.query["name"])
        return response

    @routes.get("/cookies")
    @routes.get("/cookies/scoped")
    async def show_cookies(request: Any) -> Any:
        return web.json_response(dict(request.cookies))

    @routes.get("/gzip")
    async def gzipped(request: Any) -> Any:
        return web.Response(body=gzip.compress(b"squeezed " * 1000),
                            headers={"Content-Encoding": "gzip", "Content-Type": "text/plain"})

    @routes.get("/deflate")
    async def deflated(request: Any) -> Any:
        return web.Response(body=zlib.compress(b"deflated " * 1000),
                            headers={"Content-Encoding": "deflate", "Content-Type": "text/plain"})

    @routes.get("/status/{code}")
    async def status(request: Any) -> Any:
        return web.Response(status=int(request.match_info["code"]), text="status")

    @routes.get("/big")
    async def big(request: Any) -> Any:
        return web.Response(body=bytes(range(256)) * 4096)       # 1 MiB

    @routes.get("/stream")
    async def stream(request: Any) -> Any:
        response = web.StreamResponse()
        response.content_type = "text/plain"
        await response.prepare(request)
        for i in range(5):
            await response.write(f"line {i}\n".encode())
        await response.write_eof()
        return response

    @routes.get("/json")
    async def json_body(request: Any) -> Any:
        return web.json_response({"answer": 42, "text": "ünïcode"})

    @routes.get("/html")
    async def html(request: Any) -> Any:
        return web.Response(text="<p>not json</p>", content_type="text/html")

    @routes.get("/latin1")
    async def latin1(request: Any) -> Any:
        return web.Response(body="café".encode("latin-1"),
                            headers={"Content-Type": "text/plain; charset=iso-8859-1"})

    app = web.Application()
    app.add_routes(routes)
    return app


@contextlib.asynccontextmanager
async def serve_app(web: Any, app: Any, ssl_context: Any = None) -> AsyncIterator[str]:
    """Run ``app`` on 127.0.0.1 port 0 with ``web``'s runner; yield its base URL."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
    await site.start()
    port = runner.addresses[0][1]
    scheme = "https" if ssl_context else "http"
    try:
        yield f"{scheme}://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
