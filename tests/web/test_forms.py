"""Forms as a user meets them: one reader for request.post() and web.multipart, charsets, 413s,
and what middlewares see of the handler and of the request (aiohttp's behaviour)."""
from __future__ import annotations

import ast
import asyncio
import pathlib
import warnings

import pytest

from aioteach import web
from aioteach.multidict import CIMultiDict
from aioteach.streams import StreamReader
from aioteach.web.multipart import MultipartReader, read_form
from tests.web.app_support import raw_exchange, serve

WEB = pathlib.Path(web.__file__).parent


def multipart_body(*parts: tuple) -> bytes:
    """Parts as (head lines, body bytes), boundary ``b``."""
    out = b""
    for head, data in parts:
        out += b"--b\r\n" + b"".join(h.encode() + b"\r\n" for h in head) + b"\r\n" + data + b"\r\n"
    return out + b"--b--\r\n"


async def post(app: web.Application, body: bytes, ctype: str) -> tuple:
    head = (f"POST / HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: {ctype}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    async with serve(app) as port:
        return await raw_exchange(port, head + body)


def form_app(client_max_size: int = 1024 ** 2, client_max_fields: int = 1000) -> web.Application:
    async def handler(request):
        form = await request.post()
        return web.Response(text=repr(sorted((k, type(v).__name__, v if isinstance(v, str)
                                               else bytes(v) if isinstance(v, bytearray)
                                               else v.file.read()) for k, v in form.items())))
    app = web.Application(client_max_size=client_max_size, client_max_fields=client_max_fields)
    app.router.add_post("/", handler)
    return app


def test_request_and_the_multipart_module_do_not_import_each_other():
    tree = ast.parse((WEB / "multipart.py").read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert "request" not in imported and ".request" not in imported
    assert web.FileField is web.multipart.FileField


async def test_post_and_read_form_are_one_reader_with_aiohttps_types():
    body = multipart_body(
        (['Content-Disposition: form-data; name="text"'], b"plain"),
        (['Content-Disposition: form-data; name="json"', "Content-Type: application/json"],
         b'{"a": 1}'),
        (['Content-Disposition: form-data; name="up"; filename="u.bin"'], b"\x00\x01"))
    status, _, text = await post(form_app(), body, "multipart/form-data; boundary=b")
    assert status == 200
    assert text.decode() == repr([("json", "bytearray", b'{"a": 1}'),
                                  ("text", "str", "plain"), ("up", "FileField", b"\x00\x01")])


async def test_charsets_of_parts_and_the_charset_field():
    koi8 = "текст".encode("koi8-r")
    body = multipart_body(
        (['Content-Disposition: form-data; name="_charset_"'], b"latin-1"),
        (['Content-Disposition: form-data; name="a"'], "caf\u00e9".encode("latin-1")),
        (['Content-Disposition: form-data; name="b"', "Content-Type: text/plain; charset=koi8-r"],
         koi8))
    status, _, text = await post(form_app(), body, "multipart/form-data; boundary=b")
    assert status == 200
    assert text.decode() == repr([("a", "str", "caf\u00e9"), ("b", "str", "текст")])


async def test_urlencoded_with_a_charset():
    status, _, text = await post(form_app(), b"a=%E9&b=\xe9",
                                 "application/x-www-form-urlencoded; charset=latin-1")
    assert (status, text.decode()) == (200, repr([("a", "str", "\u00e9"), ("b", "str", "\u00e9")]))


@pytest.mark.parametrize("body", [
    multipart_body((['Content-Disposition: form-data; name="f"'], b"x" * 500)),
    multipart_body((['Content-Disposition: form-data; name="f"; filename="a"'], b"x" * 500)),
    multipart_body(*[(['Content-Disposition: form-data; name="f%d"' % i], b"")
                     for i in range(20)]),          # the part heads count too, as in aiohttp
], ids=["field", "file", "many-empty-parts"])
async def test_a_form_over_client_max_size_is_413(body):
    status, _, text = await post(form_app(client_max_size=100), body,
                                 "multipart/form-data; boundary=b")
    assert status == 413 and b"Maximum request body size 100 exceeded" in text


async def test_part_read_stops_at_client_max_size_but_read_chunk_streams():
    body = multipart_body((['Content-Disposition: form-data; name="f"'], b"A" * 1020))

    async def whole(request):
        part = await (await request.multipart()).next()
        await part.text()
        raise AssertionError("part.text() read past client_max_size")

    async def streamed(request):
        part = await (await request.multipart()).next()
        size = 0
        while chunk := await part.read_chunk(100):
            size += len(chunk)
        return web.Response(text=str(size))

    for handler, expected in ((whole, (413, None)), (streamed, (200, b"1020"))):
        app = web.Application(client_max_size=1000)
        app.router.add_post("/", handler)
        status, _, text = await post(app, body, "multipart/form-data; boundary=b")
        assert (status, text if expected[1] else None) == expected


async def test_read_form_without_a_request_object():
    class FormSource:
        headers = CIMultiDict({"Content-Type": "multipart/form-data; boundary=b"})

        async def multipart(self):
            stream = StreamReader()
            stream.feed_data(multipart_body((['Content-Disposition: form-data; name="k"'],
                                             b"v")))
            stream.feed_eof()
            return MultipartReader(self.headers, stream)

    assert dict(await read_form(FormSource(), max_size=0)) == {"k": "v"}


# -- middlewares and the handler ----------------------------------------------------------------
async def test_middlewares_see_the_handlers_attributes():
    seen = []

    def login_required(func):
        func.login_required = True
        return func

    @web.middleware
    async def outer(request, handler):
        seen.append(("outer", getattr(handler, "login_required", False)))
        return await handler(request)

    @web.middleware
    async def inner(request, handler):
        seen.append(("inner", handler is secret))      # the very function routed, as aiohttp
        return await handler(request)

    @login_required
    async def secret(request):
        return web.Response(text="ok")

    app = web.Application(middlewares=[outer, inner])
    app.router.add_get("/", secret)
    async with serve(app) as port:
        status, _, _ = await raw_exchange(port, b"GET / HTTP/1.1\r\nHost: t\r\n"
                                                b"Connection: close\r\n\r\n")
    assert status == 200 and seen == [("outer", True), ("inner", True)]


# -- request.protocol, request.task, has_body ------------------------------------------------------
async def test_request_protocol_task_and_the_has_body_warning():
    found = {}

    async def handler(request):
        found["protocol"] = isinstance(request.protocol, web.RequestHandler) and \
            request.protocol.transport is not None
        found["task"] = request.task is asyncio.current_task()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            found["has_body"] = request.has_body
        found["warned"] = [w.category for w in caught]
        return web.Response()

    app = web.Application()
    app.router.add_get("/", handler)
    async with serve(app) as port:
        await raw_exchange(port, b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    assert found["protocol"] is True and found["task"] is True
    assert found["has_body"] is False and found["warned"] == [DeprecationWarning]


@pytest.mark.parametrize("body, ctype", [
    (b"a=1&b=2&c=3", "application/x-www-form-urlencoded"),
    (multipart_body(*[(['Content-Disposition: form-data; name="f%d"' % i], b"v")
                      for i in range(3)]), "multipart/form-data; boundary=b"),
], ids=["urlencoded", "multipart"])
async def test_more_fields_than_client_max_fields_is_413(body, ctype):
    status, _, text = await post(form_app(client_max_fields=2), body, ctype)
    assert (status, text) == (413, b"Maximum number of form fields 2 exceeded.")
    assert web.Application(client_max_fields=0).client_max_fields == 0


async def test_an_old_style_middleware_factory_still_works_and_warns():
    seen = []

    async def factory(app, handler):                 # aiohttp 1.x style, no @web.middleware
        async def wrapped(request):
            seen.append(app)
            return await handler(request)
        return wrapped

    async def hello(request):
        return web.Response(text="hi")

    app = web.Application(middlewares=[factory])
    app.router.add_get("/", hello)
    with pytest.warns(DeprecationWarning, match="old-style"):
        app.freeze()
    async with serve(app) as port:
        status, _, text = await raw_exchange(port, b"GET / HTTP/1.1\r\nHost: t\r\n"
                                                   b"Connection: close\r\n\r\n")
    assert (status, text, seen) == (200, b"hi", [app])


def test_stream_reader_reports_its_buffer_limits():
    assert StreamReader(limit=2).get_read_buffer_limits() == (2, 4)
