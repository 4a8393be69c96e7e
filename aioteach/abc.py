"""Abstract base classes a user may implement to plug into aioteach, under aiohttp's names.

Theory of operation.  Where aioteach lets you replace a part, the part's interface is written
down here, as an ``abc.ABC`` with the methods the rest of the code calls, so that your class
and ours are interchangeable (and ``aiohttp.abc`` code ports by changing the import):

    AbstractResolver   host name -> addresses, for ``TCPConnector(resolver=...)``; aioteach's
                       own is ``aioteach.ThreadedResolver`` (client/resolver.py)
    ResolveResult      one address a resolver found (a dict, aiohttp's keys)

A resolver's ``resolve(host, port, family)`` returns a list of ``ResolveResult``: ``hostname``
(the name asked for, used for TLS's server name), ``host`` (the address, as text), ``port``,
``family`` (``socket.AF_INET`` / ``AF_INET6``), ``proto`` and ``flags`` (passed on to
``loop.create_connection``).  The connector tries them in order until one connects.  An
unknown name raises ``OSError`` (``socket.gaierror`` is one), which the connector reports as
``ClientConnectorError``.

This module imports nothing but the standard library, and nothing imports it implicitly: it is
a plug-in point.
"""
from __future__ import annotations

import socket
from abc import ABC, abstractmethod
from typing import List, TypedDict

__all__ = ["AbstractResolver", "ResolveResult"]


class ResolveResult(TypedDict):
    """One address of a host, ready for ``loop.create_connection``."""

    hostname: str
    host: str
    port: int
    family: int
    proto: int
    flags: int


class AbstractResolver(ABC):
    """Turns a host name into addresses (see the module docstring)."""

    @abstractmethod
    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> List[ResolveResult]:
        """The addresses of ``host``, best first; OSError if there are none."""

    @abstractmethod
    async def close(self) -> None:
        """Let go of what the resolver holds (threads, sockets)."""
