"""商户查询 merchant read side: list and search selects, map points, form options."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from supplychain.auth.models import User
from supplychain.catalog.models import PriceGrade
from supplychain.extensions import db
from supplychain.paging import like_pattern
from supplychain.merchants.access import scope_to_user
from supplychain.merchants.models import Merchant


def merchants_query(
    q: str = "",
    *,
    kind: str = "",
    active: bool | None = None,
    district: str = "",
    user: Any = None,
) -> sa.Select:  # type: ignore[type-arg]
    """Merchants by code, searching code, names, address, district, phone and contact
    (``q`` is a literal substring: % and _ match themselves). With ``user`` the list is
    scoped to what that user may see."""
    stmt = sa.select(Merchant).order_by(Merchant.code)
    if q.strip():
        like = like_pattern(q)
        columns = (
            Merchant.code, Merchant.name, Merchant.name_en, Merchant.address,
            Merchant.district, Merchant.phone, Merchant.contact_name,
        )  # fmt: skip
        stmt = stmt.where(
            sa.or_(*(column.ilike(like, escape="\\") for column in columns))
        )
    if kind:
        stmt = stmt.where(Merchant.kind == kind)
    if active is not None:
        stmt = stmt.where(Merchant.is_active.is_(active))
    if district:
        stmt = stmt.where(Merchant.district == district)
    if user is not None:
        stmt = scope_to_user(stmt, Merchant.id, user)
    return stmt


def merchant_users(merchant_id: int) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.merchant_id == merchant_id)
            .order_by(User.username)
        )
    )


def mappable_merchants(kind: str = "") -> list[sa.Row[Any]]:
    """Active merchants with coordinates, for the map: rows (code, name, kind, lat,
    lon), only the columns the map needs (it draws all ~2,000 at once)."""
    stmt = (
        sa.select(
            Merchant.code, Merchant.name, Merchant.kind, Merchant.lat, Merchant.lon
        )
        .where(
            Merchant.is_active.is_(True),
            Merchant.lat.is_not(None),
            Merchant.lon.is_not(None),
        )
        .order_by(Merchant.code)
    )
    if kind:
        stmt = stmt.where(Merchant.kind == kind)
    return list(db.session.execute(stmt))


def districts() -> list[str]:
    stmt = (
        sa.select(Merchant.district)
        .where(Merchant.district != "")
        .distinct()
        .order_by(Merchant.district)
    )
    return list(db.session.scalars(stmt))


def price_grade_options() -> list[tuple[str, str]]:
    """(code, "code · name") for every price grade, for form selects."""
    rows = db.session.execute(
        sa.select(PriceGrade.code, PriceGrade.name).order_by(PriceGrade.code)
    )
    return [(code, f"{code} · {name}") for code, name in rows]
