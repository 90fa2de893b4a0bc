"""商户管理 merchant use cases: create, update and deactivate merchants, their contacts and
their users.

Every writing function commits exactly once or raises a DomainError with nothing
written. Spreadsheet import/export lives in ``spreadsheets.py``; list reads in
``queries.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from supplychain.auth import services as auth_services
from supplychain.auth.models import User
from supplychain.catalog.models import PriceGrade
from supplychain.errors import Conflict, DuplicateKey, NotFound, ValidationFailed
from supplychain.extensions import db
from supplychain.merchants.models import Merchant, MerchantContact
from supplychain.merchants.values import PHONE_RE, problems_of
from supplychain.messages import msg

# what create_merchant / update_merchant accept besides the code
MERCHANT_FIELDS = (
    "name", "name_en", "kind", "address", "district", "lat", "lon", "price_grade",
    "credit_limit", "delivery_window", "payment_terms_days", "contact_name", "phone",
    "note", "is_active", "min_shelf_life_days",
)  # fmt: skip
# a merchant's minimum remaining shelf life on delivery (days; None = no minimum)
MAX_MIN_SHELF_LIFE_DAYS = 3650
CONTACT_FIELDS = ("name", "role", "phone", "wechat", "is_primary")
_TEXT_FIELDS = (
    "name",
    "name_en",
    "address",
    "district",
    "contact_name",
    "phone",
    "note",
)


# --- look-ups -------------------------------------------------------------------------


def merchant_id_for_code(code: str) -> int:
    merchant_id = db.session.scalar(sa.select(Merchant.id).where(Merchant.code == code))
    if merchant_id is None:
        raise NotFound(f"No merchant with code {code!r}.")
    return merchant_id


def get_merchant(code: str) -> Merchant:
    """The merchant with this code, active or not (staff look-up; merchant users go
    through ``access.get_visible_merchant``). :raise NotFound: unknown code."""
    merchant = db.session.scalar(sa.select(Merchant).where(Merchant.code == code))
    if merchant is None:
        raise NotFound(f"No merchant with code {code!r}.")
    return merchant


def price_grade_id_for(code: str | None) -> int | None:
    """The id of a price grade by code; None for no grade.
    :raise ValidationFailed: unknown grade."""
    if code is None or code == "":
        return None
    grade_id = db.session.scalar(
        sa.select(PriceGrade.id).where(PriceGrade.code == code)
    )
    if grade_id is None:
        raise ValidationFailed({"price_grade": [f"Unknown price grade {code!r}."]})
    return grade_id


# --- merchants ------------------------------------------------------------------------


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(MERCHANT_FIELDS)
    if unknown:
        raise TypeError(f"unknown merchant fields: {sorted(unknown)}")
    return {
        key: (
            value.strip() if key in _TEXT_FIELDS and isinstance(value, str) else value
        )
        for key, value in values.items()
    }


def apply_merchant_values(merchant: Merchant, values: Mapping[str, Any]) -> None:
    """Copy checked values onto a merchant (``price_grade`` is a grade code,
    ``delivery_window`` a pair of times or None). No commit: the caller owns the
    transaction.
    """
    for field, value in values.items():
        if field == "price_grade":
            merchant.price_grade_id = price_grade_id_for(value)
        elif field == "delivery_window":
            merchant.delivery_window_start, merchant.delivery_window_end = value or (
                None,
                None,
            )
        elif field == "lat" or field == "lon":
            setattr(merchant, field, None if value is None else float(value))
        else:
            setattr(merchant, field, value)


def _shelf_life_problems(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """``min_shelf_life_days``: None (no minimum) or whole days from 0 to 3650."""
    days = values.get("min_shelf_life_days")
    if days is None:
        return {}
    if isinstance(days, bool) or not isinstance(days, int):
        return {"min_shelf_life_days": [msg("Must be a whole number of days.")]}
    if not 0 <= days <= MAX_MIN_SHELF_LIFE_DAYS:
        return {
            "min_shelf_life_days": [
                msg(
                    "Must be between 0 and %(max)s days.",
                    max=MAX_MIN_SHELF_LIFE_DAYS,
                )
            ]
        }
    return {}


def check_merchant(merchant: Merchant) -> None:
    """The record-level rule that single fields cannot express: an active merchant has
    coordinates (routes and the map need them). :raise ValidationFailed:"""
    if merchant.is_active and not merchant.has_coordinates:
        field = "lat" if merchant.lat is None else "lon"
        raise ValidationFailed({field: ["An active merchant needs coordinates."]})


def _commit_or_duplicate(code: str) -> None:
    """Commit; a unique violation from a concurrent create becomes DuplicateKey."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if db.session.scalar(sa.select(Merchant.id).where(Merchant.code == code)):
            raise DuplicateKey("code", code) from None
        raise


