"""订单生成 orders JSON API (contracts.md §2): place an order with an Idempotency-Key,
list, read, change lines before the cutoff, cancel; the delivery calendar and the
frequent-items list (常买清单); the calendar's administration (settings, holidays,
ordering groups and routes).

A merchant user sees and changes only its own merchant's orders (another merchant's is
404). No rate limit applies here: contracts.md §2 promises a single user at least 50
requests per second on the ordering endpoints.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from blueprints.api import (
    ApiBlueprint,
    PageArgsSchema,
    auth_required,
    current_api_user,
    paginate,
)
from blueprints.orders.schemas import (
    CalendarSchema,
    FrequentItemsArgsSchema,
    FrequentItemSchema,
    HolidaySchema,
    MerchantArgsSchema,
    OrderCancelSchema,
    OrderCreateSchema,
    OrderingGroupSchema,
    OrderingGroupsArgsSchema,
    OrderingSettingsSchema,
    OrderLinesUpdateSchema,
    OrderSchema,
    OrdersQueryArgsSchema,
)
from supplychain.catalog.services import prices_for
from supplychain.database import utcnow
from supplychain.errors import NotFound, ValidationFailed
from supplychain.extensions import limiter
from supplychain.merchants.access import get_visible_merchant
from supplychain.merchants.models import Merchant
from supplychain.orders import queries, schedule, services
from supplychain.orders.calendar import format_weekdays
from supplychain.orders.rules import MAX_KEY_LENGTH, is_valid_key

api_bp = ApiBlueprint(
    "orders_api",
    __name__,
    url_prefix="/api/v1",
    description="Orders (订单生成): place, list, amend, cancel; delivery calendar",
)
limiter.exempt(api_bp)  # ≥ 50 requests/s per user (contracts.md §2), whatever defaults

ORDERING = ("merchant", "sales")  # admin passes any staff check
# 500 lines are ~50 KB as JSON; a body near 1 MiB is not an order (413)
MAX_ORDER_BODY = 1024 * 1024
_ID = re.compile(r"[0-9]{1,18}\Z")  # fits a BIGINT

IDEMPOTENCY_DOC = {
    "parameters": [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": True,
            "description": "1 to 255 printable ASCII characters (a UUID is typical). "
            "The same key with the same body returns the first order again; with "
            "a different body it is refused (422).",
            "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
        }
    ]
}


# --- request guards -------------------------------------------------------------------


def _bad_request(code: str, message: str) -> BadRequest:
    error = BadRequest(message)
    error.data = {  # type: ignore[attr-defined]
        "code": code,
        "errors": {"Idempotency-Key": [message]},
    }
    return error


def idempotency_key_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """400 unless the request carries a valid ``Idempotency-Key`` (kept in ``g``)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get("Idempotency-Key")
        if key is None:
            raise _bad_request(
                "idempotency_key_required",
                "Send an Idempotency-Key header (e.g. a UUID) so that a retried "
                "order is never placed twice.",
            )
        if not is_valid_key(key):
            raise _bad_request(
                "invalid_idempotency_key",
                f"An Idempotency-Key is 1 to {MAX_KEY_LENGTH} printable ASCII "
                "characters.",
            )
        g.idempotency_key = key
        return view(*args, **kwargs)

    return wrapper


def _is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or (
        mimetype.startswith("application/") and mimetype.endswith("+json")
    )


def json_body(*, required: bool = True) -> Callable[..., Any]:
    """415 unless the body is JSON (an optional body may also be left out); bodies
    larger than ``MAX_ORDER_BODY`` are refused with 413 before they are read."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            limit = request.max_content_length
            request.max_content_length = min(limit or MAX_ORDER_BODY, MAX_ORDER_BODY)
            sent = bool(request.content_length) or bool(request.mimetype)
            if (required or sent) and not _is_json(request.mimetype):
                raise UnsupportedMediaType("Send the body as application/json.")
            return view(*args, **kwargs)

        return wrapper

    return decorator


def _order_ref(ref: str) -> int | str:
    """An order id (digits) or number; anything else cannot be an order (404)."""
    if _ID.match(ref):
        return int(ref)
    if ref.isdigit() or len(ref) > 30:
        raise NotFound(f"No order {ref}.")
    return ref


def _merchant(code: str | None) -> Merchant | None:
    """The merchant a read is about: the one named (a merchant user may name only its
    own; others are 404), else a merchant user's own, else None (staff)."""
    user = current_api_user()
    if code:
        return get_visible_merchant(user, code)
    if not user.is_staff:
        return get_visible_merchant(user, user.merchant_id)
    return None


