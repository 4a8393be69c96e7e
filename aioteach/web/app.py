"""The application: a router, middlewares, shared state and lifecycle signals.

Theory of operation.  ``web.Application()`` is what you build and hand to ``web.run_app``:

* ``app.router`` maps paths to handlers (``web/router.py``);
* ``app.middlewares`` wrap every handler (``web/middleware.py``);
* ``app[key]`` holds state shared by handlers: a database pool, settings.  Keys are
  ``web.AppKey("db", Pool)`` objects (type checkers then know ``app[db_key]`` is a ``Pool``);
  a plain string still works but warns (``web.NotAppKeyWarning``, as aiohttp 3.9+ does);
* signals run your ``async def f(app)`` callbacks at the edges of the app's life:
  ``on_startup`` -> serving -> ``on_shutdown`` -> ``on_cleanup``.  ``cleanup_ctx`` pairs a
  setup with its teardown in one async generator: code before ``yield`` runs at startup,
  code after it at cleanup, in reverse order of registration.

Freezing.  When the server starts, the app is *frozen*: its router, middlewares and signals can
no longer change, and the middleware onion is folded once.  Adding a route later raises
``RuntimeError``; so does changing ``app[key]`` outside the lifecycle callbacks (aiohttp only
warns here: we prefer the loud error, since state changed after start is shared by every
request in flight).  Sub-applications (``add_subapp("/api", api)``) have their own router,
middlewares (run inside the parent's) and state; their signals run with the parent's.

Per request the server calls ``await app._handle(request)``: resolve the route, set the request's
``_match_info`` (the seam request.py documents, as in aiohttp), run the onion, return the
response.  An ``HTTPException`` propagates to the protocol, which sends it; any other error is 500.

The onion is folded by ``web.middleware.fold_middlewares``, the one fold, around the route's own
handler: so the innermost middleware is handed the very function you registered, and every
layer looks like it (``functools.update_wrapper``), which is how a middleware reads an attribute
a decorator set on the handler (``handler.login_required``), as in aiohttp.  An onion is built
the first time its route is requested, for the apps on its path and the tracing switch of the
moment, and then reused (``_onions``): per request the cost is one dict lookup.  Through
sub-applications, each app's layers start with one that sets ``request.app`` to that app while
its middlewares and everything inside them run.
"""
from __future__ import annotations

import logging
import warnings
from collections.abc import MutableSequence
from typing import (Any, AsyncIterator, Awaitable, Callable, Dict, Generic, Iterator, List,
                    MutableMapping, Optional, Sequence, Type, TypeVar, overload)

from .. import trace
from .middleware import Handler, current_app_layer, fold_middlewares, old_style_layer
from .resources import PrefixedSubAppResource
from .router import UrlDispatcher

__all__ = ["Application", "AppKey", "RequestKey", "ResponseKey", "NotAppKeyWarning", "Signal",
           "CleanupContext", "CleanupError"]

T = TypeVar("T")
web_logger = logging.getLogger("aioteach.web")


class AppKey(Generic[T]):
    """A typed key for application state: ``db_key = web.AppKey("db", Pool)``.

    Two keys with the same name are still different keys (they compare by identity), so two
    libraries can both store a "db" without clashing.
    """

    __slots__ = ("_name", "_type")

    def __init__(self, name: str, t: Optional[Type[T]] = None) -> None:
        self._name = name
        self._type = t

    @property
    def name(self) -> str:
        return self._name

    def __repr__(self) -> str:
        kind = getattr(self._type, "__qualname__", repr(self._type)) if self._type else "<<Any>>"
        return f"<{type(self).__name__}({self._name}, type={kind})>"


class NotAppKeyWarning(UserWarning):
    """``app["db"] = ...``: a plain string key where a ``web.AppKey`` would be checked.

    A string key works, but two libraries may pick the same string, and a type checker cannot
    know what ``app["db"]`` holds.  Silence it with ``warnings.simplefilter("ignore",
    web.NotAppKeyWarning)`` if you must; better, declare ``DB = web.AppKey("db", Pool)``.
    """


class RequestKey(AppKey[T]):
    """The same, for what middlewares leave on a request: ``request[user_key] = user``.

    (aiohttp 3.14 added these and warns about plain string keys on requests and responses.)
    """

    __slots__ = ()


class ResponseKey(AppKey[T]):
    """The same, for values kept on a response: ``response[timing_key] = 0.002``."""

    __slots__ = ()


