"""One endpoint and one client, each written three ways: callbacks, generators, ``async def``.

The staircase of asynchronous Python, on one asyncio loop:

1. callbacks     start an operation, hand it a function to call when it is done.  Waiting for
                 two things at once means counting who is back; errors travel by hand.
2. generators    ``@gen.coroutine`` (tornado's style, here ``aioteach.gen``): the function
                 ``yield``s what it waits for and a runner resumes it; it reads top to bottom.
3. async def     the language does what the runner did: ``await`` instead of ``yield``.

The server answers ``GET /{style}/hello/{name}?lang=fr`` with ``Bonjour, Countess Ada!``
whichever style its handler is written in; the client, whichever style it is written in, reads
status and text the same way.  ``python examples/three_ways.py`` runs every client against
every handler on 127.0.0.1 and prints the table (and, if tornado is installed, against the
same endpoint served by tornado, written with ``@gen.coroutine`` and with ``async def``).

To run it on aiohttp, change the two imports marked below: the rest is aiohttp's API.
"""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Tuple

from aioteach import gen                 # generator coroutines with tornado's names
from aioteach import web                 # the server; on aiohttp: from aiohttp import web
from aioteach import ClientSession       # the client; on aiohttp: from aiohttp import ClientSession

__all__ = ["find_greeting", "find_title", "make_app", "CLIENTS", "STYLES", "main"]

STYLES = ("callbacks", "generator", "native")


# -- two slow lookups, standing in for a database or another service -----------------------
GREETINGS = {"en": "Hello", "fr": "Bonjour", "es": "Hola"}
TITLES = {"ada": "Countess", "grace": "Rear Admiral"}


async def find_greeting(lang: str) -> str:
    await asyncio.sleep(0.001)
    return GREETINGS.get(lang, GREETINGS["en"])


async def find_title(name: str) -> str:
    await asyncio.sleep(0.001)
    return TITLES.get(name.lower(), "")


def greeting_text(greeting: str, title: str, name: str) -> str:
    return f"{greeting}, {title + ' ' if title else ''}{name.capitalize()}!"


# -- the handler, three ways ---------------------------------------------------------------
def hello_with_callbacks(request: web.Request) -> "asyncio.Future[web.Response]":
    """Callbacks: start both lookups; when the second one is back, build the response."""
    name = request.match_info["name"]
    response = asyncio.get_running_loop().create_future()
    lookups = [asyncio.ensure_future(find_greeting(request.query.get("lang", "en"))),
               asyncio.ensure_future(find_title(name))]

    def lookup_done(_: asyncio.Future) -> None:
        if response.done() or not all(f.done() for f in lookups):
            return                                   # still waiting for the other one
        try:
            greeting, title = (f.result() for f in lookups)
        except Exception as exc:                     # errors do not travel by themselves
            response.set_exception(exc)
            return
        response.set_result(web.Response(text=greeting_text(greeting, title, name)))

    for lookup in lookups:
        lookup.add_done_callback(lookup_done)
    return response


async def hello_callbacks(request: web.Request) -> web.Response:
    # Frameworks want a coroutine function; this one hands over the future the callbacks fill.
    return await hello_with_callbacks(request)


@gen.coroutine
def hello_generator(request: web.Request) -> Any:
    """Generators: ``yield`` a list and the runner waits for both (``gen.multi``)."""
    name = request.match_info["name"]
    greeting, title = yield [find_greeting(request.query.get("lang", "en")), find_title(name)]
    return web.Response(text=greeting_text(greeting, title, name))


async def hello_native(request: web.Request) -> web.Response:
    """async def: ``asyncio.gather`` waits for both."""
    name = request.match_info["name"]
    greeting, title = await asyncio.gather(find_greeting(request.query.get("lang", "en")),
                                           find_title(name))
    return web.Response(text=greeting_text(greeting, title, name))


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/callbacks/hello/{name}", hello_callbacks)
    app.router.add_get("/generator/hello/{name}", hello_generator)   # routed like the others
    app.router.add_get("/native/hello/{name}", hello_native)
    return app


