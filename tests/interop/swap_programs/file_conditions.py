"""FileResponse and caches: ETag and Last-Modified, 304 Not Modified, and byte ranges."""
import pathlib
import shutil
import tempfile

from aiohttp import web, ClientSession

FOLDER = web.AppKey("folder", pathlib.Path)


async def report(request):
    return web.FileResponse(request.app[FOLDER] / "report.txt")


async def remove_folder(app):
    shutil.rmtree(app[FOLDER])


def make_app():
    folder = pathlib.Path(tempfile.mkdtemp())
    (folder / "report.txt").write_bytes(bytes(range(48, 58)) * 10)      # "0123456789" x 10
    app = web.Application()
    app[FOLDER] = folder
    app.on_cleanup.append(remove_folder)
    app.router.add_get("/report", report)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        async with session.get(url + "/report") as resp:
            etag, modified = resp.headers["ETag"], resp.headers["Last-Modified"]
            seen["full"] = (resp.status, len(await resp.read()), resp.headers["Accept-Ranges"])
        checks = {
            "if_none_match": {"If-None-Match": etag},
            "if_none_match_other": {"If-None-Match": '"something-else"'},
            "if_modified_since": {"If-Modified-Since": modified},
            "range_first": {"Range": "bytes=0-4"},
            "range_open": {"Range": "bytes=95-"},
            "range_suffix": {"Range": "bytes=-3"},
            "range_beyond": {"Range": "bytes=500-600"},
        }
        for label, headers in checks.items():
            async with session.get(url + "/report", headers=headers) as resp:
                body = await resp.read()
                seen[label] = (resp.status, body if len(body) < 100 else len(body),
                               resp.headers.get("Content-Range"))
    return seen


EXPECTED = {
    "full": (200, 100, "bytes"),
    "if_none_match": (304, b"", None),
    "if_none_match_other": (200, 100, None),
    "if_modified_since": (304, b"", None),
    "range_first": (206, b"01234", "bytes 0-4/100"),
    "range_open": (206, b"56789", "bytes 95-99/100"),
    "range_suffix": (206, b"789", "bytes 97-99/100"),
    "range_beyond": (416, b"", "bytes */100"),
}
