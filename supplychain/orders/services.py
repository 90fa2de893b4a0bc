"""订单 services: place, amend, cancel and confirm orders.

Every change is one transaction: validate → reserve in the stock ledger (all or nothing)
→ check credit → write the order → commit. A refused change raises a DomainError and
writes nothing (the session is rolled back). ``build_order`` does the work without
committing, so an import can place many orders in one transaction.

Who may do what: a merchant user orders for its own merchant only (sending
``merchant`` is an error); staff order for any active merchant and may give a reason to
override a passed cutoff (``late_reason``) or the credit limit (``credit_reason``); both
reasons are kept on the order and in the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from supplychain.messages import Msg, msg
from supplychain.catalog.models import Product
from supplychain.catalog.rules import order_qty_problem
from supplychain.catalog.services import prices_for, prices_for_products
from supplychain.database import utcnow
from supplychain.errors import (
    Conflict,
    DomainError,
    NotFound,
    OrderCutoffPassed,
    ValidationFailed,
)
from supplychain.extensions import db
from supplychain.paging import matches
from supplychain.merchants.access import scope_to_user
from supplychain.merchants.models import Merchant
from supplychain.orders import credit, idempotency
from supplychain.orders.calendar import DeliveryCalendar
from supplychain.orders.models import CartLine, Order, OrderLine, OrderNumberCounter
from supplychain.orders.rules import (
    CANCELLABLE_STATUSES,
    EDITABLE_STATUSES,
    MAX_LINE_QTY,
    MAX_LINES,
    MAX_NOTE,
    fingerprint,
    format_number,
    line_amount,
    order_total,
)
from supplychain.orders.schedule import calendar_for
from supplychain.stock import ledger
from supplychain.stock.expiry import usable_from
from supplychain.stock.locations import dialect_insert
from supplychain.stock.queries import default_warehouse

MAX_REASON = 200
DATE_PROBLEMS = {
    "past": "The delivery date must be after today.",
    "holiday": "There are no deliveries on %(date)s (holiday).",
    "not_delivery_day": "%(date)s is not a delivery day.",
    "too_far": "%(date)s is too far ahead; orders open %(horizon)s days in advance.",
}
# the templates above, for the translation catalogue
_DATE_TEMPLATES = (
    msg("The delivery date must be after today."),
    msg("There are no deliveries on %(date)s (holiday).", date=""),
    msg("%(date)s is not a delivery day.", date=""),
    msg(
        "%(date)s is too far ahead; orders open %(horizon)s days in advance.",
        date="",
        horizon="",
    ),
)


@dataclass(frozen=True)
class Placed:
    order: Order
    created: bool  # False: the idempotency key had already made this order


def is_staff(user: Any) -> bool:
    return getattr(user, "role", None) not in (None, "merchant")


# --- reading --------------------------------------------------------------------------


def orders_query(
    user: Any,
    *,
    merchant_id: int | None = None,
    status: str | None = None,
    delivery_date: dt.date | None = None,
    q: str = "",
    with_lines: bool = False,
) -> sa.Select:
    """Orders the user may see, newest first (``with_lines``: lines and merchant loaded
    in the same round trips, for lists that show them)."""
    stmt = sa.select(Order)
    if with_lines:
        stmt = stmt.options(selectinload(Order.lines), joinedload(Order.merchant))
    if merchant_id is not None:
        stmt = stmt.where(Order.merchant_id == merchant_id)
    if status:
        stmt = stmt.where(Order.status == status)
    if delivery_date is not None:
        stmt = stmt.where(Order.delivery_date == delivery_date)
    if q:
        stmt = stmt.join(Merchant, Merchant.id == Order.merchant_id).where(
            matches(q, Order.number, Merchant.code, Merchant.name)
        )
    stmt = scope_to_user(stmt, Order.merchant_id, user)
    return stmt.order_by(Order.id.desc())


def get_order(user: Any, ref: int | str) -> Order:
    """An order by id or number, if the user may see it (404 otherwise)."""
    text = str(ref).strip()
    if isinstance(ref, int) or (text.isascii() and text.isdigit()):
        if len(text) > 18:  # beyond any id (and a 64-bit integer)
            raise NotFound(f"No order {ref}.")
        stmt = sa.select(Order).where(Order.id == int(text))
    else:
        stmt = sa.select(Order).where(Order.number == str(ref).strip().upper())
    order = db.session.scalar(scope_to_user(stmt, Order.merchant_id, user))
    if order is None:
        raise NotFound(f"No order {ref}.")
    return order


# --- validation -----------------------------------------------------------------------


def resolve_merchant(user: Any, merchant_code: str | None) -> Merchant:
    """The merchant an order is for: a merchant user's own, or the one staff name."""
    if not is_staff(user):
        if merchant_code not in (None, ""):
            raise ValidationFailed(
                {"merchant": [msg("Leave this out: you order for your own merchant.")]}
            )
        merchant = db.session.get(Merchant, user.merchant_id)
    else:
        if not merchant_code:
            raise ValidationFailed(
                {"merchant": [msg("Choose the merchant this order is for.")]}
            )
        merchant = db.session.scalar(
            sa.select(Merchant).where(Merchant.code == str(merchant_code).strip())
        )
        if merchant is None:
            raise ValidationFailed(
                {"merchant": [f"Unknown merchant '{merchant_code}'."]}
            )
    if merchant is None or not merchant.is_active:
        raise ValidationFailed(
            {"merchant": [msg("This merchant is deactivated and cannot order.")]}
        )
    return merchant


