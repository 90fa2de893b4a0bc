"""周期送 standing orders: a merchant's weekly pattern (e.g. Mon/Thu 2 boxes of 艾灸贴)
turned into real orders before each cutoff by the scheduler (``generate_due``).

Rules
- A standing order belongs to one merchant; a merchant user sees and edits only its
  own (another merchant's is NotFound), staff any. Lines are checked like an order's
  (``services.check_lines``); the weekdays must be delivery weekdays of the merchant's
  calendar.
- ``generate_due(now)``: for every active standing order of an active merchant, D = the
  merchant's next open delivery date. If D's weekday is in the pattern and D lies within
  start/end, the order for D is placed with ``source="standing"``, unless it already
  was. A refusal (short stock, credit, a product no longer sold) records a *skipped*
  run with the reason, shown to the merchant, and is tried again on every later run
  while D is still open (its cutoff has not passed).
- Idempotent: one ``StandingOrderRun`` per (standing order, date) and one order per
  (standing order, date) are unique in the database, so running the generator twice —
  or two schedulers at once — never creates an order twice.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from supplychain.database import utcnow
from supplychain.errors import (
    CreditLimitExceeded,
    DomainError,
    NotFound,
    OutOfStock,
    ValidationFailed,
)
from supplychain.extensions import db
from supplychain.paging import matches
from supplychain.merchants.access import scope_to_user
from supplychain.merchants.models import Merchant
from supplychain.orders import services
from supplychain.orders.calendar import DeliveryCalendar, parse_weekdays
from supplychain.orders.models import (
    Order,
    StandingOrder,
    StandingOrderLine,
    StandingOrderRun,
)
from supplychain.orders.schedule import calendar_for
from supplychain.stock.locations import dialect_insert

log = logging.getLogger(__name__)

MAX_NAME = 100
MAX_PER_MERCHANT = 50  # a merchant with more patterns than this is a typing accident
WEEKDAY_NAMES = {1: "Mon", 2: "Tue", 3: "Wed", 4: "Thu", 5: "Fri", 6: "Sat", 7: "Sun"}
NOTICE_DAYS = 7  # skipped runs shown to the merchant: delivery dates from a week ago
_SEARCH_DAYS = 400


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()  # "leave this field as it is" in updates


@dataclass
class GenerateReport:
    """What one generator run did: orders created (numbers), standing orders skipped
    with the reason, and how many had nothing to do."""

    created: list[str] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    unchanged: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)  # unexpected errors

    def summary(self) -> str:
        text = (
            f"{len(self.created)} created, {len(self.skipped)} skipped, "
            f"{self.unchanged} unchanged"
        )
        return text + (f", {len(self.failed)} failed" if self.failed else "")


def weekday_names(weekdays: str) -> str:
    """ "14" → "Mon, Thu"."""
    return ", ".join(WEEKDAY_NAMES[int(ch)] for ch in sorted(set(weekdays)))


# --- reading --------------------------------------------------------------------------


def standing_orders_query(
    user: Any,
    *,
    merchant_id: int | None = None,
    q: str = "",
    active: bool | None = None,
) -> sa.Select:
    """Standing orders the user may see (merchant users: their own), newest first."""
    stmt = sa.select(StandingOrder).join(
        Merchant, Merchant.id == StandingOrder.merchant_id
    )
    if merchant_id is not None:
        stmt = stmt.where(StandingOrder.merchant_id == merchant_id)
    if active is not None:
        stmt = stmt.where(StandingOrder.is_active.is_(active))
    if q.strip():
        stmt = stmt.where(matches(q, StandingOrder.name, Merchant.code, Merchant.name))
    stmt = scope_to_user(stmt, StandingOrder.merchant_id, user)
    return stmt.order_by(StandingOrder.id.desc())


def list_standing_orders(user: Any, **filters: Any) -> list[StandingOrder]:
    return list(db.session.scalars(standing_orders_query(user, **filters)))


def get_standing_order(user: Any, standing_id: int) -> StandingOrder:
    """A standing order the user may see.

    :raise NotFound: unknown, or another merchant's (tenancy hides existence)."""
    if isinstance(standing_id, bool) or not isinstance(standing_id, int):
        raise NotFound(f"No standing order {standing_id}.")
    stmt = sa.select(StandingOrder).where(StandingOrder.id == standing_id)
    found = db.session.scalar(scope_to_user(stmt, StandingOrder.merchant_id, user))
    if found is None:
        raise NotFound(f"No standing order {standing_id}.")
    return found


