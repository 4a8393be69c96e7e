"""Payloads: a body that knows its type and, when it can, its size, written by either side.

Theory of operation.  A response body (``web.Response(body=...)``) and a request body
(``session.post(url, data=...)``) can be many things: bytes, a str, a file, an ``io.BytesIO``,
an async generator, a ``StreamReader``.  ``get_payload(value)`` looks the value's type up in
``PAYLOAD_REGISTRY`` and wraps it in the ``Payload`` subclass for that type.  Every payload
answers the same four questions, so the code that sends it has no per-type branches:

    payload.size           bytes it will write, or None when unknown (the sender then frames
                           the body with chunked coding, RFC 9112 7.1, instead of Content-Length)
    payload.content_type   its media type (RFC 9110 8.3), from the caller, a filename or a default
    payload.headers        Content-Type, and Content-Disposition once set_content_disposition()
    await payload.write(writer)   the bytes, in order, through ``await writer.write(data)``

The writer is anything with ``async write(data: bytes)``: a ``web.StreamResponse``, the
client's request writer, or a list-collecting fake in a test.  ``decode()`` gives the body as
text for logs and tests.

The classes, one kind of value each (aiohttp's names):

    BytesPayload           bytes, bytearray, memoryview           size = len
    StringPayload          str, encoded once (UTF-8 unless told)  size = len(encoded)
    JsonPayload            any JSON value, dumped then encoded    size = len(encoded)
    BytesIOPayload         io.BytesIO, from its position           size = what is left
    StringIOPayload        io.StringIO: its text, as a StringPayload
    BufferedReaderPayload  open(path, "rb"): read in a thread      size = file size - position
    TextIOPayload          open(path): text read in a thread, encoded   size = None
    IOBasePayload          any other binary file object            size = None
    AsyncIterablePayload   an async generator / iterable of bytes  size = None; writes once
    StreamReaderPayload    aioteach.streams.StreamReader, chunk by chunk
    StreamWrapperPayload   ``@streamer`` (aiohttp's deprecated decorator): a coroutine that
                           writes the body itself, ``await writer.write(...)``; size = None

Order matters in the registry: ``io.StringIO`` is also an ``io.TextIOBase`` and ``io.BytesIO``
is also an ``io.IOBase``, so the narrower type is registered first.

Files are read in the loop's default executor (``run_in_executor``), ``CHUNK_SIZE`` at a time:
a disk read must not stall every other connection.  The plain ``text=`` and ``body=bytes``
paths of ``web.Response`` do not come here; they stay a single ``bytes`` (see web/response.py).

Simplification: aiohttp's ``TextIOPayload.size`` guesses from the file size, which is wrong for
non-ASCII text in a multi-byte encoding; here it is None and the body goes chunked.  aiohttp
also closes files through a background future and rewinds a payload to resend it on a
redirect; here ``close()`` closes at once and a file payload remembers where it started, so
``write()`` may run again for a 307/308 re-send.
"""
from __future__ import annotations

import asyncio
import builtins
import enum
import io
import json
import mimetypes
import os
import warnings
from collections.abc import AsyncIterable
from typing import Any, Callable, Dict, List, Optional, Protocol, Tuple

from .multidict import CIMultiDict
from .multipart import quote_field_value
from .streams import StreamReader

__all__ = ["Payload", "BytesPayload", "StringPayload", "StringIOPayload", "IOBasePayload",
           "BufferedReaderPayload", "TextIOPayload", "BytesIOPayload", "AsyncIterablePayload",
           "StreamReaderPayload", "JsonPayload", "PayloadRegistry", "PAYLOAD_REGISTRY",
           "LookupError", "Order", "get_payload", "register_payload", "payload_type",
           "PayloadWriter", "CHUNK_SIZE", "streamer", "StreamWrapperPayload"]

CHUNK_SIZE = 2 ** 16            # 64 KiB per file read: a few syscalls per MB, little memory


class PayloadWriter(Protocol):
    """What a payload writes into: a response, the client's request writer, a test's fake."""

    async def write(self, data: bytes) -> None: ...


class LookupError(builtins.LookupError):  # noqa: A001  (aiohttp's name: payload.LookupError)
    """No payload class is registered for this value's type."""


