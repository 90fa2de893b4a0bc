"""The delivery calendar of the distributor and of each merchant, read from the
database (settings row, the merchant's route and group, holidays)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app

from supplychain.database import utcnow
from supplychain.errors import NotFound, ValidationFailed
from supplychain.extensions import db
from supplychain.paging import like_pattern
from supplychain.merchants.models import Merchant
from supplychain.orders.calendar import (
    DEFAULT_CUTOFF,
    DEFAULT_HORIZON_DAYS,
    DEFAULT_LEAD_DAYS,
    DEFAULT_WEEKDAYS,
    DeliveryCalendar,
    parse_weekdays,
)
from supplychain.orders.models import DeliveryHoliday, OrderingGroup, OrderingSettings

SETTINGS_ID = 1


def settings() -> OrderingSettings:
    """The distributor's settings row (an unsaved one with the defaults if none)."""
    row = db.session.get(OrderingSettings, SETTINGS_ID)
    if row is None:
        row = OrderingSettings(
            id=SETTINGS_ID,
            cutoff_time=DEFAULT_CUTOFF,
            delivery_weekdays=DEFAULT_WEEKDAYS,
            lead_days=DEFAULT_LEAD_DAYS,
            horizon_days=DEFAULT_HORIZON_DAYS,
        )
    return row


CACHE_SECONDS = 10.0  # how long another process may use a calendar before a change


@dataclass(frozen=True)
class _Snapshot:
    cutoff_time: dt.time
    weekdays: str
    lead_days: int
    horizon_days: int
    holidays: frozenset[dt.date]
    groups: dict[int, tuple[dt.time | None, str | None]]
    taken: float


def _snapshot() -> _Snapshot:
    """Settings, holidays and group overrides: read once per CACHE_SECONDS per app (an
    order would otherwise read them every time). A change made in this process is seen
    at once (``forget``); other processes see it within CACHE_SECONDS."""
    cache = current_app.extensions.setdefault("orders.calendar", {})
    snapshot = cache.get("snapshot")
    if snapshot is not None and time.monotonic() - snapshot.taken < CACHE_SECONDS:
        return snapshot
    base = settings()
    since = utcnow().date() - dt.timedelta(days=7)
    snapshot = _Snapshot(
        cutoff_time=base.cutoff_time,
        weekdays=base.delivery_weekdays,
        lead_days=base.lead_days,
        horizon_days=base.horizon_days,
        holidays=frozenset(
            db.session.scalars(
                sa.select(DeliveryHoliday.date).where(DeliveryHoliday.date >= since)
            )
        ),
        groups={
            row.id: (row.cutoff_time, row.delivery_weekdays)
            for row in db.session.execute(
                sa.select(
                    OrderingGroup.id,
                    OrderingGroup.cutoff_time,
                    OrderingGroup.delivery_weekdays,
                )
            )
        },
        taken=time.monotonic(),
    )
    cache["snapshot"] = snapshot
    return snapshot


def forget() -> None:
    """Drop the cached calendar of this app (after a change)."""
    current_app.extensions.get("orders.calendar", {}).pop("snapshot", None)


def calendar_for(merchant: Merchant | None = None) -> DeliveryCalendar:
    """The calendar that applies to ``merchant`` (its group beats its route beats the
    distributor); None gives the distributor's own."""
    snapshot = _snapshot()
    cutoff, weekdays = snapshot.cutoff_time, snapshot.weekdays
    if merchant is not None:
        for group_id in (merchant.route_id, merchant.group_id):  # later wins
            override = snapshot.groups.get(group_id) if group_id else None
            if override is None:
                continue
            cutoff = override[0] or cutoff
            weekdays = override[1] or weekdays
    return DeliveryCalendar(
        timezone=current_app.config["TIMEZONE"],
        cutoff_time=cutoff,
        weekdays=parse_weekdays(weekdays),
        holidays=snapshot.holidays,
        lead_days=snapshot.lead_days,
        horizon_days=snapshot.horizon_days,
    )


# --- changing the calendar (admin) ----------------------------------------------------


def _time_problem(value: Any) -> str | None:
    return None if isinstance(value, dt.time) else "Enter a time as HH:MM."


def _weekdays_problem(value: Any) -> str | None:
    try:
        parse_weekdays(value)
    except (TypeError, ValueError) as error:
        return str(error)
    return None


