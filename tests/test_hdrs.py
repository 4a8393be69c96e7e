"""aioteach.hdrs: header and method names as constants, aiohttp.hdrs's names, plain strings."""
from __future__ import annotations

import ast
import pathlib
import re

import pytest

import aioteach
from aioteach import hdrs
from aioteach.multidict import CIMultiDict
from tests.support import require

# RFC 9110 5.6.2: a field name and a method are tokens.
TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
HEADERS = {name: getattr(hdrs, name) for name in hdrs.__all__ if not name.startswith("METH_")}


def test_every_public_name_is_a_str_constant_or_the_method_set():
    assert "CONTENT_TYPE" in hdrs.__all__ and "METH_ALL" in hdrs.__all__
    for name in hdrs.__all__:
        value = getattr(hdrs, name)
        assert isinstance(value, frozenset if name == "METH_ALL" else str), name


def test_field_names_are_tokens_spelled_as_their_constants():
    for name, value in HEADERS.items():
        assert TOKEN.match(value), name
        assert value.upper().replace("-", "_") == name, f"{name} = {value!r}"
    folded = [value.lower() for value in HEADERS.values()]
    assert len(folded) == len(set(folded)), "two constants name the same field"


def test_methods():
    assert hdrs.METH_ALL == {"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST",
                             "PUT", "TRACE"}
    assert all(getattr(hdrs, f"METH_{m}") == m for m in hdrs.METH_ALL)
    assert hdrs.METH_ANY == "*" and hdrs.METH_ANY not in hdrs.METH_ALL


def test_a_constant_finds_a_header_in_any_case():
    headers = CIMultiDict([("content-type", "text/plain"), ("ETAG", '"1"')])
    assert headers[hdrs.CONTENT_TYPE] == "text/plain"
    assert headers[hdrs.ETAG] == '"1"'


def test_the_module_imports_nothing():
    tree = ast.parse(pathlib.Path(hdrs.__file__).read_text(encoding="utf-8"))
    imported = [node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]
    assert [node.module for node in imported] == ["__future__"]


def test_reached_from_the_top_like_aiohttp_hdrs():
    assert aioteach.hdrs is hdrs and "hdrs" in aioteach.__all__ and "hdrs" in dir(aioteach)


@pytest.mark.peer
def test_every_aiohttp_constant_exists_with_the_same_field():
    theirs = require("aiohttp.hdrs")
    names = {name for name in dir(theirs) if name.isupper() and name != "HOST_ALL"}
    assert names - set(hdrs.__all__) == set()
    for name in names:
        ours, their = getattr(hdrs, name), getattr(theirs, name)
        if name == "METH_ALL":
            assert ours == set(their)
        else:                       # field names compare without case (ETag / Etag)
            assert ours.lower() == str(their).lower(), name
