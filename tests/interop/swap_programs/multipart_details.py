"""Uploads in detail: several files under one name, a non-ASCII file name, an empty file."""
from aiohttp import web, ClientSession, FormData


async def upload(request):
    form = await request.post()
    files = form.getall("files")
    return web.json_response({
        "files": [[f.filename, f.content_type, f.file.read().decode()] for f in files],
        "note": form["note"],
        "empty": [form["empty"].filename, len(form["empty"].file.read())],
    })


def make_app():
    app = web.Application()
    app.router.add_post("/upload", upload)
    return app


async def client(url):
    form = FormData()
    form.add_field("files", b"first", filename="a.txt", content_type="text/plain")
    form.add_field("files", "zwei".encode(), filename="b\u00e4r \u6f22.txt",
                   content_type="text/plain")
    form.add_field("note", "caf\u00e9 ok")
    form.add_field("empty", b"", filename="empty.bin")
    async with ClientSession() as session:
        async with session.post(url + "/upload", data=form) as resp:
            return {"status": resp.status, "data": await resp.json()}


# aiohttp's FormData percent-encodes a non-ASCII filename, and its server shows it as sent.
EXPECTED = {"status": 200, "data": {
    "files": [["a.txt", "text/plain", "first"], ["b%C3%A4r%20%E6%BC%A2.txt", "text/plain", "zwei"]],
    "note": "caf\u00e9 ok",
    "empty": ["empty.bin", 0],
}}

# aioteach's FormData sends the filename as UTF-8, as browsers do (its module docstring says
# so), and either server reads it back as written.
AIOTEACH_CLIENT_DIFFERS = {"data": {
    "files": [["a.txt", "text/plain", "first"], ["b\u00e4r \u6f22.txt", "text/plain", "zwei"]],
    "note": "caf\u00e9 ok",
    "empty": ["empty.bin", 0],
}}