def is_due_on(standing: StandingOrder, day: dt.date) -> bool:
    """The pattern asks for an order delivered on ``day`` (weekday and date range)."""
    if str(day.isoweekday()) not in standing.weekdays:
        return False
    if standing.start_date is not None and day < standing.start_date:
        return False
    return standing.end_date is None or day <= standing.end_date


def next_run_date(
    standing: StandingOrder,
    now: dt.datetime | None = None,
    *,
    calendar: DeliveryCalendar | None = None,
) -> dt.date | None:
    """The next delivery date this standing order orders for (None: never again —
    ended, or its weekdays are no longer delivery days)."""
    now = now or utcnow()
    calendar = calendar or calendar_for(standing.merchant)
    day = calendar.next_delivery_date(now)
    for _ in range(_SEARCH_DAYS):
        if standing.end_date is not None and day > standing.end_date:
            return None
        if calendar.is_delivery_day(day) and is_due_on(standing, day):
            return day
        day += dt.timedelta(days=1)
    return None


def next_run_dates(
    standings: Iterable[StandingOrder], now: dt.datetime | None = None
) -> dict[int, dt.date | None]:
    """``next_run_date`` for a page of standing orders (one calendar per route and
    group combination)."""
    now = now or utcnow()
    calendars: dict[Any, DeliveryCalendar] = {}
    return {
        s.id: next_run_date(s, now, calendar=_calendar(s.merchant, calendars))
        for s in standings
    }


def recent_runs(standing_id: int, limit: int = 20) -> list[StandingOrderRun]:
    return list(
        db.session.scalars(
            sa.select(StandingOrderRun)
            .where(StandingOrderRun.standing_order_id == standing_id)
            .order_by(StandingOrderRun.delivery_date.desc())
            .limit(limit)
        )
    )


def order_numbers(order_ids: Iterable[int | None]) -> dict[int, str]:
    """Order id → number, for showing runs with a link to their order."""
    ids = sorted({i for i in order_ids if i is not None})
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Order.id, Order.number).where(Order.id.in_(ids))
    )
    return dict(rows.tuples().all())


def skipped_notices(
    user: Any, *, now: dt.datetime | None = None, limit: int = 20
) -> list[StandingOrderRun]:
    """Skipped runs of the user's standing orders for recent and upcoming delivery
    dates, newest first (what the merchant must know: an order it counts on was not
    placed)."""
    now = now or utcnow()
    since = calendar_for(None).local_date(now) - dt.timedelta(days=NOTICE_DAYS)
    stmt = (
        sa.select(StandingOrderRun)
        .join(StandingOrder, StandingOrder.id == StandingOrderRun.standing_order_id)
        .where(
            StandingOrderRun.outcome == "skipped",
            StandingOrderRun.delivery_date >= since,
        )
        .order_by(StandingOrderRun.delivery_date.desc(), StandingOrderRun.id.desc())
        .limit(limit)
    )
    return list(
        db.session.scalars(scope_to_user(stmt, StandingOrder.merchant_id, user))
    )


def run_details(run: StandingOrderRun) -> list[str]:
    """The short lines stored with a skipped run (e.g. "SKU01 艾灸贴: 5 wanted, 2
    available")."""
    try:
        value = json.loads(run.details or "[]")
    except ValueError:
        return []
    return [str(item) for item in value] if isinstance(value, list) else []


# --- validation -----------------------------------------------------------------------


def _name_problem(name: Any) -> str | None:
    if not isinstance(name, str):
        return "Not a valid string."
    if len(name.strip()) > MAX_NAME:
        return f"At most {MAX_NAME} characters."
    return None


def _normalise_weekdays(value: Any) -> str:
    """ "41", [4, 1] or {1, 4} → "14"; ValueError with the message otherwise."""
    if value in ("", None) or (not isinstance(value, str) and not value):
        raise ValueError("Choose at least one weekday.")
    if isinstance(value, str):
        text = value.strip()
    elif isinstance(value, Iterable):
        items = list(value)
        if any(isinstance(i, bool) or not isinstance(i, int) for i in items):
            raise ValueError("Weekdays are numbers 1 (Monday) to 7 (Sunday).")
        text = "".join(str(i) for i in items)
    else:
        raise ValueError("Weekdays are numbers 1 (Monday) to 7 (Sunday).")
    return "".join(str(d) for d in sorted(parse_weekdays(text)))


