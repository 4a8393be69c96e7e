"""multipart/form-data bodies, read part by part (RFC 7578, framing from RFC 2046 section 5.1).

Theory of operation.  A form with a file upload arrives as one body cut into *parts* by a
boundary line; each part has its own small head (``Content-Disposition: form-data;
name="avatar"; filename="me.png"``) and its own bytes.  The cutting is done by the sans-I/O
``aioteach.multipart.MultipartParser``: bytes in, events out (``PartHeaders``, ``PartData``,
``PartEnd``).  This module is the asyncio side, with aiohttp's names::

    reader = await request.multipart()          # a MultipartReader
    async for part in reader:                   # a BodyPartReader per part, in order
        if part.filename:
            while chunk := await part.read_chunk():   # a big upload, a piece at a time
                ...
        else:
            value = await part.text()

The reader pulls body bytes from the request's stream only when a part asks for more, so an
upload never needs to fit in memory.  Moving to the next part skips whatever the previous part
left unread.  ``read_form(request, max_size)`` is the one form reader: ``request.post()`` calls
it.  It reads a whole form into a ``MultiDictProxy`` (aiohttp's rules: a file part becomes a
``FileField`` whose file is spooled, in memory up to 1 MiB and then on disk; a part without a
Content-Type or with a ``text/`` one becomes ``str``; any other part stays a ``bytearray``) and
stops with 413 as soon as the body read passes ``max_size`` bytes, boundaries and part heads
included, so an oversized upload is refused without being stored.  ``part.read()`` alone stops
at ``client_max_size`` too; ``read_chunk()`` never does, so a handler may stream an upload of
any size.

Charsets (RFC 7578 section 4.6): a field named ``_charset_`` sets the charset of the text
parts that follow without their own ``charset=`` (its part is consumed, as in aiohttp).

A part can be sent on as a response body, ``web.Response(body=part)``: ``BodyPartReaderPayload``
(registered with ``aioteach.payload`` for ``BodyPartReader``) streams it with the part's name
and filename in ``Content-Disposition: attachment``, as aiohttp does.

Simplification: a part that is itself ``multipart/mixed`` is handed out as one opaque part
(aiohttp would give a nested reader); RFC 7578 section 4.3 deprecates that form anyway.
"""
from __future__ import annotations

import base64
import binascii
import json
import quopri
import tempfile
import zlib
from collections import deque
from typing import Any, AsyncIterator, Deque, NamedTuple, Optional, Union
from urllib.parse import parse_qsl

from ..multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy
from ..payload import Order, Payload, PayloadWriter, payload_type
from ..multipart import (End, MultipartError, MultipartParser, PartData, PartEnd, PartHeaders,
                         parse_options_header)
from .exceptions import HTTPBadRequest, HTTPRequestEntityTooLarge

__all__ = ["MultipartReader", "BodyPartReader", "BodyPartReaderPayload", "FileField", "read_form",
           "too_many_fields"]

_CHUNK = 8 * 1024          # read_chunk()'s default, like aiohttp
_SPOOL = 1024 ** 2         # a file part stays in memory up to 1 MiB, then goes to disk


class FileField(NamedTuple):
    """An uploaded file from a multipart form, as ``await request.post()`` returns it."""

    name: str
    filename: str
    file: Any                       # a binary file object positioned at 0; the app closes it
    content_type: str
    headers: CIMultiDictProxy[str]


