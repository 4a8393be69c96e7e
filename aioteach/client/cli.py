"""``python -m aioteach get URL [-i]``: fetch a URL and print it, like a tiny curl.

Theory of operation: one ``ClientSession`` request under ``asyncio.run``; the body goes to
standard output as bytes (whatever its encoding), and ``-i`` prints the status line and the
response's header fields first, as they came.  A failure (refused connection, timeout, bad
URL) is one line on standard error and exit status 1, never a traceback; an HTTP error status
is still printed, since the answer is what you asked to see (like curl without ``--fail``).
"""
from __future__ import annotations

import asyncio
import sys
from typing import Any

from .errors import ClientError
from .session import ClientSession
from .timeouts import ClientTimeout

__all__ = ["get_command", "fetch"]


async def fetch(url: str, include: bool = False, out: Any = None) -> int:
    """Fetch ``url`` and write it to ``out`` (standard output's bytes by default)."""
    out = out if out is not None else sys.stdout.buffer
    async with ClientSession(timeout=ClientTimeout(total=60, sock_connect=10)) as session:
        async with session.get(url) as resp:
            body = await resp.read()
            if include:
                version = resp.version or (1, 1)
                head = [f"HTTP/{version[0]}.{version[1]} {resp.status} {resp.reason}"]
                head += [f"{name}: {value}" for name, value in resp.headers.items()]
                out.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
            out.write(body)
            out.flush()
    return 0


def get_command(args: Any) -> int:
    """The ``get`` command: ``args.url`` and ``args.include`` come from __main__'s parser."""
    url = args.url if "://" in args.url else f"http://{args.url}"
    try:
        return asyncio.run(fetch(url, include=getattr(args, "include", False)))
    except (ClientError, asyncio.TimeoutError) as exc:
        print(f"aioteach get: {type(exc).__name__}: {exc or 'timed out'}", file=sys.stderr)
        return 1
