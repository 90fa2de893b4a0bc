"""信用控制 credit control: one exposure figure per merchant, checked against its credit
limit when an order is placed or increased.

exposure = open orders (placed, confirmed, picking) + delivered but not invoiced
+ unpaid invoices. Finance (issue 9) adds the invoice part through
``UNPAID_INVOICES``; until then it is zero.

Concurrent-safe: the check runs after the order's stock reservation, which on SQLite
already holds the database's write lock; on PostgreSQL the merchant's row is locked
(``SELECT … FOR UPDATE``) so two orders of one merchant are checked one after the other.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import sqlalchemy as sa

from supplychain.messages import msg
from supplychain.errors import CreditLimitExceeded
from supplychain.extensions import db
from supplychain.merchants.models import Merchant
from supplychain.orders.models import Order
from supplychain.orders.rules import EXPOSURE_STATUSES

ZERO = Decimal("0.00")


def _no_invoices(merchant_id: int) -> Decimal:
    return ZERO


# finance replaces this with the sum of the merchant's unpaid invoice balances
UNPAID_INVOICES: Callable[[int], Decimal] = _no_invoices


def exposure(merchant_id: int) -> Decimal:
    orders = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Order.total_amount), 0)).where(
            Order.merchant_id == merchant_id, Order.status.in_(EXPOSURE_STATUSES)
        )
    )
    return Decimal(orders or 0).quantize(Decimal("0.01")) + UNPAID_INVOICES(merchant_id)


def lock_merchant(merchant_id: int) -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            sa.select(Merchant.id).where(Merchant.id == merchant_id).with_for_update()
        )


def check(merchant: Merchant, added: Decimal, *, override_reason: str = "") -> bool:
    """Refuse ``added`` more exposure beyond the limit, unless a staff override reason
    is given. Returns True when the override was needed (so it is recorded).

    :raise CreditLimitExceeded: with the figures in ``details``.
    """
    limit = merchant.credit_limit
    if limit is None or added <= 0:
        return False
    lock_merchant(merchant.id)
    current = exposure(merchant.id)
    if current + added <= limit:
        return False
    if override_reason:
        return True
    available = max(ZERO, limit - current)
    raise CreditLimitExceeded(
        msg(
            "This order of %(amount)s would take %(merchant)s over its credit limit of "
            "%(limit)s: %(owed)s is already owed or on order, %(left)s is left.",
            amount=str(added),
            merchant=merchant.code,
            limit=str(limit),
            owed=str(current),
            left=str(available),
        ),
        details={
            "credit_limit": str(limit),
            "exposure": str(current),
            "order_amount": str(added),
            "available_credit": str(available),
        },
    )
