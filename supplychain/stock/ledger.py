"""进销存 stock ledger — the ONLY writer of stock moves, balances and levels.

Invariants: every balance equals the sum of its moves; a level's on hand equals the sum
of its warehouse's internal balances; internal balances never go negative; for stocked
items reserved never exceeds on hand, under any concurrency. Every check is one
conditional ``UPDATE … WHERE …`` decided by its rowcount, never read-then-write: on
SQLite the pysqlite driver begins the transaction at the first write, which takes the
write lock (busy_timeout makes others wait); on PostgreSQL, READ COMMITTED re-evaluates
the WHERE after the row lock.

Nothing here commits: the calling service commits once. A refused call raises a
DomainError after undoing its own updates, so nothing of it is written even if the
caller goes on. Quantities are positive integers in the product's selling unit;
``bin_id`` None means the warehouse's own (unbinned) stock location.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from supplychain.catalog.models import Product, ProductSupplier
from supplychain.database import MAX_MONEY, to_money
from supplychain.errors import Conflict, NotFound, OutOfStock, ValidationFailed
from supplychain.extensions import db
from supplychain.stock.allocation import StockLot, allocate_fefo
from supplychain.stock.expiry import local_today, unusable_qty, usable_place
from supplychain.stock.locations import (
    dialect_insert,
    find_lot,
    get_or_create_lot,
    get_warehouse,
    internal_location,
    virtual_location,
)
from supplychain.stock.models import (
    VIRTUAL_USAGES,
    Bin,
    Location,
    Lot,
    StockBalance,
    StockLevel,
    StockMove,
    Warehouse,
)

MAX_MOVE_QTY = 1_000_000
MAX_REASON = 200
Line = tuple[int, int, int]  # (product_id, warehouse_id, qty)

_levels = StockLevel.__table__
_balances = StockBalance.__table__


@dataclass(frozen=True)
class _Refs:
    reason: str
    reference_type: str | None = None
    reference_id: int | None = None
    user_id: int | None = None
    created_at: dt.datetime | None = None


@dataclass
class _Leg:
    src: Location
    dst: Location
    lot_id: int | None
    qty: int
    # cost value; None = at the moving average (of the source warehouse when the leg
    # leaves one, else of the destination), decided under the level's row lock
    value: Decimal | None = None


class _Short(Exception):
    """A conditional update matched no row (internal; becomes OutOfStock)."""


class _Undo:
    """Compensating updates, run in reverse when a later step of the call is refused."""

    def __init__(self) -> None:
        self._steps: list[tuple[Any, dict[str, Any] | None]] = []

    def add(self, statement: Any, params: dict[str, Any] | None = None) -> None:
        self._steps.append((statement, params))

    def run(self) -> None:
        for statement, params in reversed(self._steps):
            db.session.execute(statement, params)
        self._steps.clear()


# --- validation -----------------------------------------------------------------------
def _check_qty(qty: Any, field: str = "qty") -> int:
    if isinstance(qty, bool) or not isinstance(qty, int) or not 0 < qty <= MAX_MOVE_QTY:
        raise ValidationFailed(
            {field: [f"Must be a whole number from 1 to {MAX_MOVE_QTY}."]}
        )
    return qty


def _refs(
    reason: str,
    reference_type: str | None,
    reference_id: int | None,
    user_id: int | None,
    created_at: dt.datetime | None,
) -> _Refs:
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise ValidationFailed(
            {"reason": [f"Give a reason of 1 to {MAX_REASON} characters."]}
        )
    if reference_type is not None and not 0 < len(reference_type) <= 40:
        raise ValidationFailed({"reference_type": ["1 to 40 characters."]})
    if created_at is not None and created_at.tzinfo is None:
        raise ValueError("created_at must be an aware datetime")
    return _Refs(reason, reference_type, reference_id, user_id, created_at)


def _product(product_id: int) -> Product:
    product = db.session.get(Product, product_id)
    if product is None:
        raise NotFound(f"Product {product_id} does not exist.")
    return product


def _receiving_warehouse(warehouse_id: int, bin_id: int | None) -> Warehouse:
    warehouse = get_warehouse(warehouse_id)
    if not warehouse.is_active:
        raise ValidationFailed(
            {"warehouse": [f"Warehouse {warehouse.code} is not active."]}
        )
    if bin_id is not None:
        bin_ = db.session.get(Bin, bin_id)
        if bin_ is None or bin_.warehouse_id != warehouse_id:
            raise ValidationFailed({"bin": ["The bin is not in this warehouse."]})
        if not bin_.is_active:
            raise ValidationFailed({"bin": [f"Bin {bin_.code} is not active."]})
    return warehouse


def _incoming_lot(
    product: Product,
    lot: str | None,
    expiry_date: dt.date | None,
    production_date: dt.date | None = None,
) -> int | None:
    if not product.is_lot_tracked:
        if lot:
            raise ValidationFailed({"lot": ["This product is not lot-tracked."]})
        for field, value in (
            ("expiry_date", expiry_date),
            ("production_date", production_date),
        ):
            if value is not None:
                raise ValidationFailed({field: ["Only lot-tracked products have one."]})
        return None
    if not lot:
        raise ValidationFailed(
            {"lot": ["This product is lot-tracked: give the lot number."]}
        )
    return get_or_create_lot(product.id, lot, expiry_date, production_date).id


def _outgoing_lot(product: Product, lot: str | None, *, required: bool) -> int | None:
    """The lot to take from: None = any (FEFO), unless the caller must name one."""
    if not product.is_lot_tracked:
        if lot:
            raise ValidationFailed({"lot": ["This product is not lot-tracked."]})
        return None
    if not lot:
        if required:
            raise ValidationFailed(
                {"lot": ["This product is lot-tracked: give the lot number."]}
            )
        return None
    found = find_lot(product.id, lot)
    if found is None:
        raise ValidationFailed(
            {"lot": [f"Unknown lot '{lot.strip()}' for this product."]}
        )
    return found.id


# --- conditional updates --------------------------------------------------------------
# reservation statements built once (their compiled form and cache key are reused: the
# ordering hot path runs them for every line of every order)
_P, _W, _Q = sa.bindparam("p"), sa.bindparam("w"), sa.bindparam("q")
_U = sa.bindparam("u", type_=sa.Date)  # the day stock must still be usable on
_LEVEL_KEY = sa.and_(_levels.c.product_id == _P, _levels.c.warehouse_id == _W)
# available = on hand − reserved − unusable (expired lots, quarantine bins). On
# PostgreSQL a row-lock wait re-checks the level row but not this subquery's snapshot;
# every writer that changes the unusable quantity also locks the level row, so the
# window is one concurrent commit wide (see supplychain.stock.expiry).
_RESERVE = (
    sa.update(_levels)
    .where(
        _LEVEL_KEY,
        _levels.c.on_hand_qty - _levels.c.reserved_qty - unusable_qty(_P, _W, _U) >= _Q,
    )
    .values(reserved_qty=_levels.c.reserved_qty + _Q)
)
_RELEASE = (
    sa.update(_levels)
    .where(_LEVEL_KEY, _levels.c.reserved_qty >= _Q)
    .values(reserved_qty=_levels.c.reserved_qty - _Q)
)
_SHIFT_RESERVED = (  # undo of either: unconditional
    sa.update(_levels)
    .where(_LEVEL_KEY)
    .values(reserved_qty=_levels.c.reserved_qty + _Q)
)


def _level_where(product_id: int, warehouse_id: int) -> Any:
    return sa.and_(
        _levels.c.product_id == product_id, _levels.c.warehouse_id == warehouse_id
    )


def _balance_where(product_id: int, location_id: int, lot_id: int | None) -> Any:
    c = _balances.c
    return sa.and_(
        c.product_id == product_id,
        c.location_id == location_id,
        c.lot_key == (lot_id or 0),
    )


def _add_level(
    undo: _Undo,
    product_id: int,
    warehouse_id: int,
    *,
    on_hand: int = 0,
    reserved: int = 0,
    value: Decimal = Decimal(0),
) -> None:
    insert = dialect_insert(_levels).values(
        product_id=product_id,
        warehouse_id=warehouse_id,
        on_hand_qty=on_hand,
        reserved_qty=reserved,
        stock_value=value,
    )
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=["product_id", "warehouse_id"],
            set_={
                "on_hand_qty": _levels.c.on_hand_qty + insert.excluded.on_hand_qty,
                "reserved_qty": _levels.c.reserved_qty + insert.excluded.reserved_qty,
                "stock_value": _levels.c.stock_value + insert.excluded.stock_value,
            },
        )
    )
    undo.add(
        sa.update(_levels)
        .where(_level_where(product_id, warehouse_id))
        .values(
            on_hand_qty=_levels.c.on_hand_qty - on_hand,
            reserved_qty=_levels.c.reserved_qty - reserved,
            stock_value=_levels.c.stock_value - value,
        )
    )


def _add_value(undo: _Undo, product_id: int, warehouse_id: int, value: Decimal) -> None:
    """Add to a level's stock value (its row is already locked by this call)."""
    if not value:
        return
    c = _levels.c
    db.session.execute(
        sa.update(_levels)
        .where(_level_where(product_id, warehouse_id))
        .values(stock_value=c.stock_value + value)
    )
    undo.add(
        sa.update(_levels)
        .where(_level_where(product_id, warehouse_id))
        .values(stock_value=c.stock_value - value)
    )


