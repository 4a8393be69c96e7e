"""Lesson 05's kit, second half: a race between coroutines, made countable.

Theory of operation.  A coroutine that reads shared state, awaits, and writes it back lets
every other coroutine run in the gap, so they all read the same old value.  A shop shows it:

    Shop, SHOP    a shop's books (stock, sold, the lowest stock ever, payments), its lock, and
                  ``await shop.payment()``: the await in the middle of a sale; an app keeps its
                  shop at ``app[SHOP]`` (``shop.install(app)``)
    race          race(url, path, shop, n): n buyers at once; a RaceResult (sold, oversold...)
    RacePanel     "Race ten buyers" per route, with the books of every race in a table

Discussion: why ``payment()`` waits for the other buyers.  On a real card processor the gap is
long enough for ten buyers to pile up; on a fast machine ten requests may trickle in one by one
and the race may not happen at all.  So ``payment()`` answers once every buyer of the race has
come in through the shop's door (a middleware that counts them; ``race`` tells the shop how many
to expect), or after ``PATIENCE`` seconds.  The race is then the same on every machine, and a
lock still fixes it: buyers queue at the lock *after* the door.

Rules: the first half (a blocked loop) is ``notebook.looplab``; the panel follows its server
when the serving cell is run again, and then reads the new app's shop.
"""
from __future__ import annotations

import asyncio
import html
from dataclasses import dataclass
from typing import Any, List, Optional, Sequence

import aioteach
from aioteach import web

from . import arguments
from .callbacks import on_click
from .looplab import current_handle, url_of

__all__ = ["Shop", "SHOP", "RaceResult", "race", "RacePanel", "PATIENCE", "MAX_BUYERS"]

#: Seconds a buyer's payment waits for the rest of the race before it answers anyway.
PATIENCE = 2.0
#: The most buyers one race sends (each is a connection; a thousand would be a load test).
MAX_BUYERS = 200


class Shop:
    """A shop's books, kept honestly: ``stock`` (and the ``lowest`` it ever was), ``sold``,
    ``payments``; ``lock``, one ``asyncio.Lock`` for the shop; and ``await payment()``.

    ``shop.install(app)`` puts it at ``app[SHOP]`` and adds its door (a middleware that counts
    the buyers who came in).  ``restock()`` opens a new day with ``initial`` items.
    """

    def __init__(self, stock: int = 5) -> None:
        self.initial = stock
        self.lock = asyncio.Lock()
        self._waiting: List["asyncio.Future[None]"] = []
        self.restock()

    def restock(self, stock: Optional[int] = None) -> None:
        if stock is not None:
            self.initial = stock
        self._stock = self.lowest = self.initial
        self.sold = self.payments = self.arrived = self.expected = 0

    @property
    def stock(self) -> int:
        return self._stock

    @stock.setter
    def stock(self, value: int) -> None:
        self._stock = value
        self.lowest = min(self.lowest, value)

    @property
    def oversold(self) -> int:
        return max(0, self.sold - self.initial)

    def expect(self, buyers: int) -> None:
        """The next ``buyers`` who come in are one race: payments wait for all of them."""
        self.expected = self.arrived + buyers

    async def payment(self) -> None:
        """Charge the card: answers once the race's buyers are all in (or after PATIENCE)."""
        self.payments += 1
        if self.arrived < self.expected:
            waiter = asyncio.get_running_loop().create_future()
            self._waiting.append(waiter)
            await asyncio.wait([waiter], timeout=PATIENCE)
        await asyncio.sleep(0)              # an await always lets the others run

    def _came_in(self) -> None:
        self.arrived += 1
        if self.arrived >= self.expected:
            waiting, self._waiting = self._waiting, []
            for waiter in waiting:
                if not waiter.done():
                    waiter.set_result(None)

    def install(self, app: Any, web_module: Any = web, key: Any = None) -> Any:
        """Keep the shop at ``app[key]`` (default ``SHOP``) and count buyers at its door.

        ``web_module`` and ``key``: aiohttp's ``web`` and an ``aiohttp.web.AppKey``, to serve
        the shop from an aiohttp app.  Returns ``app``.
        """
        @web_module.middleware
        async def door(request: Any, handler: Any) -> Any:
            self._came_in()
            return await handler(request)
        app[SHOP if key is None else key] = self
        app.middlewares.append(door)
        return app

    def __repr__(self) -> str:
        return (f"<Shop stock {self.stock} (lowest {self.lowest}), sold {self.sold} of "
                f"{self.initial}, oversold {self.oversold}>")


