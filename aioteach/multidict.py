"""Multidicts: mappings where one key may hold several values, in arrival order.

HTTP is full of them.  A message may repeat a header field (two ``Set-Cookie`` lines, RFC 9110
section 5.3), a query string may repeat a name (``?tag=a&tag=b``), and a form may post two
fields with one name.  A plain ``dict`` keeps only one value; a multidict keeps every
``(key, value)`` pair, in order, and still answers ``d[key]`` with the first one.

Four classes, with the names and behaviour of the ``multidict`` package that aiohttp uses:

    MultiDict          keys compared exactly                      (query strings, forms)
    CIMultiDict        keys compared ignoring ASCII/Unicode case   (header fields, RFC 9110 5.1)
    MultiDictProxy     a read-only *live* view of a MultiDict      (``request.query``)
    CIMultiDictProxy   a read-only live view of a CIMultiDict      (``request.headers``)

How it works: the pairs live in one list of ``(identity, key, value)`` entries.  The identity is
what lookups compare: the key itself for ``MultiDict``, ``key.lower()`` for ``CIMultiDict``; the
key is kept as first spelled, so ``keys()`` shows ``Content-Type`` even though ``content-type``
finds it.  A lookup is a linear scan of that list.

Discussion: why a list and not a hash table?  A request carries about ten header fields and a
handler asks for two or three of them.  Scanning ten short tuples is as quick as hashing, and
building the list from the parser's tuple of pairs is one list comprehension, which is what the
server does for every request.  A multidict holding thousands of keys would want an index; no
HTTP message should (the parser caps header fields at 100).

Rules kept from the ``multidict`` package: ``len()`` counts pairs; ``items()`` and ``values()``
yield every pair; keys must be ``str``.

Discussion: what should ``keys()`` yield for ``[("a", 1), ("a", 2)]``?  Versions of the
``multidict`` package before 7 yielded ``"a"`` twice, once per pair; version 7 (the one aiohttp
installs today) yields each distinct key once, first spelling first, so ``for name in headers``
no longer visits a name twice.  We follow version 7.  Code that wants every pair, on any
version, iterates ``items()``.
"""
from __future__ import annotations

import types
from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, MutableMapping
from collections.abc import ValuesView
from typing import Any, Callable, TypeVar

__all__ = ["MultiMapping", "MultiDict", "CIMultiDict", "MultiDictProxy", "CIMultiDictProxy"]

_MISSING: Any = object()        # "no default given" (None is a legitimate default)
_ABSENT: Any = object()         # "no such key", used inside this module as a default

_KEY_HINT = "MultiDict keys must be str (header and field names are text)"

_V = TypeVar("_V")               # the type of the values: MultiDict[str] for headers
Entry = tuple[str, str, Any]     # (identity, key, value): one pair as the list keeps it


