"""FileResponse over a real connection: ranges, conditional requests, HEAD, big files."""
from __future__ import annotations

import os
from email.utils import formatdate

import pytest

from aioteach import web
from tests.web.app_support import get, raw_exchange, serve

DATA = bytes(range(256)) * 4                      # 1024 bytes, every byte value


@pytest.fixture
def file_app(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(DATA)
    os.utime(path, (1_700_000_000, 1_700_000_000))
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(700 * 1024))         # read through the executor, in chunks
    app = web.Application()

    async def serve_file(request):
        name = request.match_info["name"]
        return web.FileResponse(tmp_path / name, chunk_size=64 * 1024)

    app.router.add_get("/files/{name}", serve_file)
    app.router.add_post("/files/{name}", serve_file)
    app["big"] = big.read_bytes()
    return app


async def exchange(app, *requests):
    async with serve(app) as port:
        return [await raw_exchange(port, request) for request in requests]


LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)
EARLIER = formatdate(1_600_000_000, usegmt=True)


async def test_whole_file_with_validators(file_app):
    [(status, headers, body)] = await exchange(file_app, get("/files/data.bin"))
    assert (status, body) == (200, DATA)
    assert headers["Content-Length"] == "1024"
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Last-Modified"] == LAST_MODIFIED
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["ETag"].startswith('"') and headers["ETag"].endswith('"')


async def test_head_sends_the_head_only(file_app):
    [(status, headers, body)] = await exchange(file_app, get("/files/data.bin", method="HEAD"))
    assert status == 200 and headers["Content-Length"] == "1024" and body == b""


async def test_a_big_file_arrives_whole(file_app):
    [(status, headers, body)] = await exchange(file_app, get("/files/big.bin"))
    assert status == 200 and body == file_app["big"]


async def test_missing_file_is_404(file_app):
    [(status, _, body)] = await exchange(file_app, get("/files/nope.bin"))
    assert status == 404 and body == b""


# Range (RFC 9110 section 14): value -> (status, Content-Range, body)
RANGES = [
    ("bytes=0-9", 206, "bytes 0-9/1024", DATA[0:10]),
    ("bytes=1000-", 206, "bytes 1000-1023/1024", DATA[1000:]),
    ("bytes=-4", 206, "bytes 1020-1023/1024", DATA[-4:]),
    ("bytes=1020-5000", 206, "bytes 1020-1023/1024", DATA[1020:]),   # cut to the end
    ("bytes=-5000", 206, "bytes 0-1023/1024", DATA),                 # longer than the file
    ("bytes=1023-1023", 206, "bytes 1023-1023/1024", DATA[1023:]),
    ("bytes=1024-", 416, "bytes */1024", b""),                       # starts past the end
    ("bytes=-0", 416, "bytes */1024", b""),
    ("bytes=0-1,5-6", 200, None, DATA),                              # several: whole file
    # malformed: 416 with the size, as aiohttp answers (RFC 9110 14.2 would also let us ignore)
    ("bytes=9-2", 416, "bytes */1024", b""),
    ("items=0-1", 416, "bytes */1024", b""),                         # not a unit we serve
    ("bytes=a-f", 416, "bytes */1024", b""),
    ("bytes=0--10", 416, "bytes */1024", b""),
    ("bytes=-", 416, "bytes */1024", b""),
    ("BYTES=0-1", 206, "bytes 0-1/1024", DATA[0:2]),                 # units ignore case (14.1)
    ("bytes= 0-1", 206, "bytes 0-1/1024", DATA[0:2]),                # OWS in the list (5.6.1)
]


@pytest.mark.parametrize("value,status,content_range,body", RANGES)
async def test_ranges(file_app, value, status, content_range, body):
    [(got_status, headers, got_body)] = await exchange(
        file_app, get("/files/data.bin", f"Range: {value}"))
    assert got_status == status
    assert headers.get("Content-Range") == content_range
    assert got_body == body
    assert int(headers["Content-Length"]) == len(body)


async def test_range_is_ignored_for_post_and_when_if_range_is_stale(file_app):
    [(status, _, _), (etag_status, _, _), (stale, _, stale_body), (fresh, _, fresh_body)] = \
        await exchange(
            file_app,
            get("/files/data.bin", "Range: bytes=0-1", method="POST"),
            get("/files/data.bin", "Range: bytes=0-1", 'If-Range: "not-the-etag"'),
            get("/files/data.bin", "Range: bytes=0-1", f"If-Range: {EARLIER}"),
            get("/files/data.bin", "Range: bytes=0-1", f"If-Range: {LAST_MODIFIED}"))
    assert status == 200 and etag_status == 200
    assert (stale, stale_body) == (200, DATA)
    assert (fresh, fresh_body) == (206, DATA[:2])


async def test_if_range_with_the_current_etag_keeps_the_range(file_app):
    [(_, headers, _)] = await exchange(file_app, get("/files/data.bin"))
    [(status, _, body)] = await exchange(
        file_app, get("/files/data.bin", "Range: bytes=2-3", f"If-Range: {headers['ETag']}"))
    assert (status, body) == (206, DATA[2:4])


async def test_conditional_requests(file_app):
    [(_, first, _)] = await exchange(file_app, get("/files/data.bin"))
    etag = first["ETag"]
    results = await exchange(
        file_app,
        get("/files/data.bin", f"If-Modified-Since: {LAST_MODIFIED}"),
        get("/files/data.bin", f"If-Modified-Since: {EARLIER}"),
        get("/files/data.bin", f"If-None-Match: {etag}"),
        get("/files/data.bin", f'If-None-Match: "other", W/{etag}'),
        get("/files/data.bin", 'If-None-Match: "other"', f"If-Modified-Since: {LAST_MODIFIED}"),
        get("/files/data.bin", f"If-Unmodified-Since: {EARLIER}"),
        get("/files/data.bin", f"If-Unmodified-Since: {LAST_MODIFIED}"),
        get("/files/data.bin", 'If-Match: "other"'),
        get("/files/data.bin", f"If-Match: {etag}"),
        get("/files/data.bin", f"If-None-Match: {etag}", method="POST"),
        get("/files/data.bin", "If-Modified-Since: not a date"),
    )
    statuses = [status for status, _, _ in results]
    assert statuses == [304, 200, 304, 304, 200, 412, 200, 412, 200, 412, 200]
    not_modified = results[0]
    assert not_modified[2] == b"" and not_modified[1]["ETag"] == etag


async def test_a_file_that_cannot_be_opened_is_403(file_app, monkeypatch):
    import pathlib

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(pathlib.Path, "open", refuse)   # root can read anything: pretend
    [(status, _, body)] = await exchange(file_app, get("/files/data.bin"))
    assert (status, body) == (403, b"")