#: Where an app keeps its shop: ``request.app[SHOP]``.
SHOP = web.AppKey("shop", Shop)


@dataclass
class RaceResult:
    """One race: the route, what the buyers were told, and the shop's books afterwards."""

    path: str
    statuses: List[int]
    initial: int
    stock: int
    lowest: int
    sold: int
    payments: int

    @property
    def bought(self) -> int:
        return self.statuses.count(200)

    @property
    def refused(self) -> int:
        return sum(1 for s in self.statuses if s != 200)

    @property
    def oversold(self) -> int:
        return max(0, self.sold - self.initial)


async def race(url: str, path: str, shop: Shop, n: int = 10) -> RaceResult:
    """Restock ``shop``, send ``n`` buyers to ``path`` at once, and read the books."""
    url = arguments.server_url(url, "race")
    n = arguments.count(n, "race", "n", most=MAX_BUYERS)
    (path,) = arguments.paths([path], "race")
    shop.restock()
    shop.expect(n)
    async with aioteach.ClientSession() as session:
        async def buy() -> int:
            async with session.post(url.rstrip("/") + path) as response:
                await response.read()
                return response.status
        statuses = list(await asyncio.gather(*(buy() for _ in range(n))))
    return RaceResult(path, statuses, shop.initial, shop.stock, shop.lowest, shop.sold,
                      shop.payments)


class RacePanel:
    """A "Race ten buyers" button per route; the books of each race in a table."""

    def __init__(self, target: Any, shop: Optional[Shop] = None,
                 paths: Sequence[str] = ("/buy", "/buy-locked"), n: int = 10) -> None:
        import ipywidgets as w
        arguments.server_url(target, "RacePanel")
        n = arguments.count(n, "RacePanel", "n", most=MAX_BUYERS)
        paths = arguments.paths(paths, "RacePanel")
        if shop is not None and not isinstance(shop, Shop):
            raise ValueError(f"RacePanel: shop must be a Shop (shop = Shop(stock=5)), not "
                             f"{shop!r}.")
        self.target, self._shop, self.n = target, shop, n
        self.results: List[RaceResult] = []
        self.buttons = [w.Button(description=f"Race {n} buyers: POST {p}", icon="users",
                                 layout={"width": "auto"}) for p in paths]
        self.table = w.HTML(f"<i>the shop has {self.shop.initial} items: press a button</i>")
        self.output = w.Output()
        self.widget = w.VBox([w.HBox(self.buttons), self.table, self.output])
        self.handlers = [on_click(b, self._clicker(p), disable_while_running=True,
                                  output=self.output, url=lambda: self.url)
                         for b, p in zip(self.buttons, paths)]

    @property
    def url(self) -> str:
        return url_of(self.target)

    @property
    def shop(self) -> Shop:
        """The shop of the app served now (a re-run cell builds a new one), else the one given."""
        app = getattr(current_handle(self.target), "app", None)
        try:
            return app[SHOP] if app is not None else self._shop      # type: ignore[return-value]
        except KeyError:
            if self._shop is None:
                raise LookupError("RacePanel: the app keeps no Shop at app[SHOP]: call "
                                  "shop.install(app) before serving it") from None
            return self._shop

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def _clicker(self, path: str) -> Any:
        async def clicked(_button: Any) -> RaceResult:
            return await self.run(path)
        return clicked

    async def run(self, path: str) -> RaceResult:
        """One race (what a button does); the result is kept in ``results`` too."""
        result = await race(self.url, path, self.shop, self.n)
        self.results.append(result)
        self.table.value = self._table()
        return result

    def _table(self) -> str:
        def row(r: RaceResult) -> str:
            bad = ' style="color:#c62828;font-weight:bold"'
            return (f"<tr><td><code>{html.escape(r.path)}</code></td><td>{r.bought}</td>"
                    f"<td>{r.refused}</td><td>{r.sold}</td><td{bad if r.lowest < 0 else ''}>"
                    f"{r.stock} (lowest {r.lowest})</td><td{bad if r.oversold else ''}>"
                    f"{'oversold ' + str(r.oversold) if r.oversold else 'none oversold'}"
                    f"</td></tr>")
        head = (f"<tr><th>route</th><th>bought (200)</th><th>sold out (409)</th><th>sold, "
                f"in the books</th><th>stock left</th><th>{self.shop.initial} items</th></tr>")
        rows = "".join(row(r) for r in self.results[-6:])
        return f'<table class="aioteach-race" style="font:12px sans-serif">{head}{rows}</table>'