def _weekdays_problem(weekdays: Any, calendar: DeliveryCalendar) -> tuple[str, str]:
    """(normalised weekdays, problem or "")."""
    try:
        normal = _normalise_weekdays(weekdays)
    except (TypeError, ValueError) as error:
        return "", str(error) or "Choose at least one weekday."
    outside = [int(ch) for ch in normal if int(ch) not in calendar.weekdays]
    if outside:
        allowed = "".join(str(d) for d in sorted(calendar.weekdays))
        return normal, (
            f"{weekday_names(''.join(map(str, outside)))}: no deliveries to this store "
            f"on that day; its delivery days are {weekday_names(allowed)}."
        )
    return normal, ""


def _date_problem(value: Any) -> str | None:
    if value is not None and (
        not isinstance(value, dt.date) or isinstance(value, dt.datetime)
    ):
        return "Not a valid date (YYYY-MM-DD)."
    return None


def _check_dates(
    clean: dict[str, Any],
    errors: dict[str, Any],
    given: dict[str, Any],
    current: tuple[dt.date | None, dt.date | None],
    today: dt.date,
) -> None:
    """Start and end dates: real dates, a new end date not passed, end ≥ start."""
    for key, value in given.items():
        if value is not UNSET:
            if problem := _date_problem(value):
                errors[key] = [problem]
            clean[key] = value
    start = clean.get("start_date", current[0])
    end = clean.get("end_date", current[1])
    if end is None or errors.keys() & {"start_date", "end_date"}:
        return
    if "end_date" in clean and end < today:
        errors["end_date"] = ["The end date has passed."]
    elif start is not None and end < start:
        errors["end_date"] = ["The end date is before the start date."]


