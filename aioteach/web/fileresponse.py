"""FileResponse: a file from disk, with validators, conditional requests and byte ranges.

Theory of operation.  ``return web.FileResponse("report.pdf")`` from a handler.  When the server
calls ``prepare()``, the response opens the file and looks at it once (``fstat``), then decides,
in the order RFC 9110 section 13.2.2 gives:

    0. missing, or a name the OS refuses (too long,
       a symlink loop: any OSError)               -> 404;  not readable -> 403;
       not a regular file (a pipe, a folder)       -> 403
    1. If-Match / If-Unmodified-Since fails      -> 412 Precondition Failed
    2. If-None-Match / If-Modified-Since says
       "the client's copy is current" (GET, HEAD)  -> 304 Not Modified, no body
    3. Range: bytes=a-b, a-, -n (GET, HEAD)        -> 206 Partial Content + Content-Range
       ... that starts past the end, or malformed
       (another unit, b < a, not numbers)          -> 416, Content-Range: bytes */<size>
       ... with If-Range that no longer holds      -> the whole file, 200
    4. otherwise                                   -> 200 and the whole file

Validators: ``Last-Modified`` is the file's mtime (RFC 9110 section 8.8.2) and ``ETag`` is
``"<mtime in ns, hex>-<size, hex>"`` (section 8.8.3): it changes whenever the file is rewritten,
without reading the file to hash it.  ``Content-Type`` comes from the name via ``mimetypes``;
a compressed file is what its suffix says (``x.txt.gz`` is ``application/gzip``, as in aiohttp),
not the type of what is inside.  Pre-compressed siblings: when the client accepts ``br`` or
``gzip`` (Accept-Encoding, RFC 9110 12.5.3) and ``page.html.br`` / ``page.html.gz`` exists next
to ``page.html``, that file is sent with ``Content-Encoding`` and ``Vary: Accept-Encoding``.

Reading: the bytes are read in ``chunk_size`` pieces (256 KiB) in a worker thread
(``loop.run_in_executor``), because a read from a cold disk can block for milliseconds and
would stall every other connection.  Each piece is written with flow control, so a slow client
holds one chunk in memory, not the file.  Files up to 64 KiB are read inline instead: they are
almost always in the page cache, and one read of that size costs less than the hop to a thread.
Opening and ``fstat`` run inline too (microseconds on a local disk).

Deliberate differences from aiohttp.  Several ranges (``bytes=0-1,5-6``) get the whole file and
200, which RFC 9110 section 14.2 allows (a server may ignore Range), where aiohttp answers 416;
an If-Range that is an ETag is compared strongly (RFC 9110 13.1.5), where aiohttp ignores it
and sends the range.  An If-Range date holds when the file is not newer than it, as in aiohttp.
The file is copied through user space, not with ``os.sendfile``.
"""
from __future__ import annotations

import asyncio
import datetime
import mimetypes
import os
import re
import stat
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, BinaryIO, Optional, Tuple, Union

from .response import StreamResponse

__all__ = ["FileResponse", "PRECOMPRESSED", "CONTENT_TYPES"]

