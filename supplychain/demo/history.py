"""演示数据 lived history of stock (进销存): a pure day-by-day simulation of the last N days.

Per warehouse and product: an opening count, then every day the morning's deliveries to
merchants (first-expiry-first-out over the lots, never more than is on hand), now and
then a damage or count correction, and the afternoon's receipts of what the buyer
ordered when stock fell to the reorder point (order-up-to, rounded to the supplier's
case pack and minimum order, arriving after its lead time). Two stories from the
overview are replayed: a live-stream burst of moxa patches and a day that clears the
stock of gelatin paste.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from supplychain.demo import data
from supplychain.demo.model import ProductRow, ProductSupplierRow, StockEvent

ISSUE_MINUTES = (330, 450)  # 05:30–07:30, before the vans leave
ADJUST_MINUTES = (600, 720)
RECEIPT_MINUTES = (780, 1020)  # 13:00–17:00
OPENING_MINUTE = 1080  # 18:00 the evening before the history starts
# a merchant's typical line, to say how many merchants one day's issue served
UNITS_PER_DELIVERY = 3
REVIEW_DAYS = 7  # order-up-to covers lead time + safety + a week
SAFETY_DAYS = 2
MIN_EXPIRY_IN_DAYS = 20  # nothing in the demo is expired on the day it is loaded


@dataclass
class _Lot:
    lot_no: str | None
    expiry_in_days: int | None
    qty: int


@dataclass
class _Lane:
    """One product in one warehouse: its lots, open purchase orders and demand rate."""

    warehouse: str
    product: ProductRow
    supplier: ProductSupplierRow
    mean: float  # units per day
    merchants: int
    lots: list[_Lot] = field(default_factory=list)
    on_order: dict[int, int] = field(default_factory=dict)  # arrival days_ago → qty

    @property
    def on_hand(self) -> int:
        return sum(lot.qty for lot in self.lots)


class _History:
    def __init__(self, rng: random.Random, suppliers: Mapping[str, data.SupplierInfo]):
        self.rng = rng
        self.suppliers = suppliers
        self.events: list[StockEvent] = []
        self.lot_numbers: dict[str, set[str]] = {}

    # -- moves --

    def _emit(
        self,
        lane: _Lane,
        days_ago: int,
        minute: int,
        kind: str,
        qty: int,
        lot: _Lot,
        reason: str,
        *,
        supplier_code: str | None = None,
        merchant_count: int = 0,
    ) -> None:
        self.events.append(
            StockEvent(
                days_ago=days_ago,
                minute=minute,
                kind=kind,
                warehouse=lane.warehouse,
                sku=lane.product.sku,
                qty=qty,
                lot_no=lot.lot_no,
                expiry_in_days=lot.expiry_in_days,
                reason=reason,
                supplier_code=supplier_code,
                merchant_count=merchant_count,
            )
        )

    def new_lot(self, lane: _Lane, expiry_in_days: int) -> _Lot:
        if not lane.product.is_lot_tracked:
            existing = [lot for lot in lane.lots if lot.lot_no is None]
            if existing:
                return existing[0]
            lot = _Lot(None, None, 0)
        else:
            # a lot number belongs to one product: unique across the catalogue
            taken = self.lot_numbers.setdefault("*", set())
            lot_no = ""
            while not lot_no or lot_no in taken:
                letter = self.rng.choice(data.PLATE_LETTERS)
                lot_no = f"{letter}{self.rng.randrange(10**6):06d}"
            taken.add(lot_no)
            lot = _Lot(lot_no, max(MIN_EXPIRY_IN_DAYS, expiry_in_days), 0)
        lane.lots.append(lot)
        return lot

    def receive(
        self, lane: _Lane, days_ago: int, qty: int, kind: str = "receipt"
    ) -> None:
        shelf = lane.product.shelf_life_days or 0
        if kind == "opening":
            minute, reason, supplier = OPENING_MINUTE, data.REASON_OPENING, None
            tracked = lane.product.is_lot_tracked
            parts = self._split(qty, lane.product.case_qty) if tracked else [qty]
        else:
            minute = self.rng.randint(*RECEIPT_MINUTES)
            supplier = lane.supplier.supplier_code
            reason = data.REASON_RECEIPT.format(supplier=self.suppliers[supplier].name)
            parts = [qty]
        for part in parts:
            lot = self.new_lot(lane, self._expiry(shelf, days_ago, kind == "opening"))
            lot.qty += part
            self._emit(
                lane, days_ago, minute, kind, part, lot, reason, supplier_code=supplier
            )

    def _split(self, qty: int, case_qty: int) -> list[int]:
        """An opening count of a lot-tracked product: one to three lots, whole cases."""
        cases = max(1, qty // case_qty)
        lots = min(cases, self.rng.choice((1, 2, 2, 3)))
        cuts = sorted(self.rng.sample(range(1, cases), lots - 1)) if lots > 1 else []
        bounds = [0, *cuts, cases]
        parts = [(b - a) * case_qty for a, b in zip(bounds, bounds[1:])]
        parts[-1] += qty - sum(parts)  # a loose remainder goes with the last lot
        return parts

    def _expiry(self, shelf: int, days_ago: int, opening: bool) -> int:
        if not shelf:
            return 0
        if opening and self.rng.random() < 0.15:
            return self.rng.randint(25, 90)  # an old lot close to its date: FEFO bait
        age = self.rng.randint(10, max(11, min(120, shelf // 3)))
        return shelf - age - days_ago

    def issue(self, lane: _Lane, days_ago: int, demand: int) -> int:
        qty = min(demand, lane.on_hand)
        if qty <= 0:
            return 0
        minute = self.rng.randint(*ISSUE_MINUTES)
        merchants = max(1, min(lane.merchants, math.ceil(qty / UNITS_PER_DELIVERY)))
        reason = data.REASON_ISSUE.format(count=merchants)
        left = qty
        for lot in sorted(
            lane.lots, key=lambda lot: (lot.expiry_in_days or 0, lot.lot_no or "")
        ):
            take = min(left, lot.qty)
            if take:
                lot.qty -= take
                left -= take
                self._emit(
                    lane,
                    days_ago,
                    minute,
                    "issue",
                    take,
                    lot,
                    reason,
                    merchant_count=merchants,
                )
            if not left:
                break
        lane.lots = [lot for lot in lane.lots if lot.qty > 0]
        return qty

    def adjust(self, lane: _Lane, days_ago: int) -> None:
        lots = [lot for lot in lane.lots if lot.qty > 0]
        if not lots:
            return
        lot = self.rng.choice(lots)
        if self.rng.random() < 0.6:
            qty, reason = -min(lot.qty, self.rng.randint(1, 3)), data.REASON_DAMAGE
        else:
            qty, reason = self.rng.choice((-2, -1, 1, 2)), data.REASON_COUNT
            qty = max(qty, -lot.qty)
        lot.qty += qty
        lane.lots = [lot for lot in lane.lots if lot.qty > 0]
        self._emit(
            lane,
            days_ago,
            self.rng.randint(*ADJUST_MINUTES),
            "adjustment",
            qty,
            lot,
            reason,
        )

    # -- demand and replenishment --

    def demand(self, mean: float) -> int:
        if mean <= 0:
            return 0
        if mean > 40:
            return max(0, round(self.rng.gauss(mean, math.sqrt(mean))))
        limit, k, p = math.exp(-mean), 0, 1.0  # Knuth's Poisson sampler
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    def reorder(self, lane: _Lane, days_ago: int) -> None:
        lead = lane.supplier.lead_time_days
        position = lane.on_hand + sum(lane.on_order.values())
        if position > lane.mean * (lead + SAFETY_DAYS):
            return
        wanted = lane.mean * (lead + SAFETY_DAYS + REVIEW_DAYS) - position
        qty = _round_up(max(wanted, 1), lane.supplier.case_qty, lane.supplier.moq)
        arrival = days_ago - lead
        if arrival >= 1:  # later arrivals are open purchase orders, not history
            lane.on_order[arrival] = lane.on_order.get(arrival, 0) + qty


def _round_up(qty: float, case_qty: int, moq: int) -> int:
    return max(moq, math.ceil(qty / case_qty) * case_qty)


def simulate_history(
    rng: random.Random,
    *,
    products: Sequence[ProductRow],
    product_suppliers: Sequence[ProductSupplierRow],
    suppliers: Mapping[str, data.SupplierInfo],
    carried: Mapping[str, set[str]],
    merchants_per_warehouse: Mapping[str, int],
    days: int,
) -> tuple[StockEvent, ...]:
    """The stock moves of the last ``days`` days, oldest first (see module docs)."""
    history = _History(rng, suppliers)
    lanes = _lanes(products, product_suppliers, carried, merchants_per_warehouse)
    for lane in lanes:
        opening = _round_up(lane.mean * rng.uniform(10, 20), lane.product.case_qty, 0)
        history.receive(lane, days + 1, max(opening, lane.product.case_qty), "opening")
    bursts = _bursts(lanes, days, sum(merchants_per_warehouse.values()))
    for days_ago, (lane, extra) in bursts.items():  # the buyer stocks up the day before
        if days_ago + 1 <= days:
            qty = _round_up(extra, lane.supplier.case_qty, lane.supplier.moq)
            lane.on_order[days_ago + 1] = lane.on_order.get(days_ago + 1, 0) + qty
    for days_ago in range(days, 0, -1):
        market = rng.uniform(0.8, 1.2)  # busy and quiet days for everyone
        burst_lane, burst_qty = bursts.get(days_ago, (None, 0))
        for lane in lanes:
            demand = history.demand(lane.mean * market)
            if lane is burst_lane:
                demand += burst_qty if burst_qty else lane.on_hand  # 0 ⇒ sell out
            history.issue(lane, days_ago, demand)
        if rng.random() < 0.6 and lanes:  # a store range may carry nothing stocked
            history.adjust(rng.choice(lanes), days_ago)
        for lane in lanes:
            qty = lane.on_order.pop(days_ago, 0)
            if qty:
                history.receive(lane, days_ago, qty)
            history.reorder(lane, days_ago)
    # stable: same-day events keep their order (issues, then adjustments, then receipts)
    return tuple(sorted(history.events, key=lambda e: (-e.days_ago, e.minute)))


def _lanes(
    products: Sequence[ProductRow],
    product_suppliers: Sequence[ProductSupplierRow],
    carried: Mapping[str, set[str]],
    merchants_per_warehouse: Mapping[str, int],
) -> list[_Lane]:
    """Lanes in a fixed order; a product a warehouse does not carry is delivered from
    the default warehouse, MAIN, so MAIN's demand includes those merchants."""
    preferred = {ps.sku: ps for ps in product_suppliers if ps.is_preferred}
    lanes: list[_Lane] = []
    for warehouse in sorted(carried):
        for product in products:
            if not product.is_stocked or product.sku not in carried[warehouse]:
                continue
            merchants = merchants_per_warehouse.get(warehouse, 0)
            if warehouse == "MAIN":
                merchants += sum(
                    count
                    for other, count in merchants_per_warehouse.items()
                    if other != "MAIN" and product.sku not in carried.get(other, set())
                )
            rate = float(product.daily_units_per_100_stores)
            lanes.append(
                _Lane(
                    warehouse,
                    product,
                    preferred[product.sku],
                    rate * merchants / 100,
                    merchants,
                )
            )
    return lanes


def _bursts(
    lanes: Sequence[_Lane], days: int, merchants: int
) -> dict[int, tuple[_Lane, int]]:
    """days_ago → (lane, extra units); extra 0 means "sell out whatever is there"."""
    bursts: dict[int, tuple[_Lane, int]] = {}
    main = [lane for lane in lanes if lane.warehouse == "MAIN" and lane.mean > 0]

    def top(category: str) -> _Lane | None:
        of = [lane for lane in main if lane.product.category_code == category]
        return max(of, key=lambda lane: lane.mean) if of else None

    patch, paste = top("MOXA-PATCH"), top("TONIC-EJIAO")
    if patch and days >= 3:  # 1,500 boxes per 1,000 merchants in one live-stream
        bursts[min(days - 1, 12)] = (patch, max(1, round(merchants * 1.5)))
    if paste and days >= 5 and min(days, 20) not in bursts:
        bursts[min(days, 20)] = (paste, 0)
    return bursts