def _take_level(
    undo: _Undo,
    product: Product,
    warehouse_id: int,
    qty: int,
    *,
    from_reserved: bool,
    usable_loss: int,
    on: dt.date,
) -> Decimal:
    """Take ``qty`` off a level under its conditions; return the cost value that
    leaves (the moving average of the quantity; all of it when nothing is left).

    ``usable_loss`` is how much of the warehouse's usable stock the call consumes: it
    must be available (not reserved) on ``on``."""
    c = _levels.c
    statement = sa.update(_levels).where(_level_where(product.id, warehouse_id))
    if from_reserved:  # a pick: the reservation is consumed with the stock
        statement = statement.where(c.reserved_qty >= qty, c.on_hand_qty >= qty).values(
            on_hand_qty=c.on_hand_qty - qty, reserved_qty=c.reserved_qty - qty
        )
    elif product.is_stocked:  # never take stock promised to orders
        statement = statement.where(c.on_hand_qty - c.reserved_qty >= qty).values(
            on_hand_qty=c.on_hand_qty - qty
        )
        if usable_loss > 0:
            statement = statement.where(
                c.on_hand_qty
                - c.reserved_qty
                - unusable_qty(product.id, warehouse_id, on)
                >= usable_loss
            )
    else:  # purchase-to-order items may be reserved beyond stock
        statement = statement.where(c.on_hand_qty >= qty).values(
            on_hand_qty=c.on_hand_qty - qty
        )
    row = db.session.execute(statement.returning(c.on_hand_qty, c.stock_value)).first()
    if row is None:
        raise _Short()
    left, value = int(row[0]), row[1]
    out = value if left == 0 else to_money(value * qty / (left + qty))
    undo.add(
        sa.update(_levels)
        .where(_level_where(product.id, warehouse_id))
        .values(
            on_hand_qty=c.on_hand_qty + qty,
            reserved_qty=c.reserved_qty + (qty if from_reserved else 0),
        )
    )
    _add_value(undo, product.id, warehouse_id, -out)
    return out


