"""aioteach.url and aioteach.urlencoding: parsing, normalising, joining, building, queries.

The RFC 3986 section 5.4 examples are written out in full; yarl (aiohttp's URL type) is the
oracle for the rest of the API shape.
"""
from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aioteach.multidict import MultiDict, MultiDictProxy
from aioteach.url import URL, InvalidURLError, encode_query, parse_query, quote, unquote
from aioteach.urlencoding import PATH_SAFE, QUERY_SAFE, requote
from tests.support import require

# -- RFC 3986 section 5.4: reference resolution examples -------------------------------------

BASE = "http://a/b/c/d;p?q"
NORMAL_EXAMPLES = {                                   # section 5.4.1
    "g:h": "g:h", "g": "http://a/b/c/g", "./g": "http://a/b/c/g", "g/": "http://a/b/c/g/",
    "/g": "http://a/g", "//g": "http://g", "?y": "http://a/b/c/d;p?y",
    "g?y": "http://a/b/c/g?y", "#s": "http://a/b/c/d;p?q#s", "g#s": "http://a/b/c/g#s",
    "g?y#s": "http://a/b/c/g?y#s", ";x": "http://a/b/c/;x", "g;x": "http://a/b/c/g;x",
    "g;x?y#s": "http://a/b/c/g;x?y#s", "": "http://a/b/c/d;p?q", ".": "http://a/b/c/",
    "./": "http://a/b/c/", "..": "http://a/b/", "../": "http://a/b/", "../g": "http://a/b/g",
    "../..": "http://a/", "../../": "http://a/", "../../g": "http://a/g",
}
ABNORMAL_EXAMPLES = {                                 # section 5.4.2
    "../../../g": "http://a/g", "../../../../g": "http://a/g", "/./g": "http://a/g",
    "/../g": "http://a/g", "g.": "http://a/b/c/g.", ".g": "http://a/b/c/.g",
    "g..": "http://a/b/c/g..", "..g": "http://a/b/c/..g", "./../g": "http://a/b/g",
    "./g/.": "http://a/b/c/g/", "g/./h": "http://a/b/c/g/h", "g/../h": "http://a/b/c/h",
    "g;x=1/./y": "http://a/b/c/g;x=1/y", "g;x=1/../y": "http://a/b/c/y",
    "g?y/./x": "http://a/b/c/g?y/./x", "g?y/../x": "http://a/b/c/g?y/../x",
    "g#s/./x": "http://a/b/c/g#s/./x", "g#s/../x": "http://a/b/c/g#s/../x",
    "http:g": "http://a/b/c/g",                       # the backward-compatible reading, like yarl
}


@pytest.mark.parametrize("reference, expected", {**NORMAL_EXAMPLES, **ABNORMAL_EXAMPLES}.items())
def test_join_follows_rfc3986_examples(reference, expected):
    assert str(URL(BASE).join(URL(reference))) == expected


def test_join_against_a_base_without_path_and_other_edges():
    assert str(URL("http://h").join(URL("g"))) == "http://h/g"
    assert str(URL("http://h/a/b").join(URL("https://other/x/../y"))) == "https://other/y"
    assert str(URL("http://h/a").join(URL("//cdn.example/lib.js"))) == "http://cdn.example/lib.js"
    with pytest.raises(TypeError):
        URL("http://h/").join("g")


# -- parsing and the parts ---------------------------------------------------------------

def test_absolute_url_parts_raw_and_decoded():
    url = URL("HTTP://us%65r:p%40ss@Example.COM:8080/a%20b/c%2fd/?x=1&y=a+b&y=%c3%a9#frag%20x")
    assert url.scheme == "http" and url.host == url.raw_host == "example.com"
    assert (url.user, url.raw_user, url.password, url.raw_password) == (
        "user", "user", "p@ss", "p%40ss")
    assert url.port == url.explicit_port == 8080 and not url.is_default_port()
    assert url.raw_path == "/a%20b/c%2Fd/" and url.path == "/a b/c/d/"
    assert url.raw_query_string == "x=1&y=a+b&y=%C3%A9" and url.query_string == "x=1&y=a b&y=é"
    assert list(url.query.items()) == [("x", "1"), ("y", "a b"), ("y", "é")]
    assert isinstance(url.query, MultiDictProxy) and url.query.getall("y") == ["a b", "é"]
    assert url.raw_fragment == "frag%20x" and url.fragment == "frag x"
    assert url.raw_path_qs == "/a%20b/c%2Fd/?x=1&y=a+b&y=%C3%A9"
    assert url.path_qs == "/a b/c/d/?x=1&y=a b&y=é"
    assert url.raw_authority == "user:p%40ss@example.com:8080"
    assert url.authority == "user:p@ss@example.com:8080"
    assert str(url) == "http://user:p%40ss@example.com:8080/a%20b/c%2Fd/?x=1&y=a+b&y=%C3%A9#frag%20x"
    assert url.human_repr() == "http://user:p%40ss@example.com:8080/a b/c/d/?x=1&y=a b&y=é#frag x"
    assert repr(URL("http://x/")) == "URL('http://x/')"
    assert url.is_absolute()


