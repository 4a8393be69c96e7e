"""UploadTracker: how much of a request's body has gone out, and whether all of it did.

Theory of operation.  A large upload can take minutes; a progress bar wants to know how far it
is, and the caller may want to know that the body went out in full even when the server
answered early (a server may send its response before it has read the whole request,
RFC 9112 9.5).  aiohttp's answer, under its names::

    tracker = aioteach.UploadTracker()              # inside a running loop
    async with session.post(url, data=big_file, upload_tracker=tracker) as resp:
        print(tracker.bytes_written, tracker.attempts)
    await tracker.upload_complete                    # None, or the error that stopped it

The counts, and who moves them (session.py and request.py, in this order):

    bind()              the request takes the tracker; a second request raises RuntimeError
    attempt_started()   each time the body is about to be sent: the first try, a 307/308
                        re-send, the keep-alive retry (``attempts`` counts them)
    writing(transport)  the body's first byte is about to be written
    add(n)              n bytes of the body (not of chunked framing) were handed to the transport
    finished()          the whole body went out;  failed(exc) it did not (exc None: cancelled)
    finalize()          the request is over (returned or raised): no attempt follows, and
                        ``upload_complete`` settles with the latest attempt's outcome

``upload_complete`` gets None when the last attempt finished, the upload error when it
failed, and ``UploadAbortedError`` when the body never went out in full for any other reason
(the connection could not be made, the request was invalid, it was cancelled).  A 303 redirect
that turns the POST into a bodyless GET is an attempt of zero bytes that finished.

``bytes_written`` is the current attempt's count: the body bytes handed to the transport
minus what the transport still holds unsent (``get_write_buffer_size()``), so bytes queued in
the loop are not counted.  Simplification: with chunked framing the unsent bytes include a few
framing bytes, so mid-upload the count can lag by those; once the attempt finished it is exact.
The kernel's own socket buffer is invisible to both aiohttp and us.
"""
from __future__ import annotations

import asyncio
from typing import Any, Optional

from .errors import UploadAbortedError

__all__ = ["UploadTracker"]


class UploadTracker:
    """Observes the body of exactly one request: ``bytes_written``, ``attempts``,
    ``upload_complete`` (a future)."""

    def __init__(self) -> None:
        self.attempts = 0
        self.upload_complete: asyncio.Future = asyncio.get_running_loop().create_future()
        self._bound = False
        self._final = False                    # the request returned or raised
        self._transport: Any = None            # set while the current attempt writes
        self._handed = 0                       # body bytes given to the transport this attempt
        self._written = 0                      # the count as last confirmed
        self._outcome: Any = None              # "finished", an exception, or None (neither)

    def __repr__(self) -> str:
        return f"<UploadTracker attempts={self.attempts} bytes_written={self.bytes_written}>"

    @property
    def bytes_written(self) -> int:
        """Body bytes of the current attempt that left the loop (see the module docstring)."""
        self._confirm()
        return self._written

    def _confirm(self) -> None:
        """Move the count up to what the transport no longer holds (a torn-down one: keep it)."""
        transport = self._transport
        if transport is not None and not transport.is_closing():
            self._written = max(self._written,
                                self._handed - transport.get_write_buffer_size())

    # -- the client's side ------------------------------------------------------------------
    def bind(self) -> None:
        if self._bound:
            raise RuntimeError("UploadTracker is already bound to a request: make a new "
                               "UploadTracker() for each request")
        self._bound = True

    def attempt_started(self) -> None:
        self.attempts += 1
        self._transport, self._handed, self._written, self._outcome = None, 0, 0, None

    def writing(self, transport: Any) -> None:
        self._transport = transport

    def add(self, size: int) -> None:
        self._handed += size

    def finished(self) -> None:
        self._transport, self._written, self._outcome = None, self._handed, "finished"
        if self._final:
            self._settle()

    def failed(self, exc: Optional[BaseException]) -> None:
        self._confirm()                        # keep the last value the transport confirmed
        self._transport, self._outcome = None, exc
        if self._final:
            self._settle()

    def finalize(self) -> None:
        """The request is over; settle now unless the last attempt is still writing."""
        self._final = True
        if self._transport is None:
            self._settle()

    def _settle(self) -> None:
        future = self.upload_complete
        if future.done():
            return
        if self._outcome == "finished":
            future.set_result(None)
            return
        future.set_exception(self._outcome if isinstance(self._outcome, BaseException)
                             else UploadAbortedError("The request body was not fully sent"))
        future.exception()                     # retrieved: no "never retrieved" log for a poll
