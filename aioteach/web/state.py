"""StateMapping: the small dict every request and every response carries, ``request["user"]``.

Theory of operation.  aiohttp's ``Request`` and ``StreamResponse`` are also mutable mappings,
so that a middleware can leave something for the handler (``request[USER] = user``) and a
handler for an ``on_response_prepare`` callback (``response[TIMING] = 0.002``).  Both behave the
same way, so both inherit this one class:

* the dict is made on the first write: most requests and responses never store anything, and
  one is built per request;
* keys may be ``web.RequestKey``/``web.ResponseKey`` objects (typed, compared by identity) or
  plain strings, as in aiohttp;
* a request or response is a value with an identity, not a dict: equal only to itself,
  hashable, and truthy even with nothing stored (``if response:`` means "is there one").

A subclass provides the ``_state`` attribute (a slot or a class default of None) and nothing
else.
"""
from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any, Optional

__all__ = ["StateMapping"]


class StateMapping(MutableMapping[Any, Any]):
    """``obj[key]``, ``obj[key] = value``, ``del obj[key]``, ``len``, iteration: a lazy dict."""

    __slots__ = ()
    _state: Optional[dict[Any, Any]]

    def __getitem__(self, key: Any) -> Any:
        state = self._state
        if state is None:
            raise KeyError(key)
        return state[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        state = self._state
        if state is None:
            state = self._state = {}
        state[key] = value

    def __delitem__(self, key: Any) -> None:
        state = self._state
        if state is None:
            raise KeyError(key)
        del state[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._state or ())

    def __len__(self) -> int:
        return len(self._state or ())

    def __bool__(self) -> bool:
        return True

    def __eq__(self, other: object) -> bool:
        return self is other

    __hash__ = object.__hash__