def check_lines(lines: Any) -> list[tuple[Product, int]]:
    """Validate ``[{"sku", "qty"}]``: known active products, whole quantities from the
    minimum in whole steps, each SKU once, 1–MAX_LINES lines. Errors are keyed by line
    index (marshmallow shape)."""
    if not isinstance(lines, Sequence) or isinstance(lines, str) or not lines:
        raise ValidationFailed({"lines": [msg("An order needs at least one line.")]})
    if len(lines) > MAX_LINES:
        raise ValidationFailed(
            {"lines": [msg("An order has at most %(n)s lines; split it.", n=MAX_LINES)]}
        )
    skus = {
        str(line.get("sku", "")).strip() for line in lines if isinstance(line, Mapping)
    }
    products = {
        p.sku: p
        for p in db.session.scalars(sa.select(Product).where(Product.sku.in_(skus)))
    }
    errors: dict[int, dict[str, list[str]]] = {}
    first_line: dict[str, int] = {}
    result: list[tuple[Product, int]] = []
    for index, line in enumerate(lines):
        if not isinstance(line, Mapping):
            errors[index] = {"_schema": ['Each line is {"sku", "qty"}.']}
            continue
        sku = str(line.get("sku", "")).strip()
        qty = line.get("qty")
        product = products.get(sku)
        problems: dict[str, list[str]] = {}
        if sku_problem := _sku_problem(sku, product, first_line.get(sku)):
            problems["sku"] = [sku_problem]
        if qty_problem := _qty_problem(qty, product):
            problems["qty"] = [qty_problem]
        first_line.setdefault(sku, index)
        if problems:
            errors[index] = problems
        elif product is not None:
            result.append((product, qty))
    if errors:
        raise ValidationFailed({"lines": errors})
    return result


def _sku_problem(sku: str, product: Product | None, earlier: int | None) -> str | None:
    if not sku:
        return msg("Missing SKU.")
    if product is None:
        return msg("Unknown SKU '%(sku)s'.", sku=sku)
    if not product.is_active:
        return msg("%(sku)s is no longer sold.", sku=sku)
    if earlier is not None:
        return msg(
            "%(sku)s is already on line %(line)s; put its whole quantity on one line.",
            sku=sku,
            line=earlier + 1,
        )
    return None


def _qty_problem(qty: Any, product: Product | None) -> str | None:
    if isinstance(qty, bool) or not isinstance(qty, int):
        return msg("The quantity must be a whole number.")
    if qty < 1:
        return msg("The quantity must be at least 1.")
    if qty > MAX_LINE_QTY:
        return msg("The quantity must be at most %(max)s.", max=f"{MAX_LINE_QTY:,}")
    if product is not None and product.is_active:
        return order_qty_problem(qty, product.min_order_qty, product.order_step)
    return None


def _check_reason(value: str, field: str, user: Any) -> str:
    value = (value or "").strip()
    if value and not is_staff(user):
        raise ValidationFailed({field: ["Only staff can override."]})
    if len(value) > MAX_REASON:
        raise ValidationFailed({field: [f"At most {MAX_REASON} characters."]})
    return value


def _check_note(note: Any) -> str:
    if note is None:
        return ""
    if not isinstance(note, str):
        raise ValidationFailed({"note": ["Not a valid string."]})
    if len(note) > MAX_NOTE:
        raise ValidationFailed({"note": [f"At most {MAX_NOTE} characters."]})
    return note.strip()


def local_text(calendar: DeliveryCalendar, instant: dt.datetime) -> str:
    return instant.astimezone(calendar.zone).strftime("%Y-%m-%d %H:%M")


