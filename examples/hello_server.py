"""The server of the short aiohttp tutorial that lesson 01 starts from, brought up to date.

Its routes are /hello/{name}, /echo and POST /ip.  The tutorial's version did not run:
``request.GET``/``request.POST`` are gone (today they are ``request.query`` and ``await
request.post()``), the client session was entered with ``with`` instead of ``async with``,
``'...{ip}'.format(ip)`` needs ``format(ip=ip)``, and ``aiohttp`` was used without being
imported.  Here is the working program::

    python examples/hello_server.py                 # also starts the ipinfo stand-in
    curl http://127.0.0.1:8080/hello/Ann
    curl "http://127.0.0.1:8080/echo?name=Ann" --data "hi there"
    curl http://127.0.0.1:8080/ip --data ip=8.8.8.8

``POST /ip`` asks an IP-info service with ``aioteach.ClientSession``: a server that is also a
client.  ``make_app`` alone, as in ``python -m aioteach serve examples.hello_server:make_app``
(run from the repository's folder), asks the server's own ``/ipinfo`` route.  There is no internet in the classroom, so the service is the local stand-in
(``examples/ipinfo_standin.py``): set ``IPINFO_URL`` (or ``--ipinfo``) to use one that is
already running; otherwise this script starts one on ``--ipinfo-port`` (8081).  This server
also answers ``GET /ipinfo/{ip}`` itself, so ``examples/ipinfo_client.py`` can ask it.

Change ``aioteach`` to ``aiohttp`` in the imports and it runs the same on aiohttp.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Optional

import aioteach
from aioteach import web

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ipinfo_standin import lookup, make_standin_app  # noqa: E402

__all__ = ["make_app", "main", "IPINFO_URL"]

IPINFO_URL = web.AppKey("ipinfo_url", str)


async def hello(request: web.Request) -> web.Response:
    name = request.match_info.get("name", "Anonymous")
    return web.Response(text=f"Hello, {name}")


async def echo(request: web.Request) -> web.Response:
    name = request.query.get("name", "Anonymous")    # the tutorial's request.GET['name']
    message = await request.text()
    return web.Response(text=f"{name} wrote: {message}")


async def query_ipinfo(base_url: str, ip: str) -> str:
    timeout = aioteach.ClientTimeout(total=10)
    async with aioteach.ClientSession(timeout=timeout) as session:
        url = "{base}/ipinfo/{ip}".format(base=base_url.rstrip("/"), ip=ip)
        async with session.get(url) as res:
            return await res.text()


async def ip_query(request: web.Request) -> web.Response:
    form = await request.post()                      # the tutorial's request.POST
    ip = form.get("ip")
    if not ip:
        raise web.HTTPBadRequest(text="post a form field 'ip', e.g. ip=8.8.8.8")
    try:
        base = request.app[IPINFO_URL] or f"{request.scheme}://{request.host}"   # or ourselves
        text = await query_ipinfo(base, str(ip))
    except aioteach.ClientError as exc:
        raise web.HTTPBadGateway(text=f"the IP-info service did not answer: {exc}")
    return web.Response(text=text, content_type="application/json")


def make_app(ipinfo_url: Optional[str] = None) -> web.Application:
    """The app; without ``ipinfo_url`` it asks its own ``/ipinfo/{ip}`` route."""
    app = web.Application()
    app[IPINFO_URL] = ipinfo_url or ""
    app.router.add_get("/hello/{name}", hello)
    app.router.add_get("/echo", echo)
    app.router.add_post("/echo", echo)
    app.router.add_post("/ip", ip_query)
    app.router.add_get("/ipinfo/{ip}", lookup)
    return app


async def serve_both(host: str, port: int, ipinfo_url: Optional[str],
                     ipinfo_port: int) -> None:
    """Start the stand-in (unless one is given) and the server, until cancelled."""
    runners = []
    try:
        if ipinfo_url is None:
            standin = web.AppRunner(make_standin_app())
            await standin.setup()
            runners.append(standin)
            await web.TCPSite(standin, host, ipinfo_port).start()
            ipinfo_url = f"http://{host}:{standin.addresses[0][1]}"
            print(f"ipinfo stand-in on {ipinfo_url}", flush=True)
        runner = web.AppRunner(make_app(ipinfo_url))
        await runner.setup()
        runners.append(runner)
        await web.TCPSite(runner, host, port).start()
        print(f"======== Running on http://{host}:{runner.addresses[0][1]} ========",
              flush=True)
        await asyncio.Event().wait()                 # until Ctrl+C
    finally:
        for runner in reversed(runners):
            await runner.cleanup()


def main(argv: Optional[list] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--ipinfo", default=os.environ.get("IPINFO_URL"),
                        help="base URL of a running IP-info stand-in (env IPINFO_URL)")
    parser.add_argument("--ipinfo-port", type=int, default=8081)
    args = parser.parse_args(argv)
    try:
        asyncio.run(serve_both(args.host, args.port, args.ipinfo, args.ipinfo_port))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
