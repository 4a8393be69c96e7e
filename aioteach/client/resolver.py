"""Resolving host names: ``ThreadedResolver`` and the connector's small DNS cache.

Theory of operation.  Before a TCP connection can open, a host name must become an address.
The operating system's resolver (``getaddrinfo``: /etc/hosts, then DNS) is blocking, so
``ThreadedResolver`` runs it in the loop's thread pool (``loop.getaddrinfo``), and turns its
answers into ``ResolveResult`` dicts (aioteach.abc).  ``DefaultResolver`` is the same class,
as in aiohttp without aiodns.  Pass your own ``AbstractResolver`` subclass as
``TCPConnector(resolver=...)`` to answer differently (a test pointing every name at 127.0.0.1,
a service registry).

An IP address needs no resolving, and the connector never asks for one (aiohttp does the same).

``HostCache`` is the connector's memory of answers: ``(host, port) -> addresses`` for
``ttl_dns_cache`` seconds (10 by default, aiohttp's; None keeps them for ever, and
``use_dns_cache=False`` turns it off), so a burst of new connections to one host asks once.
The client's tracing reports each lookup as a cache hit or miss (tracing.py).

Simplification: addresses are tried in the resolver's order; there is no Happy Eyeballs (RFC
8305) racing of IPv6 against IPv4, which aiohttp 3.10+ offers.
"""
from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Dict, List, Optional, Tuple

from ..abc import AbstractResolver, ResolveResult

__all__ = ["ThreadedResolver", "DefaultResolver", "HostCache", "is_ip_address",
           "literal_address"]


def is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def literal_address(host: str, port: int) -> List[ResolveResult]:
    """An IP address as the one answer a resolver would give for it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return [ResolveResult(hostname=host, host=host, port=port, family=family, proto=0,
                          flags=socket.AI_NUMERICHOST)]


class ThreadedResolver(AbstractResolver):
    """The system resolver (``getaddrinfo``), run in the loop's default thread pool."""

    def __init__(self, loop: Optional[asyncio.AbstractEventLoop] = None) -> None:
        self._loop = loop

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> List[ResolveResult]:
        loop = self._loop or asyncio.get_running_loop()
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, family=family,
                                       flags=socket.AI_ADDRCONFIG)
        found = []
        for fam, _, proto, _, address in infos:
            found.append(ResolveResult(hostname=host, host=str(address[0]), port=int(address[1]),
                                       family=fam, proto=proto,
                                       flags=socket.AI_NUMERICHOST | socket.AI_NUMERICSERV))
        return found

    async def close(self) -> None:
        pass                                   # the thread pool is the loop's, not ours


DefaultResolver = ThreadedResolver


class HostCache:
    """``(host, port) -> addresses`` remembered for ``ttl`` seconds (None: for ever)."""

    def __init__(self, ttl: Optional[float]) -> None:
        self.ttl = ttl
        self._entries: Dict[Tuple[str, int], Tuple[List[ResolveResult], float]] = {}

    def get(self, key: Tuple[str, int], now: float) -> Optional[List[ResolveResult]]:
        entry = self._entries.get(key)
        if entry is None:
            return None
        addresses, stored = entry
        if self.ttl is not None and now - stored >= self.ttl:
            del self._entries[key]
            return None
        return addresses

    def put(self, key: Tuple[str, int], addresses: List[ResolveResult], now: float) -> None:
        self._entries[key] = (addresses, now)

    def forget(self, key: Tuple[str, int]) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()
