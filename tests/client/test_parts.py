"""The client's small parts on their own: BasicAuth, CookieJar, FormData, errors, Deadline."""
from __future__ import annotations

import asyncio

from http.cookies import SimpleCookie

import pytest

import aioteach
from aioteach import BasicAuth, CookieJar, DummyCookieJar, FormData
from aioteach.client.cookiejar import default_path, parse_cookie_date, path_match
from aioteach.client.timeouts import Alarm, Deadline
from aioteach.url import URL
from tests.support import require


# -- BasicAuth ---------------------------------------------------------------------------
def test_basic_auth_round_trip():
    auth = BasicAuth("Aladdin", "open sesame")
    assert auth.encode() == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="       # RFC 7617's example
    assert BasicAuth.decode(auth.encode()) == auth
    assert "open sesame" not in repr(auth)


def test_basic_auth_refuses_bad_input():
    with pytest.raises(ValueError, match='":"'):
        BasicAuth("a:b", "c")
    with pytest.raises(ValueError, match="Unknown authorization method"):
        BasicAuth.decode("Bearer abc")
    with pytest.raises(ValueError, match="base64"):
        BasicAuth.decode("Basic !!!")


def test_basic_auth_from_url():
    assert BasicAuth.from_url(URL("http://ann:pw@example.com/")) == BasicAuth("ann", "pw")
    assert BasicAuth.from_url(URL("http://example.com/")) is None


# -- CookieJar ---------------------------------------------------------------------------
def cookies(*lines):
    jar = SimpleCookie()
    for line in lines:
        jar.load(line)
    return jar


def sent(jar, url):
    return {name: morsel.value for name, morsel in jar.filter_cookies(URL(url)).items()}


def test_host_only_and_domain_cookies():
    jar = CookieJar()
    jar.update_cookies(cookies("host=1", "dom=2; Domain=example.com"),
                       URL("http://www.example.com/"))
    assert sent(jar, "http://www.example.com/") == {"host": "1", "dom": "2"}
    assert sent(jar, "http://api.example.com/") == {"dom": "2"}
    assert sent(jar, "http://example.com/") == {"dom": "2"}
    assert sent(jar, "http://example.org/") == {}


def test_a_server_cannot_set_a_cookie_for_another_domain():
    jar = CookieJar()
    jar.update_cookies(cookies("evil=1; Domain=bank.com"), URL("http://attacker.com/"))
    assert len(jar) == 0


def test_paths_and_the_default_path():
    jar = CookieJar()
    jar.update_cookies(cookies("a=1; Path=/docs", "b=2"), URL("http://h.com/docs/page"))
    assert sent(jar, "http://h.com/docs") == {"a": "1", "b": "2"}
    assert sent(jar, "http://h.com/docs/x/y") == {"a": "1", "b": "2"}
    assert sent(jar, "http://h.com/documents") == {}
    assert default_path("/docs/page") == "/docs" and default_path("/") == "/"
    assert path_match("/docs/", "/docs") and not path_match("/do", "/docs")


def test_secure_cookies_go_only_over_https():
    jar = CookieJar()
    jar.update_cookies(cookies("s=1; Secure"), URL("https://h.com/"))
    assert sent(jar, "http://h.com/") == {}
    assert sent(jar, "https://h.com/") == {"s": "1"}


def test_expiry_max_age_and_deletion():
    jar = CookieJar()
    url = URL("http://h.com/")
    jar.update_cookies(cookies("old=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT"), url)
    assert len(jar) == 0                                   # already expired: never stored
    jar.update_cookies(cookies("keep=1; Max-Age=3600", "gone=1"), url)
    assert sent(jar, "http://h.com/") == {"keep": "1", "gone": "1"}
    jar.update_cookies(cookies("gone=; Max-Age=0"), url)   # how a server deletes a cookie
    assert sent(jar, "http://h.com/") == {"keep": "1"}
    assert parse_cookie_date("Wed, 21 Oct 2015 07:28:00 GMT") == 1445412480.0
    assert parse_cookie_date("Wed, 21-Oct-15 07:28:00 GMT") == 1445412480.0
    assert parse_cookie_date("not a date") is None


def test_ip_hosts_need_unsafe_like_aiohttp():
    url = URL("http://127.0.0.1:8080/")
    safe, unsafe = CookieJar(), CookieJar(unsafe=True)
    for jar in (safe, unsafe):
        jar.update_cookies(cookies("a=1"), url)
    assert (len(safe), len(unsafe)) == (0, 1)
    assert sent(unsafe, "http://127.0.0.1:8080/x") == {"a": "1"}
    assert sent(unsafe, "http://127.0.0.2/") == {}


def test_shared_cookies_clear_and_iteration():
    jar = CookieJar()
    jar.update_cookies({"shared": "yes"})
    assert sent(jar, "http://anywhere.org/") == {"shared": "yes"}
    jar.update_cookies(cookies("x=1"), URL("http://a.com/"))
    assert sorted(m.key for m in jar) == ["shared", "x"]
    jar.clear(lambda morsel: morsel.key == "x")
    assert [m.key for m in jar] == ["shared"]
    jar.clear()
    assert len(jar) == 0
    dummy = DummyCookieJar()
    dummy.update_cookies({"a": "1"})
    assert len(dummy) == 0 and sent(dummy, "http://a.com/") == {}


