"""A toy event loop: what asyncio does, small enough to step through one callback at a time.

Theory of operation.  An event loop is a queue of callbacks and a way to wait.  Each round,
``step()`` (1) moves due timers and ready sockets into the *ready queue*, blocking in
``selector.select(timeout)`` no longer than the next timer if nothing is ready, then (2) runs
exactly one callback and (3) reports what happened as a ``StepReport``.  ``run(coro)`` is
``step()`` in a loop until ``coro`` is done.

A coroutine runs inside a ``Task``.  The task's ``step`` calls ``coro.send(value)``; the
coroutine runs until it *yields a Future* it must wait for; the task asks that future to wake
it when done, and the loop moves on to other callbacks.  Both kinds of coroutine fit:

    def generator_style(loop):                    async def native_style(loop):
        yield loop.sleep(0.1)                          await loop.sleep(0.1)
        data = yield loop.sock_recv(sock, 1024)        data = await loop.sock_recv(sock, 1024)

``await fut`` is ``yield from fut.__await__()``, and ``Future.__await__`` yields the future
itself: to the task, both are the same protocol.  A bare ``yield`` means "let the others run
first" (like ``asyncio.sleep(0)``).  Callbacks never run inside the call that scheduled them
(``call_soon`` queues them), so every resume is one visible step.  ``fetch(host, port, path)``
is the example: an HTTP/1.1 GET (RFC 9112) with the sans-I/O parser ``aioteach.http1``.

Simplification: no cancellation, no thread-safe wake-up, no signals, no TLS, name resolution
blocks, and a failing plain callback propagates out of ``step()`` (asyncio logs it instead).
"""
from __future__ import annotations

import collections
import errno
import heapq
import itertools
import os
import selectors
import socket
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Coroutine, Deque, Generator, List, Optional, Tuple, Union

from aioteach.http1 import Data, EndOfMessage, Response, ResponseParser, serialize_request_head

__all__ = [
    "Loop", "Future", "Task", "Handle", "StepReport", "InvalidStateError",
    "get_running_loop", "run", "sleep", "fetch",
]

#: What a Task can run: an ``async def`` coroutine or a generator that yields Futures.
Runnable = Union[Coroutine[Any, Any, Any], Generator[Any, Any, Any]]


class InvalidStateError(Exception):
    """A future's result was read before it was set, or set twice."""


# -- futures and tasks -----------------------------------------------------------------------
class Future:
    """A result that is not there yet.  ``label`` says what it waits for, for the reports."""

    def __init__(self, loop: "Loop", label: str = "Future") -> None:
        self.loop = loop
        self.label = label
        self._done = False
        self._result: Any = None
        self._exception: Optional[BaseException] = None
        self._callbacks: List[Callable[["Future"], Any]] = []

    def done(self) -> bool:
        return self._done

    def result(self) -> Any:
        if not self._done:
            raise InvalidStateError(f"{self.label} is not done yet: await it (or yield it) first")
        if self._exception is not None:
            raise self._exception
        return self._result

    def set_result(self, value: Any) -> None:
        self._finish(value, None)

    def set_exception(self, exc: BaseException) -> None:
        self._finish(None, exc)

    def _finish(self, value: Any, exc: Optional[BaseException]) -> None:
        if self._done:
            raise InvalidStateError(f"{self.label} already has its result")
        self._done, self._result, self._exception = True, value, exc
        for callback in self._callbacks:            # queued, not called: one step each
            self.loop.call_soon(callback, self, label=_describe(callback))
        self._callbacks.clear()

    def add_done_callback(self, callback: Callable[["Future"], Any]) -> None:
        if self._done:
            self.loop.call_soon(callback, self, label=_describe(callback))
        else:
            self._callbacks.append(callback)

    def __await__(self) -> Generator["Future", Any, Any]:
        if not self._done:
            yield self           # to the Task: "wake me when this is done"
        return self.result()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.label} {'done' if self._done else 'pending'}>"