def _guard_level(
    undo: _Undo, product: Product, warehouse_id: int, usable_loss: int, on: dt.date
) -> None:
    """Lock a level and check that ``usable_loss`` is available, changing nothing (a
    move into a quarantine bin inside one warehouse)."""
    c = _levels.c
    statement = (
        sa.update(_levels)
        .where(
            _level_where(product.id, warehouse_id),
            c.on_hand_qty - c.reserved_qty - unusable_qty(product.id, warehouse_id, on)
            >= usable_loss,
        )
        .values(on_hand_qty=c.on_hand_qty)
    )
    if db.session.execute(statement).rowcount != 1:
        raise _Short()


def _put_balance(
    undo: _Undo, product_id: int, location_id: int, lot_id: int | None, qty: int
) -> None:
    """Add ``qty`` (negative on a virtual location) to a balance, creating its row."""
    insert = dialect_insert(_balances).values(
        product_id=product_id,
        location_id=location_id,
        lot_id=lot_id,
        lot_key=lot_id or 0,
        on_hand_qty=qty,
    )
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=["product_id", "location_id", "lot_key"],
            set_={"on_hand_qty": _balances.c.on_hand_qty + insert.excluded.on_hand_qty},
        )
    )
    undo.add(
        sa.update(_balances)
        .where(_balance_where(product_id, location_id, lot_id))
        .values(on_hand_qty=_balances.c.on_hand_qty - qty)
    )


def _take_balance(
    undo: _Undo, product_id: int, location_id: int, lot_id: int | None, qty: int
) -> None:
    c = _balances.c
    statement = (
        sa.update(_balances)
        .where(_balance_where(product_id, location_id, lot_id), c.on_hand_qty >= qty)
        .values(on_hand_qty=c.on_hand_qty - qty)
    )
    if db.session.execute(statement).rowcount != 1:
        raise _Short()
    undo.add(
        sa.update(_balances)
        .where(_balance_where(product_id, location_id, lot_id))
        .values(on_hand_qty=c.on_hand_qty + qty)
    )


def _crossings(legs: list[_Leg]) -> tuple[dict[int, int], dict[int, int]]:
    """Quantities leaving and entering each warehouse (moves inside one do neither)."""
    leaving: dict[int, int] = defaultdict(int)
    arriving: dict[int, int] = defaultdict(int)
    for leg in legs:
        source, target = leg.src.warehouse_id, leg.dst.warehouse_id
        if source == target:
            continue
        if source is not None:
            leaving[source] += leg.qty
        if target is not None:
            arriving[target] += leg.qty
    return leaving, arriving


def _usable_losses(legs: list[_Leg], on: dt.date) -> dict[int, int]:
    """Per warehouse, how much usable stock the legs consume (usable units leaving or
    put where they are unusable, minus usable units arriving)."""
    lots = {leg.lot_id: db.session.get(Lot, leg.lot_id) for leg in legs if leg.lot_id}
    loss: dict[int, int] = defaultdict(int)
    for leg in legs:
        lot = lots.get(leg.lot_id)
        if leg.src.is_internal and usable_place(lot, leg.src, on):
            loss[leg.src.warehouse_id] += leg.qty  # type: ignore[index]
        if leg.dst.is_internal and usable_place(lot, leg.dst, on):
            loss[leg.dst.warehouse_id] -= leg.qty  # type: ignore[index]
    return {w: qty for w, qty in loss.items() if qty > 0}


def _apply_balances(undo: _Undo, product_id: int, legs: list[_Leg]) -> None:
    """Net change per (location, lot) in key order; internal places never go below 0."""
    deltas: dict[tuple[int, int], int] = defaultdict(int)
    lot_ids: dict[tuple[int, int], int | None] = {}
    internal: set[tuple[int, int]] = set()
    for leg in legs:
        for location, sign in ((leg.src, -1), (leg.dst, 1)):
            key = (location.id, leg.lot_id or 0)
            deltas[key] += sign * leg.qty
            lot_ids[key] = leg.lot_id
            if location.is_internal:
                internal.add(key)
    for key in sorted(deltas):
        delta = deltas[key]
        if delta < 0 and key in internal:
            _take_balance(undo, product_id, key[0], lot_ids[key], -delta)
        elif delta != 0:
            _put_balance(undo, product_id, key[0], lot_ids[key], delta)


# --- valuation ------------------------------------------------------------------------
def fallback_unit_cost(product_id: int) -> Decimal:
    """The unit cost of a product with nothing on hand to average: its preferred
    supplier's cost price, else the cheapest supplier's, else 0."""
    row = db.session.execute(
        sa.select(ProductSupplier.cost_price)
        .where(ProductSupplier.product_id == product_id)
        .order_by(ProductSupplier.is_preferred.desc(), ProductSupplier.cost_price)
        .limit(1)
    ).first()
    return row[0] if row else Decimal("0.00")


