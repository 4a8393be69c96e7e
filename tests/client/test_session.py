"""ClientSession end to end against a real server (aioteach's and aiohttp's, see conftest)."""
from __future__ import annotations

import io
import json

import pytest

import aioteach
from aioteach import BasicAuth, ClientSession, FormData


async def test_get_text_and_the_response_head(base_url):
    async with ClientSession() as session:
        async with session.get(f"{base_url}/hello", params={"name": "a b&c"}) as resp:
            assert (resp.status, resp.reason, resp.ok) == (200, "OK", True)
            assert await resp.text() == "hello a b&c"
            assert resp.content_type == "text/plain"
            assert resp.charset == "utf-8"
            assert resp.headers["Content-Length"] == "11"
            assert resp.content_length == 11
            assert resp.method == "GET"
            assert str(resp.url) == f"{base_url}/hello?name=a+b%26c"
            assert resp.request_info.method == "GET"
            assert resp.request_info.headers["Host"] == base_url.split("//")[1]
            assert repr(resp) == f"<ClientResponse({resp.url}) [200 OK]>"


async def test_await_without_async_with(base_url):
    async with ClientSession() as session:
        resp = await session.get(f"{base_url}/json")
        assert await resp.json() == {"answer": 42, "text": "ünïcode"}
        resp.release()


async def test_the_default_headers_sent(base_url):
    async with ClientSession() as session:
        async with session.get(f"{base_url}/echo") as resp:
            echoed = await resp.json()
    names = {name.lower(): value for name, value in echoed["headers"]}
    assert names["accept"] == "*/*"
    assert names["accept-encoding"] == "gzip, deflate"
    assert names["user-agent"].startswith("Python/3.") and "aioteach/" in names["user-agent"]
    assert "content-length" not in names            # a GET carries no body


async def test_session_headers_are_replaced_by_request_headers(base_url):
    async with ClientSession(headers={"X-Team": "a", "User-Agent": "tests"}) as session:
        async with session.get(f"{base_url}/echo", headers={"x-team": "b"},
                               skip_auto_headers=["Accept-Encoding"]) as resp:
            echoed = await resp.json()
    names = [(n.lower(), v) for n, v in echoed["headers"]]
    assert ("x-team", "b") in names and ("x-team", "a") not in names
    assert ("user-agent", "tests") in names
    assert "accept-encoding" not in dict(names)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
async def test_every_method_helper(base_url, method):
    async with ClientSession() as session:
        helper = getattr(session, method.lower())
        async with helper(f"{base_url}/echo") as resp:
            echoed = await resp.json()
    assert echoed["method"] == method
    lengths = [v for n, v in echoed["headers"] if n.lower() == "content-length"]
    # RFC 9110 8.6: a method with defined content says Content-Length: 0 when it sends none.
    assert lengths == (["0"] if method in ("POST", "PUT", "PATCH") else [])


async def test_head_has_no_body(base_url):
    async with ClientSession() as session:
        async with session.head(f"{base_url}/hello") as resp:
            assert resp.status == 200
            assert resp.headers["Content-Length"] == "11"
            assert await resp.read() == b""
        # and the connection carries on with the next request
        async with session.get(f"{base_url}/hello") as resp:
            assert await resp.text() == "hello world"


@pytest.mark.parametrize("kwargs, content_type, body", [
    ({"data": b"\x00\x01raw"}, "application/octet-stream", "\x00\x01raw"),
    ({"data": "héllo"}, "text/plain; charset=utf-8", "héllo".encode().decode("latin-1")),
    ({"data": {"a": "1", "b": "two words"}}, "application/x-www-form-urlencoded",
     "a=1&b=two+words"),
    ({"data": [("k", "1"), ("k", "2")]}, "application/x-www-form-urlencoded", "k=1&k=2"),
    ({"json": {"x": [1, 2]}}, "application/json", '{"x": [1, 2]}'),
])
async def test_post_bodies(base_url, kwargs, content_type, body):
    async with ClientSession() as session:
        async with session.post(f"{base_url}/echo", **kwargs) as resp:
            echoed = await resp.json()
    headers = {n.lower(): v for n, v in echoed["headers"]}
    assert headers["content-type"] == content_type
    assert echoed["body"] == body
    assert headers["content-length"] == str(len(body.encode("latin-1")))


