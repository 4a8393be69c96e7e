"""FileResponse: a file from disk, with validators, conditional requests and byte ranges.

Theory of operation.  ``return web.FileResponse("report.pdf")`` from a handler.  When the server
calls ``prepare()``, the response looks at the file once (``stat``) and decides, in the order
RFC 9110 section 13.2.2 gives:

    1. If-Match / If-Unmodified-Since fails      -> 412 Precondition Failed
    2. If-None-Match / If-Modified-Since says
       "the client's copy is current" (GET, HEAD)  -> 304 Not Modified, no body
    3. Range: bytes=a-b, a-, -n (GET only)        -> 206 Partial Content + Content-Range
       ... that starts past the end                -> 416, Content-Range: bytes */<size>
       ... with If-Range that no longer matches    -> the whole file, 200
    4. otherwise                                   -> 200 and the whole file

Validators: ``Last-Modified`` is the file's mtime (RFC 9110 section 8.8.2) and ``ETag`` is
``"<mtime in ns, hex>-<size, hex>"`` (section 8.8.3): it changes whenever the file is rewritten,
without reading the file to hash it.  ``Content-Type`` comes from the name via ``mimetypes``.

Reading: the bytes are read in ``chunk_size`` pieces (256 KiB) in a worker thread
(``loop.run_in_executor``), because a read from a cold disk can block for milliseconds and
would stall every other connection.  Each piece is written with flow control, so a slow client
holds one chunk in memory, not the file.  Files up to 64 KiB are read inline instead: they are
almost always in the page cache, and one read of that size costs less than the hop to a thread.

Simplification: several ranges (``bytes=0-1,5-6``) are answered with the whole file and 200,
which RFC 9110 section 14.2 allows (a server may ignore Range), rather than with a
``multipart/byteranges`` body; a malformed Range is ignored the same way.  And the file is copied
through user space, not with ``os.sendfile``.
"""
from __future__ import annotations

import asyncio
import datetime
import mimetypes
import os
import re
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Optional, Tuple, Union

from .response import StreamResponse

__all__ = ["FileResponse"]

_INLINE_READ_LIMIT = 64 * 1024       # read smaller files without a thread hop (see above)
# ranges-specifier = range-unit "=" range-set (RFC 9110 14.1.1) with one byte-range-spec in the
# set; the unit is case-insensitive (14.1) and a list may have whitespace around its elements.
_RANGE = re.compile(r"bytes=[ \t]*(\d*)-(\d*)", re.IGNORECASE)


class FileResponse(StreamResponse):
    """A response whose body is the file at ``path``."""

    def __init__(self, path: Union[str, "os.PathLike[str]"], chunk_size: int = 256 * 1024,
                 status: int = 200, reason: Optional[str] = None,
                 headers: Optional[Any] = None) -> None:
        super().__init__(status=status, reason=reason, headers=headers)
        self._path = Path(path)
        self._chunk_size = chunk_size

    async def prepare(self, request: Any) -> None:
        if self.prepared:
            return
        try:
            st = self._path.stat()
            if not self._path.is_file():
                raise FileNotFoundError(self._path)
        except (FileNotFoundError, NotADirectoryError):
            return await self._answer_empty(request, 404)
        except PermissionError:
            return await self._answer_empty(request, 403)

        etag = f'"{st.st_mtime_ns:x}-{st.st_size:x}"'
        mtime = int(st.st_mtime)                  # HTTP dates have whole seconds
        self.headers["ETag"] = etag
        self.last_modified = mtime
        self.headers["Accept-Ranges"] = "bytes"

        status = _check_preconditions(request, etag, mtime)
        if status is not None:
            return await self._answer_empty(request, status)

        start, length = 0, st.st_size
        if request.method == "GET" and "Range" in request.headers and \
                _if_range_holds(request, etag, mtime):
            chosen = _parse_range(request.headers["Range"], st.st_size)
            if chosen == "unsatisfiable":
                self.headers["Content-Range"] = f"bytes */{st.st_size}"
                return await self._answer_empty(request, 416)
            if chosen is not None:
                start, length = chosen
                self.set_status(206)
                self.headers["Content-Range"] = \
                    f"bytes {start}-{start + length - 1}/{st.st_size}"

        if "Content-Type" not in self.headers:         # the type of the bytes we send
            self.content_type = _guess_type(self._path)
        self.content_length = length
        await super().prepare(request)
        if request.method != "HEAD":
            await self._send_file(start, length)
        await self.write_eof()

    async def _answer_empty(self, request: Any, status: int) -> None:
        """Answer with a status and no body: 304, 412, 416, or 404/403 for a vanished file."""
        self.set_status(status)
        if status != 304:
            self.content_length = 0
        await super().prepare(request)
        await self.write_eof()

    async def _send_file(self, start: int, length: int) -> None:
        with open(self._path, "rb") as f:
            if length <= _INLINE_READ_LIMIT:
                f.seek(start)
                await self.write(f.read(length))
                return
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, f.seek, start)
            while length > 0:
                chunk = await loop.run_in_executor(None, f.read, min(self._chunk_size, length))
                if not chunk:        # the file shrank under us: send what there was
                    break
                await self.write(chunk)
                length -= len(chunk)


