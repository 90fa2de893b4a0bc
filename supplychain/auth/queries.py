"""Read side for the users page."""

from __future__ import annotations

import sqlalchemy as sa

from supplychain.auth.models import User
from supplychain.merchants.models import Merchant
from supplychain.paging import matches


def users_query(q: str = "", role: str = "") -> sa.Select:
    stmt = (
        sa.select(User)
        .outerjoin(Merchant, User.merchant_id == Merchant.id)
        .order_by(User.username)
    )
    if q:
        stmt = stmt.where(
            matches(q, User.username, User.display_name, Merchant.name, Merchant.code)
        )
    if role:
        stmt = stmt.where(User.role == role)
    return stmt