@pytest.mark.peer
def test_cookie_jar_agrees_with_aiohttp():
    aiohttp = require("aiohttp")
    lines = ["a=1; Path=/", "b=2; Domain=example.com; Path=/app", "c=3; Secure",
             "d=4; Max-Age=0", "e=5; Path=/app/deep"]
    ours, theirs = CookieJar(), None

    async def fill():
        nonlocal theirs
        theirs = aiohttp.CookieJar()
        import yarl
        theirs.update_cookies(cookies(*lines), yarl.URL("http://www.example.com/app/x"))
        return {u: {k: m.value for k, m in theirs.filter_cookies(yarl.URL(u)).items()}
                for u in urls}

    urls = ["http://www.example.com/", "http://www.example.com/app/deep/x",
            "https://www.example.com/app", "http://sub.example.com/app", "http://other.com/"]
    ours.update_cookies(cookies(*lines), URL("http://www.example.com/app/x"))
    expected = asyncio.run(fill())
    assert {u: sent(ours, u) for u in urls} == expected


# -- FormData ----------------------------------------------------------------------------
def test_formdata_urlencoded():
    form = FormData({"q": "a b", "n": 1})
    form.add_field("q", "ü&=")
    assert form.encode() == ("application/x-www-form-urlencoded",
                             b"q=a+b&n=1&q=%C3%BC%26%3D")
    assert not form.is_multipart


def test_formdata_refuses_odd_values():
    with pytest.raises(TypeError, match="form field"):
        FormData().add_field("x", object())


# -- errors and timeouts -----------------------------------------------------------------
@pytest.mark.peer
def test_the_error_family_matches_aiohttp():
    aiohttp = require("aiohttp")
    names = ["ClientError", "ClientConnectionError", "ClientOSError", "ClientConnectorError",
             "ServerConnectionError", "ServerDisconnectedError", "ServerTimeoutError",
             "ClientResponseError", "ContentTypeError", "ClientPayloadError", "InvalidURL",
             "TooManyRedirects", "WSServerHandshakeError"]
    for child in names:
        for parent in names:
            ours = issubclass(getattr(aioteach, child), getattr(aioteach, parent))
            theirs = issubclass(getattr(aiohttp, child), getattr(aiohttp, parent))
            assert ours == theirs, (child, parent)
    assert issubclass(aioteach.ServerTimeoutError, asyncio.TimeoutError)
    assert issubclass(aioteach.InvalidURL, ValueError)


async def test_deadline_turns_its_own_cancellation_into_a_timeout():
    loop = asyncio.get_running_loop()
    with pytest.raises(asyncio.TimeoutError):
        with Deadline(loop, 0.01):
            await asyncio.Event().wait()
    task = asyncio.current_task()
    if hasattr(task, "cancelling"):                   # 3.11+: our cancel was taken back
        assert task.cancelling() == 0
    with Deadline(loop, None):                        # no limit: nothing happens
        await asyncio.sleep(0)
    deadline = Deadline(loop, 0.0)
    with pytest.raises(asyncio.TimeoutError):         # already past: at once
        with deadline:
            pass


async def test_deadline_lets_an_outside_cancellation_through():
    loop = asyncio.get_running_loop()
    started = asyncio.Event()

    async def waiter():
        with Deadline(loop, 60):
            started.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(waiter())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_deadlines_sharing_an_alarm_fire_on_time_and_only_their_own_task():
    loop = asyncio.get_running_loop()
    alarm = Alarm(loop)
    started = asyncio.Event()

    async def long_wait():                            # arms the alarm a minute ahead
        with Deadline(loop, 60, alarm=alarm):
            started.set()
            await asyncio.Event().wait()

    patient = asyncio.create_task(long_wait())
    await started.wait()
    with pytest.raises(asyncio.TimeoutError):         # earlier than the alarm: re-armed for it
        with Deadline(loop, 0.01, alarm=alarm):
            await asyncio.Event().wait()
    with Deadline(loop, 0.01, alarm=alarm):           # left before its moment: never fires
        pass
    assert not patient.done()                         # the minute-long one still waits
    patient.cancel()
    with pytest.raises(asyncio.CancelledError):       # an outside cancel, not a timeout
        await patient
    alarm.close()


async def test_a_deadline_outside_any_task_says_so_instead_of_never_firing():
    loop = asyncio.get_running_loop()
    outcome = loop.create_future()

    def plain_callback():                             # runs on the loop, but in no Task
        try:
            with Deadline(loop, 60):
                outcome.set_result("entered")
        except RuntimeError as exc:
            outcome.set_result(str(exc))

    loop.call_soon(plain_callback)
    assert "needs a running Task" in await outcome


def test_default_timeout_is_aiohttps():
    assert aioteach.ClientSession().timeout == aioteach.ClientTimeout(total=300, sock_connect=30)

