"""Order read models: the frequent-items list (常买清单) and order counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from supplychain.catalog.models import Product
from supplychain.database import utcnow
from supplychain.extensions import db
from supplychain.orders.models import Order, OrderLine

FREQUENT_DAYS = 90


@dataclass(frozen=True)
class FrequentItem:
    product: Product
    times_ordered: int  # orders in the window that had it
    total_qty: int
    last_qty: int
    last_ordered: dt.date  # delivery date of the latest order with it


def frequent_items(
    merchant_id: int,
    *,
    days: int = FREQUENT_DAYS,
    limit: int = 50,
    now: dt.datetime | None = None,
) -> list[FrequentItem]:
    """What the merchant orders most often in the last ``days`` (cancelled orders do
    not count; products no longer sold are left out), most frequent first."""
    since = (now or utcnow()).date() - dt.timedelta(days=days)
    rows = db.session.execute(
        sa.select(
            OrderLine.product_id,
            sa.func.count(sa.distinct(OrderLine.order_id)).label("times"),
            sa.func.sum(OrderLine.qty).label("total"),
            sa.func.max(Order.delivery_date).label("last_date"),
            sa.func.max(OrderLine.id).label("last_line"),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.merchant_id == merchant_id,
            Order.status != "cancelled",
            Order.delivery_date >= since,
        )
        .group_by(OrderLine.product_id)
        .order_by(sa.desc("times"), sa.desc("total"))
        .limit(limit * 2)
    ).all()
    if not rows:
        return []
    products = {
        p.id: p
        for p in db.session.scalars(
            sa.select(Product).where(
                Product.id.in_([r.product_id for r in rows]), Product.is_active
            )
        )
    }
    last_qty = dict(
        db.session.execute(
            sa.select(OrderLine.id, OrderLine.qty).where(
                OrderLine.id.in_([r.last_line for r in rows])
            )
        ).all()
    )
    items = [
        FrequentItem(
            product=products[r.product_id],
            times_ordered=int(r.times),
            total_qty=int(r.total),
            last_qty=int(last_qty.get(r.last_line, 0)),
            last_ordered=r.last_date,
        )
        for r in rows
        if r.product_id in products
    ]
    return items[:limit]


def last_order(merchant_id: int) -> Order | None:
    """The merchant's latest order that was not cancelled (for 再来一单)."""
    return db.session.scalar(
        sa.select(Order)
        .where(Order.merchant_id == merchant_id, Order.status != "cancelled")
        .order_by(Order.delivery_date.desc(), Order.id.desc())
        .limit(1)
    )
