"""A local stand-in for ipinfo.io: the classroom has no internet, so this plays the service.

It answers ``GET /ipinfo/{ip}`` (and ``GET /{ip}``, the shape of ipinfo.io's own URLs) with a
small JSON object that is always the same for the same address, so lessons and tests can
predict it::

    python examples/ipinfo_standin.py --port 8081
    curl http://127.0.0.1:8081/ipinfo/8.8.8.8
"""
from __future__ import annotations

import argparse
import hashlib
import ipaddress
from typing import Optional

from aioteach import web

__all__ = ["describe_ip", "lookup", "make_standin_app", "main"]

CITIES = ["Lisbon", "Nairobi", "Osaka", "Quito"]


def describe_ip(ip: str) -> dict:
    """Made-up but stable facts about ``ip`` (a hash picks them)."""
    digest = hashlib.sha256(ip.encode()).digest()
    return {"ip": ip, "city": CITIES[digest[0] % len(CITIES)],
            "org": f"AS{64512 + digest[1]} Stand-in Networks"}


async def lookup(request: web.Request) -> web.Response:
    ip = request.match_info["ip"]
    try:
        ipaddress.ip_address(ip)
    except ValueError:
        raise web.HTTPBadRequest(text=f"{ip!r} is not an IP address")
    return web.json_response(describe_ip(ip))


def make_standin_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/ipinfo/{ip}", lookup)
    app.router.add_get("/{ip}", lookup)
    return app


def main(argv: Optional[list] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    args = parser.parse_args(argv)
    web.run_app(make_standin_app(), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