def _guess_type(path: Path) -> str:
    ctype, encoding = mimetypes.guess_type(path.name)
    if encoding is not None or ctype is None:
        # "x.tar.gz" guesses ("application/x-tar", "gzip"): saying x-tar without
        # Content-Encoding: gzip would be a lie, so say "bytes".
        return "application/octet-stream"
    return ctype


def _http_date(raw: Optional[str]) -> Optional[float]:
    """An HTTP date as a timestamp; None when absent or invalid (RFC 9110 13.1.3: ignore)."""
    if not raw:
        return None
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)   # HTTP dates are always GMT
    return when.timestamp()


def _etag_in(field: str, etag: str, *, weak: bool) -> bool:
    """Is ``etag`` listed in an If-Match / If-None-Match value (RFC 9110 13.1.1-2)?"""
    if field.strip() == "*":
        return True
    for candidate in field.split(","):
        candidate = candidate.strip()
        if weak and candidate.startswith("W/"):
            candidate = candidate[2:]          # If-None-Match compares weakly (8.8.3.2)
        if candidate == etag:
            return True
    return False


def _check_preconditions(request: Any, etag: str, mtime: int) -> Optional[int]:
    """The status the preconditions force (412 or 304), or None to go on (RFC 9110 13.2.2)."""
    headers = request.headers
    if_match = headers.get("If-Match")
    if if_match is not None:
        if not _etag_in(if_match, etag, weak=False):
            return 412
    else:
        since = _http_date(headers.get("If-Unmodified-Since"))
        if since is not None and mtime > since:
            return 412
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        if _etag_in(if_none_match, etag, weak=True):
            return 304 if request.method in ("GET", "HEAD") else 412
    elif request.method in ("GET", "HEAD"):
        since = _http_date(headers.get("If-Modified-Since"))
        if since is not None and mtime <= since:
            return 304
    return None


def _if_range_holds(request: Any, etag: str, mtime: int) -> bool:
    """If-Range (RFC 9110 13.1.5): honour Range only while the client's copy is current."""
    raw = request.headers.get("If-Range")
    if raw is None:
        return True
    raw = raw.strip()
    if raw.startswith('"'):
        return raw == etag                     # a strong comparison
    return _http_date(raw) == mtime            # a date must match exactly


def _parse_range(raw: str, size: int) -> Union[None, str, Tuple[int, int]]:
    """``(start, length)`` of one satisfiable byte range, ``"unsatisfiable"``, or None when the
    Range is malformed or names several ranges (we then send the whole file)."""
    found = _RANGE.fullmatch(raw.strip())
    if found is None:
        return None
    first, last = found.groups()
    if not first:                              # "-n": the last n bytes (RFC 9110 14.1.2)
        if not last:
            return None
        suffix = int(last)
        if suffix == 0 or size == 0:
            return "unsatisfiable"
        suffix = min(suffix, size)
        return size - suffix, suffix
    start = int(first)
    if last and int(last) < start:
        return None                            # "bytes=5-2" is invalid: ignore the field
    if start >= size:
        return "unsatisfiable"
    end = int(last) if last else size - 1
    end = min(end, size - 1)                   # a range past the end is cut to fit
    return start, end - start + 1