class MultiMapping(Mapping[str, _V]):
    """The read-only half shared by the multidicts and their proxies.

    Subclasses set ``_identity``: the function that turns a key into what lookups compare.
    """

    __slots__ = ("_items",)
    _items: list[Entry]
    _identity: Callable[[str], str] = staticmethod(str.__str__)  # exact str, even of a subclass
    __class_getitem__: Any = classmethod(types.GenericAlias)     # MultiDict[str] at run time

    # -- lookups: one scan of the entry list -------------------------------------------------

    def getone(self, key: str, default: Any = _MISSING) -> Any:
        """The first value for ``key``; ``default`` or KeyError if there is none."""
        identity = self._identity(key)
        for entry in self._items:
            if entry[0] == identity:
                return entry[2]
        if default is _MISSING:
            raise KeyError(key)
        return default

    def getall(self, key: str, default: Any = _MISSING) -> Any:
        """Every value for ``key`` as a list, in order; ``default`` or KeyError if none."""
        identity = self._identity(key)
        values = [entry[2] for entry in self._items if entry[0] == identity]
        if values:
            return values
        if default is _MISSING:
            raise KeyError(key)
        return default

    def get(self, key: str, default: Any = None) -> Any:
        """The first value for ``key``, or ``default``."""
        identity = self._identity(key)            # the loop of getone(), inlined: a hot path
        for entry in self._items:
            if entry[0] == identity:
                return entry[2]
        return default

    def __getitem__(self, key: str) -> _V:
        value: _V = self.getone(key)
        return value

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        identity = self._identity(key)
        for entry in self._items:
            if entry[0] == identity:
                return True
        return False

    # -- sizes, iteration and views -----------------------------------------------------------

    def __len__(self) -> int:
        return len(self._items)                    # pairs, not distinct keys

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def keys(self) -> KeysView[str]:
        """Each distinct key once, as first spelled, in order of first appearance."""
        return _KeysView(self)

    def items(self) -> ItemsView[str, _V]:
        """Every ``(key, value)`` pair, in order."""
        return _ItemsView(self)

    def values(self) -> ValuesView[_V]:
        """Every value, in order."""
        return _ValuesView(self)

    def to_dict(self) -> dict[str, list[_V]]:
        """A plain dict of lists: ``{key: [value, ...]}``, keys as first spelled."""
        first_spelling: dict[str, str] = {}
        result: dict[str, list[_V]] = {}
        for identity, key, value in self._items:
            key = first_spelling.setdefault(identity, key)
            result.setdefault(key, []).append(value)
        return result

    # -- comparison and display ---------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MultiMapping):
            # Between multidicts order matters, like comparing two lists of pairs.
            mine, theirs = self._items, other._items
            return len(mine) == len(theirs) and all(
                a[0] == b[0] and a[2] == b[2] for a, b in zip(mine, theirs))
        if not isinstance(other, Mapping):
            return NotImplemented
        if hasattr(other, "getall"):
            # Another library's multidict (the multidict package's): pair by pair too, with our
            # identity rule.
            theirs_pairs = list(other.items())
            return len(self._items) == len(theirs_pairs) and all(
                a[0] == self._identity(key) and a[2] == value
                for a, (key, value) in zip(self._items, theirs_pairs))
        # Against any other mapping (a plain dict, say): same size, and each of
        # our pairs found there.
        if len(self._items) != len(other):
            return False
        for _, key, value in self._items:
            if other.get(key, _MISSING) != value:
                return False
        return True

    __hash__ = None  # type: ignore[assignment]   # mutable, like dict

    def __repr__(self) -> str:
        body = ", ".join(f"{key!r}: {value!r}" for _, key, value in self._items)
        return f"<{type(self).__name__}({body})>"


