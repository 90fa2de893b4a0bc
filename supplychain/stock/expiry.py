"""进销存 the one expiry rule (保质期), used by the ledger, the queries, allocation and the
reports alike.

A lot's ``expiry_date`` is the last day it may be shipped: on that day it is still
usable, from the next day it is expired. Stock is *unusable* on a day when its lot is
expired on that day or when it lies in a quarantine bin. Unusable stock stays on hand
(it is in the building and keeps its value) until it is written off, scrapped or
released, but it is never allocated, never offered to orders and never counted as
available.

A merchant's minimum remaining shelf life moves the day the rule is applied on: stock
for a delivery on day D to a merchant asking for N days must still be usable on D + N.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from supplychain.stock.models import Bin, Location, Lot, StockBalance

NEAR_EXPIRY_DAYS = 60  # the near-expiry report's default horizon


def local_today() -> dt.date:
    """Today in the distributor's time zone (TIMEZONE)."""
    return dt.datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


def is_expired(expiry_date: dt.date | None, on: dt.date) -> bool:
    """True when a lot with this expiry date may no longer be shipped on ``on``."""
    return expiry_date is not None and expiry_date < on


def usable_from(day: dt.date, min_shelf_life_days: int | None = None) -> dt.date:
    """The day stock must still be usable on: ``day`` plus the merchant's minimum
    remaining shelf life."""
    return day + dt.timedelta(days=min_shelf_life_days or 0)


def days_left(expiry_date: dt.date | None, on: dt.date) -> int | None:
    """Days from ``on`` to the expiry date (0 = last usable day, < 0 = expired)."""
    return None if expiry_date is None else (expiry_date - on).days


def unusable_qty(
    product_id: sa.ColumnElement, warehouse_id: sa.ColumnElement, on: sa.ColumnElement
) -> sa.ScalarSelect:
    """SQL: the on-hand quantity of a product in a warehouse that is unusable on ``on``
    (expired lots and quarantine bins). Columns or bind parameters may be passed, so the
    same expression serves the reservation's conditional UPDATE and the read side."""
    b = StockBalance.__table__.c
    return (
        sa.select(sa.func.coalesce(sa.func.sum(b.on_hand_qty), 0))
        .select_from(StockBalance.__table__)
        .join(Location, Location.id == b.location_id)
        .outerjoin(Lot, Lot.id == b.lot_id)
        .outerjoin(Bin, Bin.id == Location.bin_id)
        .where(
            b.product_id == product_id,
            Location.warehouse_id == warehouse_id,
            Location.usage == "internal",
            b.on_hand_qty > 0,
            sa.or_(Lot.expiry_date < on, Bin.is_quarantine.is_(True)),
        )
        .scalar_subquery()
    )


def usable_place(lot: Lot | None, location: Location, on: dt.date) -> bool:
    """Whether stock of ``lot`` at an internal ``location`` is usable on ``on``."""
    if location.bin is not None and location.bin.is_quarantine:
        return False
    return not is_expired(lot.expiry_date if lot is not None else None, on)
