"""Files from disk: FileResponse for one file, add_static for a folder (with Range and HEAD)."""
import pathlib
import shutil
import tempfile

from aiohttp import web, ClientSession


FOLDER = web.AppKey("folder", pathlib.Path)


async def download(request):
    return web.FileResponse(request.app[FOLDER] / "report.txt")


async def remove_folder(app):
    shutil.rmtree(app[FOLDER])


def make_app():
    folder = pathlib.Path(tempfile.mkdtemp())
    (folder / "report.txt").write_text("quarterly numbers\n" * 100)
    (folder / "css").mkdir()
    (folder / "css" / "site.css").write_text("body { color: teal }\n")
    (folder / "page.html").write_text("<h1>hi</h1>\n")
    app = web.Application()
    app[FOLDER] = folder
    app.router.add_get("/download", download)
    app.router.add_static("/static", folder)
    app.on_cleanup.append(remove_folder)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        for path in ("/download", "/static/css/site.css", "/static/page.html",
                     "/static/missing.txt", "/static/css"):
            async with session.get(url + path) as resp:
                body = await resp.read()
                seen[path] = (resp.status, resp.content_type if resp.status == 200 else None,
                              len(body) if resp.status == 200 else None,
                              "Last-Modified" in resp.headers if resp.status == 200 else None)
        async with session.get(url + "/download", headers={"Range": "bytes=0-9"}) as resp:
            seen["range"] = (resp.status, await resp.text(), resp.headers["Content-Range"])
        async with session.head(url + "/static/page.html") as resp:
            seen["head"] = (resp.status, resp.headers["Content-Length"], await resp.read())
    return seen


EXPECTED = {
    "/download": (200, "text/plain", 1800, True),
    "/static/css/site.css": (200, "text/css", 21, True),
    "/static/page.html": (200, "text/html", 12, True),
    "/static/missing.txt": (404, None, None, None),
    "/static/css": (403, None, None, None),
    "range": (206, "quarterly ", "bytes 0-9/1800"),
    "head": (200, "12", b""),
}
