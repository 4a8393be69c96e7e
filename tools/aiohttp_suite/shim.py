"""The import shim: ``import aiohttp`` (and ``yarl``, ``multidict``) resolving to aioteach.

Theory of operation.  aiohttp's tests are run unchanged; only the imports are redirected, the
way a user ports a program by changing its imports.  ``install()`` puts ``AiohttpRedirect`` at
the front of ``sys.meta_path``.  For every module name in ``REDIRECTED_ROOTS`` (``aiohttp``,
``aiohttp.anything``, ``yarl``, ``multidict``) it answers with an ``AliasModule``: a module
whose attributes are looked up, in order, in the aioteach modules ``ALIASES`` names for it.
It answers for *every* such name, so the real aiohttp is never reached: the installed package
is shadowed, not merely unused, and ``assert_real_aiohttp_absent()`` checks at the end of the
run that no module of it was loaded.

A public name aioteach lacks becomes a ``MissingName`` placeholder, not an ImportError: one
missing name then fails only the tests that use it (calling it, reading an attribute,
subclassing it and instantiating) instead of a whole file at import.  Every use raises
``ShimMissingName`` whose message names the aiohttp name; the report groups failures by it.
A private name (any dotted part with a leading underscore) is a ``PrivateStandIn`` instead: the
tests that use one are deselected by rule, and the stand-in is inert so that their module's
top level and aiohttp's conftest housekeeping still run.

Rules the shim keeps (issue 15): it never edits a test; it never lets the real aiohttp load;
what it maps is this table, nothing else.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from typing import Any, Dict, List, Optional, Sequence

__all__ = ["ALIASES", "DIRECT", "REDIRECTED_ROOTS", "AliasModule", "AiohttpRedirect", "MissingName",
           "PrivateStandIn",
           "ShimMissingName", "install", "assert_real_aiohttp_absent"]

REDIRECTED_ROOTS = ("aiohttp", "yarl", "multidict")

# aiohttp (or yarl/multidict) module -> the aioteach modules that hold its public names.
# A module not listed here still resolves: to an AliasModule with no sources (all names missing).
ALIASES: Dict[str, Sequence[str]] = {
    "aiohttp": ["aioteach"],
    "aiohttp.web": ["aioteach.web"],
    "aiohttp.hdrs": ["aioteach.hdrs"],
    "aiohttp.abc": ["aioteach.abc"],
    "aiohttp.payload": ["aioteach.payload"],
    "aiohttp.streams": ["aioteach.streams"],
    "aiohttp.multipart": ["aioteach.multipart", "aioteach.web.multipart",
                          "aioteach.client.multipartwriter"],
    "aiohttp.formdata": ["aioteach.client.formdata"],
    "aiohttp.test_utils": ["aioteach.testing"],
    "aiohttp.tracing": ["aioteach.trace"],
    "aiohttp.web_app": ["aioteach.web.app"],
    "aiohttp.web_exceptions": ["aioteach.web.exceptions"],
    "aiohttp.web_fileresponse": ["aioteach.web.fileresponse"],
    "aiohttp.web_log": ["aioteach.web.accesslog"],
    "aiohttp.web_middlewares": ["aioteach.web.middleware"],
    "aiohttp.web_protocol": ["aioteach.web.protocol"],
    "aiohttp.web_server": ["aioteach.web.protocol"],
    "aiohttp.web_request": ["aioteach.web.request"],
    "aiohttp.web_response": ["aioteach.web.response", "aioteach.web.wholeresponse"],
    "aiohttp.web_routedef": ["aioteach.web.routedef"],
    "aiohttp.web_runner": ["aioteach.web.runner"],
    "aiohttp.web_urldispatcher": ["aioteach.web.resources", "aioteach.web.router",
                                  "aioteach.web.staticfiles", "aioteach.web.views"],
    "aiohttp.web_ws": ["aioteach.web.websocket"],
    "aiohttp.worker": ["aioteach.web.worker"],
    "aiohttp.client": ["aioteach.client"],
    "aiohttp.client_exceptions": ["aioteach.client.errors"],
    "aiohttp.client_reqrep": ["aioteach.client.request", "aioteach.client.response"],
    "aiohttp.client_ws": ["aioteach.client.websocket"],
    "aiohttp.connector": ["aioteach.client.connector", "aioteach.client.connection"],
    "aiohttp.cookiejar": ["aioteach.client.cookiejar"],
    "aiohttp.http": ["aioteach.websocket", "aioteach.http1", "aioteach.web.request"],
    "aiohttp.http_websocket": ["aioteach.websocket"],
    "aiohttp.http_exceptions": ["aioteach.http1.errors"],
    "aiohttp.http_parser": ["aioteach.http1"],
    "aiohttp.helpers": ["aioteach.streams"],        # DEFAULT_CHUNK_SIZE: the read buffer size
    "yarl": ["aioteach.url"],
    "multidict": ["aioteach.multidict"],
}

# Modules that are ours as a whole: sys.modules gets the module itself (pytest must see every
# fixture in it, which an AliasModule would only show on demand).
DIRECT: Dict[str, str] = {"aiohttp.pytest_plugin": "aiohttp_suite.shim_plugin"}


class ShimMissingName(AttributeError):
    """Raised by any use of a name that aioteach does not provide (an AttributeError, so
    ``hasattr`` and ``getattr(x, name, default)`` see the name as absent)."""


class MissingName:
    """Stands for ``aiohttp.<module>.<name>`` that aioteach lacks; every use raises."""

    def __init__(self, qualname: str) -> None:
        object.__setattr__(self, "_qualname", qualname)

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise ShimMissingName(f"{object.__getattribute__(self, '_qualname')} is not in aioteach")

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)          # let copy/pickle/inspect probe and move on
        return self._fail()

    def __repr__(self) -> str:
        return f"<missing {object.__getattribute__(self, '_qualname')}>"

    def __mro_entries__(self, bases: tuple) -> tuple:
        # `class Fake(AbstractResolver)`: the class is defined; making one raises.
        qualname = object.__getattribute__(self, "_qualname")

        def refuse(*args: Any, **kwargs: Any) -> None:
            raise ShimMissingName(f"{qualname} is not in aioteach")

        return (type("Missing_" + qualname.rsplit(".", 1)[-1], (), {"__init__": refuse}),)

    __call__ = __setattr__ = __getitem__ = __iter__ = __enter__ = __aenter__ = _fail
    __eq__ = __lt__ = __len__ = __contains__ = __await__ = _fail  # type: ignore[assignment]
    __hash__ = object.__hash__                                      # usable as a dict key


class PrivateStandIn:
    """Stands for a private aiohttp name (``_FILE_SPOOL_MAX_SIZE``, ``aiohttp._websocket.x``).

    Tests that use one are deselected by rule "private" (rules.py), but their module still runs
    its top level (``@parametrize("size", [2 * _FILE_SPOOL_MAX_SIZE])``), and a fixture may poll
    one (``if payload._CLOSE_FUTURES:``).  So this is inert: arithmetic, calls and attributes give
    itself back, it is false, empty and equal only to itself.  It never stands for behaviour.
    """

    def __init__(self, qualname: str) -> None:
        self.qualname = qualname

    def _same(self, *args: Any, **kwargs: Any) -> "PrivateStandIn":
        return self

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return self

    def __repr__(self) -> str:
        return f"<private {self.qualname}>"

    def __mro_entries__(self, bases: tuple) -> tuple:
        return ()                           # `class Q(WebSocketDataQueue)`: a plain class

    def __bool__(self) -> bool:
        return False

    def __iter__(self) -> Any:
        return iter(())

    def __len__(self) -> int:
        return 0

    __call__ = __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _same
    __floordiv__ = __truediv__ = __rtruediv__ = __mod__ = __neg__ = __getitem__ = _same


def _is_private_name(qualname: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__")
               for part in qualname.split("."))


class AliasModule(types.ModuleType):
    """``aiohttp.x`` as seen by a test: attributes come from the aioteach modules in ALIASES."""

    def __init__(self, name: str, sources: Sequence[str]) -> None:
        super().__init__(name, f"aioteach stand-in for {name} (tools/aiohttp_suite/shim.py)")
        self.__path__: List[str] = []            # a package: submodules import through us too
        self.__aioteach_sources__ = list(sources)

    def __getattr__(self, attr: str) -> Any:
        if attr in ("__all__", "__version__"):        # what the sources declare, joined
            found = [getattr(m, attr) for m in map(_import_or_none, self.__aioteach_sources__)
                     if m is not None and hasattr(m, attr)]
            if not found:
                raise AttributeError(attr)
            return found[0] if attr == "__version__" else sorted({n for f in found for n in f})
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        submodule = f"{self.__name__}.{attr}"     # `from aiohttp import web` finds the submodule
        if submodule in ALIASES:
            return importlib.import_module(submodule)
        if _is_private_name(submodule):            # never aioteach's own privates
            stand_in = PrivateStandIn(submodule)
            setattr(self, attr, stand_in)
            return stand_in
        for source in self.__aioteach_sources__:
            module = _import_or_none(source)
            if module is not None and hasattr(module, attr):
                value = getattr(module, attr)
                setattr(self, attr, value)
                return value
        missing = MissingName(submodule)
        setattr(self, attr, missing)
        return missing


def _import_or_none(name: str) -> Optional[types.ModuleType]:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name and name.startswith(error.name):   # the aioteach module does not exist yet
            return None
        raise


class AiohttpRedirect(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """First on sys.meta_path: answers every redirected name with an AliasModule."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname.split(".", 1)[0] not in REDIRECTED_ROOTS:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec: Any) -> types.ModuleType:
        if spec.name in DIRECT:
            return importlib.import_module(DIRECT[spec.name])
        return AliasModule(spec.name, ALIASES.get(spec.name, ()))

    def exec_module(self, module: types.ModuleType) -> None:
        if isinstance(module, AliasModule):
            module.__file__ = __file__          # tracebacks point here, never at aiohttp


def install() -> AiohttpRedirect:
    """Put the redirect first on sys.meta_path; refuse if aiohttp was imported already."""
    loaded = [name for name in sys.modules if name.split(".", 1)[0] in REDIRECTED_ROOTS
              and not _is_ours(sys.modules[name])]
    if loaded:
        raise RuntimeError(f"the real {loaded[0]} was imported before the shim: {loaded[:5]}")
    for finder in sys.meta_path:
        if isinstance(finder, AiohttpRedirect):
            return finder
    finder = AiohttpRedirect()
    sys.meta_path.insert(0, finder)
    return finder


def _is_ours(module: Any) -> bool:
    return isinstance(module, AliasModule) or getattr(module, "__name__", "") in DIRECT.values()


def assert_real_aiohttp_absent() -> None:
    """Raise if any module of the real aiohttp, yarl or multidict is loaded."""
    real = [name for name, module in list(sys.modules.items())
            if name.split(".", 1)[0] in REDIRECTED_ROOTS and not _is_ours(module)]
    if real:
        raise RuntimeError(f"real modules were loaded in aioteach mode: {sorted(real)[:10]}")
