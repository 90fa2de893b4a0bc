"""Read side for the users page."""

from __future__ import annotations

import sqlalchemy as sa

from supplychain.auth.models import User
from supplychain.merchants.models import Merchant


def users_query(q: str = "", role: str = "") -> sa.Select:
    stmt = (
        sa.select(User)
        .outerjoin(Merchant, User.merchant_id == Merchant.id)
        .order_by(User.username)
    )
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(
            sa.or_(
                User.username.ilike(like),
                User.display_name.ilike(like),
                Merchant.name.ilike(like),
                Merchant.code.ilike(like),
            )
        )
    if role:
        stmt = stmt.where(User.role == role)
    return stmt
