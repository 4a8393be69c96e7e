"""Loops for tests that bring their own: aiohttp's ``test_utils`` loop helpers.

Theory of operation.  Before pytest-asyncio and ``IsolatedAsyncioTestCase``, a test made its
own event loop, ran coroutines on it with ``loop.run_until_complete(...)``, and closed it at
the end.  aiohttp's tests (and many programs' tests) still do, so the helpers keep aiohttp's
names, re-exported by ``aioteach.testing``:

    setup_test_loop()            a new event loop, set as the current one
    teardown_test_loop(loop)     run what is pending once, close the loop, unset it
    loop_context()               both, as a ``with`` block: ``with loop_context() as loop:``
    make_mocked_coro(value)      a ``Mock`` that is also an ``async def`` returning ``value``
    unittest_run_loop            the decorator aiohttp keeps for old code: a no-op that warns

``teardown_test_loop`` collects garbage unless ``fast=True``: an unclosed transport's
ResourceWarning then fires inside the test that leaked it, not in a later one.
"""
from __future__ import annotations

import asyncio
import contextlib
import gc
import inspect
import warnings
from typing import Any, Callable, Iterator
from unittest import mock

__all__ = ["setup_test_loop", "teardown_test_loop", "loop_context", "make_mocked_coro",
           "unittest_run_loop"]


def setup_test_loop(loop_factory: Callable[[], asyncio.AbstractEventLoop] = asyncio.new_event_loop
                    ) -> asyncio.AbstractEventLoop:
    """A new event loop, set as the current one; undo with ``teardown_test_loop(loop)``."""
    loop = loop_factory()
    asyncio.set_event_loop(loop)
    return loop


def teardown_test_loop(loop: asyncio.AbstractEventLoop, fast: bool = False) -> None:
    """Run the loop's pending callbacks once, close it, and unset it (``fast``: skip gc)."""
    if not loop.is_closed():
        loop.call_soon(loop.stop)
        loop.run_forever()
        loop.close()
    if not fast:
        gc.collect()                  # unclosed transports warn now, inside the test
    asyncio.set_event_loop(None)


@contextlib.contextmanager
def loop_context(loop_factory: Callable[[], asyncio.AbstractEventLoop] = asyncio.new_event_loop,
                 fast: bool = False) -> Iterator[asyncio.AbstractEventLoop]:
    """``with loop_context() as loop: loop.run_until_complete(...)``: a loop for one block."""
    loop = setup_test_loop(loop_factory)
    try:
        yield loop
    finally:
        teardown_test_loop(loop, fast=fast)


_NOTHING: Any = object()


def make_mocked_coro(return_value: Any = _NOTHING, raise_exception: Any = _NOTHING) -> Any:
    """A ``Mock`` you can await: it records its calls, then returns or raises as told."""
    async def mocked(*args: Any, **kwargs: Any) -> Any:
        if raise_exception is not _NOTHING:
            raise raise_exception
        if inspect.isawaitable(return_value):
            return await return_value
        return None if return_value is _NOTHING else return_value
    return mock.Mock(wraps=mocked)


def unittest_run_loop(func: Any) -> Any:
    """aiohttp's old decorator for AioHTTPTestCase methods: nothing to do any more."""
    warnings.warn("Decorator `@unittest_run_loop` is no longer needed in aiohttp 3.8+, nor in "
                  "aioteach: AioHTTPTestCase runs async def test methods by itself",
                  DeprecationWarning, stacklevel=2)
    return func