def update_settings(
    *,
    cutoff_time: dt.time,
    delivery_weekdays: str,
    lead_days: int = DEFAULT_LEAD_DAYS,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> OrderingSettings:
    errors: dict[str, list[str]] = {}
    if problem := _time_problem(cutoff_time):
        errors["cutoff_time"] = [problem]
    if problem := _weekdays_problem(delivery_weekdays):
        errors["delivery_weekdays"] = [problem]
    if not isinstance(lead_days, int) or not 1 <= lead_days <= 7:
        errors["lead_days"] = ["Between 1 and 7 days."]
    if not isinstance(horizon_days, int) or not 1 <= horizon_days <= 90:
        errors["horizon_days"] = ["Between 1 and 90 days."]
    if errors:
        raise ValidationFailed(errors)
    row = db.session.get(OrderingSettings, SETTINGS_ID)
    if row is None:
        row = OrderingSettings(id=SETTINGS_ID)
        db.session.add(row)
    row.cutoff_time = cutoff_time
    row.delivery_weekdays = "".join(sorted(set(delivery_weekdays.strip())))
    row.lead_days = lead_days
    row.horizon_days = horizon_days
    db.session.commit()
    forget()
    return row


def add_holiday(date: dt.date, name: str = "") -> DeliveryHoliday:
    if db.session.scalar(
        sa.select(DeliveryHoliday.id).where(DeliveryHoliday.date == date)
    ):
        raise ValidationFailed({"date": [f"{date} is already a holiday."]})
    row = DeliveryHoliday(date=date, name=(name or "").strip()[:100])
    db.session.add(row)
    db.session.commit()
    forget()
    return row


def remove_holiday(date: dt.date) -> None:
    row = db.session.scalar(
        sa.select(DeliveryHoliday).where(DeliveryHoliday.date == date)
    )
    if row is None:
        raise NotFound(f"{date} is not a holiday.")
    db.session.delete(row)
    db.session.commit()
    forget()


def save_group(
    code: str,
    *,
    name: str,
    kind: str = "group",
    cutoff_time: dt.time | None = None,
    delivery_weekdays: str | None = None,
) -> OrderingGroup:
    """Create or change an ordering group / route by code."""
    errors: dict[str, list[str]] = {}
    code = (code or "").strip()
    if not code or len(code) > 30:
        errors["code"] = ["1 to 30 characters."]
    if not (name or "").strip():
        errors["name"] = ["Required."]
    if kind not in ("route", "group"):
        errors["kind"] = ["route or group."]
    if cutoff_time is not None and (problem := _time_problem(cutoff_time)):
        errors["cutoff_time"] = [problem]
    if delivery_weekdays and (problem := _weekdays_problem(delivery_weekdays)):
        errors["delivery_weekdays"] = [problem]
    if errors:
        raise ValidationFailed(errors)
    row = db.session.scalar(sa.select(OrderingGroup).where(OrderingGroup.code == code))
    if row is None:
        row = OrderingGroup(code=code)
        db.session.add(row)
    row.name = name.strip()
    row.kind = kind
    row.cutoff_time = cutoff_time
    row.delivery_weekdays = (
        "".join(sorted(set(delivery_weekdays.strip()))) if delivery_weekdays else None
    )
    db.session.commit()
    forget()
    return row


def get_group(code: str) -> OrderingGroup:
    row = db.session.scalar(sa.select(OrderingGroup).where(OrderingGroup.code == code))
    if row is None:
        raise NotFound(f"No ordering group '{code}'.")
    return row


def assign_group(merchant_code: str, group_code: str | None, *, kind: str) -> Merchant:
    """Put a merchant on a route / in a group (None removes it)."""
    from supplychain.merchants.services import get_merchant

    merchant = get_merchant(merchant_code)
    group_id = None
    if group_code:
        group = get_group(group_code)
        if group.kind != kind:
            raise ValidationFailed({kind: [f"'{group_code}' is not a {kind}."]})
        group_id = group.id
    if kind == "route":
        merchant.route_id = group_id
    else:
        merchant.group_id = group_id
    db.session.commit()
    forget()
    return merchant


def holidays_query(*, since: dt.date | None = None) -> sa.Select:
    stmt = sa.select(DeliveryHoliday).order_by(DeliveryHoliday.date)
    if since is not None:
        stmt = stmt.where(DeliveryHoliday.date >= since)
    return stmt


def groups_query(kind: str | None = None, *, q: str = "") -> sa.Select:
    """Routes and groups by kind and code; ``q`` searches code and name."""
    stmt = sa.select(OrderingGroup).order_by(OrderingGroup.kind, OrderingGroup.code)
    if kind:
        stmt = stmt.where(OrderingGroup.kind == kind)
    if q:
        like = like_pattern(q)
        stmt = stmt.where(
            sa.or_(
                OrderingGroup.code.ilike(like, escape="\\"),
                OrderingGroup.name.ilike(like, escape="\\"),
            )
        )
    return stmt


def group_member_counts() -> dict[int, int]:
    """Merchants per route / group id."""
    counts: dict[int, int] = {}
    for column in (Merchant.route_id, Merchant.group_id):
        rows = db.session.execute(
            sa.select(column, sa.func.count())
            .where(column.is_not(None))
            .group_by(column)
        )
        for group_id, count in rows:
            counts[group_id] = counts.get(group_id, 0) + count
    return counts


def group_members_query(group: OrderingGroup, q: str = "") -> sa.Select:
    """The merchants on a route / in a group; ``q`` searches code and name."""
    column = Merchant.route_id if group.kind == "route" else Merchant.group_id
    stmt = sa.select(Merchant).where(column == group.id)
    if q:
        like = like_pattern(q)
        stmt = stmt.where(
            sa.or_(
                Merchant.code.ilike(like, escape="\\"),
                Merchant.name.ilike(like, escape="\\"),
            )
        )
    return stmt.order_by(Merchant.code)