class Task(Future):
    """Runs a coroutine: send, see what it waits on, sleep until that is done, repeat."""

    def __init__(self, loop: "Loop", coro: Runnable, name: str) -> None:
        super().__init__(loop, label=name)
        self.coro, self.name = coro, name
        loop.call_soon(self.step, label=f"start {name}")   # lazy: runs on the loop, not now

    def step(self, value: Any = None, error: Optional[BaseException] = None) -> None:
        """Resume the coroutine once, with ``value`` or by raising ``error`` at its yield."""
        sent = f"throw({error!r})" if error is not None else f"send({_short(value)})"
        try:
            yielded = self.coro.send(value) if error is None else self.coro.throw(error)
        except StopIteration as stop:
            self.loop.resumed = (self.name, sent, f"returned {_short(stop.value)}")
            return self.set_result(stop.value)
        except Exception as exc:
            self.loop.resumed = (self.name, sent, f"raised {exc!r}")
            return self.set_exception(exc)
        if isinstance(yielded, Future):
            self.loop.resumed = (self.name, sent, yielded.label)
            yielded.add_done_callback(self.wakeup)
            return
        if yielded is None:                    # a bare yield: to the back of the queue
            self.loop.resumed = (self.name, sent, "None (let others run)")
            problem = None
        else:
            self.loop.resumed = (self.name, sent, f"{yielded!r} (not a Future)")
            problem = TypeError(f"{self.name} yielded {yielded!r}: a toy-loop coroutine may "
                                "yield (or await) only a toyloop.Future, or None")
        self.loop.call_soon(self.step, None, problem, label=f"resume {self.name}")

    def wakeup(self, future: Future) -> None:
        # As in aioteach.gen: read the outcome, then resume outside the except block.
        try:
            value, error = future.result(), None
        except Exception as exc:
            value, error = None, exc
        self.step(value, error)


# -- the loop --------------------------------------------------------------------------------
@dataclass
class Handle:
    """A queued callback.  ``label`` is how the reports name it."""

    callback: Callable[..., Any]
    args: Tuple[Any, ...]
    label: str


@dataclass(frozen=True)
class StepReport:
    """What one ``step()`` did, and the loop's state afterwards.

    ``time`` and ``next_timer_in`` vary from run to run, so they take no part in ``==``: a
    test (or a lesson) can compare a whole sequence of reports to the one it expects.
    """

    number: int                              # 1 for the first step
    ran: str                                 # the callback that ran ("" if there was none)
    task: Optional[str] = None               # the task it resumed, if any
    sent: Optional[str] = None               # "send(...)" or "throw(...)"
    yielded: Optional[str] = None            # what the task waits on now, or how it ended
    ready: Tuple[str, ...] = ()              # the ready queue afterwards, in order
    reading: Tuple[str, ...] = ()            # sockets waited on to become readable
    writing: Tuple[str, ...] = ()            # ... and writable
    timers: Tuple[str, ...] = ()             # pending timers, soonest first
    time: float = field(default=0.0, compare=False)
    next_timer_in: Optional[float] = field(default=None, compare=False)

    def __str__(self) -> str:
        head = f"step {self.number}: {self.ran or 'nothing to do'}"
        if self.task is not None:
            head += f" -> {self.task}.{self.sent} -> {self.yielded}"
        queues = [f"{name}={list(getattr(self, name))}" for name in ("ready", "reading",
                  "writing", "timers") if name == "ready" or getattr(self, name)]
        return head + "\n    " + " ".join(queues)