def create_merchant(code: str, **values: Any) -> Merchant:
    """Create an active merchant. ``name``, ``lat`` and ``lon`` are required; the rest
    as in ``MERCHANT_FIELDS`` (``credit_limit`` None = unlimited, ``payment_terms_days``
    0 = cash on delivery). :raise ValidationFailed: bad values or unknown price grade;
    :raise DuplicateKey: the code is taken."""
    values = _clean(values)
    code = code.strip() if isinstance(code, str) else code
    problems = problems_of({"code": code} | values, creating=True)
    problems |= _shelf_life_problems(values)
    if problems:
        raise ValidationFailed(problems)
    if db.session.scalar(sa.select(Merchant.id).where(Merchant.code == code)):
        raise DuplicateKey("code", code)
    merchant = Merchant(code=code, is_active=True)
    apply_merchant_values(merchant, values)
    check_merchant(merchant)
    db.session.add(merchant)
    _commit_or_duplicate(code)
    return merchant


def update_merchant(code: str, **changes: Any) -> Merchant:
    """Change some fields of a merchant (the code is the natural key and never changes).
    Giving ``credit_limit=None`` makes the limit unlimited, ``delivery_window=None``
    removes the window, ``min_shelf_life_days=None`` the minimum remaining shelf life
    (0–3650 days otherwise). :raise NotFound:, :raise ValidationFailed:"""
    changes = _clean(changes)
    problems = problems_of(changes) | _shelf_life_problems(changes)
    if problems:
        raise ValidationFailed(problems)
    merchant = get_merchant(code)
    try:
        apply_merchant_values(merchant, changes)
        check_merchant(merchant)
    except ValidationFailed:
        db.session.rollback()
        raise
    db.session.commit()
    return merchant


def set_merchant_active(code: str, active: bool) -> Merchant:
    """Deactivate (no new orders, hidden from the map) or reactivate a merchant.
    Merchants are never deleted: orders, invoices and the audit log refer to them. Its
    users keep their logins so they can still read their history."""
    merchant = get_merchant(code)
    merchant.is_active = active
    try:
        check_merchant(merchant)
    except ValidationFailed:
        db.session.rollback()
        raise
    db.session.commit()
    return merchant


def deactivate_merchant(code: str) -> Merchant:
    return set_merchant_active(code, False)


# --- contacts -------------------------------------------------------------------------


def _contact_problems(
    values: Mapping[str, Any], *, creating: bool
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    limits = {"name": 80, "role": 40, "phone": 40, "wechat": 60}
    if (creating or "name" in values) and not str(values.get("name") or "").strip():
        problems["name"] = ["Required."]
    for field, limit in limits.items():
        if len(str(values.get(field) or "")) > limit:
            problems.setdefault(field, []).append(f"At most {limit} characters.")
    if values.get("phone") and not PHONE_RE.fullmatch(str(values["phone"]).strip()):
        problems.setdefault("phone", []).append(
            "Digits, spaces, '+', '-' and brackets only."
        )
    return problems


def _clear_primary(merchant: Merchant) -> None:
    for contact in merchant.contacts:
        contact.is_primary = False
    # flushed before the new primary, so the partial unique index never sees two
    db.session.flush()


def add_contact(merchant_code: str, **values: Any) -> MerchantContact:
    """Add a contact person; ``is_primary=True`` takes the primary role from others."""
    unknown = set(values) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"unknown contact fields: {sorted(unknown)}")
    problems = _contact_problems(values, creating=True)
    if problems:
        raise ValidationFailed(problems)
    merchant = get_merchant(merchant_code)
    if values.get("is_primary"):
        _clear_primary(merchant)
    contact = MerchantContact(
        **{k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
    )
    merchant.contacts.append(contact)
    db.session.commit()
    return contact


def _get_contact(merchant_code: str, contact_id: int) -> MerchantContact:
    contact = db.session.scalar(
        sa.select(MerchantContact)
        .join(Merchant)
        .where(MerchantContact.id == contact_id, Merchant.code == merchant_code)
    )
    if contact is None:
        raise NotFound("No such contact.")
    return contact


def update_contact(
    merchant_code: str, contact_id: int, **changes: Any
) -> MerchantContact:
    unknown = set(changes) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"unknown contact fields: {sorted(unknown)}")
    problems = _contact_problems(changes, creating=False)
    if problems:
        raise ValidationFailed(problems)
    contact = _get_contact(merchant_code, contact_id)
    for field, value in changes.items():
        if field != "is_primary":
            setattr(contact, field, value.strip() if isinstance(value, str) else value)
    if changes.get("is_primary") and not contact.is_primary:
        _clear_primary(contact.merchant)
    if "is_primary" in changes:
        contact.is_primary = bool(changes["is_primary"])
    db.session.commit()
    return contact


def remove_contact(merchant_code: str, contact_id: int) -> None:
    contact = _get_contact(merchant_code, contact_id)
    db.session.delete(contact)
    db.session.commit()


# --- users ----------------------------------------------------------------------------


def create_merchant_user(
    merchant_code: str, username: str, password: str, *, display_name: str = ""
) -> User:
    """A login for the merchant's staff (role ``merchant``), which sees only this
    merchant.
    :raise NotFound: unknown merchant; :raise Conflict: the merchant is inactive;
    :raise ValidationFailed: / :raise DuplicateKey: from the user rules."""
    merchant = get_merchant(merchant_code)
    if not merchant.is_active:
        raise Conflict(f"Merchant {merchant_code} is inactive; reactivate it first.")
    return auth_services.create_user(
        username,
        password,
        role="merchant",
        merchant_id=merchant.id,
        display_name=display_name,
    )