def average_cost(product_id: int, warehouse_id: int) -> Decimal:
    """The moving-average unit cost of a product in a warehouse (stock value / on
    hand), or the fallback unit cost when nothing is on hand. Not rounded."""
    row = db.session.execute(
        sa.select(_levels.c.on_hand_qty, _levels.c.stock_value).where(
            _level_where(product_id, warehouse_id)
        )
    ).first()
    if row is None or not row[0] or not row[1]:
        return fallback_unit_cost(product_id)
    return row[1] / int(row[0])


def _split(total: Decimal, legs: list[_Leg]) -> None:
    """Share ``total`` over ``legs`` by quantity, to the cent, the remainder on the
    last leg (so the parts always add up to the total)."""
    qty = sum(leg.qty for leg in legs)
    left = total
    for leg in legs[:-1]:
        leg.value = to_money(total * leg.qty / qty)
        left -= leg.value
    legs[-1].value = left


def _check_value(value: Decimal) -> Decimal:
    if value < 0 or value > MAX_MONEY:
        raise ValidationFailed({"unit_cost": ["The value is out of range."]})
    return to_money(value)


def _price_legs(product: Product, legs: list[_Leg]) -> None:
    """Value the legs whose value is known before any lock: given values (checked),
    legs into a warehouse from outside (at the destination's average: an estimate,
    booked exactly) and legs inside one warehouse (informative: they change no
    warehouse's value). Legs leaving a warehouse are valued under its row lock."""
    for leg in legs:
        source, target = leg.src.warehouse_id, leg.dst.warehouse_id
        if leg.value is not None:
            leg.value = _check_value(leg.value)
        elif source is None and target is not None:
            leg.value = to_money(average_cost(product.id, target) * leg.qty)
        elif source is not None and source == target:
            leg.value = to_money(average_cost(product.id, source) * leg.qty)


def _apply_levels(
    undo: _Undo, product: Product, legs: list[_Leg], *, from_reserved: bool, on: dt.date
) -> None:
    """Lock and update the levels the legs touch, in warehouse order (so that two
    opposite transfers cannot deadlock), valuing what leaves each warehouse."""
    leaving, arriving = _crossings(legs)
    losses = _usable_losses(legs, on) if not from_reserved else {}
    for warehouse_id in sorted(leaving.keys() | arriving.keys() | losses.keys()):
        if warehouse_id in leaving:
            out = _take_level(
                undo,
                product,
                warehouse_id,
                leaving[warehouse_id],
                from_reserved=from_reserved,
                usable_loss=losses.get(warehouse_id, 0),
                on=on,
            )
            _split(
                out,
                [
                    leg
                    for leg in legs
                    if leg.src.warehouse_id == warehouse_id
                    and leg.dst.warehouse_id != warehouse_id
                ],
            )
        elif warehouse_id in losses and product.is_stocked:
            _guard_level(undo, product, warehouse_id, losses[warehouse_id], on)
        if warehouse_id in arriving:
            known = sum(
                (
                    leg.value or Decimal(0)
                    for leg in legs
                    if leg.dst.warehouse_id == warehouse_id
                    and leg.src.warehouse_id is None
                ),
                Decimal(0),
            )
            _add_level(
                undo,
                product.id,
                warehouse_id,
                on_hand=arriving[warehouse_id],
                value=known,
            )
    # straight from one warehouse to another: the value is known only now
    for leg in legs:
        source, target = leg.src.warehouse_id, leg.dst.warehouse_id
        if source is not None and target is not None and source != target:
            _add_value(undo, product.id, target, leg.value or Decimal(0))


def _post_legs(
    product: Product,
    legs: list[_Leg],
    refs: _Refs,
    *,
    from_reserved: bool = False,
    on: dt.date | None = None,
) -> list[StockMove]:
    """Apply the legs to levels and balances, value them, then append one move per
    leg.

    :raise _Short: some stock was not there (or not available on ``on``); everything
    this call changed is undone.
    """
    on = on or local_today()
    _price_legs(product, legs)
    undo = _Undo()
    try:
        _apply_levels(undo, product, legs, from_reserved=from_reserved, on=on)
        _apply_balances(undo, product.id, legs)
    except _Short:
        undo.run()
        raise
    moves = [
        StockMove(
            product_id=product.id,
            qty=leg.qty,
            from_location_id=leg.src.id,
            to_location_id=leg.dst.id,
            lot_id=leg.lot_id,
            value=leg.value or Decimal(0),
            reason=refs.reason,
            reference_type=refs.reference_type,
            reference_id=refs.reference_id,
            user_id=refs.user_id,
            **({"created_at": refs.created_at} if refs.created_at else {}),
        )
        for leg in legs
    ]
    db.session.add_all(moves)
    db.session.flush()
    return moves


# --- reading what a refused call could have had ---------------------------------------
def _level_available(
    product: Product,
    warehouse_id: int,
    *,
    from_reserved: bool = False,
    on: dt.date | None = None,
) -> int:
    c = _levels.c
    row = db.session.execute(
        sa.select(
            c.on_hand_qty,
            c.reserved_qty,
            unusable_qty(product.id, warehouse_id, on or local_today()),
        ).where(_level_where(product.id, warehouse_id))
    ).first()
    if row is None:
        return 0
    on_hand, reserved, unusable = int(row[0]), int(row[1]), int(row[2])
    if from_reserved:
        return min(on_hand - unusable, reserved)
    return on_hand - reserved - unusable if product.is_stocked else on_hand - unusable


