"""Uploading a file: FormData on the client, request.post() and its FileField on the server."""
from aiohttp import web, ClientSession, FormData


async def upload(request):
    form = await request.post()
    upload = form["file"]
    return web.json_response({
        "content_type": request.content_type,
        "title": form["title"],
        "filename": upload.filename,
        "file_type": upload.content_type,
        "size": len(upload.file.read()),
        "is_text_field": isinstance(form["title"], str),
    })


async def parts(request):
    reader = await request.multipart()
    seen = []
    while True:
        part = await reader.next()
        if part is None:
            break
        data = await part.read()
        seen.append([part.name, part.filename, len(data), data[:5].decode("latin-1")])
    return web.json_response(seen)


def make_app():
    app = web.Application()
    app.router.add_post("/upload", upload)
    app.router.add_post("/parts", parts)
    return app


def make_form():
    form = FormData()
    form.add_field("title", "my notes")
    form.add_field("file", b"line one\r\n--not a boundary\r\n" + bytes(range(256)) * 40,
                   filename="notes.bin", content_type="application/octet-stream")
    return form


async def client(url):
    seen = {}
    async with ClientSession() as session:
        async with session.post(url + "/upload", data=make_form()) as resp:
            seen["post"] = (resp.status, await resp.json())
        async with session.post(url + "/parts", data=make_form()) as resp:
            seen["reader"] = (resp.status, await resp.json())
    return seen


EXPECTED = {
    "post": (200, {"content_type": "multipart/form-data", "title": "my notes",
                   "filename": "notes.bin", "file_type": "application/octet-stream",
                   "size": 28 + 256 * 40, "is_text_field": True}),
    "reader": (200, [["title", None, 8, "my no"], ["file", "notes.bin", 28 + 256 * 40, "line "]]),
}