def cutoff_passed(
    calendar: DeliveryCalendar, delivery_date: dt.date, now: dt.datetime
) -> OrderCutoffPassed:
    cutoff = calendar.cutoff(delivery_date)
    upcoming = calendar.next_delivery_date(now)
    return OrderCutoffPassed(
        msg(
            "Orders for %(date)s closed at %(cutoff)s; the next delivery date is "
            "%(next)s.",
            date=delivery_date.isoformat(),
            cutoff=local_text(calendar, cutoff),
            next=upcoming.isoformat(),
        ),
        details={
            "delivery_date": delivery_date.isoformat(),
            "cutoff_at": cutoff.isoformat(),
            "next_delivery_date": upcoming.isoformat(),
        },
    )


def resolve_delivery_date(
    calendar: DeliveryCalendar,
    requested: dt.date | None,
    now: dt.datetime,
    *,
    late_reason: str = "",
) -> dt.date:
    """The delivery date an order is for: the requested one if allowed (a passed cutoff
    only with a staff reason), else the next open one."""
    if requested is None:
        return calendar.next_delivery_date(now)
    if not isinstance(requested, dt.date) or isinstance(requested, dt.datetime):
        raise ValidationFailed({"delivery_date": ["Not a valid date (YYYY-MM-DD)."]})
    problem = calendar.date_problem(requested, now)
    if problem:
        raise ValidationFailed(
            {
                "delivery_date": [
                    Msg(
                        DATE_PROBLEMS[problem],
                        **(
                            {}
                            if problem == "past"
                            else {
                                "date": requested.isoformat(),
                                "horizon": calendar.horizon_days,
                            }
                        ),
                    )
                ]
            }
        )
    if not calendar.is_open(requested, now) and not late_reason:
        raise cutoff_passed(calendar, requested, now)
    return requested


# --- writing --------------------------------------------------------------------------


def next_number(delivery_date: dt.date) -> str:
    """The next readable number for ``delivery_date``, in the order's transaction (so
    refused orders leave no gaps). It is taken as the last step before the order is
    written: the day's counter row is the busiest row of the evening, and its lock is
    held only from here to the commit. (Taking it on a second connection while the
    order holds its stock rows could wait for a pooled connection held by a request
    that waits for those rows.)"""
    table = OrderNumberCounter.__table__
    insert = dialect_insert(table).values(day=delivery_date, last_value=1)
    value = db.session.execute(
        insert.on_conflict_do_update(
            index_elements=["day"], set_={"last_value": table.c.last_value + 1}
        ).returning(table.c.last_value)
    ).scalar_one()
    return format_number(delivery_date, value)


def build_order(
    user: Any,
    merchant: Merchant,
    lines: Any,
    *,
    delivery_date: dt.date | None = None,
    note: Any = "",
    source: str = "web",
    late_reason: str = "",
    credit_reason: str = "",
    standing_order_id: int | None = None,
    now: dt.datetime | None = None,
) -> Order:
    """Validate, reserve, check credit and add one order to the session (flushed, not
    committed). On a DomainError the caller must roll back."""
    now = now or utcnow()
    late_reason = _check_reason(late_reason, "late_reason", user)
    credit_reason = _check_reason(credit_reason, "credit_reason", user)
    note = _check_note(note)
    wanted = check_lines(lines)
    calendar = calendar_for(merchant)
    day = resolve_delivery_date(calendar, delivery_date, now, late_reason=late_reason)
    late = not calendar.is_open(day, now)
    prices = prices_for_products([p for p, _ in wanted], merchant)
    warehouse = default_warehouse()
    ledger.reserve_many(
        [(p.id, warehouse.id, qty) for p, qty in wanted],
        usable_from=usable_from(day, merchant.min_shelf_life_days),
    )
    order_lines = []
    for position, (product, qty) in enumerate(wanted):
        price = prices[product.id].amount
        order_lines.append(
            OrderLine(
                position=position,
                product_id=product.id,
                sku=product.sku,
                name=product.name,
                name_en=product.name_en or "",
                unit=product.unit,
                qty=qty,
                unit_price=price,
                line_amount=line_amount(qty, price),
                reserved_qty=qty,
            )
        )
    total = order_total(line.line_amount for line in order_lines)
    overridden = credit.check(merchant, total, override_reason=credit_reason)
    order = Order(
        number=next_number(day),
        merchant_id=merchant.id,
        warehouse_id=warehouse.id,
        delivery_date=day,
        cutoff_at=calendar.cutoff(day),
        status="placed",
        source=source,
        note=note,
        total_amount=total,
        placed_at=now,
        placed_by_id=getattr(user, "id", None),
        late_override_reason=late_reason if late else "",
        credit_override_reason=credit_reason if overridden else "",
        standing_order_id=standing_order_id,
        lines=order_lines,
    )
    db.session.add(order)
    db.session.flush()
    return order


