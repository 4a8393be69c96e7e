"""Class-based views: one class per resource, one method per HTTP method."""
from aiohttp import web, ClientSession

NOTES = web.AppKey("notes", dict)


class NoteView(web.View):
    async def get(self):
        notes = self.request.app[NOTES]
        key = self.request.match_info["key"]
        if key not in notes:
            raise web.HTTPNotFound(text=f"no note {key}")
        return web.json_response({"key": key, "text": notes[key]})

    async def put(self):
        data = await self.request.json()
        self.request.app[NOTES][self.request.match_info["key"]] = data["text"]
        return web.Response(status=204)

    async def delete(self):
        self.request.app[NOTES].pop(self.request.match_info["key"], None)
        return web.Response(status=204)


def make_app():
    app = web.Application()
    app[NOTES] = {}
    app.router.add_view("/notes/{key}", NoteView)
    return app


async def client(url):
    seen = []
    async with ClientSession() as session:
        steps = (("GET", None), ("PUT", {"text": "buy milk"}), ("GET", None),
                 ("POST", {"text": "?"}), ("DELETE", None), ("GET", None))
        for method, body in steps:
            async with session.request(method, url + "/notes/n1", json=body) as resp:
                allow = resp.headers.get("Allow")
                seen.append([method, resp.status,
                             await resp.json() if resp.content_type == "application/json"
                             else None,
                             sorted(a.strip() for a in allow.split(",")) if allow else None])
    return {"steps": seen}


EXPECTED = {"steps": [
    ["GET", 404, None, None],
    ["PUT", 204, None, None],
    ["GET", 200, {"key": "n1", "text": "buy milk"}, None],
    ["POST", 405, None, ["DELETE", "GET", "PUT"]],
    ["DELETE", 204, None, None],
    ["GET", 404, None, None],
]}
