"""进销存 benchmark seed: a year of stock moves for 300 SKUs in 2 warehouses, computed in
Python and written in bulk (``make bench-stock``, and tests/integration/stock/
test_bench_seed.py at a small size).

The generator *simulates the ledger*: every event is what one call of
``supplychain.stock.ledger`` would do — goods receipts with unit costs and new lots
(some with short shelf lives, so that lots expire during the year), issues to
customers and picks first-expiry-first-out over usable stock, put-aways from the
receiving dock to a SKU's home bin, transfers out to transit and in from transit some
days later, customer returns (some into the quarantine bin), releases, write-offs and
returns to the supplier from quarantine, and adjustments (found, damage, expiry
write-offs) — with the ledger's valuation to the cent: receipts at their unit cost,
everything leaving a warehouse at the moving average (``stock_value × qty / on hand``,
rounded half up; the last unit out takes what value is left; a multi-lot issue shares
its value by quantity, the remainder on the last leg), returns and found stock at the
average (or the preferred supplier's cost price when nothing is on hand), moves inside
a warehouse valued at the average for information. At the end some stock is reserved
(never more than is usable today).

While loading, stock_moves' secondary indexes are dropped and then rebuilt from the
model's definitions (one sort each instead of a million B-tree inserts).

The moves are streamed to the database in chunks (``executemany`` on one SQLite
connection, ``COPY`` on PostgreSQL) together with the lots they create; balances and
levels are written from the simulation's final state. ``Event.calls`` records the
ledger calls each event stands for, so a test can replay a small plan through the real
ledger and compare move by move.

    with app.app_context():
        result = seed_stock(100_000)          # on an empty schema (create_all)
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

SKU_PREFIX = "BS"
SECOND_WAREHOUSE = ("XIASHA", "下沙仓 Xiasha warehouse")
AISLES, BAYS = 5, 12  # storage bins per warehouse: aisles × bays, left side, level 1
QUARANTINE_BIN = (10, 1, 20, "R", 1)  # aisle, block, bay, side, level
CHUNK = 50_000  # moves per executemany / COPY
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
FAR_FUTURE = dt.date.max
SHELF_LIVES = (120, 180, 270, 365, 540, 730)  # days, lot-tracked products
NAMES = (
    "艾灸贴", "蜂胶软胶囊", "钙维D片", "鱼油软胶囊", "枸杞原浆", "阿胶糕", "维生素C泡腾片",
    "益生菌固体饮料", "蛋白粉", "葡萄籽胶囊", "褪黑素片", "红枣枸杞茶", "灵芝孢子粉", "氨糖软骨素",
    "叶黄素酯片", "辅酶Q10", "铁皮石斛", "足浴包", "暖宫贴", "膏药贴",
)  # fmt: skip
UNITS = ("盒", "瓶", "袋", "罐")
# event kind → weight (a kind that cannot happen falls back to a receipt)
EVENT_WEIGHTS = {
    "issue": 40,
    "pick": 25,
    "dispatch": 5,
    "putaway": 9,
    "receipt": 6,
    "adjust": 5,
    "return": 6,
    "quarantine": 4,
}

MoveRow = tuple[int, int, int, int, "int | None", Decimal, str, dt.datetime]
# (product_id, qty, from_location_id, to_location_id, lot_id, value, reason, created_at)


def to_money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Call:
    """One ledger call an event stands for: ``getattr(ledger, name)(*args, **kwargs)``
    (lot numbers and bin ids as the ledger takes them)."""

    name: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


@dataclass
class Event:
    kind: str
    created_at: dt.datetime
    day: dt.date  # the local day (the expiry rule is applied on it)
    moves: list[MoveRow]
    calls: list[Call] = field(default_factory=list)


@dataclass(frozen=True)
class LotRow:
    id: int
    product_id: int
    lot_no: str
    production_date: dt.date
    expiry_date: dt.date
    created_at: dt.datetime


@dataclass(frozen=True)
class ProductInfo:
    id: int
    sku: str
    lot_tracked: bool
    shelf_life: int | None
    base_cost_cents: int
    fallback_cost: Decimal  # the preferred supplier's cost price


@dataclass(frozen=True)
class Places:
    """Location ids the simulation needs (created in the database beforehand)."""

    warehouses: tuple[int, ...]
    supplier: int
    customer: int
    adjustment: int
    transit: int
    dock: dict[int, int]  # warehouse → its unbinned location
    bins: dict[int, list[tuple[int, int]]]  # warehouse → [(bin_id, location_id)]
    quarantine: dict[int, tuple[int, int]]  # warehouse → (bin_id, location_id)
    bin_of: dict[int, int | None]  # location → bin id (None: unbinned)
    quarantined: frozenset[int]  # locations of quarantine bins


@dataclass(frozen=True)
class SeedResult:
    moves: int
    lots: int
    balances: int
    levels: int
    reserved_levels: int
    start: dt.datetime
    end: dt.datetime
    product_ids: tuple[int, ...]
    warehouse_ids: tuple[int, ...]
    seconds: float
    counts: dict[str, int]  # events per kind
    on_hand: int = 0  # units in both warehouses at the end …
    expired: int = 0  # … of which in lots expired today
    quarantined: int = 0  # … of which in quarantine bins
    in_transit: int = 0
    reserved: int = 0


# --- the simulation -------------------------------------------------------------------
class Simulation:
    """The ledger's arithmetic on in-memory levels and balances, event by event."""

    def __init__(
        self,
        products: list[ProductInfo],
        places: Places,
        *,
        moves: int,
        start: dt.datetime,
        end: dt.datetime,
        today: dt.date,
        timezone: str,
        seed: int = 1,
        record_calls: bool = False,
        first_lot_id: int = 1,
    ) -> None:
        self.rng = random.Random(seed)
        self.products = products
        self.places = places
        self.target = moves
        self.start, self.span = start, end - start
        self.today = today
        self.zone = ZoneInfo(timezone)
        self.record = record_calls
        self.next_lot_id = first_lot_id
        self.main = places.warehouses[0]
        # popularity: Zipf-like, so some SKUs are slow movers (and their lots expire)
        weights = [1 / (rank + 1) ** 0.9 for rank in range(len(products))]
        self.rng.shuffle(weights)
        self.cum_weights = list(_accumulate(weights))
        kinds = list(EVENT_WEIGHTS)
        self.kinds = kinds
        self.kind_cum = list(_accumulate([EVENT_WEIGHTS[k] for k in kinds]))
        self.home: dict[tuple[int, int], tuple[int, int]] = {}
        # each SKU has a home bin (put-away, picks) and an overflow bin (re-slots)
        self.overflow: dict[tuple[int, int], tuple[int, int]] = {}
        for index, product in enumerate(products):
            for w in places.warehouses:
                bins = places.bins[w]
                self.home[(product.id, w)] = bins[index % len(bins)]
                self.overflow[(product.id, w)] = bins[
                    (index + len(bins) // 2) % len(bins)
                ]
        # state
        self.level_qty: dict[tuple[int, int], int] = {}
        self.level_value: dict[tuple[int, int], Decimal] = {}
        self.reserved: dict[tuple[int, int], int] = {}
        self.buckets: dict[tuple[int, int], dict[tuple[int, int | None], int]] = {}
        self.balances: dict[tuple[int, int, int], int] = {}
        self.lots: dict[int, LotRow] = {}
        # (location, lot) → its FEFO sort key (expiry or far future, lot no, repr)
        self.fefo_keys: dict[tuple[int, int | None], tuple[dt.date, str, str]] = {}
        self.new_lots: list[LotRow] = []  # created since the last take_new_lots()
        self.lot_counter: dict[tuple[int, dt.date], int] = {}
        self.last_lot: dict[tuple[int, int], int] = {}  # (product, wh) → lot issued
        self.transit: list[tuple[dt.datetime, int, int, int | None, int, Decimal, int]]
        self.transit = []
        self.transit_seq = 0
        self.inbound: dict[tuple[int, int], int] = {}  # (product, to wh) → in transit
        self.moves = 0
        self.counts: dict[str, int] = {}

    # -- time --------------------------------------------------------------------------
    def _now(self) -> dt.datetime:
        return self.start + self.span * (self.moves / self.target)

    def _day(self, instant: dt.datetime) -> dt.date:
        return instant.astimezone(self.zone).date()

    # -- the ledger's arithmetic -------------------------------------------------------
    def _avg(self, product: ProductInfo, w: int) -> Decimal:
        """ledger.average_cost: stock value / on hand, else the fallback cost."""
        qty = self.level_qty.get((product.id, w), 0)
        value = self.level_value.get((product.id, w), ZERO)
        if not qty or not value:
            return product.fallback_cost
        return value / qty

    def _leave(self, product_id: int, w: int, qty: int) -> Decimal:
        """ledger._take_level: the value that leaves with ``qty``."""
        key = (product_id, w)
        on_hand, value = self.level_qty[key], self.level_value[key]
        left = on_hand - qty
        assert left >= 0, "the simulation took more than was on hand"
        out = value if left == 0 else to_money(value * qty / (left + qty))
        self.level_qty[key] = left
        self.level_value[key] = value - out
        return out

    def _arrive(self, product_id: int, w: int, qty: int, value: Decimal) -> None:
        key = (product_id, w)
        self.level_qty[key] = self.level_qty.get(key, 0) + qty
        self.level_value[key] = self.level_value.get(key, ZERO) + value

    def _balance(
        self, product_id: int, location: int, lot: int | None, qty: int
    ) -> None:
        key = (product_id, location, lot or 0)
        self.balances[key] = self.balances.get(key, 0) + qty

    def _bucket(
        self, product_id: int, w: int, location: int, lot: int | None, qty: int
    ):
        """Change an internal place (and its balance) by ``qty``."""
        self._balance(product_id, location, lot, qty)
        places = self.buckets.setdefault((product_id, w), {})
        left = places.get((location, lot), 0) + qty
        assert left >= 0, "an internal balance would go negative"
        if left:
            places[(location, lot)] = left
        else:
            del places[(location, lot)]

    def _fefo(
        self,
        product_id: int,
        w: int,
        *,
        usable_on: dt.date | None,
        location: int | None = None,
        lot: int | None = None,
    ) -> list[tuple[tuple[int, int | None], int]]:
        """ledger._buckets + allocation.fefo_order: candidate places in FEFO order."""
        found = []
        orders, quarantined = self.fefo_keys, self.places.quarantined
        for key, qty in self.buckets.get((product_id, w), {}).items():
            if location is not None and key[0] != location:
                continue
            if lot is not None and key[1] != lot:
                continue
            order = orders.get(key)
            if order is None:
                info = self.lots[key[1]] if key[1] else None
                order = orders[key] = (
                    info.expiry_date if info else FAR_FUTURE,
                    info.lot_no if info else "",
                    repr(key),
                )
            if usable_on is not None and (
                key[0] in quarantined or order[0] < usable_on
            ):
                continue
            found.append((order, key, qty))
        found.sort()
        return [(key, qty) for _, key, qty in found]

    @staticmethod
    def _allocate(
        qty: int, candidates: list[tuple[tuple[int, int | None], int]]
    ) -> list[tuple[int, int | None, int]]:
        legs, remaining = [], qty
        for (loc, lot), have in candidates:
            if remaining == 0:
                break
            taken = min(have, remaining)
            legs.append((loc, lot, taken))
            remaining -= taken
        return legs if remaining == 0 else []

    @staticmethod
    def _split(total: Decimal, quantities: list[int]) -> list[Decimal]:
        """ledger._split: by quantity, to the cent, the remainder on the last leg."""
        qty = sum(quantities)
        values, left = [], total
        for part in quantities[:-1]:
            value = to_money(total * part / qty)
            values.append(value)
            left -= value
        values.append(left)
        return values

    def _lot_no(self, lot_id: int | None) -> str | None:
        return self.lots[lot_id].lot_no if lot_id else None

    def _bin(self, location: int) -> int | None:
        return self.places.bin_of[location]

    # -- events ------------------------------------------------------------------------
    def events(self) -> Iterator[Event]:
        """Events until exactly ``moves`` moves are made, then the reservations."""
        rng = self.rng
        while self.moves < self.target:
            now = self._now()
            if self.transit and self.transit[0][0] <= now:
                yield self._receive(now)
                continue
            product = self.products[
                bisect.bisect(self.cum_weights, rng.random() * self.cum_weights[-1])
            ]
            w = self.main if rng.random() < 0.65 else self.places.warehouses[1]
            kind = self.kinds[
                bisect.bisect(self.kind_cum, rng.random() * self.kind_cum[-1])
            ]
            remaining = self.target - self.moves
            event = None
            if remaining >= 12:  # multi-move events only while they fit
                # an event that cannot happen becomes an issue; an issue that
                # cannot be served, a purchase (receipt)
                event = getattr(self, f"_{kind}")(product, w, now) or self._issue(
                    product, w, now
                )
            if event is None:
                event = self._receipt(product, w, now, force=True)
            yield event
        yield from self._reservations()

    def _emit(self, kind: str, now: dt.datetime, day: dt.date, moves, calls) -> Event:
        self.moves += len(moves)
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return Event(kind, now, day, moves, calls if self.record else [])

    def _receipt(
        self, product: ProductInfo, w: int, now: dt.datetime, *, force: bool = False
    ) -> Event | None:
        rng = self.rng
        day = self._day(now)
        if not force:
            usable = sum(q for _, q in self._fefo(product.id, w, usable_on=day))
            if usable > 400:  # well stocked: no purchase yet
                return None
            if w != self.main and self.rng.random() < 0.7:  # replenished from MAIN
                return self._dispatch(product, self.main, now)
        qty = rng.randrange(120, 480, 12)
        cents = product.base_cost_cents * rng.randint(9500, 10800) // 10000
        unit_cost = Decimal(cents).scaleb(-2)
        value = to_money(unit_cost * qty)
        lot_id, lot_kwargs = None, {}
        if product.lot_tracked:
            lot = self._new_lot(product, day, now)
            lot_id = lot.id
            lot_kwargs = {
                "lot": lot.lot_no,
                "expiry_date": lot.expiry_date,
                "production_date": lot.production_date,
            }
        if rng.random() < 0.5:
            bin_id, location = None, self.places.dock[w]
        else:
            bin_id, location = self.home[(product.id, w)]
        self._arrive(product.id, w, qty, value)
        self._balance(product.id, self.places.supplier, lot_id, -qty)
        self._bucket(product.id, w, location, lot_id, qty)
        moves = [
            (product.id, qty, self.places.supplier, location, lot_id, value,
             "Receipt", now)
        ]  # fmt: skip
        calls = [
            Call(
                "post_receipt",
                (product.id, w, qty),
                dict(lot_kwargs, bin_id=bin_id, unit_cost=unit_cost, created_at=now),
            )
        ]
        return self._emit("receipt", now, day, moves, calls)

    def _new_lot(self, product: ProductInfo, day: dt.date, now: dt.datetime) -> LotRow:
        key = (product.id, day)
        self.lot_counter[key] = number = self.lot_counter.get(key, 0) + 1
        produced = day - dt.timedelta(days=self.rng.randint(5, 45))
        lot = LotRow(
            self.next_lot_id,
            product.id,
            f"{product.sku}-{day:%y%m%d}-{number}",
            produced,
            produced + dt.timedelta(days=product.shelf_life or 365),
            now,
        )
        self.next_lot_id += 1
        self.lots[lot.id] = lot
        self.new_lots.append(lot)
        return lot

    def take_new_lots(self) -> list[LotRow]:
        lots, self.new_lots = self.new_lots, []
        return lots

    def _take(
        self,
        kind: str,
        product: ProductInfo,
        w: int,
        now: dt.datetime,
        legs: list[tuple[int, int | None, int]],
        dst: int,
        reason: str,
        calls: list[Call],
        *,
        day: dt.date,
    ) -> Event:
        """Legs leave warehouse ``w`` for the virtual location ``dst``."""
        total = self._leave(product.id, w, sum(q for _, _, q in legs))
        values = self._split(total, [q for _, _, q in legs])
        moves = []
        for (loc, lot, qty), value in zip(legs, values):
            self._bucket(product.id, w, loc, lot, -qty)
            self._balance(product.id, dst, lot, qty)
            moves.append((product.id, qty, loc, dst, lot, value, reason, now))
        return self._emit(kind, now, day, moves, calls)

    def _issue(
        self, product: ProductInfo, w: int, now: dt.datetime, *, pick: bool = False
    ) -> Event | None:
        day = self._day(now)
        qty = self.rng.randint(1, 12)
        legs = self._allocate(qty, self._fefo(product.id, w, usable_on=day))
        if not legs:
            return None
        key = (product.id, w)
        for _, lot, _ in legs:
            if lot:
                self.last_lot[key] = lot
        if pick:
            calls = [
                Call("reserve", (product.id, w, qty), {"usable_from": day}),
                Call(
                    "issue_reserved",
                    (product.id, w, qty),
                    {"usable_from": day, "created_at": now},
                ),
            ]
        else:
            calls = [
                Call(
                    "post_issue",
                    (product.id, w, qty),
                    {"usable_from": day, "created_at": now},
                )
            ]
        reason = "Pick" if pick else "Issue"
        return self._take(
            "pick" if pick else "issue",
            product, w, now, legs, self.places.customer, reason, calls, day=day,
        )  # fmt: skip

    def _pick(self, product: ProductInfo, w: int, now: dt.datetime) -> Event | None:
        return self._issue(product, w, now, pick=True)

    def _dispatch(self, product: ProductInfo, w: int, now: dt.datetime) -> Event | None:
        """Transfer out to transit (调拨出库) to replenish the other warehouse when it
        runs low (counting what is already on its way); received there later."""
        day = self._day(now)
        other = next(x for x in self.places.warehouses if x != w)
        there = sum(q for _, q in self._fefo(product.id, other, usable_on=day))
        if there + self.inbound.get((product.id, other), 0) >= 250:
            return None
        candidates = self._fefo(product.id, w, usable_on=day)
        usable = sum(q for _, q in candidates)
        if usable < 60:
            return None
        qty = self.rng.randint(min(30, usable // 2), min(200, usable // 2))
        legs = self._allocate(qty, candidates)
        calls = [
            Call(
                "dispatch_transfer",
                (product.id, qty),
                {"from_warehouse_id": w, "created_at": now},
            )
        ]
        event = self._take(
            "dispatch", product, w, now, legs, self.places.transit, "Transfer out",
            calls, day=day,
        )  # fmt: skip
        key = (product.id, other)
        self.inbound[key] = self.inbound.get(key, 0) + qty
        arrives = now + dt.timedelta(hours=self.rng.randint(6, 72))
        for move in event.moves:
            self.transit_seq += 1
            heapq.heappush(
                self.transit,
                (
                    arrives,
                    self.transit_seq,
                    product.id,
                    move[4],
                    move[1],
                    move[5],
                    other,
                ),
            )
        return event

    def _receive(self, now: dt.datetime) -> Event:
        """Transfer in from transit (调拨入库) with the value it left at."""
        _, _, product_id, lot, qty, value, w = heapq.heappop(self.transit)
        self.inbound[(product_id, w)] -= qty
        if self.rng.random() < 0.5:
            bin_id, location = None, self.places.dock[w]
        else:
            bin_id, location = self.home[(product_id, w)]
        self._balance(product_id, self.places.transit, lot, -qty)
        self._arrive(product_id, w, qty, value)
        self._bucket(product_id, w, location, lot, qty)
        moves = [
            (product_id, qty, self.places.transit, location, lot, value,
             "Transfer in", now)
        ]  # fmt: skip
        calls = [
            Call(
                "receive_transfer",
                (product_id, qty, value),
                {
                    "to_warehouse_id": w,
                    "lot_id": lot,
                    "to_bin_id": bin_id,
                    "created_at": now,
                },
            )
        ]
        return self._emit("receive", now, self._day(now), moves, calls)

    def _move_inside(
        self,
        kind: str,
        product: ProductInfo,
        w: int,
        now: dt.datetime,
        src: int,
        lot: int | None,
        qty: int,
        dst: tuple[int, int],
        reason: str,
    ) -> Event:
        """A move between two places of one warehouse (post_transfer, same warehouse):
        levels unchanged, valued at the average for information."""
        value = to_money(self._avg(product, w) * qty)
        self._bucket(product.id, w, src, lot, -qty)
        self._bucket(product.id, w, dst[1], lot, qty)
        moves = [(product.id, qty, src, dst[1], lot, value, reason, now)]
        calls = [
            Call(
                "post_transfer",
                (product.id, qty),
                {
                    "from_warehouse_id": w,
                    "to_warehouse_id": w,
                    "from_bin_id": self._bin(src),
                    "to_bin_id": dst[0],
                    "lot": self._lot_no(lot),
                    "reason": reason,
                    "created_at": now,
                },
            )
        ]
        return self._emit(kind, now, self._day(now), moves, calls)

    def _putaway(self, product: ProductInfo, w: int, now: dt.datetime) -> Event | None:
        """Put-away from the receiving dock to the home bin, else a re-slot of part of
        a bin to another bin."""
        dock = self.places.dock[w]
        at_dock = self._fefo(product.id, w, usable_on=None, location=dock)
        if at_dock:
            (_, lot), qty = at_dock[0]
            home = self.home[(product.id, w)]
            return self._move_inside(
                "putaway", product, w, now, dock, lot, qty, home, "Put-away"
            )
        quarantine = self.places.quarantine[w][1]
        binned = [
            (key, qty)
            for key, qty in self._fefo(product.id, w, usable_on=None)
            if key[0] not in (dock, quarantine)
        ]
        if not binned:
            return None
        (src, lot), have = self.rng.choice(binned)
        home, overflow = self.home[(product.id, w)], self.overflow[(product.id, w)]
        target = overflow if src == home[1] else home
        qty = self.rng.randint(1, have)
        return self._move_inside(
            "bin move", product, w, now, src, lot, qty, target, "Bin move"
        )

    def _adjust(self, product: ProductInfo, w: int, now: dt.datetime) -> Event | None:
        """Write off an expired lot, else damage (−) or found (+) stock."""
        rng, day = self.rng, self._day(now)
        places = self._fefo(product.id, w, usable_on=None)
        expired = [
            (key, qty)
            for key, qty in places
            if key[1] and self.lots[key[1]].expiry_date < day
        ]
        if expired and rng.random() < 0.7:
            (loc, lot), qty = expired[0]
            return self._write_off(product, w, now, loc, lot, qty, "expiry")
        if places and rng.random() < 0.6:
            (loc, lot), have = rng.choice(places)
            qty = min(have, rng.randint(1, 4))
            return self._write_off(product, w, now, loc, lot, qty, "damage")
        lot = self.last_lot.get((product.id, w))
        if product.lot_tracked and lot is None:
            return None
        bin_id, location = self.home[(product.id, w)]
        qty = rng.randint(1, 4)
        value = to_money(self._avg(product, w) * qty)
        self._arrive(product.id, w, qty, value)
        self._balance(product.id, self.places.adjustment, lot, -qty)
        self._bucket(product.id, w, location, lot, qty)
        moves = [
            (product.id, qty, self.places.adjustment, location, lot, value, "found",
             now)
        ]  # fmt: skip
        calls = [
            Call(
                "post_adjustment",
                (product.id, w, qty, "found"),
                {"lot": self._lot_no(lot), "bin_id": bin_id, "created_at": now},
            )
        ]
        return self._emit("found", now, day, moves, calls)

    def _write_off(
        self,
        product: ProductInfo,
        w: int,
        now: dt.datetime,
        loc: int,
        lot: int | None,
        qty: int,
        reason: str,
    ) -> Event:
        calls = [
            Call(
                "post_adjustment",
                (product.id, w, -qty, reason),
                {"lot": self._lot_no(lot), "bin_id": self._bin(loc), "created_at": now},
            )
        ]
        return self._take(
            reason, product, w, now, [(loc, lot, qty)], self.places.adjustment,
            reason, calls, day=self._day(now),
        )  # fmt: skip

    def _return(self, product: ProductInfo, w: int, now: dt.datetime) -> Event | None:
        """A merchant's return (退货) at the average cost: back to the home bin, or to
        the quarantine bin for inspection."""
        lot = self.last_lot.get((product.id, w))
        if product.lot_tracked and lot is None:
            return None
        qty = self.rng.randint(1, 6)
        if self.rng.random() < 0.3:
            bin_id, location = self.places.quarantine[w]
        else:
            bin_id, location = self.home[(product.id, w)]
        value = to_money(self._avg(product, w) * qty)
        self._arrive(product.id, w, qty, value)
        self._balance(product.id, self.places.customer, lot, -qty)
        self._bucket(product.id, w, location, lot, qty)
        moves = [
            (product.id, qty, self.places.customer, location, lot, value, "Return",
             now)
        ]  # fmt: skip
        calls = [
            Call(
                "post_receipt",
                (product.id, w, qty),
                {
                    "lot": self._lot_no(lot),
                    "bin_id": bin_id,
                    "from_usage": "customer",
                    "reason": "Return",
                    "created_at": now,
                },
            )
        ]
        return self._emit("return", now, self._day(now), moves, calls)

    def _quarantine(
        self, product: ProductInfo, w: int, now: dt.datetime
    ) -> Event | None:
        """Inspected returns leave quarantine: released to the home bin, written off
        as damaged or sent back to the supplier."""
        quarantine = self.places.quarantine[w][1]
        held = self._fefo(product.id, w, usable_on=None, location=quarantine)
        if not held:
            return None
        (_, lot), qty = held[0]
        roll = self.rng.random()
        if roll < 0.5:
            home = self.home[(product.id, w)]
            return self._move_inside(
                "release", product, w, now, quarantine, lot, qty, home, "Release"
            )
        if roll < 0.8:
            return self._write_off(product, w, now, quarantine, lot, qty, "damage")
        calls = [
            Call(
                "post_issue",
                (product.id, w, qty),
                {
                    "to_usage": "supplier",
                    "lot": self._lot_no(lot),
                    "bin_id": self.places.quarantine[w][0],
                    "reason": "Return to supplier",
                    "created_at": now,
                },
            )
        ]
        return self._take(
            "supplier return", product, w, now, [(quarantine, lot, qty)],
            self.places.supplier, "Return to supplier", calls, day=self._day(now),
        )  # fmt: skip

    def summary(self) -> dict[str, int]:
        """Units on hand, expired today, in quarantine, in transit and reserved."""
        expired = quarantined = 0
        for places in self.buckets.values():
            for (location, lot), qty in places.items():
                if location in self.places.quarantined:
                    quarantined += qty
                elif lot and self.lots[lot].expiry_date < self.today:
                    expired += qty
        transit = self.places.transit
        return {
            "on_hand": sum(self.level_qty.values()),
            "expired": expired,
            "quarantined": quarantined,
            "in_transit": sum(
                qty for (_, loc, _), qty in self.balances.items() if loc == transit
            ),
            "reserved": sum(self.reserved.values()),
        }

    def _reservations(self) -> Iterator[Event]:
        """Open orders hold part of some SKUs' usable stock today."""
        end = self.start + self.span
        for product_id, w in sorted(self.level_qty):
            if self.rng.random() >= 0.4:
                continue
            usable = sum(q for _, q in self._fefo(product_id, w, usable_on=self.today))
            if usable <= 0:
                continue
            qty = self.rng.randint(1, min(usable, 60))
            self.reserved[(product_id, w)] = qty
            calls = [Call("reserve", (product_id, w, qty), {"usable_from": self.today})]
            yield self._emit("reservation", end, self.today, [], calls)


def _accumulate(values: list[float] | list[int]) -> Iterator[float]:
    total = 0.0
    for value in values:
        total += value
        yield total


# --- reference data -------------------------------------------------------------------
def create_reference_data(skus: int, seed: int) -> tuple[list[ProductInfo], Places]:
    """Products (some lot-tracked), a supplier with cost prices, a second warehouse,
    bins (one quarantine bin per warehouse) and every location the moves use."""
    import sqlalchemy as sa

    from supplychain.catalog.models import Product, ProductSupplier, Supplier
    from supplychain.extensions import db
    from supplychain.stock.layout import bin_code
    from supplychain.stock.locations import internal_location, virtual_location
    from supplychain.stock.models import Bin, Warehouse

    rng = random.Random(seed * 7919)
    main = db.session.scalar(sa.select(Warehouse).where(Warehouse.is_default))
    second = Warehouse(code=SECOND_WAREHOUSE[0], name=SECOND_WAREHOUSE[1])
    supplier = Supplier(code="BENCH-SUP", name="杭州保健品供应商 压测")
    db.session.add_all([second, supplier])
    db.session.flush()
    products = []
    for n in range(1, skus + 1):
        tracked = n % 5 in (0, 1)
        products.append(
            Product(
                sku=f"{SKU_PREFIX}{n:04d}",
                name=f"{NAMES[n % len(NAMES)]} {n}号",
                name_en=f"Health product {n}",
                unit=UNITS[n % len(UNITS)],
                price=Decimal(rng.randint(500, 30000)).scaleb(-2),
                is_lot_tracked=tracked,
                shelf_life_days=rng.choice(SHELF_LIVES) if tracked else None,
            )
        )
    db.session.add_all(products)
    db.session.flush()
    costs = {p.id: (p.price * Decimal("0.6")).quantize(CENT) for p in products}
    db.session.add_all(
        ProductSupplier(
            product_id=p.id, supplier_id=supplier.id, cost_price=costs[p.id],
            is_preferred=True,
        )
        for p in products
    )  # fmt: skip
    bins: dict[int, list[Bin]] = {}
    quarantine: dict[int, Bin] = {}
    for warehouse in (main, second):
        rows = [
            Bin(
                warehouse_id=warehouse.id, aisle=a, block=1, bay=b, side="L", level=1,
                code=bin_code(a, 1, b, "L", 1),
            )
            for a in range(1, AISLES + 1)
            for b in range(1, BAYS + 1)
        ]  # fmt: skip
        aisle, block, bay, side, level = QUARANTINE_BIN
        quarantine[warehouse.id] = Bin(
            warehouse_id=warehouse.id, aisle=aisle, block=block, bay=bay, side=side,
            level=level, code=bin_code(aisle, block, bay, side, level),
            is_quarantine=True,
        )  # fmt: skip
        bins[warehouse.id] = rows
        db.session.add_all([*rows, quarantine[warehouse.id]])
    db.session.flush()
    warehouses = (main.id, second.id)
    bin_of: dict[int, int | None] = {}
    dock, bin_places, quarantine_places = {}, {}, {}
    for w in warehouses:  # locations in a fixed order: the same ids on every run
        dock[w] = internal_location(w).id
        bin_of[dock[w]] = None
        bin_places[w] = []
        for b in bins[w]:
            location = internal_location(w, b.id).id
            bin_of[location] = b.id
            bin_places[w].append((b.id, location))
        q = quarantine[w]
        quarantine_places[w] = (q.id, internal_location(w, q.id).id)
        bin_of[quarantine_places[w][1]] = q.id
    virtual = {u: virtual_location(u).id for u in ("supplier", "customer")}
    virtual |= {u: virtual_location(u).id for u in ("adjustment", "transit")}
    db.session.commit()
    infos = [
        ProductInfo(
            p.id, p.sku, p.is_lot_tracked, p.shelf_life_days,
            int(costs[p.id] * 100), costs[p.id],
        )
        for p in products
    ]  # fmt: skip
    places = Places(
        warehouses=warehouses,
        dock=dock,
        bins=bin_places,
        quarantine=quarantine_places,
        bin_of=bin_of,
        quarantined=frozenset(v[1] for v in quarantine_places.values()),
        **virtual,
    )
    return infos, places


# --- writing --------------------------------------------------------------------------
class _Writer:
    """Bulk writes on the session's connection: executemany (SQLite) or COPY."""

    def __init__(self) -> None:
        from supplychain.extensions import db
        from supplychain.stock.models import StockMove

        self.db = db
        self.dialect = db.engine.dialect
        self.postgres = self.dialect.name == "postgresql"
        c = StockMove.__table__.c
        self.when = c.created_at.type._cached_bind_processor(self.dialect)
        self.money = c.value.type._cached_bind_processor(self.dialect)

    def drop_indexes(self) -> list[Any]:
        """Drop stock_moves' secondary indexes for the load (rebuilt by
        ``create_indexes``: one sort each instead of a million B-tree inserts)."""
        from supplychain.stock.models import StockMove

        indexes = [ix for ix in StockMove.__table__.indexes if not ix.unique]
        connection = self.db.session.connection()
        for index in indexes:
            index.drop(connection)
        return indexes

    def create_indexes(self, indexes: list[Any]) -> None:
        connection = self.db.session.connection()
        for index in indexes:
            index.create(connection)

    def raw(self) -> Any:
        return self.db.session.connection().connection.driver_connection

    def lots(self, lots: list[LotRow]) -> None:
        if not lots:
            return
        from supplychain.stock.models import Lot

        self.db.session.execute(
            Lot.__table__.insert(),
            [
                {
                    "id": lot.id,
                    "product_id": lot.product_id,
                    "lot_no": lot.lot_no,
                    "production_date": lot.production_date,
                    "expiry_date": lot.expiry_date,
                    "created_at": lot.created_at,
                }
                for lot in lots
            ],
        )

    def moves(self, rows: list[MoveRow]) -> None:
        columns = (
            "product_id, qty, from_location_id, to_location_id, lot_id, value, reason, "
            "created_at"
        )
        if self.postgres:
            with self.raw().cursor() as cursor:
                with cursor.copy(f"COPY stock_moves ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            return
        money, when = self.money, self.when
        self.raw().cursor().executemany(
            f"INSERT INTO stock_moves ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(*row[:5], money(row[5]), row[6], when(row[7])) for row in rows],
        )

    def finish(self, sim: Simulation) -> tuple[int, int]:
        """Balances and levels from the final state; sequences past the given ids."""
        import sqlalchemy as sa

        from supplychain.stock.models import StockBalance, StockLevel

        session = self.db.session
        balances = [
            {
                "product_id": p,
                "location_id": loc,
                "lot_id": lot or None,
                "lot_key": lot,
                "on_hand_qty": qty,
            }
            for (p, loc, lot), qty in sorted(sim.balances.items())
        ]
        session.execute(StockBalance.__table__.insert(), balances)
        levels = [
            {
                "product_id": p,
                "warehouse_id": w,
                "on_hand_qty": qty,
                "reserved_qty": sim.reserved.get((p, w), 0),
                "stock_value": sim.level_value[(p, w)],
            }
            for (p, w), qty in sorted(sim.level_qty.items())
        ]
        session.execute(StockLevel.__table__.insert(), levels)
        if self.postgres:
            session.execute(
                sa.text(
                    "SELECT setval(pg_get_serial_sequence('lots', 'id'), "
                    "(SELECT coalesce(max(id), 0) + 1 FROM lots), false)"
                )
            )
        return len(balances), len(levels)


def seed_stock(
    moves: int,
    *,
    skus: int = 300,
    seed: int = 1,
    end: dt.datetime | None = None,
    days: int = 365,
    progress: Any = None,
) -> SeedResult:
    """Seed ``moves`` stock moves over ``days`` days up to ``end`` (default: the start
    of the current hour) into an empty schema holding only the reference data (MAIN).
    Runs in the app context; commits. ``progress(moves_written)`` after each chunk."""
    from flask import current_app

    from supplychain.database import utcnow
    from supplychain.stock.expiry import local_today

    if moves < 1:
        raise ValueError("moves must be positive")
    started = time.perf_counter()
    end = end or utcnow().replace(minute=0, second=0, microsecond=0)
    products, places = create_reference_data(skus, seed)
    sim = Simulation(
        products,
        places,
        moves=moves,
        start=end - dt.timedelta(days=days),
        end=end,
        today=local_today(),
        timezone=current_app.config["TIMEZONE"],
        seed=seed,
    )
    return write(sim, started=started, progress=progress)


def write(sim: Simulation, *, started: float, progress: Any = None) -> SeedResult:
    """Run ``sim`` to the end, streaming its lots and moves to the database in chunks,
    then write the balances and levels; commits after every chunk."""
    from supplychain.extensions import db

    writer = _Writer()
    indexes = writer.drop_indexes()
    batch: list[MoveRow] = []
    written = 0

    def flush() -> None:
        nonlocal batch, written
        writer.lots(sim.take_new_lots())  # before the moves that refer to them
        writer.moves(batch)
        written += len(batch)
        batch = []
        db.session.commit()
        if progress:
            progress(written)

    for event in sim.events():
        batch.extend(event.moves)
        if len(batch) >= CHUNK:
            flush()
    if batch:
        flush()
    writer.create_indexes(indexes)
    n_balances, n_levels = writer.finish(sim)
    db.session.commit()
    return SeedResult(
        moves=written,
        lots=len(sim.lots),
        balances=n_balances,
        levels=n_levels,
        reserved_levels=len(sim.reserved),
        start=sim.start,
        end=sim.start + sim.span,
        product_ids=tuple(p.id for p in sim.products),
        warehouse_ids=sim.places.warehouses,
        seconds=time.perf_counter() - started,
        counts=dict(sim.counts),
        **sim.summary(),
    )


def plan(
    products: list[ProductInfo],
    places: Places,
    moves: int,
    *,
    start: dt.datetime,
    end: dt.datetime,
    today: dt.date,
    timezone: str = "Asia/Shanghai",
    seed: int = 1,
) -> tuple[list[Event], Simulation]:
    """Every event of a plan with its ledger calls (for a replay through the ledger)."""
    sim = Simulation(
        products,
        places,
        moves=moves,
        start=start,
        end=end,
        today=today,
        timezone=timezone,
        seed=seed,
        record_calls=True,
    )
    return list(sim.events()), sim
