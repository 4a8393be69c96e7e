"""What a tornado-style generator coroutine may ``yield``, and ``gen.multi`` for yielded lists.

Theory of operation.  ``aioteach.gen``'s runner waits for one thing at a time: an
``asyncio.Future``.  This module turns whatever a generator yielded into one
(``convert_yielded``), and holds the pieces that decide what "waiting" means:

    yielded                          becomes
    None, moment                     moment (resume after one round of the loop)
    list or dict of yieldables       one future for all of them (``multi``)
    asyncio.Future (or Task)         itself
    concurrent.futures.Future        asyncio.wrap_future(it): resolved on this loop
    coroutine, other awaitable       asyncio.ensure_future(it): a Task, started now
    anything else                    BadYieldError, thrown back in at the ``yield``

``multi`` (``yield [a, b]``) is where generators and ``asyncio.gather`` differ most, and the
rules are tornado 6's, checked against tornado by ``tests/test_gen_behaviour.py``:

* it resolves only when *every* child is done, even after one failed early (``gather``
  raises at the first failure in time, and leaves the others running);
* then the first failure *in the order of the list* is raised, and every later one is
  logged ("Multiple exceptions in yield list") unless its type is in ``quiet_exceptions``;
  a cancelled child counts as a failure (``CancelledError``) and is never logged;
* cancelling the combined future cancels no child (``gather``'s ``cancel()`` cancels them).

All of it is re-exported by ``aioteach.gen``, under tornado's names: import it from there.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import logging
from typing import Any, Dict, Generator, List, Tuple, Type, Union

__all__ = ["Moment", "moment", "BadYieldError", "QuietExceptions", "new_future", "is_future",
           "convert_yielded", "multi", "multi_future", "maybe_future", "log"]

#: tornado logs to "tornado.application"; aioteach.gen's messages go to "aioteach.gen".
log = logging.getLogger("aioteach.gen")

QuietExceptions = Union[Type[BaseException], Tuple[Type[BaseException], ...]]


class BadYieldError(Exception):
    """The generator yielded something the runner cannot wait for (raised at the ``yield``)."""


class Moment:
    """The type of ``moment``: a marker meaning "let the loop run one round, then resume me".

    It behaves like a future that is already done with ``None``, except that the runner
    always schedules the resume with ``call_soon`` instead of resuming at once.  It is also
    awaitable, as ``await asyncio.sleep(0)`` is, for ``async def`` code.
    """

    def done(self) -> bool:
        return True

    def result(self) -> None:
        return None

    def __await__(self) -> Generator[None, None, None]:
        yield  # a bare yield inside a Task means "reschedule me": one trip through the loop

    def __repr__(self) -> str:
        return "gen.moment"


#: ``yield gen.moment`` (or ``yield None``): give other callbacks a turn, then carry on.
moment = Moment()


def new_future() -> asyncio.Future:
    """A future on the running loop, or a RuntimeError that says why there must be one."""
    try:
        return asyncio.get_running_loop().create_future()
    except RuntimeError:
        raise RuntimeError(
            "a @gen.coroutine starts running as soon as it is called, so it needs a running "
            "asyncio loop: call it from async code, or inside asyncio.run(main())") from None


def is_future(x: Any) -> bool:
    """Is ``x`` an asyncio or a ``concurrent.futures`` future?"""
    return isinstance(x, (asyncio.Future, concurrent.futures.Future))


def convert_yielded(yielded: Any) -> Any:
    """Turn whatever a generator yielded into something the runner can wait on (table above)."""
    if yielded is None or yielded is moment:
        return moment
    if isinstance(yielded, (list, dict)):
        return multi(yielded)
    if isinstance(yielded, asyncio.Future):
        return yielded
    if isinstance(yielded, concurrent.futures.Future):
        return asyncio.wrap_future(yielded)
    if inspect.isawaitable(yielded):
        return asyncio.ensure_future(yielded)
    raise BadYieldError(
        f"yielded unknown object {yielded!r}: a @gen.coroutine may yield a Future, an "
        f"awaitable (such as a coroutine), a list or dict of those, or gen.moment")


def multi(children: Union[List[Any], Dict[Any, Any]],
          quiet_exceptions: QuietExceptions = ()) -> asyncio.Future:
    """Wait for all of ``children`` (a list or dict of yieldables) at once.

    The result is a list (or a dict with the same keys) of their results.  It resolves when
    *every* child is done, even if one failed early; then the first failure (in the order of
    ``children``) is raised and later ones are logged unless ``quiet_exceptions`` lists them.
    """
    keys = list(children) if isinstance(children, dict) else None
    values = list(children.values()) if isinstance(children, dict) else list(children)
    futures = [convert_yielded(child) for child in values]
    combined = new_future()
    if not futures:
        combined.set_result({} if keys is not None else [])
        return combined
    pending = set(futures)

    def child_done(child: Any) -> None:
        pending.discard(child)
        if pending:
            return                      # not before the last child is home: tornado's rule
        results = []
        for future in futures:
            try:
                results.append(future.result())
            except (Exception, asyncio.CancelledError) as exc:
                if not combined.done():
                    combined.set_exception(exc)      # the first failure in the list's order
                elif not isinstance(exc, (asyncio.CancelledError, quiet_exceptions)):
                    log.error("Multiple exceptions in yield list", exc_info=exc)
        if not combined.done():
            combined.set_result(dict(zip(keys, results)) if keys is not None else results)

    for future in set(futures):
        if future.done():
            child_done(future)          # done already (or moment): count it now, like tornado
        else:
            future.add_done_callback(child_done)
    return combined


#: tornado 4.0's name for ``multi``; the same function.
multi_future = multi


def maybe_future(x: Any) -> asyncio.Future:
    """``x`` if it is a future, else a future already done with result ``x``."""
    if is_future(x):
        return x
    future = new_future()
    future.set_result(x)
    return future