def _buckets(
    product_id: int,
    warehouse_id: int,
    *,
    location_id: int | None = None,
    lot_id: int | None = None,
    usable_on: dt.date | None = None,
) -> list[StockLot]:
    """Positive internal balances of a product in a warehouse, as FEFO candidates;
    with ``usable_on``, only those usable on that day (no expired lot, no quarantine
    bin)."""
    c = _balances.c
    statement = (
        sa.select(c.location_id, c.lot_id, c.on_hand_qty, Lot.expiry_date, Lot.lot_no)
        .join(Location, Location.id == c.location_id)
        .outerjoin(Lot, Lot.id == c.lot_id)
        .where(
            c.product_id == product_id,
            c.on_hand_qty > 0,
            Location.usage == "internal",
            Location.warehouse_id == warehouse_id,
        )
    )
    if location_id is not None:
        statement = statement.where(c.location_id == location_id)
    if lot_id is not None:
        statement = statement.where(c.lot_key == lot_id)
    if usable_on is not None:
        statement = statement.outerjoin(Bin, Bin.id == Location.bin_id).where(
            sa.or_(Lot.expiry_date.is_(None), Lot.expiry_date >= usable_on),
            sa.or_(Bin.id.is_(None), Bin.is_quarantine.is_(False)),
        )
    return [
        StockLot(
            key=(row.location_id, row.lot_id),
            qty=int(row.on_hand_qty),
            expiry_date=row.expiry_date,
            lot_no=row.lot_no or "",
        )
        for row in db.session.execute(statement)
    ]


def _short(product: Product, requested: int, available: int) -> OutOfStock:
    return OutOfStock(
        [
            {
                "sku": product.sku,
                "requested_qty": requested,
                "available_qty": max(0, available),
            }
        ]
    )


def _take_fefo(
    product: Product,
    warehouse_id: int,
    qty: int,
    dst: Location,
    refs: _Refs,
    *,
    location_id: int | None,
    lot_id: int | None,
    from_reserved: bool,
    leaves_warehouse: bool,
    usable_on: dt.date | None = None,
) -> list[StockMove]:
    """Take ``qty`` first-expiry-first-out; with ``usable_on`` only usable stock."""
    buckets = _buckets(
        product.id,
        warehouse_id,
        location_id=location_id,
        lot_id=lot_id,
        usable_on=usable_on,
    )
    allocation = allocate_fefo(qty, buckets)
    allocated = sum(taken for _, taken in allocation)
    if allocated == qty:
        legs = [
            _Leg(db.session.get(Location, bucket.key[0]), dst, bucket.key[1], taken)
            for bucket, taken in allocation
        ]
        try:
            return _post_legs(product, legs, refs, from_reserved=from_reserved)
        except _Short:
            pass  # another transaction took the stock between our read and our update
    available = sum(bucket.qty for bucket in buckets)
    if leaves_warehouse:
        available = min(
            available,
            _level_available(
                product, warehouse_id, from_reserved=from_reserved, on=usable_on
            )
            + (0 if usable_on else _unusable_in(buckets, on=local_today())),
        )
    raise _short(product, qty, available)


def _unusable_in(buckets: list[StockLot], *, on: dt.date) -> int:
    """How much of ``buckets`` is unusable (a write-off may take it even when the
    usable stock is all reserved)."""
    locations = {b.key[0]: db.session.get(Location, b.key[0]) for b in buckets}
    lots = {b.key[1]: db.session.get(Lot, b.key[1]) for b in buckets if b.key[1]}
    return sum(
        b.qty
        for b in buckets
        if not usable_place(lots.get(b.key[1]), locations[b.key[0]], on)
    )


# --- public API: moves ----------------------------------------------------------------
def post_move(
    product_id: int,
    qty: int,
    *,
    from_location_id: int,
    to_location_id: int,
    reason: str,
    lot_id: int | None = None,
    from_reserved: bool = False,
    value: Decimal | None = None,
    reference_type: str | None = None,
    reference_id: int | None = None,
    user_id: int | None = None,
    created_at: dt.datetime | None = None,
) -> StockMove:
    """One move between two locations (low level: prefer the named functions below).
    ``value`` None: at the moving average.

    :raise OutOfStock: the source (internal) location or warehouse has too little.
    """
    product = _product(product_id)
    qty = _check_qty(qty)
    refs = _refs(reason, reference_type, reference_id, user_id, created_at)
    src, dst = db.session.get(Location, from_location_id), db.session.get(
        Location, to_location_id
    )
    if src is None or dst is None or src.id == dst.id:
        raise ValidationFailed(
            {"location": ["Two different, existing locations are needed."]}
        )
    lot = db.session.get(Lot, lot_id) if lot_id is not None else None
    if (lot is None) == product.is_lot_tracked or (
        lot is not None and lot.product_id != product.id
    ):
        raise ValidationFailed({"lot": ["The lot does not fit the product."]})
    try:
        return _post_legs(
            product,
            [_Leg(src, dst, lot_id, qty, value)],
            refs,
            from_reserved=from_reserved,
        )[0]
    except _Short:
        available = 0
        if src.is_internal:
            bucket = _buckets(
                product.id, src.warehouse_id, location_id=src.id, lot_id=lot_id
            )
            available = sum(b.qty for b in bucket)
        raise _short(product, qty, available) from None


