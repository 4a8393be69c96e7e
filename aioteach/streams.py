"""StreamReader: a body that arrives in pieces, read by a coroutine at its own pace.

Theory of operation.  Two parties share one reader:

* the *producer* is protocol code running in ``data_received`` callbacks (the server reading a
  request body, the client reading a response body).  It calls ``feed_data(bytes)`` for every
  piece the parser hands it, then ``feed_eof()`` when the message is complete, or
  ``set_exception(exc)`` when the connection broke;
* the *consumer* is the handler (or the client user) awaiting ``read()``, ``readline()``,
  ``readany()``, ``readexactly(n)``, or iterating with ``async for chunk in stream.iter_chunked(n)``.

When the consumer asks for more than is buffered it waits on a future that the next
``feed_data``/``feed_eof``/``set_exception`` resolves.  There is at most one waiter: a stream has
one reader.

Flow control.  A fast sender must not fill our memory while a slow handler reads.  When more than
``2 * limit`` bytes are buffered, the reader calls ``on_pause()`` (the protocol answers with
``transport.pause_reading()``: TCP's window then pushes back on the sender); once the consumer has
taken the buffer below ``limit``, it calls ``on_resume()``.  64 KiB is the default ``limit``, the
same order as a socket's receive buffer.

Errors.  Once the producer has set an exception (the connection broke, a timeout fired), every
read raises it, even with bytes still buffered: those bytes belong to a body that will never be
whole.  asyncio's and aiohttp's StreamReaders do the same.

The API and its names are aiohttp's ``StreamReader`` (``request.content``, ``response.content``).
"""
from __future__ import annotations

import asyncio
import collections
from typing import AsyncIterator, Callable, Deque, List, Optional, Tuple

__all__ = ["StreamReader", "EMPTY_STREAM", "EofStream", "DEFAULT_CHUNK_SIZE"]

# The default ``limit``: aiohttp's name (``aiohttp.helpers.DEFAULT_CHUNK_SIZE``, 256 KiB there).
DEFAULT_CHUNK_SIZE = 2 ** 16


class EofStream(Exception):
    """aiohttp's "the stream is exhausted" signal, kept so code that imports it still does.

    Nothing in aioteach raises it: every read here answers ``b""`` at the end instead.
    """