def place_order(
    user: Any,
    lines: Any,
    *,
    merchant_code: str | None = None,
    delivery_date: dt.date | None = None,
    note: Any = "",
    source: str = "api",
    idempotency_key: str | None = None,
    late_reason: str = "",
    credit_reason: str = "",
    clear_cart: bool = False,
    now: dt.datetime | None = None,
) -> Placed:
    """Place one order (see the module rules). With an ``idempotency_key`` a repeat of
    the same request returns the first order (``created`` False) instead of a second.

    :raise ValidationFailed: bad input, or the key was used for another request (422).
    :raise OutOfStock / OrderCutoffPassed / CreditLimitExceeded / IdempotencyKeyInUse:
        409, nothing written.
    """
    now = now or utcnow()
    claimed = None
    if idempotency_key is not None:
        request = {
            "merchant": merchant_code,
            "delivery_date": delivery_date,
            "lines": lines,
            "note": note,
        }
        claimed = idempotency.claim(user.id, idempotency_key, fingerprint(request), now)
        if claimed.order_id is not None:
            return Placed(db.session.get(Order, claimed.order_id), created=False)
    try:
        merchant = resolve_merchant(user, merchant_code)
        order = build_order(
            user,
            merchant,
            lines,
            delivery_date=delivery_date,
            note=note,
            source=source,
            late_reason=late_reason,
            credit_reason=credit_reason,
            now=now,
        )
        if claimed is not None:
            idempotency.complete(claimed, order.id)
        if clear_cart:
            db.session.execute(
                sa.delete(CartLine).where(
                    CartLine.user_id == user.id, CartLine.merchant_id == merchant.id
                )
            )
        _commit_keeping_loaded()
    except BaseException:
        db.session.rollback()
        if claimed is not None:
            idempotency.release(claimed)
        raise
    return Placed(order, created=True)