_INLINE_READ_LIMIT = 64 * 1024       # read smaller files without a thread hop (see above)
# Pre-compressed siblings, tried in this order (brotli is smaller): suffix -> content coding.
PRECOMPRESSED = ((".br", "br"), (".gz", "gzip"))
# Types by suffix with no "encodings" table, so ".gz" is a type of its own; plus the
# compression-only formats mimetypes lacks (the list aiohttp adds).
CONTENT_TYPES = mimetypes.MimeTypes()
CONTENT_TYPES.encodings_map.clear()
for _type, _suffix in (("application/gzip", ".gz"), ("application/x-brotli", ".br"),
                       ("application/x-bzip2", ".bz2"), ("application/x-compress", ".Z"),
                       ("application/x-xz", ".xz")):
    CONTENT_TYPES.add_type(_type, _suffix)
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
            opened = self._open(request.headers.get("Accept-Encoding", ""))
        except PermissionError:
            return await self._answer_empty(request, 403)
        except OSError:                   # missing, ENAMETOOLONG, ELOOP...: never a 500
            return await self._answer_empty(request, 404)
        if opened is None:                # a folder, a pipe, a device
            return await self._answer_empty(request, 403)
        file, coding = opened
        with file:
            await self._answer_from(request, file, coding)

    def _open(self, accept_encoding: str) -> Optional[Tuple[BinaryIO, Optional[str]]]:
        """The open file to send and its content coding, or None if it is not a regular file."""
        accepted = _accepted_codings(accept_encoding)
        for suffix, coding in PRECOMPRESSED:
            if coding in accepted:
                sibling = self._path.with_name(self._path.name + suffix)
                try:
                    if stat.S_ISREG(sibling.lstat().st_mode):      # a symlink is not followed
                        return sibling.open("rb"), coding
                except OSError:
                    continue
        if not stat.S_ISREG(self._path.stat().st_mode):
            return None
        return self._path.open("rb"), None

    async def _answer_from(self, request: Any, file: BinaryIO, coding: Optional[str]) -> None:
        st = os.fstat(file.fileno())              # the file we hold, not the name's target now
        etag = f'"{st.st_mtime_ns:x}-{st.st_size:x}"'
        mtime = int(st.st_mtime)                  # HTTP dates have whole seconds
        self.headers["ETag"] = etag
        self.last_modified = mtime
        self.headers["Accept-Ranges"] = "bytes"

        status = _check_preconditions(request, etag, mtime)
        if status is not None:
            return await self._answer_empty(request, status)

        start, length = 0, st.st_size
        if request.method in ("GET", "HEAD") and "Range" in request.headers and \
                _if_range_holds(request, etag, mtime):
            chosen = _parse_range(request.headers["Range"], st.st_size)
            if isinstance(chosen, str):                 # "unsatisfiable"
                self.headers["Content-Range"] = f"bytes */{st.st_size}"
                return await self._answer_empty(request, 416)
            if chosen is not None:
                start, length = chosen
                self.set_status(206)
                self.headers["Content-Range"] = \
                    f"bytes {start}-{start + length - 1}/{st.st_size}"

        if "Content-Type" not in self.headers:         # the type of the file as named
            self.content_type = _guess_type(self._path)
        if coding is not None:
            self.headers["Content-Encoding"] = coding
            self.headers["Vary"] = "Accept-Encoding"
        self.content_length = length
        await super().prepare(request)
        if request.method != "HEAD":
            await self._send_file(file, start, length)
        await self.write_eof()

    async def _answer_empty(self, request: Any, status: int) -> None:
        """Answer with a status and no body: 304, 412, 416, or 404/403 for a vanished file."""
        self.set_status(status)
        if status != 304:
            self.content_length = 0
        await super().prepare(request)
        await self.write_eof()

    async def _send_file(self, f: BinaryIO, start: int, length: int) -> None:
        if length <= _INLINE_READ_LIMIT:
            f.seek(start)
            await self.write(f.read(length))
            return
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, f.seek, start)
        while length > 0:
            chunk = await loop.run_in_executor(None, f.read, min(self._chunk_size, length))
            if not chunk:            # the file shrank under us: send what there was
                break
            await self.write(chunk)
            length -= len(chunk)


def _accepted_codings(accept_encoding: str) -> frozenset:
    """``{"gzip", "br"}`` from ``gzip, br;q=0.5, zstd;q=0`` (RFC 9110 12.5.3: q=0 is "no")."""
    accepted = set()
    for item in accept_encoding.lower().split(","):
        coding, _, params = item.partition(";")
        weight = params.replace(" ", "")
        if weight.startswith("q=") and weight[2:].strip("0.") == "":
            continue                                        # q=0, q=0.0, q=0.000
        accepted.add(coding.strip())
    return frozenset(accepted)


def _guess_type(path: Path) -> str:
    # The suffix names the file's own type: "x.tar.gz" is a gzip file (application/gzip), not
    # a tar file with "Content-Encoding: gzip", which the name alone cannot promise.
    return CONTENT_TYPES.guess_type(path.name)[0] or "application/octet-stream"


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
    if raw.startswith('"') or raw.startswith("W/"):
        return raw == etag                     # a strong comparison
    date = _http_date(raw)
    return date is not None and mtime <= date  # not modified since that date (as aiohttp)


def _parse_range(raw: str, size: int) -> Union[None, str, Tuple[int, int]]:
    """``(start, length)`` of one byte range, ``"unsatisfiable"`` (416) for one past the end or a
    malformed field, or None for several ranges (we then send the whole file, RFC 9110 14.2)."""
    if "," in raw:
        return None
    found = _RANGE.fullmatch(raw.strip())
    if found is None:                          # another unit, "a-f", "0--10": as aiohttp, 416
        return "unsatisfiable"
    first, last = found.groups()
    if not first:                              # "-n": the last n bytes (RFC 9110 14.1.2)
        if not last or int(last) == 0 or size == 0:
            return "unsatisfiable"             # "bytes=-" names nothing; "-0" no bytes
        suffix = min(int(last), size)
        return size - suffix, suffix
    start = int(first)
    if (last and int(last) < start) or start >= size:
        return "unsatisfiable"
    end = min(int(last) if last else size - 1, size - 1)   # a range past the end is cut
    return start, end - start + 1
