"""``aioteach.request(method, url)``: one request without a session of your own.

Theory of operation.  ``async with aioteach.request("GET", url) as resp:`` makes a
``ClientSession`` for this one request (with a connector that does not keep the connection,
``force_close=True``), sends it, hands the response to the block, and at the end releases the
response and closes the session.  It is aiohttp's ``aiohttp.request``: handy in a script or a
notebook cell; for more than a request or two, a session of your own reuses connections.

The session's own arguments (``connector``, ``cookies``, ``version``, ``loop``) are taken out
of the keywords; everything else goes to the request.  Plain ``with`` raises the same
TypeError as ``with session.get(url)`` (contexts.py).
"""
from __future__ import annotations

from typing import Any, Optional, Union

from ..url import URL
from .connector import TCPConnector
from .contexts import WITH_REQUEST_HINT
from .response import ClientResponse
from .session import ClientSession

__all__ = ["request"]

SESSION_ARGUMENTS = ("connector", "cookies", "version", "loop")


class OneShotRequest:
    """``async with aioteach.request("GET", url) as resp``: a session for one request."""

    def __init__(self, method: str, url: Union[str, URL], kwargs: Any) -> None:
        self._method, self._url, self._kwargs = method, url, kwargs
        self._session: Optional[ClientSession] = None
        self._resp: Optional[ClientResponse] = None

    async def __aenter__(self) -> ClientResponse:
        session_args = {name: self._kwargs.pop(name) for name in SESSION_ARGUMENTS
                        if name in self._kwargs}
        session_args.setdefault("connector", TCPConnector(force_close=True))
        self._session = ClientSession(**session_args)
        try:
            self._resp = await self._session._request(self._method, self._url, **self._kwargs)
        except BaseException:
            await self._session.close()
            raise
        return self._resp

    async def __aexit__(self, *exc_info: Any) -> None:
        if self._resp is not None:
            self._resp.release()
        if self._session is not None:
            await self._session.close()

    def __enter__(self) -> None:
        raise TypeError(WITH_REQUEST_HINT.replace("session.get(...)", "aioteach.request(...)"))

    def __exit__(self, *exc_info: Any) -> None:
        pass                                   # never reached: __enter__ raises


def request(method: str, url: Union[str, URL], **kwargs: Any) -> OneShotRequest:
    """One request without a session of your own: ``async with aioteach.request('GET', url)``."""
    return OneShotRequest(method, url, kwargs)