def test_relative_request_target():
    url = URL("/user/42?x=1&x=2#top")
    assert (url.scheme, url.host, url.port, url.explicit_port) == ("", None, None, None)
    assert url.path == "/user/42" and url.query.getall("x") == ["1", "2"]
    assert url.fragment == "top" and url.raw_path_qs == "/user/42?x=1&x=2"
    assert not url.is_absolute() and not url.is_default_port()
    assert str(URL("/a/../b")) == "/a/../b"           # relative paths are left as sent
    with pytest.raises(ValueError, match="absolute"):
        URL("/x").origin()


def test_constructor_escapes_what_a_part_may_not_hold():
    assert URL("http://h/a b").raw_path == "/a%20b" and URL("http://h/a b").path == "/a b"
    assert str(URL("http://h/é?q=é ü&a=b c#f g")) == "http://h/%C3%A9?q=%C3%A9+%C3%BC&a=b+c#f%20g"
    assert URL("http://h/%7e%41").raw_path == "/~A"   # escaped unreserved: decoded (6.2.2.2)
    assert URL("http://h/a%2fb").raw_path == "/a%2Fb"  # hex upper-cased, "/" stays escaped
    assert URL("http://h/a%zz%2").raw_path == "/a%25zz%252"  # a stray "%" is data
    assert URL("http://h/%FF").path == "/%FF"         # undecodable bytes stay escaped
    assert URL("http://h/a\nb").raw_path == "/a%0Ab"  # control characters never pass raw
    assert URL("/a b?x=1 2").raw_path_qs == "/a%20b?x=1+2"


def test_normalisation_and_equality():
    assert URL("http://h/a/../b/./c").raw_path == "/b/c"
    assert URL("http://h") == URL("http://h/") == URL("HTTP://H:80/")
    assert hash(URL("http://h")) == hash(URL("http://H:80/"))
    assert str(URL("http://h")) == "http://h" and URL("http://h").raw_path == "/"
    assert str(URL("http://h:80/")) == "http://h/" and URL("http://h:80/").explicit_port == 80
    assert URL("http://h/a") != URL("http://h/b") and URL("http://h/") != "http://h/"
    assert {URL("http://h/a"), URL("http://h/a")} == {URL("http://h/a")}


def test_default_ports():
    assert [URL(f"{s}://h").port for s in ("http", "https", "ws", "wss", "foo")] == [
        80, 443, 80, 443, None]
    assert URL("https://h:443/").is_default_port() and str(URL("https://h:443/")) == "https://h/"
    assert URL("http://h:/x").port == 80 and URL("http://h:/x").explicit_port is None


def test_hosts_idna_and_ipv6():
    url = URL("http://домен.рф/")
    assert url.raw_host == "xn--d1acufc.xn--p1ai" and url.host == "домен.рф"
    assert str(url) == "http://xn--d1acufc.xn--p1ai/"
    assert URL("http://xn--d1acufc.xn--p1ai/").host == "домен.рф"
    v6 = URL("http://[::1]:8080/x")
    assert v6.host == v6.raw_host == "::1" and v6.port == 8080
    assert str(v6) == "http://[::1]:8080/x" and str(URL("http://[0:0::1]/")) == "http://[::1]/"
    assert str(URL("http://h/").with_host("::1")) == "http://[::1]/"
    assert URL("file:///etc/passwd").host is None and URL("file:///etc/passwd").path == "/etc/passwd"
    assert str(URL("file:///etc/passwd")) == "file:///etc/passwd"