def post_receipt(
    product_id: int,
    warehouse_id: int,
    qty: int,
    *,
    lot: str | None = None,
    expiry_date: dt.date | None = None,
    production_date: dt.date | None = None,
    bin_id: int | None = None,
    unit_cost: Decimal | None = None,
    reason: str = "Receipt",
    from_usage: str = "supplier",
    reference_type: str | None = None,
    reference_id: int | None = None,
    user_id: int | None = None,
    created_at: dt.datetime | None = None,
) -> StockMove:
    """Goods come in from a virtual location (a supplier; ``"customer"`` for returns) to
    the warehouse's stock location or a bin. Lot-tracked products need ``lot``.
    Valued at ``unit_cost`` × qty (default: the moving average, or the supplier's
    cost price when nothing is on hand).

    :raise ValidationFailed: inactive warehouse or bin, missing or unexpected lot.
    """
    if from_usage not in VIRTUAL_USAGES:
        raise ValueError(f"from_usage must be one of {VIRTUAL_USAGES}")
    product = _product(product_id)
    qty = _check_qty(qty)
    refs = _refs(reason, reference_type, reference_id, user_id, created_at)
    _receiving_warehouse(warehouse_id, bin_id)
    lot_id = _incoming_lot(product, lot, expiry_date, production_date)
    leg = _Leg(
        virtual_location(from_usage),
        internal_location(warehouse_id, bin_id),
        lot_id,
        qty,
        _line_value(unit_cost, qty),
    )
    return _post_legs(product, [leg], refs)[0]


def _line_value(unit_cost: Decimal | None, qty: int) -> Decimal | None:
    if unit_cost is None:
        return None
    if isinstance(unit_cost, float) or unit_cost < 0 or unit_cost > MAX_MONEY:
        raise ValidationFailed({"unit_cost": ["Give a cost from 0 upwards."]})
    return to_money(Decimal(unit_cost) * qty)


def post_adjustment(
    product_id: int,
    warehouse_id: int,
    qty: int,
    reason: str,
    *,
    lot: str | None = None,
    expiry_date: dt.date | None = None,
    production_date: dt.date | None = None,
    bin_id: int | None = None,
    unit_cost: Decimal | None = None,
    user_id: int | None = None,
    reference_type: str | None = None,
    reference_id: int | None = None,
    created_at: dt.datetime | None = None,
) -> StockMove:
    """A stock correction (盘点调整) at one place: ``qty`` > 0 books stock in from the
    adjustment location (valued at ``unit_cost``, default the moving average),
    ``qty`` < 0 writes it off there at the moving average.

    A write-off never takes on hand below zero at that place, nor the warehouse's on
    hand below what is reserved for orders (stocked items).

    :raise ValidationFailed: qty zero or absurd, reason empty or too long, lot problems.
    :raise OutOfStock: a write-off larger than what is there and not reserved.
    """
    if isinstance(qty, bool) or not isinstance(qty, int) or qty == 0:
        raise ValidationFailed({"qty": ["Must be a non-zero whole number."]})
    product = _product(product_id)
    _check_qty(abs(qty))
    refs = _refs(reason, reference_type, reference_id, user_id, created_at)
    adjustment = virtual_location("adjustment")
    if qty > 0:
        _receiving_warehouse(warehouse_id, bin_id)
        lot_id = _incoming_lot(product, lot, expiry_date, production_date)
        leg = _Leg(
            adjustment,
            internal_location(warehouse_id, bin_id),
            lot_id,
            qty,
            _line_value(unit_cost, qty),
        )
        return _post_legs(product, [leg], refs)[0]
    get_warehouse(warehouse_id)
    lot_id = _outgoing_lot(product, lot, required=True)
    location = internal_location(warehouse_id, bin_id)
    return _take_fefo(
        product,
        warehouse_id,
        -qty,
        adjustment,
        refs,
        location_id=location.id,
        lot_id=lot_id,
        from_reserved=False,
        leaves_warehouse=True,
    )[0]


def post_issue(
    product_id: int,
    warehouse_id: int,
    qty: int,
    *,
    to_usage: str = "customer",
    lot: str | None = None,
    bin_id: int | None = None,
    usable_from: dt.date | None = None,
    reason: str = "Issue",
    reference_type: str | None = None,
    reference_id: int | None = None,
    user_id: int | None = None,
    created_at: dt.datetime | None = None,
) -> list[StockMove]:
    """Unreserved stock leaves the warehouse (to a customer, or back to a supplier),
    taken first-expiry-first-out over its bins and lots unless ``lot`` / ``bin_id``
    narrow it. A customer only gets stock usable on ``usable_from`` (default today);
    a supplier may take back expired or quarantined stock.

    :raise OutOfStock: less unreserved (usable) stock than ``qty``.
    """
    return _issue(
        product_id,
        warehouse_id,
        qty,
        to_usage,
        lot,
        bin_id,
        False,
        _refs(reason, reference_type, reference_id, user_id, created_at),
        (usable_from or local_today()) if to_usage == "customer" else None,
    )