async def test_post_an_async_generator_is_sent_chunked(base_url):
    async def pieces():
        for i in range(3):
            yield f"piece {i};".encode()

    async with ClientSession() as session:
        async with session.post(f"{base_url}/echo", data=pieces()) as resp:
            echoed = await resp.json()
    headers = {n.lower(): v for n, v in echoed["headers"]}
    assert headers["transfer-encoding"] == "chunked"
    assert echoed["body"] == "piece 0;piece 1;piece 2;"


async def test_post_a_file_object_has_a_content_length(base_url, tmp_path):
    path = tmp_path / "upload.bin"
    path.write_bytes(b"x" * 200_000)
    async with ClientSession() as session:
        with open(path, "rb") as file:
            async with session.post(f"{base_url}/echo", data=file) as resp:
                echoed = await resp.json()
    headers = {n.lower(): v for n, v in echoed["headers"]}
    assert headers["content-length"] == "200000"
    assert echoed["body"] == "x" * 200_000


async def test_post_formdata_with_a_file_is_multipart(base_url):
    form = FormData()
    form.add_field("title", "report")
    form.add_field("file", io.BytesIO(b"file body"), filename="r.txt", content_type="text/plain")
    async with ClientSession() as session:
        async with session.post(f"{base_url}/echo", data=form) as resp:
            echoed = await resp.json()
    headers = {n.lower(): v for n, v in echoed["headers"]}
    assert headers["content-type"].startswith("multipart/form-data; boundary=")
    assert 'name="title"' in echoed["body"] and "report" in echoed["body"]
    assert 'filename="r.txt"' in echoed["body"] and "file body" in echoed["body"]


async def test_data_and_json_together_is_refused(base_url):
    async with ClientSession() as session:
        with pytest.raises(ValueError, match="data and json"):
            await session.post(f"{base_url}/echo", data=b"x", json={})


async def test_basic_auth_from_argument_session_and_url(base_url):
    expected = BasicAuth("ann", "s3cret").encode()
    host = base_url.split("//")[1]
    async with ClientSession(auth=BasicAuth("ann", "s3cret")) as session:
        async with session.get(f"{base_url}/echo") as resp:
            by_session = dict((n.lower(), v) for n, v in (await resp.json())["headers"])
    async with ClientSession() as session:
        async with session.get(f"{base_url}/echo", auth=BasicAuth("ann", "s3cret")) as resp:
            by_argument = dict((n.lower(), v) for n, v in (await resp.json())["headers"])
        async with session.get(f"http://ann:s3cret@{host}/echo") as resp:
            by_url = dict((n.lower(), v) for n, v in (await resp.json())["headers"])
    assert by_session["authorization"] == by_argument["authorization"] == expected
    assert by_url["authorization"] == expected


async def test_json_checks_the_content_type(base_url):
    async with ClientSession() as session:
        async with session.get(f"{base_url}/html") as resp:
            with pytest.raises(aioteach.ContentTypeError, match="unexpected mimetype: text/html"):
                await resp.json()
            assert await resp.json(content_type=None, loads=lambda s: s) == "<p>not json</p>"


async def test_text_uses_the_charset(base_url):
    async with ClientSession() as session:
        async with session.get(f"{base_url}/latin1") as resp:
            assert resp.charset == "iso-8859-1"
            assert await resp.text() == "café"


@pytest.mark.parametrize("path, text", [("/gzip", "squeezed " * 1000),
                                        ("/deflate", "deflated " * 1000)])
async def test_compressed_bodies_are_decoded(base_url, path, text):
    async with ClientSession() as session:
        async with session.get(base_url + path) as resp:
            assert await resp.text() == text
        async with ClientSession(auto_decompress=False) as raw_session:
            async with raw_session.get(base_url + path) as resp:
                assert len(await resp.read()) < 200     # still compressed


