"""进销存 read side: stock rows per product and warehouse, lots with expiry, moves,
warehouses and bins — plain selects for lists (pages page them, the API paginates them).
"""

from __future__ import annotations


import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from supplychain.catalog.models import Product
from supplychain.errors import NotFound
from supplychain.extensions import db
from supplychain.paging import like_pattern
from supplychain.stock.expiry import local_today, unusable_qty
from supplychain.stock.models import (
    Bin,
    Location,
    Lot,
    StockBalance,
    StockLevel,
    StockMove,
    Warehouse,
)


def stock_query(
    q: str = "",
    *,
    sku: str | None = None,
    warehouse_code: str | None = None,
    only_short: bool = False,
    on: dt.date | None = None,
) -> sa.Select:
    """Rows ``sku, name, unit, warehouse, warehouse_name, on_hand_qty, reserved_qty,
    unusable_qty, available_qty, stock_value, product_id, warehouse_id, is_stocked``
    for every active product in every active warehouse (zeros where nothing was ever
    booked), plus any inactive product or warehouse that still has stock. Unusable =
    expired on ``on`` (default today) or in quarantine. Run with ``scalars=False``."""
    on_hand = sa.func.coalesce(StockLevel.on_hand_qty, 0)
    reserved = sa.func.coalesce(StockLevel.reserved_qty, 0)
    unusable = unusable_qty(Product.id, Warehouse.id, on or local_today())
    stmt = (
        sa.select(
            Product.sku.label("sku"),
            Product.name.label("name"),
            Product.unit.label("unit"),
            Warehouse.code.label("warehouse"),
            Warehouse.name.label("warehouse_name"),
            on_hand.label("on_hand_qty"),
            reserved.label("reserved_qty"),
            unusable.label("unusable_qty"),
            (on_hand - reserved - unusable).label("available_qty"),
            sa.func.coalesce(StockLevel.stock_value, 0).label("stock_value"),
            Product.id.label("product_id"),
            Warehouse.id.label("warehouse_id"),
            Product.is_stocked.label("is_stocked"),
        )
        .select_from(Product)
        .join(Warehouse, sa.true())
        .outerjoin(
            StockLevel,
            sa.and_(
                StockLevel.product_id == Product.id,
                StockLevel.warehouse_id == Warehouse.id,
            ),
        )
        .where(
            sa.or_(
                sa.and_(Product.is_active, Warehouse.is_active),
                StockLevel.on_hand_qty != 0,
                StockLevel.reserved_qty != 0,
            )
        )
        .order_by(Product.sku, Warehouse.code)
    )
    if q.strip():
        pattern = like_pattern(q)
        stmt = stmt.where(
            sa.or_(
                Product.sku.ilike(pattern, escape="\\"),
                Product.name.ilike(pattern, escape="\\"),
                Product.name_en.ilike(pattern, escape="\\"),
            )
        )
    if sku:
        stmt = stmt.where(Product.sku == sku.strip())
    if warehouse_code:
        stmt = stmt.where(Warehouse.code == warehouse_code.strip().upper())
    if only_short:
        stmt = stmt.where(on_hand - reserved - unusable <= 0, Product.is_stocked)
    return stmt


def available_qty(
    product_id: int, warehouse_id: int, *, usable_from: dt.date | None = None
) -> int:
    """On hand − reserved − unusable on ``usable_from`` (default today) of a product
    in a warehouse (0 if nothing was booked): what an order can still reserve."""
    return available_for([product_id], warehouse_id, usable_from=usable_from)[
        product_id
    ]


def available_for(
    product_ids: Iterable[int],
    warehouse_id: int,
    *,
    usable_from: dt.date | None = None,
) -> dict[int, int]:
    """``available_qty`` for many products in one query (0 for those never booked)."""
    ids = list(set(product_ids))
    if not ids:
        return {}
    on = usable_from or local_today()
    rows = db.session.execute(
        sa.select(
            StockLevel.product_id,
            StockLevel.on_hand_qty
            - StockLevel.reserved_qty
            - unusable_qty(StockLevel.product_id, StockLevel.warehouse_id, on),
        ).where(StockLevel.product_id.in_(ids), StockLevel.warehouse_id == warehouse_id)
    ).all()
    found = {pid: int(qty) for pid, qty in rows}
    return {pid: found.get(pid, 0) for pid in ids}


@dataclass(frozen=True)
class LotRow:
    warehouse: str
    location: str
    lot_no: str | None
    expiry_date: dt.date | None
    on_hand_qty: int


def product_stock_places(product_id: int) -> list[LotRow]:
    """Where a product is: each internal location and lot with stock, FEFO order."""
    b = StockBalance.__table__.c
    rows = db.session.execute(
        sa.select(Location, Lot.lot_no, Lot.expiry_date, b.on_hand_qty)
        .select_from(StockBalance.__table__)
        .join(Location, Location.id == b.location_id)
        .outerjoin(Lot, Lot.id == b.lot_id)
        .where(
            b.product_id == product_id, Location.usage == "internal", b.on_hand_qty != 0
        )
    ).all()
    places = [
        LotRow(loc.warehouse.code, loc.label, lot_no, expiry, int(qty))
        for loc, lot_no, expiry, qty in rows
    ]
    return sorted(
        places, key=lambda r: (r.expiry_date or dt.date.max, r.warehouse, r.location)
    )


