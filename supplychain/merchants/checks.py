"""商户数据检查 merchant invariants for `supplychain check` (a list of problems; empty = all
hold).

- every merchant user belongs to an existing merchant, and staff users to none;
- every active merchant has coordinates, within range;
- delivery windows are complete and end after they start; credit limits are not
  negative;
- codes follow the code pattern; a merchant has at most one primary contact.
"""

from __future__ import annotations

import sqlalchemy as sa

from supplychain.auth.models import User
from supplychain.extensions import db
from supplychain.merchants.models import Merchant, MerchantContact
from supplychain.merchants.values import KINDS, is_valid_code

_SHOW = 20  # name at most this many offenders per check


def _report(what: str, names: list[str]) -> list[str]:
    if not names:
        return []
    shown = ", ".join(names[:_SHOW]) + (
        f" … ({len(names)} in all)" if len(names) > _SHOW else ""
    )
    return [f"{what}: {shown}"]


def _users_without_merchant() -> list[str]:
    orphans = db.session.scalars(
        sa.select(User.username)
        .outerjoin(Merchant, User.merchant_id == Merchant.id)
        .where(User.role == "merchant", Merchant.id.is_(None))
        .order_by(User.username)
    )
    staff = db.session.scalars(
        sa.select(User.username)
        .where(User.role != "merchant", User.merchant_id.is_not(None))
        .order_by(User.username)
    )
    return _report(
        "merchant users without an existing merchant", list(orphans)
    ) + _report("staff users attached to a merchant", list(staff))


def _merchant_rows() -> list[str]:
    problems: dict[str, list[str]] = {}
    m = Merchant
    rows = db.session.execute(
        sa.select(
            m.code, m.is_active, m.lat, m.lon, m.kind, m.delivery_window_start,
            m.delivery_window_end, m.credit_limit,
        ).order_by(m.code)
    )  # fmt: skip
    for code, active, lat, lon, kind, start, end, credit in rows:
        if active and (lat is None or lon is None):
            problems.setdefault("active merchants without coordinates", []).append(code)
        if (lat is not None and not -90 <= lat <= 90) or (
            lon is not None and not -180 <= lon <= 180
        ):
            problems.setdefault("merchants with coordinates out of range", []).append(
                code
            )
        if (start is None) != (end is None) or (start is not None and start >= end):
            problems.setdefault("merchants with a broken delivery window", []).append(
                code
            )
        if credit is not None and credit < 0:
            problems.setdefault("merchants with a negative credit limit", []).append(
                code
            )
        if kind not in KINDS:
            problems.setdefault("merchants of an unknown kind", []).append(code)
        if not is_valid_code(code):
            problems.setdefault("merchants with an invalid code", []).append(repr(code))
    return [line for what, codes in problems.items() for line in _report(what, codes)]


def _primary_contacts() -> list[str]:
    codes = db.session.scalars(
        sa.select(Merchant.code)
        .join(MerchantContact)
        .where(MerchantContact.is_primary.is_(True))
        .group_by(Merchant.code)
        .having(sa.func.count(MerchantContact.id) > 1)
        .order_by(Merchant.code)
    )
    return _report("merchants with more than one primary contact", list(codes))


def check_invariants() -> list[str]:
    return _users_without_merchant() + _merchant_rows() + _primary_contacts()
