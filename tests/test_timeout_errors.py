"""aiohttp 3.10+'s timeout errors at the top level, in aiohttp's hierarchy."""
from __future__ import annotations

import asyncio

import pytest

import aioteach


def test_socket_and_connection_timeouts_are_server_timeouts():
    for name in ("SocketTimeoutError", "ConnectionTimeoutError"):
        error = getattr(aioteach, name)
        assert name in aioteach.__all__ and name in dir(aioteach)
        assert issubclass(error, aioteach.ServerTimeoutError)
        assert issubclass(error, asyncio.TimeoutError)
        assert error is getattr(aioteach.client, name)


@pytest.mark.peer
def test_aiohttp_has_the_same_names_and_bases():
    aiohttp = pytest.importorskip("aiohttp")
    for name in ("SocketTimeoutError", "ConnectionTimeoutError"):
        bases = [base.__name__ for base in getattr(aiohttp, name).__mro__]
        ours = [base.__name__ for base in getattr(aioteach, name).__mro__]
        assert bases[:3] == ours[:3] == [name, "ServerTimeoutError", "ServerConnectionError"]