class Payload:
    """The base class: headers, content type and size; subclasses say how to write."""

    default_content_type = "application/octet-stream"
    size: Optional[int] = None

    def __init__(self, value: Any, headers: Any = None, content_type: Optional[str] = None,
                 filename: Optional[str] = None, encoding: Optional[str] = None,
                 **kwargs: Any) -> None:
        self.value = value
        self.encoding = encoding
        self.filename = filename
        self.headers: CIMultiDict = CIMultiDict(headers or ())
        if content_type is None and "Content-Type" not in self.headers:
            guessed = mimetypes.guess_type(filename)[0] if filename else None
            content_type = guessed or self.default_content_type
        if content_type is not None:
            self.headers["Content-Type"] = content_type

    @property
    def content_type(self) -> str:
        return self.headers["Content-Type"]

    def set_content_disposition(self, disptype: str, quote_fields: bool = True,
                                _charset: str = "utf-8", **params: str) -> None:
        """``Content-Disposition: attachment; filename="a.txt"`` (RFC 6266), values quoted."""
        value = disptype + "".join(f"; {key}={quote_field_value(str(param))}"
                                   for key, param in params.items())
        self.headers["Content-Disposition"] = value

    async def write(self, writer: PayloadWriter) -> None:
        raise NotImplementedError

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        raise NotImplementedError

    async def as_bytes(self) -> bytes:
        """The whole body in memory: what write() would send."""
        collected = _Collector()
        await self.write(collected)
        return b"".join(collected.chunks)

    async def close(self) -> None:
        """Release what the payload holds (an open file); bytes and strings hold nothing."""

    def __repr__(self) -> str:
        size = "unknown size" if self.size is None else f"{self.size} bytes"
        return f"<{type(self).__name__} {self.content_type!r}, {size}>"


class _Collector:
    def __init__(self) -> None:
        self.chunks: List[bytes] = []

    async def write(self, data: bytes) -> None:
        self.chunks.append(bytes(data))


class BytesPayload(Payload):
    """bytes, bytearray or memoryview: written in one piece."""

    def __init__(self, value: Any, *args: Any, **kwargs: Any) -> None:
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise TypeError(f"BytesPayload takes bytes, bytearray or memoryview, not "
                            f"{type(value).__name__}")
        super().__init__(value, *args, **kwargs)
        self.size = memoryview(value).nbytes

    async def write(self, writer: PayloadWriter) -> None:
        await writer.write(bytes(self.value))

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        return bytes(self.value).decode(self.encoding or encoding, errors)


class StringPayload(BytesPayload):
    """A str, encoded once; ``text/plain; charset=utf-8`` unless told otherwise."""

    def __init__(self, value: str, *args: Any, encoding: Optional[str] = None,
                 content_type: Optional[str] = None, **kwargs: Any) -> None:
        charset = encoding or _charset_of(content_type) or "utf-8"
        if content_type is None:
            content_type = f"text/plain; charset={charset}"
        super().__init__(value.encode(charset), *args, encoding=charset,
                         content_type=content_type, **kwargs)


def _charset_of(content_type: Optional[str]) -> Optional[str]:
    """``utf-16`` from ``text/plain; charset=utf-16`` (RFC 9110 8.3.2), else None."""
    for param in (content_type or "").split(";")[1:]:
        key, _, value = param.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip('"')
    return None


class StringIOPayload(StringPayload):
    """io.StringIO: the text from its position on, as a StringPayload."""

    def __init__(self, value: io.StringIO, *args: Any, **kwargs: Any) -> None:
        super().__init__(value.read(), *args, **kwargs)


class JsonPayload(BytesPayload):
    """Any JSON value: ``dumps(value)`` encoded, ``application/json``."""

    def __init__(self, value: Any, encoding: str = "utf-8",
                 content_type: str = "application/json",
                 dumps: Callable[[Any], str] = json.dumps, *args: Any, **kwargs: Any) -> None:
        super().__init__(dumps(value).encode(encoding), *args, content_type=content_type,
                         encoding=encoding, **kwargs)