def issue_reserved(
    product_id: int,
    warehouse_id: int,
    qty: int,
    *,
    lot: str | None = None,
    bin_id: int | None = None,
    reason: str = "Pick",
    to_usage: str = "customer",
    usable_from: dt.date | None = None,
    reference_type: str | None = None,
    reference_id: int | None = None,
    user_id: int | None = None,
    created_at: dt.datetime | None = None,
) -> list[StockMove]:
    """A pick of reserved stock: on hand and reserved both drop by ``qty``; lots and
    bins are taken first-expiry-first-out unless ``lot`` / ``bin_id`` narrow them,
    only from stock usable on ``usable_from`` (default today; the delivery day plus
    the merchant's minimum shelf life when picking for an order).

    :raise OutOfStock: less reserved (or usable on hand) than ``qty`` — a short pick.
    """
    return _issue(
        product_id,
        warehouse_id,
        qty,
        to_usage,
        lot,
        bin_id,
        True,
        _refs(reason, reference_type, reference_id, user_id, created_at),
        usable_from or local_today(),
    )


def _issue(
    product_id: int,
    warehouse_id: int,
    qty: int,
    to_usage: str,
    lot: str | None,
    bin_id: int | None,
    from_reserved: bool,
    refs: _Refs,
    usable_on: dt.date | None,
) -> list[StockMove]:
    if to_usage not in VIRTUAL_USAGES:
        raise ValueError(f"to_usage must be one of {VIRTUAL_USAGES}")
    product = _product(product_id)
    qty = _check_qty(qty)
    get_warehouse(warehouse_id)
    lot_id = _outgoing_lot(product, lot, required=False)
    location_id = (
        internal_location(warehouse_id, bin_id).id if bin_id is not None else None
    )
    return _take_fefo(
        product,
        warehouse_id,
        qty,
        virtual_location(to_usage),
        refs,
        location_id=location_id,
        lot_id=lot_id,
        from_reserved=from_reserved,
        leaves_warehouse=True,
        usable_on=usable_on,
    )


def post_transfer(
    product_id: int,
    qty: int,
    *,
    from_warehouse_id: int,
    to_warehouse_id: int,
    from_bin_id: int | None = None,
    to_bin_id: int | None = None,
    lot: str | None = None,
    reason: str = "Transfer",
    reference_type: str | None = None,
    reference_id: int | None = None,
    user_id: int | None = None,
    created_at: dt.datetime | None = None,
) -> list[StockMove]:
    """Move stock from one internal location to another: a put-away between bins of one
    warehouse (levels unchanged) or a transfer between warehouses (unreserved stock
    only). Lots keep their identity; without ``lot`` they are taken
    first-expiry-first-out.

    :raise OutOfStock: the source location has too little (or it is reserved).
    """
    product = _product(product_id)
    qty = _check_qty(qty)
    refs = _refs(reason, reference_type, reference_id, user_id, created_at)
    get_warehouse(from_warehouse_id)
    _receiving_warehouse(to_warehouse_id, to_bin_id)
    src = internal_location(from_warehouse_id, from_bin_id)
    dst = internal_location(to_warehouse_id, to_bin_id)
    if src.id == dst.id:
        raise ValidationFailed(
            {"to_bin": ["The source and the destination are the same."]}
        )
    lot_id = _outgoing_lot(product, lot, required=False)
    return _take_fefo(
        product,
        from_warehouse_id,
        qty,
        dst,
        refs,
        location_id=src.id,
        lot_id=lot_id,
        from_reserved=False,
        leaves_warehouse=from_warehouse_id != to_warehouse_id,
    )


def dispatch_transfer(
    product_id: int,
    qty: int,
    *,
    from_warehouse_id: int,
    from_bin_id: int | None = None,
    lot: str | None = None,
    reason: str = "Transfer out",
    reference_type: str | None = None,
    reference_id: int | None = None,
    user_id: int | None = None,
    created_at: dt.datetime | None = None,
) -> list[StockMove]:
    """The first half of a transfer between warehouses (调拨出库): unreserved, usable
    stock leaves its warehouse for the transit location, at its moving-average
    value, first-expiry-first-out over the warehouse's bins (or from ``from_bin_id``
    / ``lot``). ``receive_transfer`` books each returned move in at the other end.

    :raise OutOfStock: less unreserved usable stock than ``qty``.
    """
    product = _product(product_id)
    qty = _check_qty(qty)
    refs = _refs(reason, reference_type, reference_id, user_id, created_at)
    _receiving_warehouse(from_warehouse_id, from_bin_id)
    location_id = (
        internal_location(from_warehouse_id, from_bin_id).id
        if from_bin_id is not None
        else None
    )
    return _take_fefo(
        product,
        from_warehouse_id,
        qty,
        virtual_location("transit"),
        refs,
        location_id=location_id,
        lot_id=_outgoing_lot(product, lot, required=False),
        from_reserved=False,
        leaves_warehouse=True,
        usable_on=local_today(),
    )


def receive_transfer(
    product_id: int,
    qty: int,
    value: Decimal,
    *,
    to_warehouse_id: int,
    lot_id: int | None = None,
    to_bin_id: int | None = None,
    to_usage: str | None = None,
    reason: str = "Transfer in",
    reference_type: str | None = None,
    reference_id: int | None = None,
    user_id: int | None = None,
    created_at: dt.datetime | None = None,
) -> StockMove:
    """The second half of a transfer: ``qty`` of a lot leaves the transit location
    for the destination warehouse (or bin) with the ``value`` it left the source at —
    or, with ``to_usage="adjustment"``, is written off as lost in transit.

    :raise OutOfStock: less than ``qty`` of that lot is in transit.
    """
    product = _product(product_id)
    qty = _check_qty(qty)
    refs = _refs(reason, reference_type, reference_id, user_id, created_at)
    if to_usage is None:
        _receiving_warehouse(to_warehouse_id, to_bin_id)
        dst = internal_location(to_warehouse_id, to_bin_id)
    else:
        dst = virtual_location(to_usage)
    transit = virtual_location("transit")
    in_transit = db.session.scalar(
        sa.select(_balances.c.on_hand_qty).where(
            _balance_where(product.id, transit.id, lot_id)
        )
    )
    if (in_transit or 0) < qty:
        raise _short(product, qty, int(in_transit or 0))
    return _post_legs(product, [_Leg(transit, dst, lot_id, qty, value)], refs)[0]


