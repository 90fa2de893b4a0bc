"""商户数据隔离 tenancy: which merchants' data a user may see.

Staff see every merchant; a merchant user sees only its own merchant; anyone else
(anonymous, deactivated, a merchant user without a merchant) sees nothing. Another
merchant's record is reported as missing (NotFound → 404), never as forbidden, so ids
and codes leak nothing. Every feature that lists or loads merchant-owned rows goes
through these helpers.
"""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa

from supplychain.errors import NotFound
from supplychain.extensions import db
from supplychain.merchants.models import Merchant

SelectT = TypeVar("SelectT", bound=sa.Select)  # type: ignore[type-arg]


def visible_merchant_ids(user: Any) -> set[int] | None:
    """None when the user sees every merchant (staff); otherwise the ids it may see."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    if not getattr(user, "is_active", False):
        return set()
    if getattr(user, "role", None) != "merchant":
        return None
    merchant_id = getattr(user, "merchant_id", None)
    return {merchant_id} if merchant_id is not None else set()


def can_see_merchant(user: Any, merchant_id: int | None) -> bool:
    ids = visible_merchant_ids(user)
    return ids is None or (merchant_id is not None and merchant_id in ids)


def scope_to_user(stmt: SelectT, merchant_id_column: Any, user: Any) -> SelectT:
    """Add the tenancy filter to a select: unchanged for staff, ``column IN (own id)``
    for a merchant user, and no rows at all for anyone else."""
    ids = visible_merchant_ids(user)
    if ids is None:
        return stmt
    if not ids:
        return stmt.where(sa.false())
    return stmt.where(merchant_id_column.in_(sorted(ids)))


def ensure_visible(user: Any, merchant_id: int | None, what: str = "record") -> None:
    """Raise NotFound unless the user may see rows of this merchant (for loaded
    documents)."""
    if not can_see_merchant(user, merchant_id):
        raise NotFound(f"No such {what}.")


def get_visible_merchant(user: Any, code_or_id: str | int) -> Merchant:
    """The merchant by code (str) or id (int), if the user may see it.

    :raise NotFound: unknown, or another merchant's (tenancy hides existence).
    """
    if isinstance(code_or_id, int) and not isinstance(code_or_id, bool):
        stmt = sa.select(Merchant).where(Merchant.id == code_or_id)
    else:
        stmt = sa.select(Merchant).where(Merchant.code == str(code_or_id))
    merchant = db.session.scalar(scope_to_user(stmt, Merchant.id, user))
    if merchant is None:
        raise NotFound(f"No merchant {code_or_id!r}.")
    return merchant