class Signal(MutableSequence):
    """A list of async callbacks that is frozen when the app starts: ``await sig.send(...)``.

    Only ``__setitem__``, ``__delitem__`` and ``insert`` change the list (``append``,
    ``extend``, ``remove``... are built on them by ``MutableSequence``), so those three hold
    the one frozen check.
    """

    def __init__(self, owner: Any) -> None:
        self._owner = owner
        self._receivers: List[Callable[..., Awaitable[Any]]] = []
        self._frozen = False

    def _check(self) -> None:
        if self._frozen:
            raise RuntimeError("cannot change a signal after the application started: register "
                               "callbacks before web.run_app() / runner.setup()")

    def __getitem__(self, index: Any) -> Any:
        return self._receivers[index]

    def __setitem__(self, index: Any, value: Any) -> None:
        self._check()
        self._receivers[index] = value

    def __delitem__(self, index: Any) -> None:
        self._check()
        del self._receivers[index]

    def insert(self, index: int, value: Callable[..., Awaitable[Any]]) -> None:
        self._check()
        self._receivers.insert(index, value)

    def __len__(self) -> int:
        return len(self._receivers)

    async def send(self, *args: Any, **kwargs: Any) -> None:
        """Await every callback in order; the first exception stops the rest."""
        for receiver in self._receivers:
            await receiver(*args, **kwargs)

    @property
    def frozen(self) -> bool:
        return self._frozen

    def freeze(self) -> None:
        self._frozen = True

    def __repr__(self) -> str:
        names = [getattr(r, "__qualname__", repr(r)) for r in self._receivers]
        return f"<Signal frozen={self._frozen} {names}>"


class CleanupError(RuntimeError):
    """Several ``cleanup_ctx`` teardowns failed; ``.exceptions`` lists them all."""

    @property
    def exceptions(self) -> List[BaseException]:
        return self.args[1]


class CleanupContext(Signal):
    """``app.cleanup_ctx``: async generators, entered at startup and finished at cleanup."""

    def __init__(self, owner: Any) -> None:
        super().__init__(owner)
        self._running: List[AsyncIterator[None]] = []

    async def enter(self, app: "Application") -> None:
        for make_context in self:
            context = make_context(app).__aiter__()
            await context.__anext__()                  # runs the code before ``yield``
            self._running.append(context)

    async def exit(self, app: "Application") -> None:
        errors: List[BaseException] = []
        while self._running:                           # last entered, first finished
            context = self._running.pop()
            try:
                await context.__anext__()              # runs the code after ``yield``
            except StopAsyncIteration:
                continue
            except Exception as exc:
                errors.append(exc)
            else:
                errors.append(RuntimeError(f"{context!r} has more than one 'yield': a cleanup "
                                           f"context yields exactly once"))
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise CleanupError("several cleanup contexts failed", errors)


def _key_hint(key: Any) -> str:
    """A constant's name for the suggested AppKey: ``"db pool"`` -> ``DB_POOL_KEY``."""
    words = "".join(c if c.isalnum() else " " for c in str(key)).split()
    return "_".join(words).upper() + "_KEY" if words else "STATE_KEY"