class MultipartReader:
    """The parts of a multipart body, one ``BodyPartReader`` at a time."""

    def __init__(self, headers: Any, content: Any, *, client_max_size: int = 0) -> None:
        kind, params = parse_options_header(headers.get("Content-Type", ""))
        boundary = params.get("boundary")
        if not kind.startswith("multipart/") or not boundary:
            raise HTTPBadRequest(text=f"expected a multipart body with a boundary, got "
                                      f"Content-Type: {headers.get('Content-Type')}")
        self.headers = headers
        self._content = content
        try:
            self._parser = MultipartParser(boundary)
        except MultipartError as exc:
            raise HTTPBadRequest(text=str(exc)) from None
        self._events: Deque[Any] = deque()
        self._current: Optional[BodyPartReader] = None
        self._done = False
        self.client_max_size = client_max_size     # what part.read() may hold (0: no limit)
        self.bytes_read = 0                        # body bytes fed to the parser so far
        self.default_charset: Optional[str] = None  # from a _charset_ field (RFC 7578 4.6)

    async def _next_event(self) -> Any:
        """The parser's next event, feeding it body bytes while it has none to give.

        None once the close delimiter was seen.  A malformed body is the client's fault: 400.
        """
        while not self._events:
            if self._done:
                return None
            chunk = await self._content.readany()
            self.bytes_read += len(chunk)
            try:
                self._events.extend(self._parser.feed(chunk) if chunk
                                    else self._parser.feed_eof())
            except MultipartError as exc:
                self._done = True
                raise HTTPBadRequest(text=f"malformed multipart body: {exc}") from None
        event = self._events.popleft()
        if isinstance(event, End):
            self._done = True          # the epilogue, if any, is not worth waiting for
            self._events.clear()
            return None
        return event

    async def next(self) -> Optional["BodyPartReader"]:
        """The next part, or None after the last one."""
        if self._current is not None:
            await self._current.release()
        while True:
            event = await self._next_event()
            if event is None:
                self._current = None
                return None
            if isinstance(event, PartHeaders):
                self._current = BodyPartReader(self, event)
                if event.name == "_charset_" and self.default_charset is None:
                    # 31 bytes: the longest WHATWG encoding label has 19 characters.
                    label = await self._current.read_chunk(32)
                    if len(label) > 31:
                        raise HTTPBadRequest(text="the _charset_ field is not a charset name")
                    self.default_charset = label.strip().decode("ascii", "replace")
                    continue                       # the next part is what the caller gets
                return self._current

    def __aiter__(self) -> AsyncIterator["BodyPartReader"]:
        return self

    async def __anext__(self) -> "BodyPartReader":
        part = await self.next()
        if part is None:
            raise StopAsyncIteration
        return part

    async def release(self) -> None:
        """Skip every remaining part."""
        while await self.next() is not None:
            pass


class BodyPartReader:
    """One part: its head (``name``, ``filename``, ``headers``) and its bytes."""

    def __init__(self, reader: MultipartReader, head: Any) -> None:
        self._reader = reader
        self.headers: CIMultiDictProxy[str] = CIMultiDictProxy(CIMultiDict(head.headers))
        self.name: Optional[str] = head.name
        self.filename: Optional[str] = head.filename
        self._pending = b""              # bytes of a PartData that read_chunk() did not hand out
        self._at_eof = False

    def at_eof(self) -> bool:
        return self._at_eof

    async def read_chunk(self, size: int = _CHUNK) -> bytes:
        """Up to ``size`` bytes of the part (raw: not decoded); ``b""`` at its end."""
        while not self._pending and not self._at_eof:
            event = await self._reader._next_event()
            if isinstance(event, PartData):
                self._pending = event.data
            elif event is None or isinstance(event, PartEnd):
                self._at_eof = True
        chunk, self._pending = self._pending[:size], self._pending[size:]
        return chunk

    async def read(self, *, decode: bool = False) -> bytes:
        """The whole part.  ``decode=True`` undoes Content-Transfer-Encoding/Content-Encoding."""
        pieces = []
        while True:
            chunk = await self.read_chunk(1 << 20)
            if not chunk:
                break
            pieces.append(chunk)
            limit = self._reader.client_max_size
            if limit and sum(map(len, pieces)) > limit:
                raise HTTPRequestEntityTooLarge(limit, sum(map(len, pieces)))
        data = b"".join(pieces)
        return self.decode(data) if decode else data

    async def release(self) -> None:
        """Skip what is left of this part."""
        while await self.read_chunk(1 << 20):
            pass

    async def text(self, *, encoding: Optional[str] = None) -> str:
        data = await self.read(decode=True)
        return data.decode(encoding or self.get_charset(default="utf-8"))

    async def json(self, *, encoding: Optional[str] = None) -> Any:
        data = await self.read(decode=True)
        if not data:
            return None
        return json.loads(data.decode(encoding or self.get_charset(default="utf-8")))

    async def form(self, *, encoding: Optional[str] = None) -> list:
        """The part as ``application/x-www-form-urlencoded`` pairs."""
        data = await self.read(decode=True)
        if not data:
            return []
        charset = encoding or self.get_charset(default="utf-8")
        return parse_qsl(data.decode(charset), keep_blank_values=True, encoding=charset)

    def get_charset(self, default: str) -> str:
        """The part's ``charset`` parameter (RFC 7578 section 4.4), else the form's
        ``_charset_`` field, else ``default``."""
        params = parse_options_header(self.headers.get("Content-Type", ""))[1]
        return params.get("charset") or self._reader.default_charset or default

    def decode(self, data: bytes) -> bytes:
        """Undo Content-Transfer-Encoding (RFC 2045) and Content-Encoding (gzip, deflate)."""
        transfer = self.headers.get("Content-Transfer-Encoding", "").lower()
        if transfer == "base64":
            try:
                data = base64.b64decode(data)
            except binascii.Error as exc:
                raise ValueError(f"part {self.name!r}: bad base64: {exc}") from None
        elif transfer == "quoted-printable":
            data = quopri.decodestring(data)
        elif transfer not in ("", "binary", "8bit", "7bit"):
            raise ValueError(f"part {self.name!r}: unknown Content-Transfer-Encoding {transfer!r}")
        coding = self.headers.get("Content-Encoding", "").lower()
        if coding in ("gzip", "deflate"):
            # wbits 47 accepts a gzip or a zlib header; -15 is raw deflate, which some send.
            try:
                data = zlib.decompress(data, 47 if coding == "gzip" else 15)
            except zlib.error:
                data = zlib.decompress(data, -15)
        elif coding not in ("", "identity"):
            raise ValueError(f"part {self.name!r}: unknown Content-Encoding {coding!r}")
        return data

    def __repr__(self) -> str:
        return f"<BodyPartReader name={self.name!r} filename={self.filename!r}>"


