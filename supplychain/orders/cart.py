"""购物车 cart: what a user is about to order for a merchant, kept in the database so
it survives reloads, tabs and devices.

The cart's ``token`` changes whenever its content does; the order page posts it with
the submit, and it is the submit's idempotency key: a double click, a retry or a
second tab showing the same cart places one order, and a cart changed in another tab
since the page was shown is refused (the merchant reviews it again).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from supplychain.messages import msg
from supplychain.catalog.models import Product
from supplychain.catalog.rules import order_qty_problem
from supplychain.catalog.services import prices_for
from supplychain.errors import ValidationFailed
from supplychain.extensions import db
from supplychain.orders.models import CartLine, Order
from supplychain.orders.rules import MAX_LINE_QTY, MAX_LINES, line_amount, order_total
from supplychain.stock.queries import available_for, default_warehouse


@dataclass(frozen=True)
class CartItem:
    product: Product
    qty: int
    unit_price: Decimal
    line_amount: Decimal
    available_qty: int | None  # None: purchase-to-order, not capped
    problem: str | None  # why it cannot be ordered as it is (inactive, qty rule…)


@dataclass(frozen=True)
class Cart:
    items: list[CartItem]
    total: Decimal
    token: str

    @property
    def is_empty(self) -> bool:
        return not self.items

    @property
    def count(self) -> int:
        return len(self.items)

    def as_lines(self) -> list[dict[str, Any]]:
        return [{"sku": item.product.sku, "qty": item.qty} for item in self.items]


def _rows(user_id: int, merchant_id: int) -> list[CartLine]:
    return list(
        db.session.scalars(
            sa.select(CartLine)
            .where(CartLine.user_id == user_id, CartLine.merchant_id == merchant_id)
            .order_by(CartLine.id)
        )
    )


def token_for(rows: list[CartLine], user_id: int, merchant_id: int) -> str:
    text = f"{user_id}:{merchant_id}:" + ",".join(
        f"{row.id}={row.product_id}x{row.qty}" for row in rows
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def get_cart(user_id: int, merchant_id: int) -> Cart:
    rows = _rows(user_id, merchant_id)
    prices = prices_for([row.product_id for row in rows], merchant_id)
    warehouse = default_warehouse() if rows else None
    stock = (
        available_for([r.product_id for r in rows], warehouse.id) if warehouse else {}
    )
    items = []
    for row in rows:
        product = row.product
        price = prices[product.id].amount
        problem = None
        if not product.is_active:
            problem = msg("This product is no longer sold; remove it.")
        else:
            problem = order_qty_problem(
                row.qty, product.min_order_qty, product.order_step
            )
        available = stock.get(product.id) if product.is_stocked else None
        if problem is None and available is not None and row.qty > available:
            problem = msg("Only %(qty)s available.", qty=max(0, available))
        items.append(
            CartItem(
                product=product,
                qty=row.qty,
                unit_price=price,
                line_amount=line_amount(row.qty, price),
                available_qty=available,
                problem=problem,
            )
        )
    return Cart(
        items=items,
        total=order_total(item.line_amount for item in items),
        token=token_for(rows, user_id, merchant_id),
    )


def cart_count(user_id: int, merchant_id: int) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count(CartLine.id)).where(
                CartLine.user_id == user_id, CartLine.merchant_id == merchant_id
            )
        )
        or 0
    )


def set_qty(user_id: int, merchant_id: int, sku: str, qty: Any) -> CartLine | None:
    """Put ``qty`` of ``sku`` in the cart (0 removes it). The quantity must follow the
    product's minimum and step; stock is checked when the order is placed."""
    product = db.session.scalar(sa.select(Product).where(Product.sku == sku))
    if product is None or not product.is_active:
        raise ValidationFailed({"sku": [f"Unknown SKU '{sku}'."]})
    if isinstance(qty, bool) or not isinstance(qty, int):
        raise ValidationFailed({"qty": ["The quantity must be a whole number."]})
    if qty < 0 or qty > MAX_LINE_QTY:
        raise ValidationFailed({"qty": [f"Between 0 and {MAX_LINE_QTY:,}."]})
    row = db.session.scalar(
        sa.select(CartLine).where(
            CartLine.user_id == user_id,
            CartLine.merchant_id == merchant_id,
            CartLine.product_id == product.id,
        )
    )
    if qty == 0:
        if row is not None:
            db.session.delete(row)
            db.session.commit()
        return None
    problem = order_qty_problem(qty, product.min_order_qty, product.order_step)
    if problem:
        raise ValidationFailed({"qty": [problem]})
    if row is None:
        if cart_count(user_id, merchant_id) >= MAX_LINES:
            raise ValidationFailed(
                {"sku": [f"A cart holds at most {MAX_LINES} products."]}
            )
        row = CartLine(
            user_id=user_id, merchant_id=merchant_id, product_id=product.id, qty=qty
        )
        db.session.add(row)
    else:
        row.qty = qty
    db.session.commit()
    return row


def clear(user_id: int, merchant_id: int) -> None:
    db.session.execute(
        sa.delete(CartLine).where(
            CartLine.user_id == user_id, CartLine.merchant_id == merchant_id
        )
    )
    db.session.commit()


def add_lines(
    user_id: int, merchant_id: int, lines: list[tuple[int, int]]
) -> tuple[list[Product], list[str]]:
    """Add ``(product_id, qty)`` lines to the cart (adding to what is there, rounded up
    to a valid quantity). Inactive products are skipped. Returns (added, skipped
    SKUs)."""
    from supplychain.catalog.rules import round_up_order_qty

    products = {
        p.id: p
        for p in db.session.scalars(
            sa.select(Product).where(Product.id.in_({pid for pid, _ in lines}))
        )
    }
    existing = {row.product_id: row for row in _rows(user_id, merchant_id)}
    added, skipped = [], []
    for product_id, qty in lines:
        product = products.get(product_id)
        if product is None:
            continue
        if not product.is_active:
            skipped.append(product.sku)
            continue
        row = existing.get(product_id)
        total = round_up_order_qty(
            (row.qty if row else 0) + qty, product.min_order_qty, product.order_step
        )
        total = min(total, MAX_LINE_QTY)
        if row is None:
            row = CartLine(
                user_id=user_id,
                merchant_id=merchant_id,
                product_id=product_id,
                qty=total,
            )
            db.session.add(row)
            existing[product_id] = row
        else:
            row.qty = total
        added.append(product)
    db.session.commit()
    return added, skipped


def repeat_order(user_id: int, order: Order) -> tuple[list[Product], list[str]]:
    """再来一单: put a past order's lines in the cart at today's prices."""
    return add_lines(
        user_id,
        order.merchant_id,
        [(line.product_id, line.qty) for line in order.lines],
    )