def moves_query(
    *,
    product_id: int | None = None,
    sku: str | None = None,
    warehouse_id: int | None = None,
    reference_type: str | None = None,
    reference_id: int | None = None,
) -> sa.Select:
    """Stock moves, newest first (scalars: StockMove)."""
    stmt = sa.select(StockMove).order_by(
        StockMove.created_at.desc(), StockMove.id.desc()
    )
    if product_id is not None:
        stmt = stmt.where(StockMove.product_id == product_id)
    if sku:
        stmt = stmt.where(
            StockMove.product_id.in_(
                sa.select(Product.id).where(Product.sku == sku.strip())
            )
        )
    if warehouse_id is not None:
        internal = sa.select(Location.id).where(Location.warehouse_id == warehouse_id)
        stmt = stmt.where(
            sa.or_(
                StockMove.from_location_id.in_(internal),
                StockMove.to_location_id.in_(internal),
            )
        )
    if reference_type is not None:
        stmt = stmt.where(StockMove.reference_type == reference_type)
    if reference_id is not None:
        stmt = stmt.where(StockMove.reference_id == reference_id)
    return stmt


def warehouses_query(q: str = "", *, include_inactive: bool = True) -> sa.Select:
    stmt = sa.select(Warehouse).order_by(Warehouse.is_default.desc(), Warehouse.code)
    if q.strip():
        pattern = like_pattern(q)
        stmt = stmt.where(
            sa.or_(
                Warehouse.code.ilike(pattern, escape="\\"),
                Warehouse.name.ilike(pattern, escape="\\"),
            )
        )
    if not include_inactive:
        stmt = stmt.where(Warehouse.is_active)
    return stmt


def active_warehouses() -> list[Warehouse]:
    return list(db.session.scalars(warehouses_query(include_inactive=False)))


def warehouse_by_code(code: str) -> Warehouse:
    """:raise NotFound: no warehouse has this code."""
    warehouse = db.session.scalar(
        sa.select(Warehouse).where(Warehouse.code == (code or "").strip().upper())
    )
    if warehouse is None:
        raise NotFound(f"Warehouse {code} does not exist.")
    return warehouse


def default_warehouse() -> Warehouse:
    """The default warehouse (MAIN on a fresh database)."""
    warehouse = db.session.scalar(sa.select(Warehouse).where(Warehouse.is_default))
    if warehouse is None:  # pragma: no cover - bootstrap and migrations create MAIN
        raise NotFound("No default warehouse is configured.")
    return warehouse


def bins_query(
    warehouse_id: int,
    *,
    aisle: int | None = None,
    q: str = "",
    active_only: bool = False,
) -> sa.Select:
    """A warehouse's bins in label order (aisle, block, bay, side, level)."""
    stmt = (
        sa.select(Bin)
        .where(Bin.warehouse_id == warehouse_id)
        .order_by(Bin.aisle, Bin.block, Bin.bay, Bin.side, Bin.level)
    )
    if aisle is not None:
        stmt = stmt.where(Bin.aisle == aisle)
    if q.strip():
        stmt = stmt.where(Bin.code.ilike(like_pattern(q.upper()), escape="\\"))
    if active_only:
        stmt = stmt.where(Bin.is_active)
    return stmt


def bin_by_code(warehouse_id: int, code: str) -> Bin | None:
    return db.session.scalar(
        sa.select(Bin).where(
            Bin.warehouse_id == warehouse_id, Bin.code == code.strip().upper()
        )
    )


def bin_counts(warehouse_id: int) -> dict[str, int]:
    """``{"total", "active", "aisles"}`` for the warehouse page."""
    total, active, aisles = db.session.execute(
        sa.select(
            sa.func.count(Bin.id),
            sa.func.count(Bin.id).filter(Bin.is_active),
            sa.func.count(sa.distinct(Bin.aisle)),
        ).where(Bin.warehouse_id == warehouse_id)
    ).one()
    return {"total": int(total), "active": int(active or 0), "aisles": int(aisles)}


def binned_bays(warehouse_id: int) -> set[tuple[int, int, int]]:
    """1-based (aisle, block, bay) that have at least one active bin."""
    rows = db.session.execute(
        sa.select(Bin.aisle, Bin.block, Bin.bay)
        .where(Bin.warehouse_id == warehouse_id, Bin.is_active)
        .distinct()
    )
    return {(a, b, c) for a, b, c in rows}


def product_by_sku(sku: str) -> Product | None:
    return db.session.scalar(
        sa.select(Product).where(Product.sku == (sku or "").strip())
    )