def _commit_keeping_loaded() -> None:
    """Commit without expiring what the session holds: the order just written is what
    the caller renders (saves reloading it, its lines and merchant)."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def _lock_order(user: Any, ref: int | str, now: dt.datetime) -> Order:
    """Load an order for a change, holding its row (and on SQLite the write lock) so two
    changes of one order run one after the other."""
    order = get_order(user, ref)
    db.session.execute(
        sa.update(Order.__table__)
        .where(Order.__table__.c.id == order.id)
        .values(updated_at=now)
    )
    db.session.expire_all()  # what was read before the lock may be stale
    return db.session.get(Order, order.id)


def _check_editable(
    order: Order, user: Any, now: dt.datetime, reason: str, *, cancelling: bool
) -> None:
    allowed = CANCELLABLE_STATUSES if cancelling else EDITABLE_STATUSES
    staff_allowed = CANCELLABLE_STATUSES
    if order.status not in (staff_allowed if reason else allowed):
        raise Conflict(
            (
                msg(
                    "Order %(number)s can no longer be cancelled (it is %(status)s).",
                    number=order.number,
                    status=order.status,
                )
                if cancelling
                else msg(
                    "Order %(number)s can no longer be changed (it is %(status)s).",
                    number=order.number,
                    status=order.status,
                )
            ),
            details={"status": order.status},
        )
    if now >= order.cutoff_at and not reason:
        calendar = calendar_for(order.merchant)
        raise OrderCutoffPassed(
            msg(
                "Order %(number)s closed for changes at %(cutoff)s.",
                number=order.number,
                cutoff=local_text(calendar, order.cutoff_at),
            ),
            details={
                "delivery_date": order.delivery_date.isoformat(),
                "cutoff_at": order.cutoff_at.isoformat(),
            },
        )


def amend_order(
    user: Any,
    ref: int | str,
    lines: Any,
    *,
    note: Any = None,
    override_reason: str = "",
    credit_reason: str = "",
    now: dt.datetime | None = None,
) -> Order:
    """Replace an order's lines (before the cutoff; staff after it with a reason).
    Kept lines keep their snapshotted price; new lines get today's price. Reservations
    move by the difference only."""
    now = now or utcnow()
    try:
        override_reason = _check_reason(override_reason, "override_reason", user)
        credit_reason = _check_reason(credit_reason, "credit_reason", user)
        new_note = None if note is None else _check_note(note)
        wanted = check_lines(lines)
        order = _lock_order(user, ref, now)
        _check_editable(order, user, now, override_reason, cancelling=False)
        merchant = order.merchant
        existing = {line.product_id: line for line in order.lines}
        new_ids = [p.id for p, _ in wanted if p.id not in existing]
        prices = prices_for(new_ids, merchant.id)
        more, less = _reservation_changes(order, existing, wanted)
        ledger.change_reservations(
            more,
            less,
            usable_from=usable_from(order.delivery_date, merchant.min_shelf_life_days),
        )
        unit_prices = {
            product.id: (
                existing[product.id].unit_price
                if product.id in existing
                else prices[product.id].amount
            )
            for product, _ in wanted
        }
        new_total = order_total(
            line_amount(qty, unit_prices[product.id]) for product, qty in wanted
        )
        # before the ORM objects change: the exposure query must not see the new total
        if credit.check(
            merchant, new_total - order.total_amount, override_reason=credit_reason
        ):
            order.credit_override_reason = credit_reason
        kept = {p.id for p, _ in wanted}
        for product_id, line in list(existing.items()):
            if product_id not in kept:
                order.lines.remove(line)
        for position, (product, qty) in enumerate(wanted):
            line = existing.get(product.id)
            if line is None:
                line = OrderLine(
                    product_id=product.id,
                    sku=product.sku,
                    name=product.name,
                    name_en=product.name_en or "",
                    unit=product.unit,
                    unit_price=unit_prices[product.id],
                )
                order.lines.append(line)
            line.position = position
            line.qty = qty
            line.reserved_qty = qty
            line.line_amount = line_amount(qty, line.unit_price)
        order.total_amount = new_total
        if override_reason:
            order.late_override_reason = override_reason
        if new_note is not None:
            order.note = new_note
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return order


def _reservation_changes(
    order: Order, existing: dict[int, OrderLine], wanted: list[tuple[Product, int]]
) -> tuple[list[ledger.Line], list[ledger.Line]]:
    """What an amendment reserves more of and releases (by the difference only)."""
    more, less = [], []
    for product, qty in wanted:
        line = existing.get(product.id)
        held = line.reserved_qty if line is not None else 0
        if qty > held:
            more.append((product.id, order.warehouse_id, qty - held))
        elif qty < held:
            less.append((product.id, order.warehouse_id, held - qty))
    kept = {p.id for p, _ in wanted}
    for product_id, line in existing.items():
        if product_id not in kept and line.reserved_qty:
            less.append((product_id, order.warehouse_id, line.reserved_qty))
    return more, less


def cancel_order(
    user: Any,
    ref: int | str,
    *,
    override_reason: str = "",
    now: dt.datetime | None = None,
) -> Order:
    """Cancel an order and release what it holds (before the cutoff; staff after it,
    until picking starts, with a reason). Cancelling a cancelled order is a no-op."""
    now = now or utcnow()
    try:
        override_reason = _check_reason(override_reason, "override_reason", user)
        order = _lock_order(user, ref, now)
        if order.status == "cancelled":
            db.session.rollback()
            return order
        _check_editable(order, user, now, override_reason, cancelling=True)
        ledger.release_many(
            [
                (line.product_id, order.warehouse_id, line.reserved_qty)
                for line in order.lines
                if line.reserved_qty
            ]
        )
        for line in order.lines:
            line.reserved_qty = 0
        order.status = "cancelled"
        order.cancelled_at = now
        order.cancelled_by_id = getattr(user, "id", None)
        if override_reason:
            order.late_override_reason = override_reason
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return order


def confirm_due(now: dt.datetime | None = None) -> int:
    """Confirm every placed order whose cutoff has passed (the scheduled job; running
    it again confirms nothing twice). Reservations stay as they are. Returns how many.
    """
    now = now or utcnow()
    count = 0
    while True:
        batch = list(
            db.session.scalars(
                sa.select(Order)
                .where(Order.status == "placed", Order.cutoff_at <= now)
                .order_by(Order.id)
                .limit(500)
            )
        )
        if not batch:
            return count
        for order in batch:
            order.status = "confirmed"
            order.confirmed_at = now
        db.session.commit()
        count += len(batch)


def set_status(order: Order, status: str) -> None:
    """Move an order along its life cycle (later features: picking, delivered,
    invoiced); the caller commits."""
    from supplychain.orders.rules import can_transition

    if not can_transition(order.status, status):
        raise Conflict(
            f"Order {order.number} cannot go from {order.status} to {status}.",
            details={"status": order.status},
        )
    order.status = status


__all__ = [
    "DomainError",
    "Placed",
    "amend_order",
    "build_order",
    "cancel_order",
    "check_lines",
    "confirm_due",
    "get_order",
    "orders_query",
    "place_order",
    "resolve_merchant",
]
