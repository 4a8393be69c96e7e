"""Reading multipart by hand: part.text(), part.json(), read_chunk(), headers, and a mixed form."""
import json

from aiohttp import web, ClientSession, FormData


async def parts(request):
    reader = await request.multipart()
    seen = []
    async for part in reader:
        if part.name == "meta":
            seen.append(["meta", await part.json()])
        elif part.name == "note":
            seen.append(["note", await part.text()])
        else:
            size = 0
            while True:
                chunk = await part.read_chunk(1000)
                if not chunk:
                    break
                size += len(chunk)
            seen.append([part.name, part.filename, part.headers.get("Content-Type"), size])
    return web.json_response(seen)


def make_app():
    app = web.Application()
    app.router.add_post("/parts", parts)
    return app


async def client(url):
    form = FormData()
    form.add_field("meta", json.dumps({"v": 1}), content_type="application/json")
    form.add_field("note", "h\u00e9llo", content_type="text/plain; charset=utf-8")
    form.add_field("blob", b"\x00" * 12345, filename="zeros.bin",
                   content_type="application/octet-stream")
    async with ClientSession() as session:
        async with session.post(url + "/parts", data=form) as resp:
            return {"status": resp.status, "parts": await resp.json()}


EXPECTED = {"status": 200, "parts": [
    ["meta", {"v": 1}],
    ["note", "h\u00e9llo"],
    ["blob", "zeros.bin", "application/octet-stream", 12345],
]}