# --- public API: reservations ---------------------------------------------------------
def _aggregate(lines: Iterable[Line]) -> dict[tuple[int, int], int]:
    wanted: dict[tuple[int, int], int] = {}
    for product_id, warehouse_id, qty in lines:
        _check_qty(qty)
        key = (product_id, warehouse_id)
        wanted[key] = wanted.get(key, 0) + qty
    return wanted


def _load(wanted: dict[tuple[int, int], int]) -> dict[int, Product]:
    """The products of ``wanted`` (from the session when already loaded); NotFound for
    an unknown product or warehouse."""
    product_ids = {product_id for product_id, _ in wanted}
    session = db.session()
    absent = [
        pid
        for pid in product_ids
        if session.identity_map.get(session.identity_key(Product, pid)) is None
    ]
    if absent:  # one query for all that are not loaded yet
        list(session.scalars(sa.select(Product).where(Product.id.in_(absent))))
    products = {pid: session.get(Product, pid) for pid in sorted(product_ids)}
    missing = {pid for pid, product in products.items() if product is None}
    if missing:
        raise NotFound(f"Product {min(missing)} does not exist.")
    warehouse_ids = {warehouse_id for _, warehouse_id in wanted}
    unknown = {wid for wid in warehouse_ids if db.session.get(Warehouse, wid) is None}
    if unknown:
        raise NotFound(f"Warehouse {min(unknown)} does not exist.")
    return products  # type: ignore[return-value]


def reserve(
    product_id: int, warehouse_id: int, qty: int, *, usable_from: dt.date | None = None
) -> None:
    """Reserve ``qty`` for an order if that much is available (on hand − reserved −
    unusable on ``usable_from``, default today).

    :raise OutOfStock: not available; nothing is reserved.
    """
    reserve_many([(product_id, warehouse_id, qty)], usable_from=usable_from)


def reserve_many(lines: Iterable[Line], *, usable_from: dt.date | None = None) -> None:
    """Reserve every ``(product_id, warehouse_id, qty)`` line or none (lines of the same
    product and warehouse are added up). Purchase-to-order products (``is_stocked``
    false) are reserved without a cap.

    :raise OutOfStock: listing every short line with its available quantity.
    """
    change_reservations(list(lines), [], usable_from=usable_from)


def change_reservations(
    more: Iterable[Line],
    less: Iterable[Line],
    *,
    usable_from: dt.date | None = None,
) -> None:
    """Reserve ``more`` and release ``less`` in one pass, all or nothing (an amended
    order). Only stock usable on ``usable_from`` (default today: not expired, not in
    quarantine) can be reserved. Rows are updated in one sorted order, so concurrent
    changes never deadlock. A short reservation lists its line with the extra
    quantity asked for.

    :raise OutOfStock: some of ``more`` is not available; nothing changes.
    :raise Conflict: ``less`` releases more than is reserved.
    """
    up, down = _aggregate(more), _aggregate(less)
    keys = list(up) + [key for key in down if key not in up]  # callers' order
    wanted = {key: up.get(key, 0) - down.get(key, 0) for key in keys}
    wanted = {key: qty for key, qty in wanted.items() if qty}
    if not wanted:
        return
    products = _load({key: abs(qty) for key, qty in wanted.items()})
    on = usable_from or local_today()
    undo = _Undo()
    short: set[tuple[int, int]] = set()
    for key in sorted(wanted):  # one lock order in every transaction: no deadlocks
        (product_id, warehouse_id), qty = key, wanted[key]
        params = {"p": product_id, "w": warehouse_id, "q": abs(qty), "u": on}
        if qty < 0:
            if db.session.execute(_RELEASE, params).rowcount != 1:
                undo.run()
                raise Conflict(
                    f"Cannot release {-qty} of {products[product_id].sku}: "
                    "less is reserved.",
                    details={"sku": products[product_id].sku, "qty": -qty},
                )
        elif not products[product_id].is_stocked:
            _add_level(undo, product_id, warehouse_id, reserved=qty)
            continue
        elif db.session.execute(_RESERVE, params).rowcount != 1:
            short.add(key)
            continue
        undo.add(_SHIFT_RESERVED, {"p": product_id, "w": warehouse_id, "q": -qty})
    if short:
        undo.run()
        raise OutOfStock(
            [
                {
                    "sku": products[key[0]].sku,
                    "requested_qty": wanted[key],
                    "available_qty": max(
                        0, _level_available(products[key[0]], key[1], on=on)
                    ),
                }
                for key in wanted  # the callers' order
                if key in short
            ]
        )


def release(product_id: int, warehouse_id: int, qty: int) -> None:
    """Give back a reservation (order cancelled or reduced).

    :raise Conflict: more than is reserved (a bookkeeping error upstream).
    """
    release_many([(product_id, warehouse_id, qty)])


def release_many(lines: Iterable[Line]) -> None:
    """Release every line or none; see ``release``."""
    change_reservations([], list(lines))
