"""An independent client: ask an IP-info service about an address, and print the answer.

The client of the short aiohttp tutorial behind lessons 01 and 04, brought up to date.  It
had ``with aiohttp.ClientSession()`` (a session must be entered with ``async with``),
``'...{ip}'.format(ip)`` (a named placeholder needs ``format(ip=ip)``) and
``asyncio.get_event_loop()`` outside a running loop (deprecated).
Here the same program is written twice, as the tutorial's point is *who runs the coroutine*:

* ``asyncio.run(main())``: the modern way: a fresh loop, run to completion, closed;
* ``loop.run_until_complete(...)`` on a loop we create and close ourselves, as the tutorial did.

There is no internet in the classroom, so ipinfo.io is played by a local stand-in: pass
``--server http://127.0.0.1:8080`` to ask a running one (``GET /ipinfo/{ip}``, as served by
``python -m aioteach serve aioteach.demo:make_app`` or examples/hello_server.py), or give no
server and the script starts its own small stand-in on a free port for the duration of the
query.

    python examples/ipinfo_client.py 8.8.8.8
    python examples/ipinfo_client.py 8.8.8.8 --style loop
    python examples/ipinfo_client.py 1.1.1.1 --server http://127.0.0.1:8080

Change ``import aioteach`` / ``from aioteach import web`` to aiohttp and it runs the same.
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
from typing import Optional

import aioteach
from aioteach import web

__all__ = ["query_ipinfo", "main"]


async def query_ipinfo(server: str, ip: str) -> dict:
    """GET {server}/ipinfo/{ip} and return the JSON answer."""
    timeout = aioteach.ClientTimeout(total=10)
    async with aioteach.ClientSession(timeout=timeout) as session:
        url = "{server}/ipinfo/{ip}".format(server=server.rstrip("/"), ip=ip)
        async with session.get(url) as res:
            res.raise_for_status()
            return await res.json()


# -- the stand-in for ipinfo.io ------------------------------------------------------------
async def stand_in_ipinfo(request: web.Request) -> web.Response:
    ip = request.match_info["ip"]
    digest = hashlib.sha256(ip.encode()).digest()       # same address, same answer
    cities = ["Lisbon", "Nairobi", "Osaka", "Quito"]
    return web.json_response({"ip": ip, "city": cities[digest[0] % 4],
                              "org": f"AS{64512 + digest[1]} Stand-in Networks"})


async def ask(ip: str, server: Optional[str]) -> dict:
    """Query ``server``, or a stand-in started here when there is none."""
    if server is not None:
        return await query_ipinfo(server, ip)
    app = web.Application()
    app.router.add_get("/ipinfo/{ip}", stand_in_ipinfo)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        return await query_ipinfo(f"http://127.0.0.1:{port}", ip)
    finally:
        await runner.cleanup()


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description="Ask an IP-info service about an address.")
    parser.add_argument("ip", nargs="?", default="8.8.8.8")
    parser.add_argument("--server", help="base URL of an IP-info stand-in (default: start one)")
    parser.add_argument("--style", choices=["run", "loop"], default="run",
                        help="asyncio.run (default) or loop.run_until_complete")
    args = parser.parse_args(argv)
    if args.style == "run":
        answer = asyncio.run(ask(args.ip, args.server))
    else:
        loop = asyncio.new_event_loop()                 # what the tutorial did, done safely
        try:
            answer = loop.run_until_complete(ask(args.ip, args.server))
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
    print(json.dumps(answer, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
