"""FormData: the fields of an HTML form, encoded the way a browser would send them.

Theory of operation.  A form is a list of (name, value) fields; a browser sends it in one of
two encodings, and ``FormData`` picks the same one:

* ``application/x-www-form-urlencoded`` when every field is plain text: ``a=1&b=two+words``,
  the query-string syntax (the WHATWG URL standard's urlencoded serializer).
* ``multipart/form-data`` (RFC 7578) as soon as one field is a file (it has a filename, a
  content type, or is an open file): each field becomes a part with its own small head.
  The multipart writer itself lives in ``aioteach.multipart``, shared with the server tests.

``session.post(url, data=FormData(...))`` calls ``encode()``; so does ``data={...}`` (a
dict is turned into a urlencoded FormData).  Files are read whole when the form is encoded.

Differs from aiohttp: a non-ASCII field name or filename goes out as UTF-8, as browsers send
it (``filename="bär.txt"``, only ``"`` and line breaks escaped), where aiohttp's
``quote_fields=True`` percent-encodes it (``filename="b%C3%A4r.txt"``), which its server then
shows as is.  ``quote_fields`` is accepted and ignored.

Simplification: aiohttp streams multipart file parts; here the body is built in memory,
which is fine for lessons and forms, not for uploading gigabytes (stream those with an async
generator as ``data=``, which is sent chunked).
"""
from __future__ import annotations

import io
import os
from typing import Any, Iterable, List, Optional, Tuple
from urllib.parse import urlencode

from ..multipart import encode_multipart

__all__ = ["FormData"]

_Field = Tuple[str, Any, Optional[str], Optional[str]]   # name, value, filename, content_type


def charset_of(content_type: Optional[str]) -> Optional[str]:
    """``text/plain; charset=koi8-r`` -> ``koi8-r``; None when no charset is named."""
    for param in (content_type or "").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"') or None
    return None


def guess_filename(file: Any, default: str) -> str:
    """A file object's own name (``open("a/b.txt")`` -> ``b.txt``), else ``default``.

    An in-memory file (``io.BytesIO``) has no name, and ``sys.stdin``'s is ``<stdin>``: no
    file name to speak of, so ``default``.
    """
    name = getattr(file, "name", None)
    if isinstance(name, str) and name and not (name[0] == "<" and name[-1] == ">"):
        return os.path.basename(name)
    return default


class FormData:
    """``FormData(fields)``; ``add_field(name, value, content_type=None, filename=None)``."""

    def __init__(self, fields: Iterable[Any] = (), quote_fields: bool = True,
                 charset: Optional[str] = None) -> None:
        self._fields: List[_Field] = []
        self._is_multipart = False
        self._charset = charset
        self._quote_fields = quote_fields
        if isinstance(fields, dict):
            fields = list(fields.items())
        elif not isinstance(fields, (list, tuple)):
            fields = (fields,)
        self.add_fields(*fields)

    @property
    def is_multipart(self) -> bool:
        return self._is_multipart

    def add_field(self, name: str, value: Any, *, content_type: Optional[str] = None,
                  filename: Optional[str] = None, content_transfer_encoding: Optional[str] = None
                  ) -> None:
        """Add one field.  A file object, a filename or a content type makes the form multipart."""
        if isinstance(value, io.IOBase):
            self._is_multipart = True
            if filename is None:
                filename = guess_filename(value, name)
        elif isinstance(value, (bytes, bytearray, memoryview)):
            if filename is None and content_type is None:
                filename = name           # raw bytes are a file, as aiohttp treats them
        elif not isinstance(value, (str, int, float)):
            raise TypeError(f"form field {name!r}: value must be str, bytes, a number or a "
                            f"file object, not {type(value).__name__}")
        if filename is not None or content_type is not None:
            self._is_multipart = True
        self._fields.append((name, value, filename, content_type))

    def add_fields(self, *fields: Any) -> None:
        """Add many: ``(name, value)`` pairs, dicts and MultiDicts, or file objects."""
        for field in fields:
            if isinstance(field, io.IOBase):
                self.add_field(guess_filename(field, "unknown"), field)   # aiohttp's default
            elif hasattr(field, "items"):
                for name, value in field.items():
                    self.add_field(name, value)
            elif isinstance(field, (list, tuple)) and len(field) == 2:
                self.add_field(field[0], field[1])
            else:
                raise TypeError(f"form field must be a (name, value) pair, a mapping or a file "
                                f"object, not {field!r}")

    def encode(self) -> Tuple[str, bytes]:
        """``(content_type, body)``: urlencoded for plain fields, multipart with any file."""
        if self._is_multipart:
            parts = []
            for name, value, filename, content_type in self._fields:
                if isinstance(value, io.IOBase):
                    value = value.read()
                if isinstance(value, (int, float)):
                    value = str(value)
                if isinstance(value, str) and (filename is not None or content_type):
                    # text goes in the charset its part's Content-Type names (RFC 7578 4.4)
                    value = value.encode(charset_of(content_type) or self._charset or "utf-8")
                parts.append((name, value, filename, content_type))
            return encode_multipart(parts)
        charset = self._charset or "utf-8"
        pairs = [(name, str(value)) for name, value, _, _ in self._fields]
        body = urlencode(pairs, doseq=True, encoding=charset).encode("ascii")
        content_type = "application/x-www-form-urlencoded"
        if self._charset:
            content_type += f"; charset={self._charset}"
        return content_type, body

    def __repr__(self) -> str:
        kind = "multipart" if self._is_multipart else "urlencoded"
        return f"<FormData {kind}: {', '.join(f[0] for f in self._fields)}>"
