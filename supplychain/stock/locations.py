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
    product_id: int, lot_no: str, expiry_date: dt.date | None = None
) -> Lot:
    """The product's lot ``lot_no``; created on first receipt. An expiry date given for
    a known lot must match the recorded one (a lot has one expiry); a lot recorded
    without one takes it.

    :raise ValidationFailed: on ``expiry_date`` when it contradicts the recorded one.
    """
    lot_no = clean_lot_no(lot_no)
    lot = find_lot(product_id, lot_no)
    if lot is None:
        db.session.execute(
            dialect_insert(Lot.__table__)
            .values(
                product_id=product_id,
                lot_no=lot_no,
                expiry_date=expiry_date,
                created_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["product_id", "lot_no"])
        )
        lot = find_lot(product_id, lot_no)
        assert lot is not None
    if expiry_date is not None and lot.expiry_date != expiry_date:
        if lot.expiry_date is not None:
            raise ValidationFailed(
                {
                    "expiry_date": [
                        f"Lot {lot_no} expires on {lot.expiry_date.isoformat()}."
                    ]
                }
            )
        lot.expiry_date = expiry_date
    return lot