@pytest.mark.parametrize("text, message", [
    ("http://h:99999/", "port '99999'"), ("http://h:ab/", "port 'ab'"),
    ("http://h:-1/", "port '-1'"), ("http://h:١٢/", "port"),   # Arabic-Indic digits
    ("http://[::1/", "closing"), ("http://[::g]/", "IPv6"), ("http://[::1]x/", "closing"),
    ("http://a b/", "host .a b."), ("http://a<b>/", "host"), ("1http://h/", "scheme"),
    ("http://[a b]/", "brackets hold an IPv6"), ("http://a%zz/", "host"),
    ("http://h/\ud800", "surrogate"),
])
def test_bad_urls_raise_a_clear_value_error(text, message):
    with pytest.raises(InvalidURLError, match=message) as info:
        URL(text)
    assert isinstance(info.value, ValueError)


def test_constructor_types():
    url = URL("http://h/")
    assert URL(url) is url and URL(url) == url
    with pytest.raises(TypeError, match="URL.build"):
        URL(b"http://h/")
    with pytest.raises(AttributeError):
        url.scheme = "https"                                      # type: ignore[misc]
    assert pickle.loads(pickle.dumps(URL("http://u@h:81/a b?q=1#f"))) == URL("http://u@h:81/a b?q=1#f")
    assert URL("http://h/a%20b", encoded=True).raw_path == "/a%20b"
    assert URL("") == URL() and str(URL()) == ""


# -- building and deriving ---------------------------------------------------------------

def test_build():
    assert str(URL.build(scheme="http", host="h", port=81, path="/a b", query={"q": "x y"},
                         fragment="f")) == "http://h:81/a%20b?q=x+y#f"
    assert str(URL.build(scheme="http", host="h", path="/a%20b")) == "http://h/a%2520b"
    assert str(URL.build(scheme="http", host="h", path="/a%20b", encoded=True)) == "http://h/a%20b"
    assert str(URL.build(scheme="https", user="a:b", password="c:d@", host="ÄÖ.de")) == (
        "https://a%3Ab:c%3Ad%40@xn--4ca0b.de")
    assert str(URL.build(scheme="http", host="h", query_string="a=1&b=x y")) == "http://h/?a=1&b=x+y"
    assert str(URL.build(path="/only/path")) == "/only/path"
    for bad in (dict(host="h", path="x"), dict(port=80), dict(host="h", query={}, query_string="a"),
                dict(host="h", port=70000), dict(scheme="1x", host="h")):
        with pytest.raises(ValueError):
            URL.build(**bad)


def test_with_methods():
    url = URL("http://h/p/q.txt?a=1&a=2&b=3#f")
    assert str(url.with_scheme("HTTPS")) == "https://h/p/q.txt?a=1&a=2&b=3#f"
    assert str(url.with_host("Other.com")) == "http://other.com/p/q.txt?a=1&a=2&b=3#f"
    assert str(url.with_port(8080)) == "http://h:8080/p/q.txt?a=1&a=2&b=3#f"
    assert url.with_port(8080).with_port(None) == url
    assert str(url.with_path("/new path")) == "http://h/new%20path"
    assert str(url.with_path("b")) == "http://h/b"
    assert str(url.with_path("/a/b%2Fc", encoded=True)) == "http://h/a/b%2Fc"
    assert str(url.with_fragment("g h")) == "http://h/p/q.txt?a=1&a=2&b=3#g%20h"
    assert str(url.with_fragment(None)) == "http://h/p/q.txt?a=1&a=2&b=3"
    assert str(url.with_name("r t.txt")) == "http://h/p/r%20t.txt"
    assert url.name == "q.txt" and str(url.parent) == "http://h/p"
    assert str(url.parent.parent) == "http://h" and url.parent.parent.parent == URL("http://h/")
    assert str(URL("a/b/c").parent) == "a/b" and URL("a/b/").name == ""
    assert str(URL("http://u:p@h:81/x?y#z").origin()) == "http://h:81"
    creds = URL("http://u:p@h/")
    assert str(creds.with_user(None)) == "http://h/" and str(creds.with_password(None)) == "http://u@h/"
    assert str(creds.with_user("a b")) == "http://a%20b:p@h/"
    assert str(URL("http://h/").with_password("p:w")) == "http://:p%3Aw@h/"
    assert URL("http://h/").with_password("p").password == "p"
    for bad in (lambda: url.with_port(70000), lambda: url.with_port(True),
                lambda: url.with_scheme("1x"), lambda: url.with_host(""),
                lambda: url.with_name("a/b"), lambda: URL("/x").with_port(80),
                lambda: URL("/x").with_user("u"), lambda: URL("/x").with_password("p")):
        with pytest.raises(ValueError):
            bad()


