"""aioteach's client against independent servers: tornado and the standard library's http.server.

(aiohttp's server is a peer of every test in tests/client/, through the ``base_url`` fixture.)
"""
from __future__ import annotations

import asyncio
import gzip
import http.server
import json
import threading

import pytest

import aioteach
from aioteach import ClientSession, CookieJar
from tests.support import require

pytestmark = pytest.mark.peer


# -- tornado -----------------------------------------------------------------------------
@pytest.fixture
async def tornado_url():
    tornado_web = require("tornado.web")
    httpserver = require("tornado.httpserver")
    netutil = require("tornado.netutil")

    class Hello(tornado_web.RequestHandler):
        def get(self):
            self.write("hello " + self.get_argument("name", "tornado"))

    class Echo(tornado_web.RequestHandler):
        def post(self):
            self.write({"body": self.request.body.decode(),
                        "type": self.request.headers.get("Content-Type"),
                        "form": {k: self.get_body_argument(k) for k in
                                 self.request.body_arguments}})

    class Redirect(tornado_web.RequestHandler):
        def get(self):
            self.redirect("/hello?name=redirected", status=301)

    class Cookie(tornado_web.RequestHandler):
        def get(self):
            self.set_cookie("flavour", "oat")
            self.write(self.get_cookie("flavour", "none"))

    class Stream(tornado_web.RequestHandler):
        async def get(self):
            for i in range(3):
                self.write(f"part {i};")
                await self.flush()               # chunked on the wire

    class Big(tornado_web.RequestHandler):
        def get(self):
            self.write("compressible text " * 5000)

    app = tornado_web.Application([
        (r"/hello", Hello), (r"/echo", Echo), (r"/redirect", Redirect), (r"/cookie", Cookie),
        (r"/stream", Stream), (r"/big", Big)], compress_response=True)
    sockets = netutil.bind_sockets(0, "127.0.0.1")
    server = httpserver.HTTPServer(app)
    server.add_sockets(sockets)
    port = sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.stop()
    await server.close_all_connections()


async def test_tornado_get_post_redirect_cookies(tornado_url):
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as session:
        async with session.get(f"{tornado_url}/hello", params={"name": "ann"}) as resp:
            assert await resp.text() == "hello ann"
        async with session.post(f"{tornado_url}/echo", data={"a": "1", "b": "x y"}) as resp:
            echoed = await resp.json()
        assert echoed["form"] == {"a": "1", "b": "x y"}
        assert echoed["type"] == "application/x-www-form-urlencoded"
        async with session.post(f"{tornado_url}/echo", json={"k": [1]}) as resp:
            assert json.loads((await resp.json())["body"]) == {"k": [1]}
        async with session.get(f"{tornado_url}/redirect") as resp:
            assert [r.status for r in resp.history] == [301]
            assert await resp.text() == "hello redirected"
        async with session.get(f"{tornado_url}/cookie") as resp:
            assert await resp.text() == "none"
        async with session.get(f"{tornado_url}/cookie") as resp:
            assert await resp.text() == "oat"


async def test_tornado_chunked_and_gzip(tornado_url):
    async with ClientSession() as session:
        async with session.get(f"{tornado_url}/stream") as resp:
            assert resp.headers.get("Transfer-Encoding") == "chunked"
            assert await resp.text() == "part 0;part 1;part 2;"
        async with session.get(f"{tornado_url}/big") as resp:
            assert resp.headers["Content-Encoding"] == "gzip"
            assert await resp.text() == "compressible text " * 5000


async def test_tornado_concurrent_requests_share_the_pool(tornado_url):
    async with ClientSession(connector=aioteach.TCPConnector(limit=5)) as session:
        async def one(i):
            async with session.get(f"{tornado_url}/hello", params={"name": str(i)}) as resp:
                return await resp.text()
        assert await asyncio.gather(*[one(i) for i in range(40)]) == [
            f"hello {i}" for i in range(40)]


# -- http.server in a thread -------------------------------------------------------------
class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"            # keep-alive (the default 1.0 closes every time)
    connections = 0

    def setup(self):
        type(self).connections += 1
        super().setup()

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/gzip":
            body = gzip.compress(b"from the standard library")
            self.send_response(200)
            self.send_header("Content-Encoding", "gzip")
        elif self.path == "/close":
            body = b"closing"
            self.send_response(200)
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            body = f"GET {self.path}".encode()
            self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(201)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def stdlib_url():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    _Handler.connections = 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(10)


async def test_http_server_keep_alive_and_bodies(stdlib_url):
    async with ClientSession() as session:
        for i in range(5):
            async with session.get(f"{stdlib_url}/n/{i}") as resp:
                assert await resp.text() == f"GET /n/{i}"
        async with session.put(f"{stdlib_url}/put", data=b"x" * 100_000) as resp:
            assert (resp.status, len(await resp.read())) == (201, 100_000)
        async with session.get(f"{stdlib_url}/gzip") as resp:
            assert await resp.text() == "from the standard library"
    assert _Handler.connections == 1


async def test_http_server_connection_close(stdlib_url):
    async with ClientSession() as session:
        for _ in range(3):
            async with session.get(f"{stdlib_url}/close") as resp:
                assert await resp.text() == "closing"
    assert _Handler.connections == 3