class Application(MutableMapping[Any, Any]):
    """aiohttp's ``web.Application``: pass it to ``web.run_app(app)``."""

    def __init__(self, *, logger: logging.Logger = web_logger, middlewares: Sequence[Any] = (),
                 handler_args: Optional[Dict[str, Any]] = None,
                 client_max_size: int = 1024 ** 2, client_max_fields: int = 1000,
                 debug: Any = None) -> None:
        self._router = UrlDispatcher()
        self._middlewares: Signal = Signal(self)       # a freezable list; never sent
        self._middlewares.extend(middlewares)
        self._state: Dict[Any, Any] = {}
        self._handler_args = handler_args
        self._client_max_size, self._client_max_fields = client_max_size, client_max_fields
        self.logger = logger
        self._subapps: List["Application"] = []
        self._parent: Optional["Application"] = None
        self._frozen = False
        self._locked = False            # router and lists frozen (at freeze or add_subapp)
        self._lifecycle = False         # inside startup/shutdown/cleanup: state may change
        self._started = False
        self._on_response_prepare = Signal(self)
        self._on_startup = Signal(self)
        self._on_shutdown = Signal(self)
        self._on_cleanup = Signal(self)
        self._cleanup_ctx = CleanupContext(self)
        # As in aiohttp, cleanup contexts are the first startup callback and the first cleanup
        # one: a callback you append to on_startup can use what a context set up.
        self._on_startup.append(self._cleanup_ctx.enter)
        self._on_cleanup.append(self._cleanup_ctx.exit)
        self._run_middlewares = False
        self._onions: Dict[Any, Handler] = {}    # (route, tracing) -> the folded onion

    # -- the parts ------------------------------------------------------------------------------
    router = property(lambda self: self._router, doc="The ``UrlDispatcher``.")
    middlewares = property(lambda self: self._middlewares)
    on_response_prepare = property(lambda self: self._on_response_prepare)
    on_startup = property(lambda self: self._on_startup)
    on_shutdown = property(lambda self: self._on_shutdown)
    on_cleanup = property(lambda self: self._on_cleanup)
    cleanup_ctx = property(lambda self: self._cleanup_ctx)
    frozen = property(lambda self: self._frozen)
    handler_args = property(lambda self: self._handler_args, doc="Server settings (or None).")
    client_max_size = property(lambda self: self._client_max_size,
                               doc="The largest body request.read()/post() accept (bytes).")
    client_max_fields = property(lambda self: self._client_max_fields,
                                 doc="The most fields request.post() accepts (0: no limit).")

    def add_routes(self, routes: Any) -> List[Any]:
        return self._router.add_routes(routes)

    def add_subapp(self, prefix: str, subapp: "Application") -> PrefixedSubAppResource:
        """Mount ``subapp`` under ``prefix``: its routes, middlewares and state live there."""
        if self._locked:
            raise RuntimeError("cannot add a sub-application after the application started")
        if subapp is self or subapp._parent is not None or subapp._locked:
            raise RuntimeError(f"{subapp!r} is already mounted or running: an application "
                               f"can be a sub-application of one parent, once")
        subapp._lock()                 # its routes are prefixed now; no more may be added
        resource = PrefixedSubAppResource(prefix, subapp)
        self._router.register_resource(resource)
        subapp._parent = self
        self._subapps.append(subapp)
        for name in ("on_startup", "on_shutdown", "on_cleanup"):
            getattr(self, name).append(_forward_signal(getattr(subapp, name), subapp))
        return resource

    # -- state: app[key] ------------------------------------------------------------------------
    @overload
    def __getitem__(self, key: AppKey[T]) -> T: ...
    @overload
    def __getitem__(self, key: str) -> Any: ...

    def __getitem__(self, key: Any) -> Any:
        return self._state[key]

    def _check_state_writable(self, key: Any) -> None:
        if self._frozen and not self._lifecycle:
            raise RuntimeError(f"cannot change app[{key!r}]: the application is running. Set "
                               f"state before it starts, or in an on_startup / cleanup_ctx "
                               f"callback; per-request data belongs in request[...]")

    def __setitem__(self, key: Any, value: Any) -> None:
        self._check_state_writable(key)
        if not isinstance(key, AppKey):
            # stacklevel 2: the warning names the learner's line, not this one
            warnings.warn(f"app[{key!r}] = ...: use a web.AppKey for application state, "
                          f"e.g. {_key_hint(key)} = web.AppKey({key!r}, type)",
                          NotAppKeyWarning, stacklevel=2)
        self._state[key] = value

    def __delitem__(self, key: Any) -> None:
        self._check_state_writable(key)
        del self._state[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._state)

    def __len__(self) -> int:
        return len(self._state)

    # An application is a registry, not a value: equal only to itself, usable as a dict key.
    def __eq__(self, other: object) -> bool:
        return self is other

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        return True                     # even with no state: "if app:" means "is there an app"

    # -- freezing -----------------------------------------------------------------------------------
    def _lock(self) -> None:
        """Freeze what must not change once routes are resolved: router, middlewares, signals."""
        if self._locked:
            return
        self._locked = True
        self._router.freeze()
        self._middlewares.freeze()
        for mw in self._middlewares:
            if getattr(mw, "__middleware_version__", None) != 1:
                # aiohttp 3's rule: without @web.middleware, mw is an old-style factory,
                # ``async def factory(app, handler)`` returning the wrapped handler.  The fix:
                # ``@web.middleware async def mw(request, handler)``.  The message is the one
                # aiohttp's users (and tests) match on, aiohttp issue #2252.
                warnings.warn(f'old-style middleware "{mw!r}" deprecated, see #2252',
                              DeprecationWarning, stacklevel=3)
        for signal in (self._on_response_prepare, self._on_startup, self._on_shutdown,
                       self._on_cleanup, self._cleanup_ctx):
            signal.freeze()

    def freeze(self) -> None:
        """Lock everything and fold the middlewares (the runner calls this after startup)."""
        if self._frozen:
            return
        self._lock()
        self._frozen = True
        for subapp in self._subapps:
            subapp.freeze()
        self._run_middlewares = self._has_middlewares()

    def _has_middlewares(self) -> bool:
        return bool(self._middlewares) or any(s._has_middlewares() for s in self._subapps)

    def __call__(self) -> "Application":
        """gunicorn's factory protocol: ``gunicorn mymodule:app`` calls the app to get it."""
        return self

    # -- lifecycle ---------------------------------------------------------------------------------
    async def startup(self) -> None:
        """Run ``on_startup`` (cleanup contexts enter first).  Sub-apps' run in it."""
        async with _LifecycleWindow(self):
            await self._on_startup.send(self)
        self._started = True

    async def shutdown(self) -> None:
        """Run ``on_shutdown``: the server has stopped accepting, handlers may still run."""
        async with _LifecycleWindow(self):
            await self._on_shutdown.send(self)

    async def cleanup(self) -> None:
        """Run ``on_cleanup`` (cleanup contexts exit first, in reverse).

        If startup failed half-way, only the cleanup contexts that were entered are finished:
        the other ``on_cleanup`` callbacks may rely on a startup that never happened.
        """
        async with _LifecycleWindow(self):
            if self._started:
                await self._on_cleanup.send(self)
            else:
                await self._exit_contexts()

    async def _exit_contexts(self) -> None:
        await self._cleanup_ctx.exit(self)
        for subapp in self._subapps:
            await subapp._exit_contexts()

    def _open_state(self, is_open: bool) -> None:
        self._lifecycle = is_open
        for subapp in self._subapps:
            subapp._open_state(is_open)

    # -- handling a request ------------------------------------------------------------------------
    def _handle(self, request: Any) -> Awaitable[Any]:
        """Route ``request``; give the awaitable that runs the onion: the response."""
        # Discussion: this runs for every request, so it does only what it must.  A plain
        # function handing back the handler's (or the onion's) coroutine: ``async def`` would
        # wrap it in one more coroutine per request.  Routing errors raise here.  A route's
        # ``expect_handler`` runs for any ``Expect`` in an HTTP/1.1 request (by default it
        # refuses all but 100-continue with 417; the request sends ``100 Continue`` itself
        # when the handler first reads the body).
        if not self._frozen:
            self.freeze()                # a test that calls _handle without a runner
        match_info = self._router.match_request(request)   # %2F stays inside its segment
        match_info.add_app(self)
        match_info.freeze()
        request._match_info = match_info      # the seam: request.py's docstring, "The seams"
        if request.continue_pending is not False:       # True, or None: another Expect
            return self._expect_then_handle(match_info, request)
        if not self._run_middlewares:
            return match_info.handler(request)
        return self._onion(match_info)(request)

    async def _expect_then_handle(self, match_info: Any, request: Any) -> Any:
        response = await match_info.expect_handler(request)
        if response is not None:
            return response
        return await self._onion(match_info)(request)

    def _onion(self, match_info: Any) -> Handler:
        """The route's handler inside the middlewares of the apps on its path, folded once."""
        if not self._run_middlewares:
            return match_info.handler
        key = (match_info.route, trace.enabled)
        onion = self._onions.get(key)
        if onion is None:
            onion = self._fold(match_info.apps, match_info.handler)
            if match_info.http_exception is None:      # a 404/405's route is made per request
                self._onions[key] = onion
        return onion

    def _fold(self, apps: Sequence["Application"], handler: Handler) -> Handler:
        """The onion for a route reached through ``apps`` (outermost first)."""
        layers: List[Any] = []
        for app in apps:
            if len(apps) > 1:
                layers.append(current_app_layer(app))   # request.app is this app inside
            layers.extend(mw if getattr(mw, "__middleware_version__", None) == 1
                          else old_style_layer(app, mw) for mw in app._middlewares)
        return fold_middlewares(layers, handler, traced=trace.enabled)

    def __repr__(self) -> str:
        return f"<Application 0x{id(self):x}>"


def _forward_signal(signal: Signal, subapp: Application) -> Callable[[Application], Any]:
    """A parent's callback that sends the sub-app's own signal, with the sub-app."""
    async def forward_to_subapp(app: Application) -> None:
        await signal.send(subapp)
    return forward_to_subapp


class _LifecycleWindow:
    """While open, ``app[key] = value`` works on a frozen app and its sub-apps."""

    def __init__(self, app: Application) -> None:
        self._app = app

    async def __aenter__(self) -> None:
        self._app._open_state(True)

    async def __aexit__(self, *exc_info: object) -> None:
        self._app._open_state(False)
