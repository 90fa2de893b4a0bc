"""进销存 invariants for `supplychain check`: balances equal the sum of moves, levels equal
the sum of their warehouse's internal balances, reserved ≤ on hand for stocked items, no
negative on hand anywhere inside a warehouse nor in transit; valuation: each level's
stock value equals the value of the moves into its warehouse minus those out of it, is
never negative, and is zero when nothing is on hand; approved counts (盘点): each
line's posted variance equals the net of the count's moves, the count's value the sum
of its lines'.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa

from supplychain.catalog.models import Product
from supplychain.extensions import db
from supplychain.stock.counts import check_counts
from supplychain.stock.models import (
    Location,
    StockBalance,
    StockLevel,
    StockMove,
    Warehouse,
)

MAX_REPORTED = 50  # per check, so a broken database gives a readable report


def check_invariants() -> list[str]:
    """Every problem found, as one sentence each; empty when all invariants hold."""
    problems: list[str] = []
    for check in (
        _balances_match_moves,
        _levels_match_balances,
        _no_negative_or_oversold,
        _values_match_moves,
        check_counts,
    ):
        found = check()
        problems.extend(found[:MAX_REPORTED])
        if len(found) > MAX_REPORTED:
            problems.append(f"… and {len(found) - MAX_REPORTED} more like the above")
    return problems


def _skus() -> dict[int, str]:
    return dict(db.session.execute(sa.select(Product.id, Product.sku)).all())


def _balances_match_moves() -> list[str]:
    m = StockMove.__table__.c
    lot_key = sa.func.coalesce(m.lot_id, 0)
    expected: dict[tuple[int, int, int], int] = defaultdict(int)
    for column, sign in ((m.to_location_id, 1), (m.from_location_id, -1)):
        rows = db.session.execute(
            sa.select(m.product_id, column, lot_key, sa.func.sum(m.qty)).group_by(
                m.product_id, column, lot_key
            )
        )
        for product_id, location_id, lot, total in rows:
            expected[(product_id, location_id, lot)] += sign * int(total)
    b = StockBalance.__table__.c
    actual = {
        (product_id, location_id, lot): int(qty)
        for product_id, location_id, lot, qty in db.session.execute(
            sa.select(b.product_id, b.location_id, b.lot_key, b.on_hand_qty)
        )
    }
    skus = _skus()
    problems = []
    for key in sorted(expected.keys() | actual.keys()):
        want, have = expected.get(key, 0), actual.get(key, 0)
        if want != have:
            product_id, location_id, lot = key
            problems.append(
                f"balance of {skus.get(product_id, product_id)} "
                f"at location {location_id} "
                f"lot {lot or '-'} is {have} but its moves sum to {want}"
            )
    return problems


def _levels_match_balances() -> list[str]:
    b = StockBalance.__table__.c
    rows = db.session.execute(
        sa.select(b.product_id, Location.warehouse_id, sa.func.sum(b.on_hand_qty))
        .join(Location, Location.id == b.location_id)
        .where(Location.usage == "internal")
        .group_by(b.product_id, Location.warehouse_id)
    )
    expected = {(p, w): int(total) for p, w, total in rows}
    actual = {
        (p, w): int(qty)
        for p, w, qty in db.session.execute(
            sa.select(
                StockLevel.product_id, StockLevel.warehouse_id, StockLevel.on_hand_qty
            )
        )
    }
    skus = _skus()
    codes = dict(db.session.execute(sa.select(Warehouse.id, Warehouse.code)).all())
    problems = []
    for key in sorted(expected.keys() | actual.keys()):
        want, have = expected.get(key, 0), actual.get(key, 0)
        if want != have:
            problems.append(
                f"on hand of {skus.get(key[0], key[0])} in {codes.get(key[1], key[1])} "
                f"is {have} "
                f"but its internal balances sum to {want}"
            )
    return problems


def _no_negative_or_oversold() -> list[str]:
    skus = _skus()
    codes = dict(db.session.execute(sa.select(Warehouse.id, Warehouse.code)).all())
    problems = []
    levels = db.session.execute(
        sa.select(
            StockLevel.product_id,
            StockLevel.warehouse_id,
            StockLevel.on_hand_qty,
            StockLevel.reserved_qty,
            Product.is_stocked,
        ).join(Product, Product.id == StockLevel.product_id)
    )
    for product_id, warehouse_id, on_hand, reserved, is_stocked in levels:
        sku, code = skus.get(product_id, product_id), codes.get(
            warehouse_id, warehouse_id
        )
        where = f"{sku} in {code}"
        if on_hand < 0:
            problems.append(f"on hand of {where} is negative ({on_hand})")
        if reserved < 0:
            problems.append(f"reserved of {where} is negative ({reserved})")
        if is_stocked and reserved > on_hand:
            problems.append(
                f"reserved of {where} ({reserved}) exceeds on hand ({on_hand})"
            )
    b = StockBalance.__table__.c
    negative = db.session.execute(
        sa.select(b.product_id, b.location_id, b.lot_key, b.on_hand_qty)
        .join(Location, Location.id == b.location_id)
        .where(Location.usage.in_(("internal", "transit")), b.on_hand_qty < 0)
    )
    for product_id, location_id, lot, qty in negative:
        problems.append(
            f"balance of {skus.get(product_id, product_id)} "
            f"at location {location_id} "
            f"lot {lot or '-'} is negative ({qty})"
        )
    return problems


def _values_match_moves() -> list[str]:
    m = StockMove.__table__.c
    expected: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for column, sign in ((m.to_location_id, 1), (m.from_location_id, -1)):
        rows = db.session.execute(
            sa.select(m.product_id, Location.warehouse_id, sa.func.sum(m.value))
            .join(Location, Location.id == column)
            .where(Location.usage == "internal")
            .group_by(m.product_id, Location.warehouse_id)
        )
        for product_id, warehouse_id, total in rows:
            expected[(product_id, warehouse_id)] += sign * _money(total)
    actual = {
        (p, w): (_money(value), int(on_hand))
        for p, w, value, on_hand in db.session.execute(
            sa.select(
                StockLevel.product_id,
                StockLevel.warehouse_id,
                StockLevel.stock_value,
                StockLevel.on_hand_qty,
            )
        )
    }
    skus = _skus()
    codes = dict(db.session.execute(sa.select(Warehouse.id, Warehouse.code)).all())
    problems = []
    for key in sorted(expected.keys() | actual.keys()):
        want = expected.get(key, Decimal(0))
        have, on_hand = actual.get(key, (Decimal(0), 0))
        where = f"{skus.get(key[0], key[0])} in {codes.get(key[1], key[1])}"
        if want != have:
            problems.append(
                f"stock value of {where} is {have} but its moves' values sum to {want}"
            )
        if have < 0:
            problems.append(f"stock value of {where} is negative ({have})")
        if on_hand == 0 and have != 0:
            problems.append(f"stock value of {where} is {have} with nothing on hand")
    negative = db.session.scalar(
        sa.select(sa.func.count()).select_from(StockMove).where(StockMove.value < 0)
    )
    if negative:
        problems.append(f"{negative} moves have a negative value")
    return problems


def _money(value: object) -> Decimal:
    """A SUM of a Money column: Decimal on PostgreSQL, integer cents on SQLite."""
    if value is None:
        return Decimal("0.00")
    if isinstance(value, int):
        return (Decimal(value) / 100).quantize(Decimal("0.01"))
    return Decimal(value).quantize(Decimal("0.01"))
