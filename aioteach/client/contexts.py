"""What ``session.get(url)`` returns: something to ``await``, or to use in ``async with``.

Theory of operation.  ``session.get(url)`` does not send anything by itself: it returns a
``RequestContextManager`` wrapping the coroutine that will.  There are two ways to run it, as in
aiohttp::

    resp = await session.get(url)             # you release it: resp.release() (or read it all)
    async with session.get(url) as resp:      # released at the end of the block
        text = await resp.text()

It is a coroutine in its own right too (``send``/``throw``/``close`` pass through), so
``asyncio.create_task(session.get(url))`` and ``asyncio.gather(...)`` take it.

The ``with`` slip.  ``with session.get(url) as resp:`` (no ``async``) is the most common mistake
with this API.  Python would say ``AttributeError: __enter__`` (3.10) or "does not support the
context manager protocol", and later warn that the coroutine was "never awaited".  Here
``__enter__`` closes the coroutine first (no warning, no connection made) and raises a
``TypeError`` whose message names the cause and the fix: ``WITH_REQUEST_HINT`` below.
``ClientSession`` does the same with ``WITH_SESSION_HINT``.
"""
from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, Generator, Optional

__all__ = ["RequestContextManager", "WITH_REQUEST_HINT", "WITH_SESSION_HINT"]

WITH_REQUEST_HINT = (
    "session.get(...) (and .post, .request, ...) is an asynchronous context manager, so plain "
    "'with' cannot run it: use 'async with session.get(url) as resp:' inside an 'async def', "
    "or 'resp = await session.get(url)'")
WITH_SESSION_HINT = (
    "ClientSession is an asynchronous context manager, so plain 'with' cannot open it: use "
    "'async with aioteach.ClientSession() as session:' inside an 'async def'")


class RequestContextManager(Coroutine):
    """``await session.get(url)`` or ``async with session.get(url) as resp``."""

    __slots__ = ("_coro", "_resp")

    def __init__(self, coro: Coroutine) -> None:
        self._coro = coro
        self._resp: Any = None

    def send(self, value: Any) -> Any:
        return self._coro.send(value)

    def throw(self, *args: Any) -> Any:
        return self._coro.throw(*args)

    def close(self) -> None:
        self._coro.close()

    def __await__(self) -> Generator[Any, None, Any]:
        return self._coro.__await__()

    async def __aenter__(self) -> Any:
        self._resp = resp = await self._coro
        resp._in_context = True                # raise_for_status() leaves the release to us
        return resp

    async def __aexit__(self, *exc_info: Any) -> None:
        if self._resp is not None:
            self._resp.release()

    def __enter__(self) -> None:
        self._coro.close()                     # never started: no request, no warning
        raise TypeError(WITH_REQUEST_HINT)

    def __exit__(self, *exc_info: Any) -> Optional[bool]:
        return None                            # never reached: __enter__ raises