async def test_raise_for_status(base_url):
    async with ClientSession() as session:
        async with session.get(f"{base_url}/status/404") as resp:
            assert not resp.ok
            with pytest.raises(aioteach.ClientResponseError) as caught:
                resp.raise_for_status()
    assert caught.value.status == 404
    assert caught.value.message == "Not Found"
    assert str(caught.value) == f"404, message='Not Found', url='{base_url}/status/404'"

    async with ClientSession(raise_for_status=True) as session:
        with pytest.raises(aioteach.ClientResponseError):
            await session.get(f"{base_url}/status/500")
        # per request override
        async with session.get(f"{base_url}/status/500", raise_for_status=False) as resp:
            assert resp.status == 500

    seen = []

    async def check(resp):
        seen.append(resp.status)

    async with ClientSession(raise_for_status=check) as session:
        async with session.get(f"{base_url}/status/418") as resp:
            assert resp.status == 418
    assert seen == [418]


async def test_streaming_the_body(base_url):
    async with ClientSession() as session:
        async with session.get(f"{base_url}/stream") as resp:
            lines = [line async for line in resp.content]
        assert lines == [f"line {i}\n".encode() for i in range(5)]
        async with session.get(f"{base_url}/big") as resp:
            total = 0
            async for chunk in resp.content.iter_chunked(10_000):
                assert len(chunk) <= 10_000
                total += len(chunk)
        assert total == 1 << 20


async def test_base_url(base_url):
    async with ClientSession(base_url) as session:
        async with session.get("/hello") as resp:
            assert await resp.text() == "hello world"


async def test_one_shot_request(base_url):
    async with aioteach.request("GET", f"{base_url}/hello") as resp:
        assert await resp.text() == "hello world"


async def test_invalid_urls_are_refused_before_connecting():
    async with ClientSession() as session:
        for bad in ["/relative", "ftp://example.com/", "http:///nohost"]:
            with pytest.raises(aioteach.InvalidURL):
                await session.get(bad)


async def test_a_closed_session_refuses_requests(base_url):
    session = ClientSession()
    await session.close()
    assert session.closed
    with pytest.raises(RuntimeError, match="Session is closed"):
        await session.get(f"{base_url}/hello")


async def test_connection_refused_is_a_connector_error():
    import socket
    with socket.socket() as sock:              # a port nobody listens on: bound, not listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        async with ClientSession() as session:
            with pytest.raises(aioteach.ClientConnectorError) as caught:
                await session.get(f"http://127.0.0.1:{port}/")
    assert caught.value.port == port
    assert isinstance(caught.value, OSError)
    assert f"Cannot connect to host 127.0.0.1:{port}" in str(caught.value)


async def test_more_session_options(base_url):
    connector = aioteach.TCPConnector()
    async with ClientSession(connector=connector, connector_owner=False,
                             json_serialize=lambda obj: json.dumps(obj, separators=(",", ":")),
                             version="1.0") as session:
        async with session.post(f"{base_url}/echo", json={"a": [1, 2]}) as resp:
            echoed = await resp.json()
        assert echoed["body"] == '{"a":[1,2]}'                 # our serializer was used
    async with ClientSession(connector=connector, connector_owner=False) as session:
        async with session.post(f"{base_url}/echo", data=b"abc", chunked=True) as resp:
            echoed = await resp.json()
        headers = {n.lower(): v for n, v in echoed["headers"]}
        assert echoed["body"] == "abc" and headers["transfer-encoding"] == "chunked"
    assert session.closed and not connector.closed             # not the session's to close
    await connector.close()


async def test_a_url_object_and_a_timeout_number(base_url):
    from aioteach import URL
    async with ClientSession() as session:
        async with session.get(URL(f"{base_url}/hello"), timeout=30) as resp:
            assert await resp.text() == "hello world"


async def test_an_international_host_name_goes_out_in_its_ascii_form():
    from aioteach.client.request import ClientRequest
    from aioteach.url import URL
    req = ClientRequest("GET", URL("http://bücher.example:8080/ä?q=ü"), headers=[])
    assert req.head.startswith(b"GET /%C3%A4?q=%C3%BC HTTP/1.1\r\nHost: xn--bcher-kva.example:8080\r\n")