def test_slash_appends_escaped_segments():
    url = URL("http://h/p/q.txt?a=1#f")
    assert str(url / "seg" / "x y") == "http://h/p/q.txt/seg/x%20y"
    assert str(URL("http://h/") / "a") == str(URL("http://h") / "a") == "http://h/a"
    assert str(URL("http://h") / "a/b") == "http://h/a/b"
    assert str(URL("http://h/a") / "b%2Fc") == "http://h/a/b%252Fc"
    assert str(URL("http://h/a") / "b?c#d") == "http://h/a/b%3Fc%23d"
    assert str(URL("rel") / "x") == "rel/x" and str(URL("") / "x") == "x"


def test_queries():
    url = URL("http://h/p?a=1&a=2&b=3#f")
    assert str(url.with_query({"x": 1, "y": 2.5})) == "http://h/p?x=1&y=2.5#f"
    assert str(url.with_query([("x", "a b&c=d")])) == "http://h/p?x=a+b%26c%3Dd#f"
    assert str(url.with_query("z=1&w")) == "http://h/p?z=1&w#f"
    assert str(url.with_query(None)) == "http://h/p#f"
    assert str(url.with_query(x="é")) == "http://h/p?x=%C3%A9#f"
    assert str(url.with_query({"a": [1, 2]})) == "http://h/p?a=1&a=2#f"
    assert str(url.with_query(MultiDict([("k", "v"), ("k", "w")]))) == "http://h/p?k=v&k=w#f"
    assert str(url.update_query({"a": "9"})) == "http://h/p?a=9&b=3#f"
    assert str(url.update_query(c=1)) == "http://h/p?a=1&a=2&b=3&c=1#f"
    assert str(url.update_query("b=7")) == "http://h/p?a=1&a=2&b=7#f"
    assert str(url.extend_query(a=3)) == "http://h/p?a=1&a=2&b=3&a=3#f"
    assert url.with_query(b="x+y/?:@!").query["b"] == "x+y/?:@!"
    with pytest.raises(TypeError, match="bool"):
        url.with_query(flag=True)
    with pytest.raises(TypeError):
        url.with_query({"n": None})
    with pytest.raises(ValueError):
        url.with_query({"a": 1}, b=2)


def test_query_string_keeps_the_separators_escaped():
    url = URL("http://h/?a=%26%3D%2B&b=c%20d")
    assert url.query_string == "a=%26%3D%2B&b=c d"
    assert list(url.query.items()) == [("a", "&=+"), ("b", "c d")]
    assert list(URL("http://h/?a=1&&b&c=").query.items()) == [("a", "1"), ("b", ""), ("c", "")]


# -- percent-encoding and query strings ----------------------------------------------------

def test_quote_and_unquote():
    assert quote("/a b/ü?") == "/a%20b/%C3%BC%3F" and quote("/a b", safe="") == "%2Fa%20b"
    assert unquote("%2Fa%20b") == "/a b" and unquote("a+b") == "a+b"
    assert unquote("a+b%2B", plus=True) == "a b+"
    assert unquote("%E9", encoding="latin-1") == "é" and unquote("%E9") == "%E9"
    assert unquote("%C3%A9%26", keep="&") == "é%26"


def test_parse_and_encode_query():
    assert encode_query({"q": "fish & chips", "page": 2}) == "q=fish+%26+chips&page=2"
    assert encode_query([("a", "1"), ("a", "x=y")]) == "a=1&a=x%3Dy"
    form = parse_query(b"name=J%C3%BCrgen+M&tag=a&tag=b&empty=&flag")
    assert isinstance(form, MultiDict)
    assert list(form.items()) == [("name", "Jürgen M"), ("tag", "a"), ("tag", "b"),
                                  ("empty", ""), ("flag", "")]
    assert parse_query(b"n=J%FCrgen", encoding="latin-1")["n"] == "Jürgen"
    assert len(parse_query("a=1&" * 10, max_fields=10)) == 10
    with pytest.raises(InvalidURLError, match="more than 10 fields"):
        parse_query("a=1&" * 11, max_fields=10)


TEXT = st.text(max_size=30)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_quote_round_trips(text):
    assert unquote(quote(text, safe="")) == text
    assert unquote(quote(text, safe=PATH_SAFE)) == text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("a%2Fz /é+?#&=:@~A0F"), max_size=20))
def test_requote_is_idempotent_and_keeps_meaning(text):
    for safe in (PATH_SAFE, QUERY_SAFE):
        once = requote(text, safe)
        assert requote(once, safe) == once
        assert all(c.isascii() and c.isprintable() and c != " " for c in once)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(TEXT, TEXT), max_size=5))