@payload_type(BodyPartReader, order=Order.try_first)
class BodyPartReaderPayload(Payload):
    """A part of a request's form, sent on as a body: ``web.Response(body=part)``.

    A part without a transfer or content coding goes out chunk by chunk as it arrives (no
    size: chunked); an encoded one is read whole and decoded first (a base64 quantum may
    straddle two chunks)."""

    def __init__(self, value: BodyPartReader, *args: Any, **kwargs: Any) -> None:
        super().__init__(value, *args, **kwargs)
        params = {key: val for key, val in (("name", value.name), ("filename", value.filename))
                  if val is not None}
        if params:
            self.set_content_disposition("attachment", True, **params)

    async def write(self, writer: PayloadWriter) -> None:
        part: BodyPartReader = self.value
        if _encoded(part):
            await writer.write(await part.read(decode=True))
            return
        while chunk := await part.read_chunk(2 ** 16):
            await writer.write(chunk)


def too_many_fields(max_fields: int) -> HTTPRequestEntityTooLarge:
    """The 413 for a form with more than ``client_max_fields`` fields (aiohttp's text)."""
    return HTTPRequestEntityTooLarge(max_fields, max_fields + 1,
                                     text=f"Maximum number of form fields {max_fields} exceeded.")


async def read_form(request: Any, max_size: int, max_fields: int = 0
                    ) -> MultiDictProxy[Union[str, bytes, FileField]]:
    """The whole form of ``request.multipart()``: see the module docstring for its rules.

    ``max_size`` (0: no limit) bounds the body read, checked after every chunk; ``max_fields``
    (0: no limit) the number of parts.
    """
    form: MultiDict[Union[str, bytes, FileField]] = MultiDict()
    reader = await request.multipart()

    def check_size() -> None:
        if max_size and reader.bytes_read > max_size:
            raise HTTPRequestEntityTooLarge(max_size, reader.bytes_read)

    async for part in reader:
        check_size()                         # many empty parts count too
        if max_fields and len(form) >= max_fields:
            raise too_many_fields(max_fields)
        if part.name is None:
            raise HTTPBadRequest(text="a multipart form part without a name= in its "
                                      "Content-Disposition")
        file: Any = tempfile.SpooledTemporaryFile(_SPOOL) if part.filename else bytearray()
        try:
            while chunk := await part.read_chunk(64 * 1024):
                check_size()
                file.write(chunk) if part.filename else file.extend(chunk)
        except BaseException:
            if part.filename:
                file.close()
            raise
        ctype = part.headers.get("Content-Type")
        if not part.filename:
            value = part.decode(bytes(file)) if _encoded(part) else file
            if ctype is None or ctype.lower().startswith("text/"):
                form.add(part.name, bytes(value).decode(part.get_charset(default="utf-8")))
            else:                   # application/json...: only the handler knows (aiohttp too)
                form.add(part.name, bytearray(value))
            continue
        if _encoded(part):                   # rare: decode the (size-checked) whole once
            file.seek(0)
            decoded = part.decode(file.read())
            file.seek(0)
            file.truncate()
            file.write(decoded)
        file.seek(0)
        form.add(part.name, FileField(part.name, part.filename, file,
                                      ctype or "application/octet-stream", part.headers))
    return MultiDictProxy(form)


def _encoded(part: BodyPartReader) -> bool:
    return "Content-Transfer-Encoding" in part.headers or "Content-Encoding" in part.headers