class StreamReader:
    """Bytes fed by a protocol, read by a coroutine.  See the module docstring."""

    # A producer that decompresses what it feeds (the client, for Content-Encoding: gzip)
    # sets this to the bytes that came over the wire; ``total_raw_bytes`` then reports it.
    total_compressed_bytes: Optional[int] = None

    def __init__(
        self,
        limit: int = DEFAULT_CHUNK_SIZE,
        *,
        on_pause: Optional[Callable[[], None]] = None,
        on_resume: Optional[Callable[[], None]] = None,
    ) -> None:
        self._limit = limit
        self._on_pause = on_pause
        self._on_resume = on_resume
        self._paused = False
        self._buffer: Deque[bytes] = collections.deque()
        self._size = 0                        # bytes in _buffer
        self._eof = False
        self._exception: Optional[BaseException] = None
        self._waiter: Optional[asyncio.Future] = None
        self._eof_callbacks: List[Callable[[], None]] = []
        self.total_bytes = 0                  # everything ever fed, for logs and limits

    def __repr__(self) -> str:
        state = "eof" if self._eof else "open"
        return f"<StreamReader {self._size} bytes buffered, {state}>"

    # -- the producer's side -----------------------------------------------------------------
    def get_read_buffer_limits(self) -> Tuple[int, int]:
        """(low, high) water marks in bytes: reading pauses above high, resumes below low."""
        return self._limit, 2 * self._limit

    def feed_data(self, data: bytes) -> None:
        if not data:
            return
        self._buffer.append(data)
        self._size += len(data)
        self.total_bytes += len(data)
        self._wake()
        if not self._paused and self._size > 2 * self._limit and self._on_pause is not None:
            self._paused = True
            self._on_pause()

    def feed_eof(self) -> None:
        self._eof = True
        self._wake()
        callbacks, self._eof_callbacks = self._eof_callbacks, []
        for callback in callbacks:
            callback()

    def set_exception(self, exc: BaseException) -> None:
        self._exception = exc
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)

    def on_eof(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once the producer has fed the end (at once if it already has)."""
        if self._eof:
            callback()
        else:
            self._eof_callbacks.append(callback)

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # -- state ---------------------------------------------------------------------------------
    @property
    def total_raw_bytes(self) -> int:
        """Bytes downloaded: as they came over the wire, before any decompression."""
        if self.total_compressed_bytes is None:
            return self.total_bytes
        return self.total_compressed_bytes

    def exception(self) -> Optional[BaseException]:
        return self._exception

    def is_eof(self) -> bool:
        """The producer has said the body is complete (bytes may still be buffered)."""
        return self._eof

    def at_eof(self) -> bool:
        """Complete and fully read: nothing more will ever come out."""
        return self._eof and not self._buffer

    async def wait_eof(self) -> None:
        while not self._eof:
            await self._wait("wait_eof")

    # -- the consumer's side -------------------------------------------------------------------
    async def _wait(self, who: str) -> None:
        if self._waiter is not None:
            raise RuntimeError(f"{who}() called while another coroutine is already reading")
        if self._exception is not None:
            raise self._exception
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    def _take(self, n: int) -> bytes:
        """Remove up to ``n`` bytes (-1: everything) from the buffer, without waiting."""
        if n < 0 or n >= self._size:
            data = b"".join(self._buffer)
            self._buffer.clear()
        else:
            parts = []
            wanted = n
            while wanted:
                head = self._buffer[0]
                if len(head) <= wanted:
                    parts.append(self._buffer.popleft())
                    wanted -= len(head)
                else:
                    parts.append(head[:wanted])
                    self._buffer[0] = head[wanted:]
                    wanted = 0
            data = b"".join(parts)
        self._size -= len(data)
        if self._paused and self._size < self._limit and self._on_resume is not None:
            self._paused = False
            self._on_resume()
        return data

    def read_nowait(self, n: int = -1) -> bytes:
        if self._exception is not None:
            raise self._exception
        return self._take(n)

    async def read(self, n: int = -1) -> bytes:
        """Up to ``n`` bytes as soon as any are there; ``n=-1``: everything until the end."""
        if self._exception is not None:       # a broken body fails every read, buffered or not
            raise self._exception
        if n == 0:                            # nothing asked: nothing to wait for (as aiohttp)
            return b""
        if n < 0:
            # Take what is buffered before each wait: a paused producer resumes only when the
            # buffer drains, so waiting with a full buffer would wait forever.
            parts = []
            while not self._eof:
                if self._buffer:
                    parts.append(self._take(-1))
                await self._wait("read")
            parts.append(self._take(-1))
            return parts[0] if len(parts) == 1 else b"".join(parts)
        while not self._buffer and not self._eof:
            await self._wait("read")
        return self._take(n)

    async def readany(self) -> bytes:
        """Whatever is buffered (at least one byte unless at the end)."""
        if self._exception is not None:
            raise self._exception
        while not self._buffer and not self._eof:
            await self._wait("readany")
        return self._take(-1)

    async def readexactly(self, n: int) -> bytes:
        # As in read(): take what is buffered before each wait, or a paused producer
        # (more than 2 * limit buffered) would never resume and we would wait forever.
        if self._exception is not None:
            raise self._exception
        parts, have = [], 0
        while have + self._size < n and not self._eof:
            if self._buffer:
                piece = self._take(-1)
                parts.append(piece)
                have += len(piece)
            await self._wait("readexactly")
        parts.append(self._take(n - have))
        data = b"".join(parts)
        if len(data) < n:
            raise asyncio.IncompleteReadError(data, n)
        return data

    async def readuntil(self, separator: bytes = b"\n") -> bytes:
        """Bytes up to and including ``separator`` (or whatever is left at the end)."""
        if self._exception is not None:
            raise self._exception
        while True:
            joined = b"".join(self._buffer)
            if len(self._buffer) > 1:          # keep the joined copy: later finds start from it
                self._buffer.clear()
                self._buffer.append(joined)
            end = joined.find(separator)
            if end >= 0:
                return self._take(end + len(separator))
            if self._eof:
                return self._take(-1)
            if self._size > 2 * self._limit:
                # Buffering on would pause the producer for good: refuse, as aiohttp does.
                raise ValueError(f"no {separator!r} within {self._size} bytes: line too long "
                                 f"(the limit is {2 * self._limit} bytes)")
            await self._wait("readuntil")

    async def readline(self) -> bytes:
        return await self.readuntil(b"\n")

    async def readchunk(self) -> Tuple[bytes, bool]:
        """The next piece as it was fed: ``(data, end_of_http_chunk)``; ``(b"", False)`` at the end.

        Simplification: aiohttp reports the boundaries of HTTP chunks here; aioteach's parser hands
        up body bytes without them, so the flag is True for every non-empty piece.
        """
        if self._exception is not None:
            raise self._exception
        while not self._buffer and not self._eof:
            await self._wait("readchunk")
        if not self._buffer:
            return b"", False
        first = self._buffer[0]
        return self._take(len(first)), True

    # -- iteration -----------------------------------------------------------------------------
    async def iter_chunked(self, n: int) -> AsyncIterator[bytes]:
        """``async for block in stream.iter_chunked(4096)``: blocks of at most ``n`` bytes."""
        while True:
            data = await self.read(n)
            if not data:
                return
            yield data

    async def iter_any(self) -> AsyncIterator[bytes]:
        """``async for data in stream.iter_any()``: whatever arrived, as soon as it arrives."""
        while True:
            data = await self.readany()
            if not data:
                return
            yield data

    async def iter_chunks(self) -> AsyncIterator[Tuple[bytes, bool]]:
        while True:
            data, end = await self.readchunk()
            if not data:
                return
            yield data, end

    def __aiter__(self) -> AsyncIterator[bytes]:
        """``async for line in stream``: line by line, as aiohttp does."""
        return self._lines()

    async def _lines(self) -> AsyncIterator[bytes]:
        while True:
            line = await self.readline()
            if not line:
                return
            yield line


class _EmptyStreamReader(StreamReader):
    """The body of a message that has none: always at its end, shared by every such request."""

    def __init__(self) -> None:
        super().__init__()
        self._eof = True

    def feed_data(self, data: bytes) -> None:
        raise RuntimeError("EMPTY_STREAM is shared and takes no data")

    def set_exception(self, exc: BaseException) -> None:
        """Ignored, as aiohttp's EmptyStreamReader does: the stream is shared by every message
        without a body, so an error recorded here would fail all the later ones."""

    def __repr__(self) -> str:
        return "<EMPTY_STREAM>"


#: One shared empty body (a GET has no body: no need for a reader per request).
EMPTY_STREAM: StreamReader = _EmptyStreamReader()
