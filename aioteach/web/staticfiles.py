"""Static files: ``app.router.add_static("/static", "./public")``.

Theory of operation.  A ``StaticResource`` owns every path under its prefix and answers GET and
HEAD with the file of the same name inside its folder (a ``FileResponse``: validators, ranges,
chunked reads).  The one rule that matters is that the file must be inside the folder *after*
every ``..``, symlink and encoding trick is undone.  So we never inspect the name for ``..``; we
resolve the real path and check it is inside the real folder (``Path.is_relative_to``).
``request.path`` is already percent-decoded, so ``%2e%2e%2f`` arrives here as ``../``.

Answers, as aiohttp: 404 for a missing file, one outside the folder, an absolute name
(``/static//etc/passwd``) and a name the OS refuses (too long, a symlink loop: any OSError);
403 for a folder without ``show_index``, an unreadable file and one that is not a regular file
(a pipe, a socket).  The index page is aiohttp's, byte for byte.  Backslashes and NUL bytes are
refused with 404: they are legal in POSIX names, but nobody means them in a URL, and on Windows
a backslash is a separator.  Symlinks are followed only when they end inside the
folder, unless ``follow_symlinks=True`` (then ``..`` is still refused, by text).

Simplification: the checks call ``stat`` synchronously; on a local disk that takes
microseconds.  The file's bytes are read off the loop (``FileResponse``).
"""
from __future__ import annotations

import base64
import hashlib
import html
import os
from pathlib import Path
from typing import Any, Dict, Optional, Tuple, Union
from urllib.parse import quote

from ..url import URL
from ..urlencoding import PATH_SAFE
from .exceptions import HTTPException, HTTPForbidden, HTTPNotFound
from .fileresponse import FileResponse
from .resources import NO_METHODS, Handler, PrefixResource, UrlMappingMatchInfo, unquote_segment
from .wholeresponse import Response

__all__ = ["StaticResource"]


class StaticResource(PrefixResource):
    """``add_static("/static", "./public")``: files from one folder, never from outside it."""

    VERSION_KEY = "v"           # the query parameter append_version adds: ?v=<hash>

    def __init__(self, prefix: str, directory: Union[str, "os.PathLike[str]"], *,
                 name: Optional[str] = None, expect_handler: Optional[Handler] = None,
                 chunk_size: int = 256 * 1024, show_index: bool = False,
                 follow_symlinks: bool = False, append_version: bool = False) -> None:
        super().__init__(prefix, name=name)
        try:
            folder = Path(directory).expanduser().resolve(strict=True)
        except FileNotFoundError:
            raise ValueError(f"add_static: the folder {str(directory)!r} does not exist") from None
        if not folder.is_dir():
            raise ValueError(f"add_static: {str(directory)!r} is a file, not a folder")
        self._directory = folder
        self._chunk_size = chunk_size
        self._show_index = show_index
        self._follow_symlinks = follow_symlinks
        self._append_version = append_version
        for method in ("GET", "HEAD"):
            self.add_route(method, self._handle, expect_handler=expect_handler)

    def _match(self, path: str, method: str) -> Tuple[Optional[UrlMappingMatchInfo], frozenset]:
        if not self._under_prefix(path):
            return None, NO_METHODS
        route = self._by_method.get(method)
        if route is None:
            return None, self._allowed
        filename = unquote_segment(path[len(self._prefix) + 1:])
        return UrlMappingMatchInfo({"filename": filename}, route), self._allowed

    def _file_for(self, filename: str) -> Path:
        """The real path of ``filename`` inside the folder, or an HTTP error."""
        if "\x00" in filename or "\\" in filename or filename.startswith("/"):
            raise HTTPNotFound()
        candidate = self._directory / filename
        try:
            if self._follow_symlinks:
                # Collapse ".." by text only; symlinks inside are then followed when opened.
                real = Path(os.path.normpath(candidate))
            else:
                real = candidate.resolve()            # follows every symlink, then we check
        except (OSError, RuntimeError, ValueError):  # a symlink loop, a name too long
            raise HTTPNotFound() from None
        if not real.is_relative_to(self._directory):
            raise HTTPNotFound()
        return real

    async def _handle(self, request: Any) -> Any:
        path = self._file_for(request.match_info["filename"])
        try:
            if path.is_dir():
                if self._show_index:
                    return Response(text=self._index_html(path), content_type="text/html")
                raise HTTPForbidden()
        except PermissionError:
            raise HTTPForbidden() from None
        except OSError:                       # a name the OS refuses (too long...): 404, not 500
            raise HTTPNotFound() from None
        return FileResponse(path, chunk_size=self._chunk_size)   # it answers 403/404 for files

    def _index_html(self, folder: Path) -> str:
        """The listing aiohttp serves, byte for byte: "Index of /sub", links under the prefix."""
        relative = folder.relative_to(self._directory).as_posix()      # "." for the root
        title = f"Index of /{html.escape(relative)}"
        items = []
        for entry in sorted(folder.iterdir()):
            href = quote(f"{self._prefix}/{entry.relative_to(self._directory).as_posix()}",
                         safe=PATH_SAFE)      # percent-encoded: no quote or bracket survives
            label = html.escape(entry.name + ("/" if entry.is_dir() else ""))
            items.append(f'<li><a href="{href}">{label}</a></li>')
        return (f"<html>\n<head>\n<title>{title}</title>\n</head>\n<body>\n<h1>{title}</h1>\n"
                f"<ul>\n" + "\n".join(items) + "\n</ul>\n</body>\n</html>")

    def url_for(self, *, filename: Union[str, "os.PathLike[str]"],  # type: ignore[override]
                append_version: Optional[bool] = None) -> URL:
        name = Path(filename).as_posix().lstrip("/")
        url = URL.build(path=quote(f"{self._prefix}/{name}", safe=PATH_SAFE), encoded=True)
        if append_version is None:
            append_version = self._append_version
        if append_version:
            try:
                path = self._file_for(name)
                digest = hashlib.sha256(path.read_bytes()).digest()
            except (HTTPException, OSError):
                return url                   # no file, no version: the plain URL still works
            version = base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
            url = url.with_query({self.VERSION_KEY: version})
        return url

    def get_info(self) -> Dict[str, Any]:
        return {"directory": self._directory, "prefix": self._prefix,
                "routes": {route.method: route for route in self._routes}}

    def __repr__(self) -> str:
        name = f" {self._name!r}" if self._name else ""
        return f"<StaticResource{name} {self._prefix} -> {self._directory}>"
