"""Building a multipart body part by part (``MultipartWriter``) and sending it with ``data=``:
a form-data upload read back by ``request.post()``, and a multipart/mixed one read part by
part with ``request.multipart()``."""
from aiohttp import web, ClientSession, MultipartWriter


def shown(value):
    """A form value as JSON: text, a file (FileField), or bytes for a non-text part."""
    if isinstance(value, str):
        return value
    if hasattr(value, "filename"):
        return [value.filename, value.content_type, value.file.read().decode()]
    return ["bytes", bytes(value).decode()]


async def form(request):
    fields = await request.post()
    return web.json_response({name: shown(value) for name, value in fields.items()})


async def mixed(request):
    reader = await request.multipart()
    parts = []
    while True:
        part = await reader.next()
        if part is None:
            break
        parts.append([part.headers.get("Content-Type"), part.headers.get("Content-Length"),
                      part.name, (await part.read()).decode()])
    return web.json_response({"type": request.content_type, "parts": parts})


def make_app():
    app = web.Application()
    app.router.add_post("/form", form)
    app.router.add_post("/mixed", mixed)
    return app


async def client(url):
    seen = {}
    with MultipartWriter("form-data") as mp:
        mp.append("Holiday").set_content_disposition("form-data", name="title")
        mp.append_json({"tags": ["sea", "sun"]}).set_content_disposition("form-data", name="meta")
        photo = mp.append(b"JPEG...", {"Content-Type": "image/jpeg"})
        photo.set_content_disposition("form-data", name="photo", filename="beach.jpg")
        mp.append("unnamed")
    async with ClientSession() as session:
        async with session.post(url + "/form", data=mp) as resp:
            seen["form"] = [resp.status, await resp.json()]
        mixed_body = MultipartWriter("mixed", boundary="the-boundary")
        mixed_body.append("plain text")
        mixed_body.append_form([("q", "a b"), ("q", "c")])
        async with session.post(url + "/mixed", data=mixed_body) as resp:
            seen["mixed"] = [resp.status, await resp.json()]
    seen["writer"] = [len(mp), mp.boundary in mp.headers["Content-Type"],
                      mixed_body.headers["Content-Type"]]
    return seen


EXPECTED = {
    "form": [200, {"title": "Holiday", "meta": ["bytes", '{"tags": ["sea", "sun"]}'],
                   "photo": ["beach.jpg", "image/jpeg", "JPEG..."], "section-3": "unnamed"}],
    "mixed": [200, {"type": "multipart/mixed", "parts": [
        ["text/plain; charset=utf-8", "10", None, "plain text"],
        ["application/x-www-form-urlencoded", "9", None, "q=a+b&q=c"]]}],
    "writer": [4, True, "multipart/mixed; boundary=the-boundary"],
}