def _required_merchant(code: str | None) -> Merchant:
    merchant = _merchant(code)
    if merchant is None:
        raise ValidationFailed({"merchant": ["Give the merchant's code."]})
    return merchant


# --- orders ---------------------------------------------------------------------------


@api_bp.route("/orders", methods=["POST"])
@auth_required(*ORDERING)
@idempotency_key_required
@json_body()
@api_bp.arguments(OrderCreateSchema)
@api_bp.response(201, OrderSchema)
@api_bp.alt_response(400, response="BAD_REQUEST")
@api_bp.alt_response(409, response="CONFLICT")
@api_bp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE")
@api_bp.alt_response(415, response="UNSUPPORTED_MEDIA_TYPE")
@api_bp.doc(**IDEMPOTENCY_DOC)
def place_order(data: dict[str, Any]) -> Any:
    """Place an order; stocked lines are reserved, all or nothing."""
    placed = services.place_order(
        current_api_user(),
        data["lines"],
        merchant_code=data["merchant"],
        delivery_date=data["delivery_date"],
        note=data["note"],
        source="api",
        idempotency_key=g.idempotency_key,
        late_reason=data["late_reason"],
        credit_reason=data["credit_reason"],
    )
    headers = {} if placed.created else {"Idempotent-Replayed": "true"}
    return placed.order, 201, headers


@api_bp.route("/orders", methods=["GET"])
@auth_required()
@api_bp.arguments(OrdersQueryArgsSchema, location="query")
@api_bp.response(200, OrderSchema(many=True))
def list_orders(args: dict[str, Any]) -> Any:
    """Orders, newest first; q searches the number and the merchant's code and name."""
    merchant = _merchant(args["merchant"])
    stmt = services.orders_query(
        current_api_user(),
        merchant_id=merchant.id if merchant else None,
        status=args["status"],
        delivery_date=args["delivery_date"],
        q=args["q"],
        with_lines=True,
    )
    items, headers = paginate(stmt, args["page"], args["per_page"])
    return items, 200, headers


@api_bp.route("/orders/<ref>", methods=["GET"])
@auth_required()
@api_bp.response(200, OrderSchema)
def get_order(ref: str) -> Any:
    """One order by id or number (SO-20261124-0042)."""
    return services.get_order(current_api_user(), _order_ref(ref))


@api_bp.route("/orders/<ref>/lines", methods=["PUT"])
@auth_required(*ORDERING)
@json_body()
@api_bp.arguments(OrderLinesUpdateSchema)
@api_bp.response(200, OrderSchema)
@api_bp.alt_response(409, response="CONFLICT")
def amend_order(data: dict[str, Any], ref: str) -> Any:
    """Replace the order's lines before its cutoff (staff after it, with a reason)."""
    return services.amend_order(
        current_api_user(),
        _order_ref(ref),
        data["lines"],
        note=data["note"],
        override_reason=data["override_reason"],
        credit_reason=data["credit_reason"],
    )


@api_bp.route("/orders/<ref>/cancel", methods=["POST"])
@auth_required(*ORDERING)
@json_body(required=False)
@api_bp.arguments(OrderCancelSchema, required=False)
@api_bp.response(200, OrderSchema)
@api_bp.alt_response(409, response="CONFLICT")
def cancel_order(data: dict[str, Any], ref: str) -> Any:
    """Cancel the order and release its stock (before the cutoff; staff with a
    reason until picking starts)."""
    return services.cancel_order(
        current_api_user(), _order_ref(ref), override_reason=data["override_reason"]
    )


@api_bp.route("/orders/calendar", methods=["GET"])
@auth_required()
@api_bp.arguments(MerchantArgsSchema, location="query")
@api_bp.response(200, CalendarSchema)
def delivery_calendar(args: dict[str, Any]) -> Any:
    """The next delivery date, its cutoff and every date open for orders now."""
    merchant = _merchant(args["merchant"])
    calendar = schedule.calendar_for(merchant)
    now = utcnow()
    upcoming = calendar.next_delivery_date(now)
    return {
        "timezone": calendar.timezone,
        "merchant": merchant.code if merchant else None,
        "now": now,
        "next_delivery_date": upcoming,
        "cutoff_at": calendar.cutoff(upcoming),
        "open_dates": [
            {"delivery_date": day, "cutoff_at": calendar.cutoff(day)}
            for day in calendar.open_dates(now)
        ],
        "cutoff_time": calendar.cutoff_time,
        "delivery_weekdays": format_weekdays(calendar.weekdays),
        "lead_days": calendar.lead_days,
        "horizon_days": calendar.horizon_days,
    }


