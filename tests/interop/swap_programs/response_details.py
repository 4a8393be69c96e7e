"""What a client response tells: version, URL, request info, encodings, lines, release."""
from aiohttp import web, ClientSession, CookieJar


async def doc(request):
    response = web.Response(text="line one\nline two\n", charset="iso-8859-1", headers={
        "Content-Disposition": "attachment; filename=\"notes.txt\"; "
                               "filename*=UTF-8''n%C3%B6tes.txt"})
    response.set_cookie("seen", "yes")
    return response


def make_app():
    app = web.Application()
    app.router.add_get("/doc", doc)
    return app


async def client(url):
    seen = {}
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as session:
        async with session.get(url + "/doc?x=1", headers={"X-Trace": "t1"}) as resp:
            seen["version"] = (resp.version.major, resp.version.minor)
            seen["url"] = (str(resp.url) == url + "/doc?x=1", resp.url.path, resp.url.query_string)
            seen["request_info"] = (resp.request_info.method, str(resp.request_info.url)
                                    == url + "/doc?x=1",
                                    resp.request_info.headers.get("X-Trace"))
            seen["encoding"] = resp.get_encoding()
            disposition = resp.content_disposition
            seen["disposition"] = (disposition.type, disposition.filename)
            seen["first_line"] = await resp.content.readline()
            seen["rest"] = await resp.content.read()
            seen["at_eof"] = resp.content.at_eof()
        seen["closed_after_block"] = resp.closed
        jar = session.cookie_jar
        seen["jar"] = (len(jar), [c.key for c in jar],
                       jar.filter_cookies(resp.url)["seen"].value)
        resp = await session.get(url + "/doc")
        seen["not_managed"] = (resp.status, await resp.text())
        resp.release()
    seen["session_closed"] = session.closed
    return seen


EXPECTED = {
    "version": (1, 1),
    "url": (True, "/doc", "x=1"),
    "request_info": ("GET", True, "t1"),
    "encoding": "iso8859-1",                 # the codec's own name for it
    "disposition": ("attachment", "n\u00f6tes.txt"),     # filename* (RFC 8187) wins
    "first_line": b"line one\n",
    "rest": b"line two\n",
    "at_eof": True,
    "closed_after_block": True,
    "jar": (1, ["seen"], "yes"),
    "not_managed": (200, "line one\nline two\n"),
    "session_closed": True,
}
