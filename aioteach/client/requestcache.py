"""RequestCache: a plain request is built once per session and URL, then sent again as built.

Theory of operation.  Most requests a client makes are *plain*: ``session.get(url_text)``
with nothing of their own (no params, body, headers, cookies, auth, options, upload tracker
or middlewares).  Everything ClientRequest works out for such a request (the URL parsed and
joined to ``base_url``, the Host header, the head's bytes, whether the connection stays open)
and the pool key (options.py's ``key``) then follow from three things alone: the method, the
URL text and the session.  So the session keeps what the general path built the first time,
under ``(method, url_text)``, and a repeat skips the building (about 30 Python calls).

Rules, so that the cache can only ever hand back what the general path would build now:
* it holds only objects the general path built; there is no second way to make a head
  (tests/client/test_request_cache.py has hypothesis compare the two over generated URLs,
  headers and sequences of requests);
* a session whose requests all get something extra (default ``auth=``, a ``proxy=``,
  ``trust_env=True``'s environment and .netrc, middlewares, trace configs) has no cache;
* the cookie jar is the one thing that changes under a session: while it holds any cookie, a
  request is built the general way (and not remembered);
* a request whose URL carries credentials is not remembered (its redirects need the ``auth``
  the general path takes from them), and neither is a redirect's next hop;
* a cached ``ClientRequest`` is never changed after it is built: the session sets
  ``tracker`` or edits ``headers`` only for requests that are not plain.

Size: 256 entries, emptied when full.  A client walking thousands of URLs gains nothing from
the cache and loses only the rebuild; a bound keeps a crawler's memory flat.
"""
from __future__ import annotations

from typing import Dict, Tuple

from .connector import ConnectionKey
from .request import ClientRequest

__all__ = ["RequestCache"]


class RequestCache(Dict[Tuple[str, str], Tuple[ClientRequest, ConnectionKey]]):
    """``(method, url_text) -> (ClientRequest, ConnectionKey)``.  A dict, so that a look-up
    (``cache.get(key)``) runs no Python code: it is on every plain request's path."""

    def __init__(self, size: int = 256) -> None:
        super().__init__()
        self.size = size

    def remember(self, key: Tuple[str, str], request: ClientRequest,
                 pool_key: ConnectionKey) -> None:
        if len(self) >= self.size:
            self.clear()
        self[key] = (request, pool_key)