class Loop:
    """The toy loop.  ``step()`` runs one callback; ``run(coro)`` steps until ``coro`` ends."""

    def __init__(self) -> None:
        self.ready: Deque[Handle] = collections.deque()   # run from the left, added on the right
        self.timers: List[Tuple[float, int, Handle]] = []   # a heap of (due, seq, Handle)
        self.selector = selectors.DefaultSelector()   # socket -> (event, Handle to run)
        self.steps = 0
        self._seq = itertools.count()
        self.resumed: Optional[Tuple[str, str, str]] = None   # set by Task.step for the report

    # -- scheduling ------------------------------------------------------------------------
    def time(self) -> float:
        return time.monotonic()

    def call_soon(self, callback: Callable[..., Any], *args: Any, label: str = "") -> Handle:
        handle = Handle(callback, args, label or _describe(callback))
        self.ready.append(handle)
        return handle

    def call_later(self, delay: float, callback: Callable[..., Any], *args: Any,
                   label: str = "") -> Handle:
        handle = Handle(callback, args, label or _describe(callback))
        # The sequence number breaks ties: timers due together run in scheduling order.
        heapq.heappush(self.timers, (self.time() + delay, next(self._seq), handle))
        return handle

    def create_future(self, label: str = "Future") -> Future:
        return Future(self, label)

    def create_task(self, coro: Runnable, name: Optional[str] = None) -> Task:
        fallback: str = getattr(coro, "__name__", "Task")
        return Task(self, coro, name or fallback)

    def sleep(self, seconds: float, result: Any = None) -> Future:
        future = Future(self, f"sleep({seconds})")
        self.call_later(seconds, future.set_result, result, label=f"end of sleep({seconds})")
        return future

    # -- one step --------------------------------------------------------------------------
    def step(self) -> StepReport:
        """Run exactly one callback, waiting for a timer or a socket first if none is ready."""
        self.resumed = None                      # an idle step resumed nobody either
        while not self.ready:
            if not (self.timers or self.selector.get_map()):
                return self._report("")          # nothing will ever happen: idle
            self._poll()
        global _running
        self.steps += 1
        handle = self.ready.popleft()
        _running = self
        try:
            handle.callback(*handle.args)
        finally:
            _running = None
        return self._report(handle.label)

    def _poll(self) -> None:
        timeout = None                           # no timers: wait for a socket as long as it takes
        if self.timers:
            timeout = max(0.0, self.timers[0][0] - self.time())
        for key, _ in self.selector.select(timeout):
            self.ready.append(key.data)
        now = self.time()
        while self.timers and self.timers[0][0] <= now:
            self.ready.append(heapq.heappop(self.timers)[2])

    def _report(self, ran: str) -> StepReport:
        task, sent, yielded = self.resumed or (None, None, None)
        timers = sorted(self.timers)
        waits = list(self.selector.get_map().values())
        return StepReport(
            number=self.steps, ran=ran, task=task, sent=sent, yielded=yielded,
            ready=tuple(h.label for h in self.ready),
            reading=tuple(k.data.label for k in waits if k.events & selectors.EVENT_READ),
            writing=tuple(k.data.label for k in waits if k.events & selectors.EVENT_WRITE),
            timers=tuple(handle.label for _, _, handle in timers),
            time=self.time(),
            next_timer_in=(timers[0][0] - self.time()) if timers else None)

    def run_until_complete(self, coro: Runnable) -> Any:
        task = coro if isinstance(coro, Future) else self.create_task(coro)
        while not task.done():
            if not self.step().ran and not task.done():
                raise RuntimeError(f"{task.label} waits for something that can never happen: "
                                   "no callback is ready, and no timer or socket is pending")
        return task.result()

    def close(self) -> None:
        self.selector.close()

    # -- sockets: wait until the OS says "ready", then make the non-blocking call ----------
    def _when_ready(self, sock: socket.socket, event: int, label: str,
                    attempt: Callable[[], Any]) -> Future:
        """A Future for ``attempt()``, tried each time ``sock`` is ready for ``event``.

        ``attempt`` returns the result, or raises ``BlockingIOError`` to wait another turn.
        """
        future = Future(self, label)

        def ready() -> None:
            try:
                value, error = attempt(), None
            except (BlockingIOError, InterruptedError):
                return                          # not yet: a spurious wake-up, a partial send
            except OSError as exc:
                value, error = None, exc
            self.selector.unregister(sock)
            future.set_result(value) if error is None else future.set_exception(error)

        if sock in self.selector.get_map():
            # Simplification: one wait per socket at a time (asyncio allows a reader and a
            # writer on the same socket; the selector then watches both events).
            raise RuntimeError(f"{label}: the socket is already waited on by another future")
        self.selector.register(sock, event, Handle(ready, (), label))
        return future

    def sock_recv(self, sock: socket.socket, nbytes: int) -> Future:
        """A Future for up to ``nbytes`` from ``sock`` (``b""`` once the peer has closed)."""
        return self._when_ready(sock, selectors.EVENT_READ, f"sock_recv(fd {sock.fileno()})",
                                lambda: sock.recv(nbytes))

    def sock_sendall(self, sock: socket.socket, data: bytes) -> Future:
        """A Future that is done when every byte of ``data`` is handed to the OS."""
        rest = memoryview(data)

        def send_some() -> None:
            nonlocal rest
            rest = rest[sock.send(rest):]
            if rest:                            # the send buffer is full: wait for room
                raise BlockingIOError
        return self._when_ready(sock, selectors.EVENT_WRITE,
                                f"sock_sendall(fd {sock.fileno()}, {len(data)} bytes)", send_some)

    def sock_connect(self, sock: socket.socket, address: Tuple[str, int]) -> Future:
        """A Future that is done when the non-blocking ``connect`` has finished."""
        sock.setblocking(False)
        label = f"sock_connect({address[0]}:{address[1]})"
        code = sock.connect_ex(address)       # EINPROGRESS: the TCP handshake has begun
        if code not in (0, errno.EINPROGRESS, errno.EAGAIN):
            raise OSError(code, f"{label}: {os.strerror(code)}")

        def finished() -> None:
            # The socket turns writable when the handshake ends, either way: SO_ERROR says which.
            code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if code:
                raise OSError(code, f"{label}: {os.strerror(code)}")
        return self._when_ready(sock, selectors.EVENT_WRITE, label, finished)