class IOBasePayload(Payload):
    """A binary file object: read CHUNK_SIZE at a time in a thread, from where it started.

    The filename for Content-Type and Content-Disposition comes from the file's ``name``."""

    def __init__(self, value: Any, *args: Any, disposition: str = "attachment",
                 **kwargs: Any) -> None:
        if "filename" not in kwargs:
            name = getattr(value, "name", None)
            kwargs["filename"] = os.path.basename(name) if isinstance(name, str) else None
        super().__init__(value, *args, **kwargs)
        self.start = _position(value)
        if self.filename is not None and disposition is not None:
            self.set_content_disposition(disposition, filename=self.filename)

    async def write(self, writer: PayloadWriter) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self._rewind)
        while True:
            chunk = await loop.run_in_executor(None, self.value.read, CHUNK_SIZE)
            if not chunk:
                return
            await writer.write(self._as_bytes(chunk))

    def _rewind(self) -> None:
        if self.start is not None:
            self.value.seek(self.start)

    def _as_bytes(self, chunk: Any) -> bytes:
        return bytes(chunk)

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        self._rewind()
        data = self.value.read()
        return data if isinstance(data, str) else bytes(data).decode(encoding, errors)

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.value.close)


def _position(value: Any) -> Optional[int]:
    """Where a seekable file stands now (so a second write starts there again), else None."""
    try:
        return value.tell() if value.seekable() else None
    except (AttributeError, OSError, ValueError):
        return None


