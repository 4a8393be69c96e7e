"""aioteach.multidict against its contract: the ``multidict`` package that aiohttp uses.

Most tests tell a small story with expected values written out; the peer tests replay random
operation sequences on both implementations and compare every result pair for pair.
"""
from __future__ import annotations

import copy
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aioteach.multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy
from tests.support import require


def test_construction_from_pairs_mapping_and_kwargs():
    assert list(MultiDict([("a", 1), ("b", 2), ("a", 3)]).items()) == [("a", 1), ("b", 2), ("a", 3)]
    assert list(MultiDict((("a", 1),)).items()) == [("a", 1)]
    assert list(MultiDict({"a": 1, "b": 2}).items()) == [("a", 1), ("b", 2)]
    assert list(MultiDict([("a", 1)], b=2).items()) == [("a", 1), ("b", 2)]
    assert list(MultiDict(a=1).items()) == [("a", 1)]
    assert list(MultiDict(CIMultiDict(A=1)).items()) == [("A", 1)]
    assert list(MultiDict(iter([("x", "y")])).items()) == [("x", "y")]
    assert len(MultiDict()) == 0 and not MultiDict()


def test_construction_errors_name_the_problem():
    with pytest.raises(TypeError, match="must be str.*int 1"):
        MultiDict([(1, 2)])
    with pytest.raises(TypeError, match="must be str"):
        CIMultiDict({1: 2})
    with pytest.raises(ValueError, match="#1.*exactly 2 items"):
        MultiDict([("a", 1), ("b", 2, 3)])
    with pytest.raises(TypeError, match="#0 is 5, not a"):
        MultiDict([5])
    with pytest.raises(TypeError, match="must be str"):
        MultiDict().add(b"bytes", 1)


def test_lookups_first_value_all_values_and_defaults():
    d = MultiDict([("tag", "a"), ("page", "2"), ("tag", "b")])
    assert d["tag"] == "a" and d.getone("tag") == "a" and d.get("tag") == "a"
    assert d.getall("tag") == ["a", "b"]
    assert d.get("nope") is None and d.get("nope", 5) == 5
    assert d.getone("nope", None) is None and d.getall("nope", []) == []
    for call in (lambda: d["nope"], lambda: d.getone("nope"), lambda: d.getall("nope")):
        with pytest.raises(KeyError, match="nope"):
            call()
    assert "tag" in d and "TAG" not in d and 1 not in d


def test_case_insensitive_keys_keep_their_first_spelling():
    h = CIMultiDict([("Content-Type", "text/plain"), ("SET-COOKIE", "a=1")])
    h.add("set-cookie", "b=2")
    assert h["content-type"] == h["CONTENT-TYPE"] == "text/plain"
    assert h.getall("Set-Cookie") == ["a=1", "b=2"]
    assert list(h.keys()) == ["Content-Type", "SET-COOKIE"] == list(h)
    assert list(h.items()) == [("Content-Type", "text/plain"), ("SET-COOKIE", "a=1"),
                               ("set-cookie", "b=2")]
    assert "content-TYPE" in h.keys() and ("content-type", "text/plain") in h.items()
    assert repr(h) == ("<CIMultiDict('Content-Type': 'text/plain', 'SET-COOKIE': 'a=1', "
                       "'set-cookie': 'b=2')>")
    assert isinstance(h, MultiDict)


def test_len_counts_pairs_but_keys_are_distinct():
    d = MultiDict([("a", 1), ("b", 2), ("a", 3), ("c", 4)])
    assert len(d) == 4 and len(d.items()) == 4 and len(d.values()) == 4
    assert list(d) == list(d.keys()) == ["a", "b", "c"] and len(d.keys()) == 3
    assert list(d.values()) == [1, 2, 3, 4] and 3 in d.values() and 9 not in d.values()
    assert d.to_dict() == {"a": [1, 3], "b": [2], "c": [4]}
    assert d.keys() & {"a", "z"} == {"a"}
    assert repr(d.keys()) == "<_KeysView('a', 'b', 'c')>"
    assert repr(d.values()) == "<_ValuesView(1, 2, 3, 4)>"


def test_setitem_replaces_all_at_first_position_and_delitem_removes_all():
    d = MultiDict([("a", 1), ("b", 2), ("a", 3)])
    d["a"] = 7
    assert list(d.items()) == [("a", 7), ("b", 2)]
    d["z"] = 0
    assert list(d.items()) == [("a", 7), ("b", 2), ("z", 0)]
    del d["a"]
    assert list(d.items()) == [("b", 2), ("z", 0)]
    with pytest.raises(KeyError):
        del d["a"]


