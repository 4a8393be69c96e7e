"""Static files: served from their folder, and never from outside it, whatever the trick."""
from __future__ import annotations

import os

import pytest

from aioteach import web
from tests.web.app_support import get, raw_exchange, serve

SECRET = b"TOP-SECRET"


@pytest.fixture
def site(tmp_path):
    """tmp/secret.txt (outside), tmp/public/{a.txt, sub/b.css, link-out, link-in}."""
    public = tmp_path / "public"
    (public / "sub").mkdir(parents=True)
    (tmp_path / "secret.txt").write_bytes(SECRET)
    (public / "a.txt").write_text("hello static")
    (public / "sub" / "b.css").write_text("body {}")
    (public / "caf\u00e9 menu.txt").write_text("coffee")
    os.symlink(tmp_path / "secret.txt", public / "link-out")
    os.symlink(public / "a.txt", public / "link-in")
    return tmp_path


async def fetch(app, *requests):
    async with serve(app) as port:
        return [await raw_exchange(port, request) for request in requests]


def static_app(site, **options):
    app = web.Application()
    app.router.add_static("/static", site / "public", name="static", **options)
    return app


async def test_files_are_served_with_type_length_and_validators(site):
    (text, css, head, utf8) = await fetch(
        static_app(site), get("/static/a.txt"), get("/static/sub/b.css"),
        get("/static/a.txt", method="HEAD"), get("/static/caf%C3%A9%20menu.txt"))
    status, headers, body = text
    assert (status, body) == (200, b"hello static")
    assert headers["Content-Type"].startswith("text/plain")
    assert headers["Content-Length"] == "12" and "Last-Modified" in headers
    assert css[0] == 200 and css[1]["Content-Type"].startswith("text/css")
    assert head[0] == 200 and head[1]["Content-Length"] == "12" and head[2] == b""
    assert utf8[0] == 200 and utf8[2] == b"coffee"


TRICKS = [
    "/static/../secret.txt",
    "/static/sub/../../secret.txt",
    "/static/%2e%2e/secret.txt",
    "/static/%2e%2E/secret.txt",
    "/static/%2E%2E%2Fsecret.txt",
    "/static/..%2fsecret.txt",
    "/static/..%2Fsecret.txt",
    "/static/sub%2f..%2f..%2fsecret.txt",
    "/static/..\\secret.txt",
    "/static/..%5csecret.txt",
    "/static/%2e%2e%5csecret.txt",
    "/static/link-out",                                  # a symlink pointing outside
    "/static/a.txt%00.png",
    "/static/%00../secret.txt",
    "/static/missing.txt",
]


@pytest.mark.parametrize("path", TRICKS)
async def test_traversal_tricks_get_404(site, path):
    [(status, _, body)] = await fetch(static_app(site), get(path))
    assert status == 404
    assert SECRET not in body


@pytest.mark.parametrize("path", ["/static//etc/passwd", "/static/%2fetc/passwd"])
async def test_absolute_names_get_404(site, path):               # as aiohttp
    [(status, _, body)] = await fetch(static_app(site), get(path))
    assert status == 404


async def test_absolute_name_of_a_real_outside_file_is_refused(site):
    [(status, _, body)] = await fetch(static_app(site), get(f"/static/{site}/secret.txt"))
    assert status == 404 and SECRET not in body


async def test_a_name_too_long_for_the_os_is_404_not_500(site):     # issue 14
    results = await fetch(static_app(site), get("/static/" + "x" * 5000),
                          get("/static/sub/" + "y" * 300 + "/z"))
    assert [status for status, _, _ in results] == [404, 404]


async def test_a_special_file_is_403(site):
    os.mkfifo(site / "public" / "pipe")
    [(status, _, _)] = await fetch(static_app(site), get("/static/pipe"))
    assert status == 403


async def test_folders_are_403_without_show_index(site):
    results = await fetch(static_app(site), get("/static/"), get("/static/sub"),
                          get("/static"))
    assert [status for status, _, _ in results] == [403, 403, 403]


async def test_show_index_lists_a_folder_with_escaped_links(site):
    (site / "public" / "<b>.txt").write_text("x")
    [(status, headers, body)] = await fetch(static_app(site, show_index=True), get("/static/"))
    page = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert page.startswith("<html>\n<head>\n<title>Index of /.</title>\n</head>\n<body>\n"
                           "<h1>Index of /.</h1>\n<ul>\n")       # aiohttp's page, to the byte
    assert '<li><a href="/static/%3Cb%3E.txt">&lt;b&gt;.txt</a></li>' in page
    assert '<li><a href="/static/sub">sub/</a></li>' in page
    assert '<a href="/static/a.txt">a.txt</a>' in page
    assert "<b>.txt" not in page
    assert '/static/caf%C3%A9%20menu.txt' in page
    assert page.endswith("</ul>\n</body>\n</html>")
    [(_, _, sub)] = await fetch(static_app(site, show_index=True), get("/static/sub/"))
    assert b"<title>Index of /sub</title>" in sub
    assert b'<li><a href="/static/sub/b.css">b.css</a></li>' in sub


async def test_symlinks_inside_are_followed_only_when_asked(site):
    [(refused, _, _)] = await fetch(static_app(site), get("/static/link-in"))
    assert refused == 200                       # resolves inside the folder: fine either way
    results = await fetch(static_app(site, follow_symlinks=True),
                          get("/static/link-out"), get("/static/../secret.txt"))
    assert results[0][0] == 200 and results[0][2] == SECRET    # the owner opted in
    assert results[1][0] == 404                                # ".." is still refused


async def test_only_get_and_head(site):
    [(status, headers, _)] = await fetch(static_app(site), get("/static/a.txt", method="POST"))
    assert status == 405 and headers["Allow"] == "GET,HEAD"


def test_url_for_and_append_version(site):
    app = static_app(site)
    resource = app.router["static"]
    assert str(resource.url_for(filename="sub/b.css")) == "/static/sub/b.css"
    assert str(resource.url_for(filename="caf\u00e9 menu.txt")) == \
        "/static/caf%C3%A9%20menu.txt"
    versioned = resource.url_for(filename="a.txt", append_version=True)
    assert versioned.path == "/static/a.txt" and len(versioned.query["v"]) == 43
    (site / "public" / "a.txt").write_text("changed")
    assert resource.url_for(filename="a.txt", append_version=True) != versioned
    assert str(resource.url_for(filename="missing", append_version=True)) == "/static/missing"


def test_add_static_needs_an_existing_folder(site):
    router = web.Application().router
    with pytest.raises(ValueError, match="does not exist"):
        router.add_static("/s", site / "nope")
    with pytest.raises(ValueError, match="not a folder"):
        router.add_static("/s", site / "secret.txt")