class BufferedReaderPayload(IOBasePayload):
    """``open(path, "rb")``: the size is the file's, from the position on (os.fstat)."""

    def __init__(self, value: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(value, *args, **kwargs)
        try:
            self.size = os.fstat(value.fileno()).st_size - (self.start or 0)
        except (AttributeError, OSError, ValueError):
            self.size = None                    # a pipe or socket: no size, chunked


class BytesIOPayload(IOBasePayload):
    """io.BytesIO: in memory, so no thread; the size is what is left after the position."""

    def __init__(self, value: io.BytesIO, *args: Any, **kwargs: Any) -> None:
        super().__init__(value, *args, **kwargs)
        self.size = value.getbuffer().nbytes - (self.start or 0)

    async def write(self, writer: PayloadWriter) -> None:
        self._rewind()
        await writer.write(self.value.read())

    async def close(self) -> None:
        self.value.close()


class TextIOPayload(IOBasePayload):
    """``open(path)`` in text mode: text read in a thread, encoded (the file's encoding)."""

    def __init__(self, value: Any, *args: Any, encoding: Optional[str] = None,
                 content_type: Optional[str] = None, **kwargs: Any) -> None:
        encoding = encoding or getattr(value, "encoding", None) or "utf-8"
        if content_type is None:
            content_type = f"text/plain; charset={encoding}"
        super().__init__(value, *args, encoding=encoding, content_type=content_type, **kwargs)

    def _as_bytes(self, chunk: Any) -> bytes:
        return chunk.encode(self.encoding or "utf-8") if isinstance(chunk, str) else bytes(chunk)


class AsyncIterablePayload(Payload):
    """An async iterable of bytes (an ``async def`` generator): each item as it comes.

    The size is unknown, so the body goes chunked; an iterator runs once, so the payload can
    be written once (a second ``write()`` raises instead of silently sending nothing)."""

    def __init__(self, value: AsyncIterable[bytes], *args: Any, **kwargs: Any) -> None:
        if not isinstance(value, AsyncIterable):
            raise TypeError(f"AsyncIterablePayload takes an async iterable, not "
                            f"{type(value).__name__}")
        super().__init__(value, *args, **kwargs)
        self.consumed = False

    async def write(self, writer: PayloadWriter) -> None:
        if self.consumed:
            raise RuntimeError("this async iterable was already sent; make a new one")
        self.consumed = True
        async for chunk in self.iterate():
            await writer.write(bytes(chunk))

    def iterate(self) -> AsyncIterable[bytes]:
        return self.value

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        raise TypeError("an async iterable cannot be decoded without awaiting it; "
                        "use `await payload.as_bytes()`")


class StreamReaderPayload(AsyncIterablePayload):
    """A StreamReader (another body being read): passed on chunk by chunk as it arrives."""

    def __init__(self, value: StreamReader, *args: Any, **kwargs: Any) -> None:
        Payload.__init__(self, value, *args, **kwargs)
        self.consumed = False

    def iterate(self) -> AsyncIterable[bytes]:
        return self.value.iter_any()


class streamer:  # noqa: N801  (aiohttp's decorator name)
    """Deprecated, as in aiohttp: ``@streamer async def body(writer, ...)`` writes a body
    itself.  ``body(args)`` (or ``body`` alone) can then be a response's or request's body.
    An async generator (``yield`` the pieces) says the same and is the way to write it now."""

    def __init__(self, coroutine: Callable[..., Any]) -> None:
        warnings.warn("@streamer is deprecated, use async generators instead",
                      DeprecationWarning, stacklevel=2)
        self.coroutine = coroutine

    def __call__(self, *args: Any, **kwargs: Any) -> "StreamWriterCall":
        return StreamWriterCall(self.coroutine, args, kwargs)


class StreamWriterCall:
    """``body(args)`` of a ``@streamer``: the coroutine and its arguments, not yet run."""

    def __init__(self, coroutine: Callable[..., Any], args: tuple, kwargs: dict) -> None:
        self.coroutine, self.args, self.kwargs = coroutine, args, kwargs

    async def __call__(self, writer: PayloadWriter) -> None:
        await self.coroutine(writer, *self.args, **self.kwargs)


class StreamWrapperPayload(Payload):
    """A ``@streamer`` body: the coroutine is given the writer; size unknown, so chunked."""

    def __init__(self, value: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(value() if isinstance(value, streamer) else value, *args, **kwargs)

    async def write(self, writer: PayloadWriter) -> None:
        await self.value(writer)


class Order(str, enum.Enum):
    """Where a registration goes: tried before, among or after the built-in types."""

    normal = "normal"
    try_first = "try_first"
    try_last = "try_last"


class PayloadRegistry:
    """Type -> payload factory, tried in order: the first ``isinstance`` match wins."""

    def __init__(self) -> None:
        self._entries: Dict[Order, List[Tuple[Callable[..., Payload], Any]]] = {
            order: [] for order in Order}

    def register(self, factory: Callable[..., Payload], type: Any, *,  # noqa: A002
                 order: Order = Order.normal) -> None:
        self._entries[Order(order)].append((factory, type))

    def get(self, data: Any, *args: Any, **kwargs: Any) -> Payload:
        if isinstance(data, Payload):
            return data
        for order in (Order.try_first, Order.normal, Order.try_last):
            for factory, kind in self._entries[order]:
                if isinstance(data, kind):
                    return factory(data, *args, **kwargs)
        raise LookupError(f"no payload class for {type(data).__name__}: pass bytes, str, a "
                          f"file object or an async iterable of bytes")


PAYLOAD_REGISTRY = PayloadRegistry()


def get_payload(data: Any, *args: Any, **kwargs: Any) -> Payload:
    """The Payload for ``data`` (itself, if it already is one); LookupError if none fits."""
    return PAYLOAD_REGISTRY.get(data, *args, **kwargs)


def register_payload(factory: Callable[..., Payload], type: Any, *,  # noqa: A002
                     order: Order = Order.normal) -> None:
    PAYLOAD_REGISTRY.register(factory, type, order=order)


class payload_type:  # noqa: N801  (aiohttp's decorator name)
    """``@payload_type(MyType)`` over a Payload subclass registers it for MyType."""

    def __init__(self, type: Any, *, order: Order = Order.normal) -> None:  # noqa: A002
        self.type = type
        self.order = order

    def __call__(self, factory: Any) -> Any:
        register_payload(factory, self.type, order=self.order)
        return factory


# The narrower type first: StringIO is a TextIOBase, BytesIO and BufferedReader are IOBases.
register_payload(BytesPayload, (bytes, bytearray, memoryview))
register_payload(StringPayload, str)
register_payload(StringIOPayload, io.StringIO)
register_payload(TextIOPayload, io.TextIOBase)
register_payload(BytesIOPayload, io.BytesIO)
register_payload(BufferedReaderPayload, (io.BufferedReader, io.BufferedRandom))
register_payload(IOBasePayload, io.IOBase)
register_payload(StreamReaderPayload, StreamReader)
register_payload(StreamWrapperPayload, (streamer, StreamWriterCall))
register_payload(AsyncIterablePayload, AsyncIterable, order=Order.try_last)
