"""Order invariants for ``supplychain check``: per product and warehouse the ledger's
reserved quantity equals what open order lines hold; an order's total is the sum of
its line amounts; a closed order holds nothing."""

from __future__ import annotations

import sqlalchemy as sa

from supplychain.catalog.models import Product
from supplychain.extensions import db
from supplychain.orders.models import Order, OrderLine
from supplychain.orders.rules import OPEN_STATUSES
from supplychain.stock.models import StockLevel, Warehouse


def check_invariants() -> list[str]:
    problems: list[str] = []
    held = dict(
        (((pid, wid)), int(qty))
        for pid, wid, qty in db.session.execute(
            sa.select(
                OrderLine.product_id,
                Order.warehouse_id,
                sa.func.sum(OrderLine.reserved_qty),
            )
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.status.in_(OPEN_STATUSES))
            .group_by(OrderLine.product_id, Order.warehouse_id)
        )
    )
    reserved = {
        (pid, wid): int(qty)
        for pid, wid, qty in db.session.execute(
            sa.select(
                StockLevel.product_id, StockLevel.warehouse_id, StockLevel.reserved_qty
            ).where(StockLevel.reserved_qty != 0)
        )
    }
    for key in sorted(held.keys() | reserved.keys()):
        if held.get(key, 0) != reserved.get(key, 0):
            sku = db.session.scalar(sa.select(Product.sku).where(Product.id == key[0]))
            code = db.session.scalar(
                sa.select(Warehouse.code).where(Warehouse.id == key[1])
            )
            problems.append(
                f"reserved of {sku} in {code} is {reserved.get(key, 0)} but open "
                f"orders hold {held.get(key, 0)}"
            )
    totals = db.session.execute(
        sa.select(Order.number, Order.total_amount, sa.func.sum(OrderLine.line_amount))
        .join(OrderLine, OrderLine.order_id == Order.id)
        .group_by(Order.id, Order.number, Order.total_amount)
        .having(Order.total_amount != sa.func.sum(OrderLine.line_amount))
        .limit(20)
    ).all()
    for number, total, summed in totals:
        problems.append(
            f"order {number} total {total} is not the sum of its lines {summed}"
        )
    closed = (
        db.session.execute(
            sa.select(Order.number)
            .join(OrderLine, OrderLine.order_id == Order.id)
            .where(~Order.status.in_(OPEN_STATUSES), OrderLine.reserved_qty != 0)
            .distinct()
            .limit(20)
        )
        .scalars()
        .all()
    )
    for number in closed:
        problems.append(f"order {number} is closed but still holds reserved stock")
    return problems
