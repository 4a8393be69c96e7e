"""MultipartWriter: a multipart body built part by part, sent with ``data=`` (aiohttp's name).

Theory of operation.  ``FormData`` covers what an HTML form sends.  ``MultipartWriter`` is the
general tool: any subtype (``mixed`` by default, ``form-data``, ``related``...), any part
headers, parts that are JSON or urlencoded forms or other multipart bodies::

    with aioteach.MultipartWriter("form-data") as mp:
        mp.append("Holiday").set_content_disposition("form-data", name="title")
        mp.append_json({"tags": ["sea"]}).set_content_disposition("form-data", name="meta")
    await session.post(url, data=mp)

``append(obj, headers=None)`` turns ``obj`` into a ``Part`` (headers + bytes) by its type:
str -> ``text/plain; charset=utf-8``; bytes -> ``application/octet-stream``; an open file ->
its bytes, typed from its name, with ``Content-Disposition: attachment; filename=...`` (as
aiohttp labels files); a ``MultipartWriter`` -> a nested body.  ``headers`` win over those
defaults.  The part is returned, so its headers can still change until the body is sent.

Rules (RFC 2046 5.1 for the syntax, RFC 7578 for form-data):
- form-data parts are named: a part without ``Content-Disposition`` becomes
  ``form-data; name="section-N"`` (N its index), as aiohttp does; and they carry no
  Content-Length or Content-Transfer-Encoding (RFC 7578 4.7, 4.8), so such headers are refused.
- parts of other subtypes get a ``Content-Length``, as aiohttp sends them.
- the body is the same framing ``aioteach.multipart`` writes for forms: ``--boundary CRLF``,
  the part's header lines, CRLF, its bytes, CRLF, and ``--boundary--`` after the last part.

Simplification: parts are bytes in memory (files are read whole when appended), and a part's
``Content-Encoding`` / ``Content-Transfer-Encoding`` is refused rather than applied (aiohttp
compresses or base64-encodes the part for you).  Parameter values in ``set_content_disposition``
are quoted as browsers quote form fields (``aioteach.multipart.quote_field_value``): non-ASCII
goes as UTF-8, where aiohttp percent-encodes filenames and uses ``name*=`` for other names.
"""
from __future__ import annotations

import io
import json
import mimetypes
import os
import re
from typing import Any, Iterator, List, Mapping, Optional, Sequence, Tuple, Union
from urllib.parse import urlencode

from ..multidict import CIMultiDict
from ..multipart import make_boundary, quote_field_value

__all__ = ["MultipartWriter", "Part"]

# RFC 2046 5.1.1: a boundary is 1 to 70 of these "bchars", not ending in a space.
_BOUNDARY = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]\Z")
# RFC 9110 5.6.2: a token may stand unquoted as a parameter value.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
# Headers RFC 7578 4.7/4.8 rule out in form-data, and the encodings this writer does not apply.
_FORM_DATA_REFUSES = ("Content-Length", "Content-Transfer-Encoding", "Content-Encoding")
_ENCODINGS_REFUSED = ("Content-Transfer-Encoding", "Content-Encoding")


class Part:
    """One part of a multipart body: header fields and bytes (aiohttp calls it a payload)."""

    def __init__(self, data: bytes, headers: CIMultiDict) -> None:
        self.data = data
        self.headers = headers

    @property
    def size(self) -> int:
        return len(self.data)

    def set_content_disposition(self, disptype: str, quote_fields: bool = True,
                                _charset: str = "utf-8", **params: str) -> None:
        """``Content-Disposition: disptype; key="value"...``, e.g. ``("form-data", name="a")``.

        ``quote_fields`` and ``_charset`` are accepted for aiohttp's signature; values are
        always quoted (RFC 9110 5.6.4 quoted-string), non-ASCII as UTF-8.
        """
        if not _TOKEN.match(disptype):
            raise ValueError(f"disposition type {disptype!r} is not an RFC 9110 token")
        value = disptype
        for key, param in params.items():
            if not _TOKEN.match(key):
                raise ValueError(f"parameter name {key!r} is not an RFC 9110 token")
            value += f"; {key}={quote_field_value(str(param))}"
        self.headers["Content-Disposition"] = value

    def __repr__(self) -> str:
        return f"<Part {self.headers.get('Content-Type')!r}, {self.size} bytes>"