class MultiDict(MultiMapping[_V], MutableMapping[str, _V]):
    """A mutable multidict with exact (case-sensitive) keys.

    >>> d = MultiDict([("tag", "a"), ("page", "2")], tag="b")
    >>> d["tag"], d.getall("tag"), len(d)
    ('a', ['a', 'b'], 3)
    """

    __slots__ = ()

    def __init__(self, arg: Any = (), /, **kwargs: Any) -> None:
        # Fast path: the HTTP parser hands over a tuple of (name, value) string pairs.
        if type(arg) in (tuple, list) and not kwargs:
            identity = self._identity
            try:
                self._items = [(identity(key), key, value) for key, value in arg]
                return
            except (TypeError, ValueError):
                pass                               # let the careful path explain what is wrong
        self._items = []
        self._items.extend(self._entries(arg, kwargs, "MultiDict"))

    def _entries(self, arg: Any, kwargs: Mapping[str, Any], method: str) -> list[Entry]:
        """Turn the arguments of ``__init__``/``extend``/``update`` into entries, checking types."""
        if isinstance(arg, MultiMapping):
            pairs: Iterable[Any] = [(key, value) for _, key, value in arg._items]
        elif isinstance(arg, Mapping):
            pairs = arg.items()                    # for a multidict package object: every pair
        else:
            pairs = arg
        entries = []
        identity = self._identity
        for position, pair in enumerate(pairs):
            try:
                key, value = pair
            except TypeError:                      # not a sequence at all
                raise TypeError(f"{method}() element #{position} is {pair!r}, "
                                "not a (key, value) pair") from None
            except ValueError:                     # a sequence of the wrong length
                raise ValueError(f"{method}() element #{position} is {pair!r}: "
                                 "a pair needs exactly 2 items, key and value") from None
            entries.append((self._checked_identity(key), key, value))
        entries.extend((identity(key), key, value) for key, value in kwargs.items())
        return entries

    def _checked_identity(self, key: object) -> str:
        if not isinstance(key, str):
            raise TypeError(f"{_KEY_HINT}; got {type(key).__name__} {key!r}")
        return self._identity(key)

    # -- adding --------------------------------------------------------------------------------

    def add(self, key: str, value: Any) -> None:
        """Append one pair; existing values for ``key`` stay."""
        self._items.append((self._checked_identity(key), key, value))

    def extend(self, arg: Any = (), /, **kwargs: Any) -> None:
        """Append every pair of a mapping, multidict or iterable of pairs (and kwargs)."""
        self._items.extend(self._entries(arg, kwargs, "extend"))

    def merge(self, arg: Any = (), /, **kwargs: Any) -> None:
        """Append the pairs whose key is not present yet; keys already here are left alone."""
        present = {entry[0] for entry in self._items}
        self._items.extend(
            entry for entry in self._entries(arg, kwargs, "merge") if entry[0] not in present)

    def setdefault(self, key: str, default: Any = None) -> Any:
        """The first value for ``key``; if absent, add ``(key, default)`` and return default."""
        value = self.get(key, _ABSENT)
        if value is _ABSENT:
            self.add(key, default)
            return default
        return value

    # -- replacing -----------------------------------------------------------------------------

    def __setitem__(self, key: str, value: Any) -> None:
        """Replace every value of ``key`` by one, at the position of the first."""
        self._replace([(self._checked_identity(key), key, value)])

    def update(self, arg: Any = (), /, **kwargs: Any) -> None:
        """Replace by key, keeping positions: the n-th new value of a key takes the place of
        its n-th old value; surplus new values are appended and surplus old ones removed.
        Keys not mentioned are untouched.

        >>> d = MultiDict([("a", 1), ("b", 2), ("a", 3)])
        >>> d.update(a=9); d
        <MultiDict('a': 9, 'b': 2)>
        """
        self._replace(self._entries(arg, kwargs, "update"))

    def _replace(self, new_entries: list[Entry]) -> None:
        items = self._items
        positions: dict[str, list[int]] = {}    # identity -> indexes of its old entries
        for index, entry in enumerate(items):
            positions.setdefault(entry[0], []).append(index)
        taken: dict[str, int] = {}               # identity -> old slots reused so far
        appended = []
        for entry in new_entries:
            identity = entry[0]
            slots = positions.setdefault(identity, [])
            n = taken.get(identity, 0)
            taken[identity] = n + 1
            if n < len(slots):
                items[slots[n]] = entry
            else:
                appended.append(entry)
        stale = {index for identity, n in taken.items() for index in positions[identity][n:]}
        # Slice assignment mutates the list in place: proxies share it and must see the change.
        items[:] = [entry for index, entry in enumerate(items) if index not in stale] + appended

    # -- removing ------------------------------------------------------------------------------

    def __delitem__(self, key: str) -> None:
        """Remove every pair with ``key``; KeyError if there is none."""
        identity = self._identity(key)
        kept = [entry for entry in self._items if entry[0] != identity]
        if len(kept) == len(self._items):
            raise KeyError(key)
        self._items[:] = kept

    def popone(self, key: str, default: Any = _MISSING) -> Any:
        """Remove and return the first value for ``key`` (or ``default``, or KeyError)."""
        identity = self._identity(key)
        for index, entry in enumerate(self._items):
            if entry[0] == identity:
                del self._items[index]
                return entry[2]
        if default is _MISSING:
            raise KeyError(key)
        return default

    pop = popone                        # like the multidict package: pop() is popone()

    def popall(self, key: str, default: Any = _MISSING) -> Any:
        """Remove and return every value for ``key`` as a list (or ``default``, or KeyError)."""
        values = self.getall(key, _ABSENT)
        if values is _ABSENT:
            if default is _MISSING:
                raise KeyError(key)
            return default
        del self[key]
        return values

    def popitem(self) -> tuple[str, _V]:
        """Remove and return the last ``(key, value)`` pair."""
        if not self._items:
            raise KeyError("popitem(): the multidict is empty")
        _, key, value = self._items.pop()
        return key, value

    def clear(self) -> None:
        self._items.clear()

    def copy(self) -> MultiDict[_V]:
        """A new, independent multidict of the same class with the same pairs."""
        clone = type(self).__new__(type(self))
        clone._items = list(self._items)
        return clone

    __copy__ = copy


