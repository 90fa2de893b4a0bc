"""进销存 locations and lots, created lazily and race-safely (INSERT … ON CONFLICT DO
NOTHING, then read back), so that two transactions needing the same row never fail each
other.

Used by the ledger; reads only the reference rows, never moves or balances.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from supplychain.database import utcnow
from supplychain.errors import NotFound, ValidationFailed
from supplychain.extensions import db
from supplychain.catalog.models import Product
from supplychain.stock.models import VIRTUAL_USAGES, Bin, Location, Lot, Warehouse

MAX_LOT_NO = 60


def dialect_insert(table: sa.Table) -> Any:
    """An INSERT with ``on_conflict_do_nothing/do_update`` for the session's DB."""
    name = db.session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the project supports SQLite and PostgreSQL only
        raise RuntimeError(f"unsupported database {name}")
    return insert(table)


def _get_or_create_location(key: str, **values: Any) -> Location:
    location = db.session.scalar(sa.select(Location).where(Location.key == key))
    if location is None:
        db.session.execute(
            dialect_insert(Location.__table__)
            .values(key=key, **values)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        location = db.session.scalars(
            sa.select(Location).where(Location.key == key)
        ).one()
    return location


def virtual_location(usage: str) -> Location:
    """The global virtual location of a usage (supplier, customer, adjustment…)."""
    if usage not in VIRTUAL_USAGES:
        raise ValueError(f"not a virtual usage: {usage}")
    return _get_or_create_location(usage, usage=usage)


def internal_location(warehouse_id: int, bin_id: int | None = None) -> Location:
    """A warehouse's stock location (``bin_id`` None) or the location of one of its
    bins.

    :raise ValidationFailed: the bin belongs to another warehouse.
    """
    if bin_id is None:
        return _get_or_create_location(
            f"wh:{warehouse_id}", usage="internal", warehouse_id=warehouse_id
        )
    bin_warehouse = db.session.scalar(
        sa.select(Bin.warehouse_id).where(Bin.id == bin_id)
    )
    if bin_warehouse != warehouse_id:
        raise ValidationFailed({"bin": ["The bin is not in this warehouse."]})
    return _get_or_create_location(
        f"wh:{warehouse_id}:bin:{bin_id}",
        usage="internal",
        warehouse_id=warehouse_id,
        bin_id=bin_id,
    )


def get_warehouse(warehouse_id: int) -> Warehouse:
    warehouse = db.session.get(Warehouse, warehouse_id)
    if warehouse is None:
        raise NotFound(f"Warehouse {warehouse_id} does not exist.")
    return warehouse


def clean_lot_no(lot_no: str) -> str:
    lot_no = (lot_no or "").strip()
    if not lot_no or len(lot_no) > MAX_LOT_NO:
        raise ValidationFailed(
            {"lot": [f"A lot number has 1 to {MAX_LOT_NO} characters."]}
        )
    return lot_no


def find_lot(product_id: int, lot_no: str) -> Lot | None:
    return db.session.scalar(
        sa.select(Lot).where(
            Lot.product_id == product_id, Lot.lot_no == clean_lot_no(lot_no)
        )
    )


def get_or_create_lot(
    product_id: int,
    lot_no: str,
    expiry_date: dt.date | None = None,
    production_date: dt.date | None = None,
) -> Lot:
    """The product's lot ``lot_no``; created on first receipt. Dates given for a known
    lot must match the recorded ones (a lot has one production and one expiry date); a
    lot recorded without one takes it. A lot number belongs to one product.

    :raise ValidationFailed: on ``lot`` when another product has this lot number, on
    ``expiry_date`` / ``production_date`` when they contradict each other or the
    recorded ones.
    """
    lot_no = clean_lot_no(lot_no)
    if (
        production_date is not None
        and expiry_date is not None
        and production_date > expiry_date
    ):
        raise ValidationFailed(
            {"expiry_date": ["The expiry date is before the production date."]}
        )
    lot = find_lot(product_id, lot_no)
    if lot is None:
        other = db.session.scalar(
            sa.select(Product.sku)
            .join(Lot, Lot.product_id == Product.id)
            .where(Lot.lot_no == lot_no, Lot.product_id != product_id)
            .limit(1)
        )
        if other is not None:
            raise ValidationFailed(
                {"lot": [f"Lot {lot_no} is already used for product {other}."]}
            )
        db.session.execute(
            dialect_insert(Lot.__table__)
            .values(
                product_id=product_id,
                lot_no=lot_no,
                expiry_date=expiry_date,
                production_date=production_date,
                created_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["product_id", "lot_no"])
        )
        lot = find_lot(product_id, lot_no)
        assert lot is not None
    for field, given in (
        ("expiry_date", expiry_date),
        ("production_date", production_date),
    ):
        recorded = getattr(lot, field)
        if given is None or given == recorded:
            continue
        if recorded is not None:
            what = "expires" if field == "expiry_date" else "was produced"
            raise ValidationFailed(
                {field: [f"Lot {lot_no} {what} on {recorded.isoformat()}."]}
            )
        setattr(lot, field, given)
    if (
        lot.production_date is not None
        and lot.expiry_date is not None
        and lot.production_date > lot.expiry_date
    ):
        raise ValidationFailed(
            {"expiry_date": ["The expiry date is before the production date."]}
        )
    return lot