@api_bp.route("/orders/frequent-items", methods=["GET"])
@auth_required(*ORDERING)
@api_bp.arguments(FrequentItemsArgsSchema, location="query")
@api_bp.response(200, FrequentItemSchema(many=True))
def frequent_items(args: dict[str, Any]) -> Any:
    """常买清单: what the merchant ordered most often lately, at today's price."""
    merchant = _required_merchant(args["merchant"])
    items = queries.frequent_items(merchant.id, days=args["days"], limit=args["limit"])
    prices = prices_for([item.product.id for item in items], merchant.id)
    return [
        vars(item) | {"unit_price": prices[item.product.id].amount} for item in items
    ]


# --- the calendar (admin) -------------------------------------------------------------


@api_bp.route("/orders/settings", methods=["GET"])
@auth_required("admin")
@api_bp.response(200, OrderingSettingsSchema)
def get_settings() -> Any:
    """The distributor's cutoff time, delivery weekdays, lead and horizon days."""
    return schedule.settings()


@api_bp.route("/orders/settings", methods=["PUT"])
@auth_required("admin")
@json_body()
@api_bp.arguments(OrderingSettingsSchema)
@api_bp.response(200, OrderingSettingsSchema)
def update_settings(data: dict[str, Any]) -> Any:
    """Change the ordering calendar; fields left out keep their value."""
    current = schedule.settings()
    return schedule.update_settings(
        cutoff_time=data.get("cutoff_time", current.cutoff_time),
        delivery_weekdays=data.get("delivery_weekdays", current.delivery_weekdays),
        lead_days=data.get("lead_days", current.lead_days),
        horizon_days=data.get("horizon_days", current.horizon_days),
    )


@api_bp.route("/orders/holidays", methods=["GET"])
@auth_required("admin")
@api_bp.arguments(PageArgsSchema, location="query")
@api_bp.response(200, HolidaySchema(many=True))
def list_holidays(args: dict[str, Any]) -> Any:
    """Dates without deliveries, in date order."""
    stmt = schedule.holidays_query()
    items, headers = paginate(stmt, args["page"], args["per_page"])
    return items, 200, headers


@api_bp.route("/orders/holidays", methods=["POST"])
@auth_required("admin")
@json_body()
@api_bp.arguments(HolidaySchema)
@api_bp.response(201, HolidaySchema)
def add_holiday(data: dict[str, Any]) -> Any:
    """Add a date without deliveries (春节, 国庆…)."""
    return schedule.add_holiday(data["date"], data["name"])


@api_bp.route("/orders/holidays/<day>", methods=["DELETE"])
@auth_required("admin")
@api_bp.response(204)
def remove_holiday(day: str) -> Any:
    """Deliver on that date again."""
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise NotFound(f"{day} is not a holiday.") from None
    schedule.remove_holiday(date)
    return None


@api_bp.route("/ordering-groups", methods=["GET"])
@auth_required("admin")
@api_bp.arguments(OrderingGroupsArgsSchema, location="query")
@api_bp.response(200, OrderingGroupSchema(many=True))
def list_groups(args: dict[str, Any]) -> Any:
    """Delivery routes and merchant groups with their own cutoff or weekdays."""
    stmt = schedule.groups_query(args["kind"])
    items, headers = paginate(stmt, args["page"], args["per_page"])
    return items, 200, headers


@api_bp.route("/ordering-groups/<code>", methods=["GET"])
@auth_required("admin")
@api_bp.response(200, OrderingGroupSchema)
def get_group(code: str) -> Any:
    """One route or group."""
    return schedule.get_group(code)


@api_bp.route("/ordering-groups/<code>", methods=["PUT"])
@auth_required("admin")
@json_body()
@api_bp.arguments(OrderingGroupSchema)
@api_bp.response(200, OrderingGroupSchema)
def save_group(data: dict[str, Any], code: str) -> Any:
    """Create or replace a route or group (null cutoff or weekdays: inherit)."""
    return schedule.save_group(code, **data)