def test_query_round_trips(pairs):
    assert list(parse_query(encode_query(pairs)).items()) == pairs
    url = URL("http://h/p").with_query(pairs)
    assert URL(str(url)) == url
    assert list(URL(str(url)).query.items()) == pairs


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT)
def test_path_and_fragment_round_trip_through_text(segment, fragment):
    url = URL.build(scheme="http", host="h", path="/" + segment, fragment=fragment)
    again = URL(str(url))
    assert again == url and again.fragment == fragment
    if segment not in (".", ".."):                    # dot segments are resolved away
        assert again.path == "/" + segment


# -- yarl as an oracle ---------------------------------------------------------------------

ORACLE_URLS = [
    "http://user:p%40ss@Example.COM:8080/a%20b/c%2Fd/?x=1&y=a+b&y=%C3%A9#frag%20x",
    "/user/42?x=1", "http://h/a b", "http://h/é?q=é ü&a=b c#f g", "http://h/a%2fb",
    "http://h/%7e%41", "http://домен.рф/", "http://[::1]:80/", "http://[::1]:81/", "HTTP://h",
    "http://h/?a=%26%3D%2B&b=c%20d", "http://u%3Ax:p:w@h/", "//g/x", "http://h:80/",
    "mailto:a@b.c", "http://h/a/../b/./c", "/a/../b", "a/../b", "http://h/%E2%82%AC",
    "https://h:443/", "ws://h", "foo://h", "a/b/c", "a/b/", "/", "", "http://h/?", "http://h/#",
    "http://h:/x", "http://h/a?b?c", "http://h/#a#b", "file:///etc/passwd",
    "http://h/p/q.txt?a=1&a=2&b=3#f",
]
ORACLE_ATTRIBUTES = (
    "scheme user password host raw_host port explicit_port path raw_path query_string "
    "raw_query_string fragment raw_fragment path_qs raw_path_qs name raw_name authority "
    "raw_authority").split()


@pytest.mark.peer
@pytest.mark.parametrize("text", ORACLE_URLS)
def test_parts_match_yarl(text):
    yarl = require("yarl")
    ours, theirs = URL(text), yarl.URL(text)
    for name in ORACLE_ATTRIBUTES:
        assert getattr(ours, name) == getattr(theirs, name), name
    assert list(ours.query.items()) == list(theirs.query.items())
    assert str(ours) == str(theirs) and repr(ours) == repr(theirs)
    assert str(ours.parent) == str(theirs.parent) or ours.path == "/a"
    assert ours.is_absolute() == theirs.is_absolute()
    assert ours.is_default_port() == theirs.is_default_port()
    if "%" not in text and "?b?c" not in text:        # yarl re-escapes these for display
        assert ours.human_repr() == theirs.human_repr()


@pytest.mark.peer
@pytest.mark.parametrize("reference", list(NORMAL_EXAMPLES) + list(ABNORMAL_EXAMPLES))
def test_join_matches_yarl(reference):
    yarl = require("yarl")
    assert str(URL(BASE).join(URL(reference))) == str(yarl.URL(BASE).join(yarl.URL(reference)))


@pytest.mark.peer
@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(TEXT, st.one_of(TEXT, st.integers())), max_size=4))
def test_with_query_matches_yarl(pairs):
    yarl = require("yarl")
    ours = URL("http://h/p").with_query(pairs)
    theirs = yarl.URL("http://h/p").with_query(pairs)
    assert list(ours.query.items()) == list(theirs.query.items())
    assert URL(str(theirs)) == ours


URLISH = st.lists(st.sampled_from(
    list("ab:/?#[]@%.-+ é1=&;") + ["http://", "//", "%zz", "%41", "%2F", "[::1]", ":80", "..",
                                    "xn--", "\n"]), max_size=12).map("".join)


@settings(max_examples=500, deadline=None)
@given(URLISH)
def test_any_text_parses_or_raises_invalid_url_and_normalising_is_stable(text):
    try:
        url = URL(text)
    except InvalidURLError:
        return
    again = URL(str(url))
    assert again == url and str(again) == str(url)
    assert URL(str(URL("http://h/a/b").join(url))) == URL("http://h/a/b").join(url)
    for name in ("path", "query_string", "host", "port", "name", "fragment"):
        getattr(url, name)                             # every part decodes without error
    url.human_repr()


@pytest.mark.parametrize("module", ['aioteach.url', 'aioteach.urlencoding'])
def test_docstring_examples_run(module):
    import doctest
    import importlib
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