# -- the client, three ways: GET a URL, return (status, content type, text) ----------------
Result = Tuple[int, str, str]


def fetch_with_callbacks(session: ClientSession, url: str) -> "asyncio.Future[Result]":
    result = asyncio.get_running_loop().create_future()

    def got_response(request: asyncio.Future) -> None:
        try:
            resp = request.result()
        except Exception as exc:
            result.set_exception(exc)
            return
        asyncio.ensure_future(resp.text()).add_done_callback(
            lambda reading: got_text(resp, reading))

    def got_text(resp: Any, reading: asyncio.Future) -> None:
        try:
            text = reading.result()
        except Exception as exc:
            result.set_exception(exc)
            return
        result.set_result((resp.status, resp.content_type, text))

    asyncio.ensure_future(session.get(url)).add_done_callback(got_response)
    return result


@gen.coroutine
def fetch_with_generator(session: ClientSession, url: str) -> Any:
    resp = yield session.get(url)
    text = yield resp.text()
    return resp.status, resp.content_type, text


async def fetch_native(session: ClientSession, url: str) -> Result:
    async with session.get(url) as resp:
        return resp.status, resp.content_type, await resp.text()


CLIENTS = {"callbacks": fetch_with_callbacks, "generator": fetch_with_generator,
           "native": fetch_native}


# -- the same endpoint on tornado, when it is installed ------------------------------------
def make_tornado_app() -> Any:
    """``/generator/hello/{name}`` and ``/native/hello/{name}`` as tornado RequestHandlers."""
    import tornado.web
    from tornado import gen as tornado_gen

    class HelloGenerator(tornado.web.RequestHandler):
        @tornado_gen.coroutine
        def get(self, name: str) -> Any:
            greeting, title = yield [find_greeting(self.get_argument("lang", "en")),
                                     find_title(name)]
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.write(greeting_text(greeting, title, name))

    class HelloNative(tornado.web.RequestHandler):
        async def get(self, name: str) -> None:
            greeting, title = await asyncio.gather(
                find_greeting(self.get_argument("lang", "en")), find_title(name))
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.write(greeting_text(greeting, title, name))

    return tornado.web.Application([(r"/generator/hello/([^/]+)", HelloGenerator),
                                    (r"/native/hello/([^/]+)", HelloNative)])


async def start_tornado() -> Tuple[Any, int]:
    """Serve ``make_tornado_app()`` on 127.0.0.1, on a free port: (server, port)."""
    import tornado.httpserver
    import tornado.netutil

    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    server = tornado.httpserver.HTTPServer(make_tornado_app())
    server.add_sockets(sockets)
    return server, sockets[0].getsockname()[1]


# -- every client against every handler ----------------------------------------------------
async def run_matrix(base: str, styles: Tuple[str, ...] = STYLES) -> Dict[Tuple[str, str], Result]:
    """{(client style, handler style): (status, content type, text)} for ``base`` URL."""
    results = {}
    async with ClientSession() as session:
        for client_style, fetch in CLIENTS.items():
            for handler_style in styles:
                url = f"{base}/{handler_style}/hello/ada?lang=fr"
                results[client_style, handler_style] = await fetch(session, url)
    return results


async def main() -> None:
    runner = web.AppRunner(make_app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    tables: List[Tuple[str, Dict[Tuple[str, str], Result]]] = []
    try:
        tables.append((f"{web.__name__} on port {port}",
                       await run_matrix(f"http://127.0.0.1:{port}")))
    finally:
        await runner.cleanup()
    try:
        server, tornado_port = await start_tornado()
    except ImportError:
        print("(tornado is not installed: skipping the tornado server)")
    else:
        try:
            tables.append((f"tornado on port {tornado_port}", await run_matrix(
                f"http://127.0.0.1:{tornado_port}", ("generator", "native"))))
        finally:
            server.stop()
            await server.close_all_connections()
    for title, results in tables:
        print(title)
        for (client_style, handler_style), (status, ctype, text) in results.items():
            print(f"  client {client_style:9} -> handler {handler_style:9}: "
                  f"{status} {ctype} {text!r}")


if __name__ == "__main__":
    asyncio.run(main())