class MultipartWriter:
    """``MultipartWriter(subtype="mixed", boundary=None)``: append parts, then send it."""

    def __init__(self, subtype: str = "mixed", boundary: Optional[str] = None) -> None:
        self._boundary = boundary if boundary is not None else make_boundary()
        if not _BOUNDARY.match(self._boundary):
            raise ValueError(f"boundary {self._boundary!r}: use 1-70 letters, digits or "
                             f"'()+_,-./:=? (RFC 2046 5.1.1), or leave it to the writer")
        shown = self._boundary if _TOKEN.match(self._boundary) else f'"{self._boundary}"'
        self.headers: CIMultiDict[str] = CIMultiDict(
            {"Content-Type": f"multipart/{subtype}; boundary={shown}"})
        self._is_form_data = subtype == "form-data"
        self._parts: List[Part] = []

    # -- what it is -----------------------------------------------------------------------------
    @property
    def boundary(self) -> str:
        return self._boundary

    @property
    def content_type(self) -> str:
        return self.headers["Content-Type"]

    @property
    def size(self) -> int:
        return len(self.to_bytes())

    def __iter__(self) -> Iterator[Part]:
        return iter(self._parts)

    def __len__(self) -> int:
        return len(self._parts)

    def __bool__(self) -> bool:
        return True                   # an empty writer is still a body (just the close line)

    def __enter__(self) -> "MultipartWriter":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        pass                          # nothing to release: ``with`` only groups the appends

    # -- adding parts ---------------------------------------------------------------------------
    def append(self, obj: Any, headers: Optional[Mapping[str, str]] = None) -> Part:
        """Add ``obj`` (str, bytes, an open file or a MultipartWriter) as the next part."""
        data, defaults = _as_part(obj)
        return self._append(data, defaults, headers)

    def append_json(self, obj: Any, headers: Optional[Mapping[str, str]] = None) -> Part:
        """Add ``obj`` serialised as JSON (``application/json``)."""
        data = json.dumps(obj).encode("utf-8")
        return self._append(data, {"Content-Type": "application/json"}, headers)

    def append_form(self, obj: Union[Mapping[str, Any], Sequence[Tuple[str, Any]]],
                    headers: Optional[Mapping[str, str]] = None) -> Part:
        """Add fields as an ``application/x-www-form-urlencoded`` part."""
        pairs = list(obj.items()) if isinstance(obj, Mapping) else list(obj)
        data = urlencode(pairs, doseq=True).encode("ascii")
        return self._append(data, {"Content-Type": "application/x-www-form-urlencoded"},
                            headers)

    def _append(self, data: bytes, defaults: Mapping[str, str],
                headers: Optional[Mapping[str, str]]) -> Part:
        part_headers: CIMultiDict[str] = CIMultiDict(defaults)
        for name, value in (headers or {}).items():
            part_headers[name] = value          # the caller's headers replace the defaults
        refused = _FORM_DATA_REFUSES if self._is_form_data else _ENCODINGS_REFUSED
        for name in refused:
            if name in part_headers:
                raise ValueError(f"a {self.content_type.split(';')[0]} part may not carry "
                                 f"{name} here (RFC 7578 4.7-4.8 for form-data; this writer "
                                 f"sends part bodies as they are)")
        part = Part(data, part_headers)
        if self._is_form_data:
            if "Content-Disposition" not in part_headers:
                part.set_content_disposition("form-data", name=f"section-{len(self._parts)}")
        else:
            part_headers["Content-Length"] = str(len(data))
        self._parts.append(part)
        return part

    # -- the body -------------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """The whole body: every part between boundary lines, then the close delimiter."""
        boundary = self._boundary.encode("ascii")
        delimiter = b"\r\n--" + boundary
        pieces = []
        for part in self._parts:
            if delimiter in part.data or part.data.startswith(delimiter[2:]):
                raise ValueError(f"{part!r} contains the boundary; choose another boundary")
            for name, value in part.headers.items():
                if "\r" in value or "\n" in value:         # it would forge a header line
                    raise ValueError(f"part header {name}: {value!r} holds a line break")
            head = "".join(f"{name}: {value}\r\n" for name, value in part.headers.items())
            pieces += [b"--", boundary, b"\r\n", head.encode("utf-8"), b"\r\n", part.data,
                       b"\r\n"]
        pieces += [b"--", boundary, b"--\r\n"]
        return b"".join(pieces)

    def encode(self) -> Tuple[str, bytes]:
        """``(content_type, body)``, the pair ``FormData.encode()`` gives the request too."""
        return self.content_type, self.to_bytes()

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        """The body as text, for printing in a lesson (aiohttp's ``Payload.decode``)."""
        return self.to_bytes().decode(encoding, errors)

    def __repr__(self) -> str:
        return f"<MultipartWriter {self.content_type!r}, {len(self._parts)} parts>"


def _as_part(obj: Any) -> Tuple[bytes, Mapping[str, str]]:
    """The bytes and default headers for an appended object, chosen by its type."""
    if isinstance(obj, MultipartWriter):
        return obj.to_bytes(), {"Content-Type": obj.content_type}
    if isinstance(obj, str):
        return obj.encode("utf-8"), {"Content-Type": "text/plain; charset=utf-8"}
    if isinstance(obj, (bytes, bytearray, memoryview)):
        return bytes(obj), {"Content-Type": "application/octet-stream"}
    if isinstance(obj, io.IOBase):
        data = obj.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        name = getattr(obj, "name", None)
        if not isinstance(name, str):       # BytesIO, or a file opened by descriptor
            return data, {"Content-Type": "application/octet-stream"}
        filename = os.path.basename(name)
        guessed = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        disposition = f"attachment; filename={quote_field_value(filename)}"
        return data, {"Content-Type": guessed, "Content-Disposition": disposition}
    raise TypeError(f"cannot make a multipart part from {type(obj).__name__}: append str, "
                    f"bytes, an open file or a MultipartWriter (or use append_json/append_form)")
