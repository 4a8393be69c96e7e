"""Header and method names as constants (``hdrs``): a typo becomes an AttributeError, not a
header nobody reads.  The server routes by ``hdrs.METH_*`` and answers with ``hdrs`` names;
the client sends and reads headers through them, in whatever case the constants are spelled.
"""
from aiohttp import web, hdrs, ClientSession


async def echo_auth(request):
    answer = web.json_response({
        "method": request.method,
        "authorization": request.headers.get(hdrs.AUTHORIZATION),
        "accept": request.headers[hdrs.ACCEPT],
        "has_user_agent": hdrs.USER_AGENT in request.headers,
        "methods_known": request.method in hdrs.METH_ALL,
    })
    answer.headers[hdrs.CACHE_CONTROL] = "no-store"
    answer.headers[hdrs.ETAG] = '"v1"'
    return answer


def make_app():
    app = web.Application()
    app.router.add_route(hdrs.METH_GET, "/whoami", echo_auth)
    app.router.add_route(hdrs.METH_PATCH, "/whoami", echo_auth)
    return app


async def client(url):
    seen = []
    async with ClientSession() as session:
        for method in (hdrs.METH_GET, hdrs.METH_PATCH, hdrs.METH_DELETE):
            headers = {hdrs.AUTHORIZATION: "Bearer abc", hdrs.ACCEPT: "application/json"}
            async with session.request(method, url + "/whoami", headers=headers) as resp:
                seen.append([resp.status, resp.headers.get(hdrs.CACHE_CONTROL),
                             resp.headers.get("etag"), sorted(resp.headers.getall(hdrs.ALLOW, [])),
                             await resp.json() if resp.status == 200 else None])
    return {"answers": seen,
            "same field, any case": hdrs.CONTENT_TYPE.lower() == "content-type",
            "METH_ALL": sorted(hdrs.METH_ALL), "METH_ANY": hdrs.METH_ANY}


ANSWER = {"authorization": "Bearer abc", "accept": "application/json", "has_user_agent": True,
          "methods_known": True}

EXPECTED = {
    "answers": [
        [200, "no-store", '"v1"', [], dict(ANSWER, method="GET")],
        [200, "no-store", '"v1"', [], dict(ANSWER, method="PATCH")],
        [405, None, None, ["GET,PATCH"], None],
    ],
    "same field, any case": True,
    "METH_ALL": ["CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"],
    "METH_ANY": "*",
}