def test_update_replaces_by_key_keeping_positions():
    d = MultiDict([("a", 1), ("b", 2), ("a", 3), ("c", 4)])
    d.update([("a", 9), ("c", 8), ("c", 7), ("z", 0)])
    assert list(d.items()) == [("a", 9), ("b", 2), ("c", 8), ("c", 7), ("z", 0)]
    d = MultiDict([("a", 1), ("b", 2), ("a", 3)])
    d.update([("a", 7), ("a", 8), ("a", 9)])
    assert list(d.items()) == [("a", 7), ("b", 2), ("a", 8), ("a", 9)]
    h = CIMultiDict([("Accept", "*/*"), ("Host", "x")])
    h.update({"ACCEPT": "text/html"}, host="y")
    assert list(h.items()) == [("ACCEPT", "text/html"), ("host", "y")]


def test_extend_merge_setdefault():
    d = MultiDict([("a", 1)])
    d.extend([("a", 2)], b=3)
    assert list(d.items()) == [("a", 1), ("a", 2), ("b", 3)]
    d.merge([("a", 9), ("z", 1), ("z", 2)])
    assert list(d.items()) == [("a", 1), ("a", 2), ("b", 3), ("z", 1), ("z", 2)]
    assert d.setdefault("a", 5) == 1 and d.setdefault("new", 5) == 5 and d["new"] == 5
    assert d.setdefault("none") is None and ("none", None) in d.items()


def test_pops():
    d = MultiDict([("a", 1), ("b", 2), ("a", 3), ("c", 4)])
    assert d.popone("a") == 1 and list(d.items()) == [("b", 2), ("a", 3), ("c", 4)]
    assert d.pop("a") == 3 and d.pop("a", "gone") == "gone" and d.popone("a", None) is None
    with pytest.raises(KeyError):
        d.popone("a")
    d.extend(x=1)
    d.add("x", 2)
    assert d.popall("x") == [1, 2] and d.popall("x", []) == []
    with pytest.raises(KeyError):
        d.popall("x")
    assert d.popitem() == ("c", 4) and list(d.items()) == [("b", 2)]
    d.clear()
    with pytest.raises(KeyError, match="empty"):
        d.popitem()


def test_equality_is_order_aware_between_multidicts():
    assert MultiDict([("a", 1), ("b", 2)]) == MultiDict([("a", 1), ("b", 2)])
    assert MultiDict([("a", 1), ("b", 2)]) != MultiDict([("b", 2), ("a", 1)])
    assert MultiDict([("a", 1)]) != MultiDict([("a", 1), ("a", 1)])
    assert MultiDict(a=1, b=2) == {"b": 2, "a": 1}
    assert MultiDict([("a", 1), ("a", 2)]) != {"a": 1}
    assert CIMultiDict(A=1) == MultiDict(a=1) and MultiDict(A=1) != CIMultiDict(a=1)
    assert CIMultiDict(A=1) != {"a": 1}                  # a dict looks keys up exactly
    assert MultiDict(a=1) != [("a", 1)]
    assert MultiDictProxy(MultiDict(a=1)) == MultiDict(a=1)
    with pytest.raises(TypeError):
        hash(MultiDict())


def test_copies_are_independent_and_keep_their_class():
    h = CIMultiDict(A=1)
    for clone in (h.copy(), copy.copy(h), copy.deepcopy(h), pickle.loads(pickle.dumps(h))):
        assert type(clone) is CIMultiDict and clone == h and clone["a"] == 1
        clone.add("b", 2)
        assert "b" not in h


def test_proxy_is_a_live_read_only_view():
    d = CIMultiDict([("Host", "x")])
    p = CIMultiDictProxy(d)
    d.add("Accept", "*/*")
    d["host"] = "y"
    assert p["HOST"] == "y" and p["accept"] == "*/*" and len(p) == 2
    del d["accept"]
    assert "accept" not in p
    with pytest.raises(TypeError):
        p["a"] = 1
    with pytest.raises(TypeError):
        del p["host"]
    assert not hasattr(p, "add") and not hasattr(p, "popone")
    clone = p.copy()
    assert type(clone) is CIMultiDict and clone == d
    clone.add("x", 1)
    assert "x" not in p
    assert repr(p) == "<CIMultiDictProxy('host': 'y')>"
    assert CIMultiDictProxy(p)["host"] == "y" and MultiDictProxy(p)["HOST"] == "y"
    assert type(MultiDictProxy(MultiDict(a=1)).copy()) is MultiDict