class CIMultiDict(MultiDict[_V]):
    """A multidict whose keys compare case-insensitively: header fields (RFC 9110 5.1).

    >>> h = CIMultiDict([("Content-Type", "text/plain")])
    >>> h["content-type"], list(h.keys())
    ('text/plain', ['Content-Type'])
    """

    __slots__ = ()
    _identity = staticmethod(str.lower)

    # Simplification: the multidict package's key views do case-insensitive set algebra
    # (``h.keys() - {"content-type"}``); ours inherit Python's ordinary, exact set operations.


class MultiDictProxy(MultiMapping[_V]):
    """A read-only view of a live MultiDict: it sees later changes but cannot make any.

    The web layer hands ``request.query`` out this way, so a handler cannot edit what the
    next middleware will read.  ``copy()`` gives a mutable MultiDict.
    """

    __slots__ = ("_md", "_identity")           # the identity rule comes from the wrapped dict
    _accepts: tuple[type, ...] = (MultiDict, )
    _copy_class: type[MultiDict[Any]] = MultiDict

    def __init__(self, arg: MultiMapping[_V]) -> None:
        if not isinstance(arg, self._accepts + (type(self), )):
            wanted = " or ".join(c.__name__ for c in self._accepts)
            raise TypeError(f"{type(self).__name__}() wraps a {wanted} (or a proxy of one), "
                            f"not {type(arg).__name__}; build one with {wanted}(...) first")
        self._md = getattr(arg, "_md", arg)
        self._identity = arg._identity
        self._items = arg._items                  # the very same list: changes show through

    def copy(self) -> MultiDict[_V]:
        """A mutable copy (a MultiDict, or a CIMultiDict for the CI proxy)."""
        clone = self._copy_class.__new__(self._copy_class)
        clone._items = list(self._items)
        return clone


class CIMultiDictProxy(MultiDictProxy[_V]):
    """A read-only view of a live CIMultiDict: ``request.headers``."""

    __slots__ = ()
    _accepts = (CIMultiDict, )
    _copy_class = CIMultiDict


# -- views ------------------------------------------------------------------------------------
# The abc base classes give set operations and ``==`` for free; we supply iteration, size and
# membership that understand repeated keys and the identity rule.

class _KeysView(KeysView[str]):
    __slots__ = ()
    _mapping: MultiMapping[Any]

    def __iter__(self) -> Iterator[str]:
        seen = set()
        for identity, key, _ in self._mapping._items:
            if identity not in seen:
                seen.add(identity)
                yield key

    def __len__(self) -> int:
        return len({entry[0] for entry in self._mapping._items})

    def __contains__(self, key: object) -> bool:
        return key in self._mapping

    def __repr__(self) -> str:
        return f"<_KeysView({', '.join(map(repr, self))})>"


class _ItemsView(ItemsView[str, Any]):
    __slots__ = ()
    _mapping: MultiMapping[Any]

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        for _, key, value in self._mapping._items:
            yield key, value

    def __len__(self) -> int:
        return len(self._mapping._items)

    def __contains__(self, pair: object) -> bool:
        if not isinstance(pair, tuple) or len(pair) != 2 or not isinstance(pair[0], str):
            return False
        identity = self._mapping._identity(pair[0])
        return any(e[0] == identity and e[2] == pair[1] for e in self._mapping._items)

    def __repr__(self) -> str:
        body = ", ".join(f"{key!r}: {value!r}" for _, key, value in self._mapping._items)
        return f"<_ItemsView({body})>"


class _ValuesView(ValuesView[Any]):
    __slots__ = ()
    _mapping: MultiMapping[Any]

    def __iter__(self) -> Iterator[Any]:
        for entry in self._mapping._items:
            yield entry[2]

    def __len__(self) -> int:
        return len(self._mapping._items)

    def __contains__(self, value: object) -> bool:
        return any(entry[2] == value for entry in self._mapping._items)

    def __repr__(self) -> str:
        return f"<_ValuesView({', '.join(repr(entry[2]) for entry in self._mapping._items)})>"