# -- helpers for the reports -----------------------------------------------------------------
def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 50 else text[:47] + "..."


def _describe(callback: Callable[..., Any]) -> str:
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, Task):
        return f"{callback.__name__} {owner.name}"   # "wakeup fetch", "step fetch"
    return getattr(callback, "__qualname__", repr(callback))


# -- running a program -----------------------------------------------------------------------
_running: Optional[Loop] = None             # the loop whose step() is running a callback now


def get_running_loop() -> Loop:
    """The toy loop running the current coroutine (like ``asyncio.get_running_loop``)."""
    if _running is None:
        raise RuntimeError("no toy loop is running: start the coroutine with "
                           "toyloop.run(coro), or step it with Loop().create_task(coro)")
    return _running


def run(coro: Runnable) -> Any:
    """Run ``coro`` on a fresh toy loop until it is done; return its result."""
    loop = Loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


def sleep(seconds: float, result: Any = None) -> Future:
    """``await toyloop.sleep(1)``: the running loop's ``sleep``."""
    return get_running_loop().sleep(seconds, result)


async def fetch(host: str, port: int, path: str = "/") -> Tuple[Any, bytes]:
    """GET ``http://host:port/path`` on the toy loop: returns (the Response event, the body).

    Every wait is an ``await`` of a toy-loop future; the bytes are parsed by the same
    sans-I/O parser the asyncio server and client use.
    """
    loop = get_running_loop()
    sock = socket.socket()                      # IPv4 and TCP, the defaults
    parser, response, body = ResponseParser(), None, bytearray()
    parser.expect("GET")                        # HEAD's answer has no body (RFC 9112 6.3)
    try:
        await loop.sock_connect(sock, (host, port))
        await loop.sock_sendall(sock, serialize_request_head(
            "GET", path, [("Host", f"{host}:{port}"), ("Connection", "close")]))
        while True:
            data = await loop.sock_recv(sock, 65536)   # 64 KiB, a typical socket buffer
            for event in parser.feed(data) if data else parser.feed_eof():
                if isinstance(event, Response):
                    response = event
                elif isinstance(event, Data):
                    body += event.data
                elif isinstance(event, EndOfMessage):
                    return response, bytes(body)
            if not data:
                raise ConnectionError(f"{host}:{port} closed the connection mid-response")
    finally:
        sock.close()