def test_proxy_refuses_what_it_cannot_wrap():
    with pytest.raises(TypeError, match="wraps a MultiDict"):
        MultiDictProxy({"a": 1})
    with pytest.raises(TypeError, match="wraps a CIMultiDict.*not MultiDict"):
        CIMultiDictProxy(MultiDict())


def test_iteration_sees_the_state_when_each_step_is_taken():
    d = MultiDict(a=1)
    items = d.items()                                       # views are live, like dict views
    d.add("b", 2)
    assert list(items) == [("a", 1), ("b", 2)]


def test_classes_subscript_for_annotations():
    assert MultiDict[str] is not None and CIMultiDictProxy[str] is not None


# -- the multidict package as an oracle -----------------------------------------------------

KEYS = st.sampled_from(["a", "A", "b", "Content-Type", "content-type", "x"])
PAIRS = st.lists(st.tuples(KEYS, st.integers(0, 3)), max_size=6)
OPERATIONS = st.lists(st.one_of(
    st.tuples(st.just("add"), KEYS, st.integers(0, 3)),
    st.tuples(st.just("setitem"), KEYS, st.integers(0, 3)),
    st.tuples(st.just("update"), PAIRS),
    st.tuples(st.just("extend"), PAIRS),
    st.tuples(st.just("merge"), PAIRS),
    st.tuples(st.just("delitem"), KEYS),
    st.tuples(st.just("popone"), KEYS),
    st.tuples(st.just("popall"), KEYS),
    st.tuples(st.just("popitem"),),
    st.tuples(st.just("setdefault"), KEYS, st.integers(0, 3)),
    st.tuples(st.just("getall"), KEYS),
    st.tuples(st.just("getone"), KEYS),
    st.tuples(st.just("contains"), KEYS),
), max_size=12)


def apply(d, op):
    """Run one operation; return its outcome (a value or the exception type)."""
    name, *args = op
    try:
        if name == "setitem":
            d[args[0]] = args[1]
        elif name == "delitem":
            del d[args[0]]
        elif name == "contains":
            return args[0] in d
        else:
            return getattr(d, name)(*args)
    except KeyError:
        return KeyError
    return None


def snapshot(d):
    return (list(d.items()), list(d.keys()), list(d.values()), len(d), len(d.keys()),
            repr(d).split("(", 1)[1], d.to_dict())


@pytest.mark.peer
@settings(max_examples=300, deadline=None)
@given(start=PAIRS, operations=OPERATIONS, case_insensitive=st.booleans())
def test_operation_sequences_match_the_multidict_package(start, operations, case_insensitive):
    multidict = require("multidict")
    ours = (CIMultiDict if case_insensitive else MultiDict)(start)
    theirs = (multidict.CIMultiDict if case_insensitive else multidict.MultiDict)(start)
    assert snapshot(ours) == snapshot(theirs)
    for op in operations:
        assert apply(ours, op) == apply(theirs, op), op
        assert snapshot(ours) == snapshot(theirs), op
    assert ours == theirs


@pytest.mark.peer
@settings(max_examples=200, deadline=None)
@given(left=PAIRS, right=PAIRS, left_ci=st.booleans(), right_ci=st.booleans())
def test_equality_matches_the_multidict_package(left, right, left_ci, right_ci):
    multidict = require("multidict")
    ours = [(CIMultiDict if ci else MultiDict)(pairs)
            for ci, pairs in ((left_ci, left), (right_ci, right))]
    theirs = [(multidict.CIMultiDict if ci else multidict.MultiDict)(pairs)
              for ci, pairs in ((left_ci, left), (right_ci, right))]
    assert (ours[0] == ours[1]) == (theirs[0] == theirs[1])
    assert (ours[0] == dict(right)) == (theirs[0] == dict(right))


@pytest.mark.peer
def test_reprs_match_the_multidict_package():
    multidict = require("multidict")
    pairs = [("Content-Type", "text/plain"), ("a", 1)]
    for ours, theirs in ((MultiDict(pairs), multidict.MultiDict(pairs)),
                         (CIMultiDict(pairs), multidict.CIMultiDict(pairs))):
        assert repr(ours) == repr(theirs)
        assert repr(ours.items()) == repr(theirs.items())
        assert repr(ours.keys()) == repr(theirs.keys())
    assert repr(CIMultiDictProxy(CIMultiDict(pairs))) == repr(
        multidict.CIMultiDictProxy(multidict.CIMultiDict(pairs)))


@pytest.mark.parametrize("module", ['aioteach.multidict'])
def test_docstring_examples_run(module):
    import doctest
    import importlib
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
