"""``web.json_response``'s default encoder (web/wholeresponse.py's ``json_dumps``): json.dumps's
encoder built once.  It must give json.dumps's own bytes for every JSON value and raise
json.dumps's own errors, and a ``dumps=`` the caller passes is the one that runs."""
from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings, strategies as st

from aioteach import web
from aioteach.web.wholeresponse import json_dumps

# Any JSON value, with the corners json.dumps has rules for: non-ASCII and control characters
# (escaped), NaN and the infinities (allowed by default), big integers, non-str keys.
SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
           | st.text())
KEYS = st.text() | st.integers() | st.floats() | st.booleans() | st.none()
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=5) | st.tuples(children, children)
    | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(value=JSON_VALUES)
def test_the_default_gives_json_dumps_bytes(value):
    expected = json.dumps(value)
    assert json_dumps(value) == expected
    resp = web.json_response(value)
    assert resp.body == expected.encode("utf-8")
    assert resp.content_type == "application/json"


@settings(max_examples=100, deadline=None)
@given(value=JSON_VALUES)
def test_a_failed_call_leaves_nothing_behind(value):
    # The C encoder keeps a failed call's circular-reference marks; ours keeps none, so the
    # same containers encode afterwards as json.dumps encodes them.
    with pytest.raises(TypeError):
        json_dumps([value, {"bad": object()}])
    assert json_dumps([value, value]) == json.dumps([value, value])


@pytest.mark.parametrize("make", [
    lambda: [object()],                                   # not serializable: TypeError
    lambda: {(1, 2): "tuple key"},                        # a key json cannot write: TypeError
])
def test_errors_are_json_dumps_own(make):
    with pytest.raises(TypeError) as ours:
        json_dumps(make())
    with pytest.raises(TypeError) as theirs:
        json.dumps(make())
    assert str(ours.value) == str(theirs.value)
    assert ours.value.__context__ is None                  # no "during handling of" chain


def test_circular_data_is_a_value_error_as_with_json_dumps():
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference detected") as caught:
        web.json_response(loop)
    assert caught.value.__context__ is None


def test_a_dumps_of_ones_own_runs_and_json_dumps_keeps_its_meaning():
    seen = []

    def my_dumps(data):
        seen.append(data)
        return "custom"

    assert web.json_response({"a": 1}, dumps=my_dumps).text == "custom" and seen == [{"a": 1}]
    assert web.json_response({"b": 2}, dumps=json.dumps).text == '{"b": 2}'
    compact = web.json_response({"b": [1, 2]}, dumps=lambda d: json.dumps(d, separators=(",", ":")))
    assert compact.text == '{"b":[1,2]}'
    assert web.json_response(math.inf).text == "Infinity"          # allow_nan, as json.dumps


def test_none_is_data_and_no_data_is_an_empty_body():
    # As in aiohttp: json_response(None) sends null; json_response() sends no body at all.
    assert web.json_response(None).body == b"null"
    assert web.json_response().body is None and web.json_response(text="[]").text == "[]"
    with pytest.raises(ValueError):
        web.json_response(None, text="null")