def _check(
    merchant: Merchant,
    *,
    name: Any = UNSET,
    weekdays: Any = UNSET,
    lines: Any = UNSET,
    start_date: Any = UNSET,
    end_date: Any = UNSET,
    current: tuple[dt.date | None, dt.date | None] = (None, None),
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The given fields checked, every problem at once (ValidationFailed); returns
    the clean values (``lines`` as [(product, qty)]). UNSET fields are not checked:
    an old standing order may be paused or renamed even if a product was delisted.
    ``current`` = the (start, end) dates kept when not given."""
    errors: dict[str, Any] = {}
    clean: dict[str, Any] = {}
    if name is not UNSET:
        if problem := _name_problem(name):
            errors["name"] = [problem]
        else:
            clean["name"] = name.strip()
    calendar = calendar_for(merchant)
    if weekdays is not UNSET:
        clean["weekdays"], problem = _weekdays_problem(weekdays, calendar)
        if problem:
            errors["weekdays"] = [problem]
    if lines is not UNSET:
        try:
            clean["lines"] = services.check_lines(lines)
        except ValidationFailed as error:
            errors.update(error.errors)
    dates = {"start_date": start_date, "end_date": end_date}
    _check_dates(clean, errors, dates, current, calendar.local_date(now or utcnow()))
    if errors:
        raise ValidationFailed(errors)
    return clean


def _set_lines(standing: StandingOrder, wanted: list[tuple[Any, int]]) -> None:
    existing = {line.product_id: line for line in standing.lines}
    keep = {product.id for product, _ in wanted}
    for product_id, line in existing.items():
        if product_id not in keep:
            standing.lines.remove(line)
    db.session.flush()  # the unique (standing order, product) row is gone first
    for product, qty in wanted:
        line = existing.get(product.id)
        if line is None:
            standing.lines.append(StandingOrderLine(product_id=product.id, qty=qty))
        else:
            line.qty = qty


def _commit(work: Any) -> Any:
    try:
        result = work()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result


# --- writing --------------------------------------------------------------------------


def create_standing_order(
    user: Any,
    *,
    merchant_code: str | None = None,
    name: str = "",
    weekdays: Any,
    lines: Any,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    now: dt.datetime | None = None,
) -> StandingOrder:
    """Create a standing order (a merchant user for its own merchant; staff name the
    merchant, like orders).

    :raise ValidationFailed: field → messages, every problem at once."""

    def work() -> StandingOrder:
        merchant = services.resolve_merchant(user, merchant_code)
        clean = _check(
            merchant, name=name, weekdays=weekdays, lines=lines,
            start_date=start_date, end_date=end_date, now=now,
        )  # fmt: skip
        count = db.session.scalar(
            sa.select(sa.func.count(StandingOrder.id)).where(
                StandingOrder.merchant_id == merchant.id
            )
        )
        if count >= MAX_PER_MERCHANT:
            raise ValidationFailed(
                {
                    "_schema": [
                        f"A store has at most {MAX_PER_MERCHANT} standing orders."
                    ]
                }
            )
        standing = StandingOrder(
            merchant_id=merchant.id,
            name=clean["name"],
            weekdays=clean["weekdays"],
            start_date=start_date,
            end_date=end_date,
            is_active=True,
            created_by_id=getattr(user, "id", None),
        )
        standing.merchant = merchant
        db.session.add(standing)
        _set_lines(standing, clean["lines"])
        return standing

    return _commit(work)


def update_standing_order(
    user: Any,
    standing_id: int,
    *,
    name: Any = UNSET,
    weekdays: Any = UNSET,
    lines: Any = UNSET,
    start_date: Any = UNSET,
    end_date: Any = UNSET,
    is_active: Any = UNSET,
    now: dt.datetime | None = None,
) -> StandingOrder:
    """Change some fields (UNSET = unchanged; dates None = open-ended). Orders already
    generated stay as they are; the change applies from the next generated order."""

    def work() -> StandingOrder:
        standing = get_standing_order(user, standing_id)
        clean = _check(
            standing.merchant, name=name, weekdays=weekdays, lines=lines,
            start_date=start_date, end_date=end_date,
            current=(standing.start_date, standing.end_date), now=now,
        )  # fmt: skip
        if is_active is not UNSET:
            if not isinstance(is_active, bool):
                raise ValidationFailed({"is_active": ["Not a valid boolean."]})
            standing.is_active = is_active
        for key in ("name", "weekdays", "start_date", "end_date"):
            if key in clean:
                setattr(standing, key, clean[key])
        if "lines" in clean:
            _set_lines(standing, clean["lines"])
        return standing

    return _commit(work)


def set_standing_order_active(
    user: Any, standing_id: int, active: bool
) -> StandingOrder:
    """Pause (False) or resume (True) a standing order."""

    def work() -> StandingOrder:
        standing = get_standing_order(user, standing_id)
        standing.is_active = bool(active)
        return standing

    return _commit(work)


def delete_standing_order(user: Any, standing_id: int) -> None:
    """Delete a standing order and its runs. Orders it generated stay (with source
    "standing"); they only lose the link."""

    def work() -> None:
        standing = get_standing_order(user, standing_id)
        for order in db.session.scalars(
            sa.select(Order).where(Order.standing_order_id == standing.id)
        ):
            order.standing_order_id = None
        db.session.flush()
        db.session.execute(
            sa.delete(StandingOrderRun).where(
                StandingOrderRun.standing_order_id == standing.id
            )
        )
        db.session.delete(standing)

    _commit(work)


# --- the generator (scheduled) --------------------------------------------------------


def _skip_reason(error: DomainError, standing: StandingOrder) -> tuple[str, list[str]]:
    """A readable message and short detail lines for a refused generation."""
    names = {line.product.sku: line.product.name for line in standing.lines}
    if isinstance(error, OutOfStock):
        details = [
            f"{line['sku']} {names.get(line['sku'], '')}: {line['requested_qty']} "
            f"wanted, {line['available_qty']} available"
            for line in error.lines
        ]
        return "Not placed: not enough stock.", details
    if isinstance(error, CreditLimitExceeded):
        return f"Not placed: {error.message}", []
    if isinstance(error, ValidationFailed):
        details = []
        skus = [line.product.sku for line in standing.lines]
        problems = error.errors.get("lines")
        if isinstance(problems, dict):
            for index, fields in sorted(problems.items()):
                sku = (
                    skus[index] if isinstance(index, int) and index < len(skus) else ""
                )
                for messages in fields.values():
                    details += [f"{sku}: {m}" for m in messages]
        else:
            details = [
                f"{key}: {'; '.join(map(str, v)) if isinstance(v, list) else v}"
                for key, v in error.errors.items()
            ]
        return "Not placed: the standing order needs a change.", details
    return f"Not placed: {error.message}", []


def _record_run(
    standing_id: int,
    day: dt.date,
    *,
    outcome: str,
    now: dt.datetime,
    order_id: int | None = None,
    message: str = "",
    details: list[str] | None = None,
) -> None:
    """Insert or refresh the run row (never turns a ``created`` run back into
    ``skipped``)."""
    table = StandingOrderRun.__table__
    values = {
        "outcome": outcome,
        "order_id": order_id,
        "message": message,
        "details": json.dumps(details or [], ensure_ascii=False),
        "run_at": now,
    }
    insert = dialect_insert(table).values(
        standing_order_id=standing_id, delivery_date=day, **values
    )
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=["standing_order_id", "delivery_date"],
            set_=values,
            where=table.c.outcome != "created",
        )
    )


def _calendar(
    merchant: Merchant, cache: dict[Any, DeliveryCalendar]
) -> DeliveryCalendar:
    """The merchant's calendar, once per route and group combination in a run."""
    key = (merchant.route_id, merchant.group_id)
    if key not in cache:
        cache[key] = calendar_for(merchant)
    return cache[key]


def _generate_one(
    standing_id: int,
    now: dt.datetime,
    report: GenerateReport,
    calendars: dict[Any, DeliveryCalendar],
) -> None:
    standing = db.session.get(StandingOrder, standing_id)
    if standing is None or not standing.is_active or not standing.merchant.is_active:
        report.unchanged += 1
        return
    day = _calendar(standing.merchant, calendars).next_delivery_date(now)
    done = db.session.scalar(
        sa.select(StandingOrderRun.id).where(
            StandingOrderRun.standing_order_id == standing_id,
            StandingOrderRun.delivery_date == day,
            StandingOrderRun.outcome == "created",
        )
    )
    if done is not None or not is_due_on(standing, day) or not standing.lines:
        report.unchanged += 1
        return
    lines = [{"sku": line.product.sku, "qty": line.qty} for line in standing.lines]
    try:
        # no user: placed by the system; nothing but the standing order's lines
        order = services.build_order(
            None, standing.merchant, lines, delivery_date=day, source="standing",
            standing_order_id=standing_id, now=now,
        )  # fmt: skip
        _record_run(
            standing_id, day, outcome="created", now=now, order_id=order.id,
            message=f"Order {order.number} placed.",
        )  # fmt: skip
        number = order.number
        db.session.commit()
    except DomainError as error:
        message, details = _skip_reason(error, standing)
        db.session.rollback()
        _record_skip(standing_id, day, now, message, details, report)
        return
    except IntegrityError:
        # another scheduler placed this standing order for ``day`` a moment ago
        db.session.rollback()
        report.unchanged += 1
        return
    report.created.append(number)


def _record_skip(
    standing_id: int,
    day: dt.date,
    now: dt.datetime,
    message: str,
    details: list[str],
    report: GenerateReport,
) -> None:
    try:
        _record_run(
            standing_id, day, outcome="skipped", now=now, message=message,
            details=details,
        )  # fmt: skip
        db.session.commit()
    except IntegrityError:  # pragma: no cover - the upsert makes this a race only
        db.session.rollback()
    report.skipped.append((standing_id, message))


def generate_due(now: dt.datetime | None = None) -> GenerateReport:
    """Place the orders standing orders ask for on each merchant's next open delivery
    date (see the module rules). One transaction per standing order; safe to run any
    number of times, also from two schedulers at once."""
    now = now or utcnow()
    report = GenerateReport()
    ids = list(
        db.session.scalars(
            sa.select(StandingOrder.id)
            .join(Merchant, Merchant.id == StandingOrder.merchant_id)
            .where(StandingOrder.is_active.is_(True), Merchant.is_active.is_(True))
            .order_by(StandingOrder.id)
        )
    )
    db.session.rollback()  # end the read transaction; each standing order has its own
    calendars: dict[Any, DeliveryCalendar] = {}
    for standing_id in ids:
        try:
            _generate_one(standing_id, now, report, calendars)
        except Exception as error:  # one broken standing order must not stop the rest
            db.session.rollback()
            log.exception("standing order %s could not be generated", standing_id)
            report.failed.append((standing_id, f"{type(error).__name__}: {error}"))
    return report


__all__ = [
    "GenerateReport",
    "UNSET",
    "create_standing_order",
    "delete_standing_order",
    "generate_due",
    "get_standing_order",
    "list_standing_orders",
    "next_run_date",
    "next_run_dates",
    "order_numbers",
    "recent_runs",
    "set_standing_order_active",
    "skipped_notices",
    "standing_orders_query",
    "update_standing_order",
]
