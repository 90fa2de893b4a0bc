"""订单生成 request and response shapes of the orders API (contracts.md §2).

Syntax only: bodies refuse unknown fields, dates are ``YYYY-MM-DD``, money goes out
as a two-place string and instants as ISO 8601 with the distributor's UTC offset.
Order lines get a light shape check here (a list of ``{"sku", "qty"}`` objects) and
are passed to the service as received, so that quantity rules (a JSON integer,
minimum, step, range) and SKU rules come out of one place, keyed by line index.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import marshmallow as ma
from flask import current_app
from marshmallow import fields, validate

from blueprints.api import PageArgsSchema
from supplychain.orders.models import ORDER_STATUSES
from supplychain.orders.rules import MAX_NOTE
from supplychain.orders.services import MAX_REASON

_length = validate.Length


class LocalInstant(fields.DateTime):
    """An aware UTC instant, shown in the distributor's time zone with its offset
    (``2026-11-23T22:00:00+08:00``)."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).isoformat()


class HourMinute(fields.Time):
    """A local wall-clock time as ``HH:MM`` (24 h), in and out."""

    PATTERN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d\Z")
    default_error_messages = {"invalid": "Enter a time as HH:MM, e.g. 22:00."}

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else value.strftime("%H:%M")

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str) or not self.PATTERN.match(value):
            raise self.make_error("invalid")
        return dt.time(int(value[:2]), int(value[3:]))


def _money(**kwargs: Any) -> fields.Decimal:
    return fields.Decimal(places=2, as_string=True, **kwargs)


def _reason(**kwargs: Any) -> fields.String:
    return fields.String(load_default="", validate=_length(max=MAX_REASON), **kwargs)


# --- request bodies -------------------------------------------------------------------


class OrderLineInSchema(ma.Schema):
    """One requested line. ``qty`` is checked by the service (a JSON integer: 1.0, "1"
    and true are refused) so every quantity rule reports the same way."""

    class Meta:
        unknown = ma.RAISE

    sku = fields.String(required=True, validate=_length(max=40))
    qty = fields.Raw(
        required=True,
        metadata={"type": "integer", "minimum": 1, "example": 2},
    )


class _LinesBody(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    lines = fields.List(
        fields.Nested(OrderLineInSchema),
        required=True,
        metadata={"description": "1 to 500 lines, each SKU once."},
    )
    note = fields.String(load_default="", validate=_length(max=MAX_NOTE))
    credit_reason = _reason(
        metadata={"description": "Staff only: place it over the credit limit."}
    )


class OrderCreateSchema(_LinesBody):
    """``POST /orders``: ``merchant`` (its code) is for staff only; without
    ``delivery_date`` the order is for the next open delivery date."""

    merchant = fields.String(
        load_default=None,
        validate=_length(min=1, max=40),
        metadata={"description": "Staff only: the merchant's code."},
    )
    delivery_date = fields.Date(load_default=None)
    late_reason = _reason(
        metadata={"description": "Staff only: place it after the cutoff."}
    )


class OrderLinesUpdateSchema(_LinesBody):
    """``PUT /orders/<id>/lines``: the order's new full line set."""

    note = fields.String(
        load_default=None,
        validate=_length(max=MAX_NOTE),
        metadata={"description": "Left out: the note stays as it is."},
    )
    override_reason = _reason(
        metadata={"description": "Staff only: change it after the cutoff."}
    )


class OrderCancelSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    override_reason = _reason(
        metadata={"description": "Staff only: cancel it after the cutoff."}
    )


class OrdersQueryArgsSchema(PageArgsSchema):
    status = fields.String(load_default=None, validate=validate.OneOf(ORDER_STATUSES))
    delivery_date = fields.Date(load_default=None)
    merchant = fields.String(load_default=None, validate=_length(min=1, max=40))
    q = fields.String(load_default="", validate=_length(max=100))


class MerchantArgsSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    merchant = fields.String(
        load_default=None,
        validate=_length(min=1, max=40),
        metadata={"description": "Staff: the merchant's code."},
    )


class FrequentItemsArgsSchema(MerchantArgsSchema):
    days = fields.Integer(load_default=90, validate=validate.Range(min=1, max=366))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


# --- responses ------------------------------------------------------------------------


class OrderLineSchema(ma.Schema):
    sku = fields.String()
    name = fields.String()
    unit = fields.String()
    qty = fields.Integer()
    unit_price = _money()
    line_amount = _money()


class OrderSchema(ma.Schema):
    """An order as contracts.md §2 gives it, plus the fields a client needs to show it
    (cutoff, note, overrides)."""

    id = fields.Integer()
    number = fields.String(metadata={"example": "SO-20261124-0042"})
    status = fields.String()
    merchant = fields.Function(lambda o: o.merchant.code)
    merchant_name = fields.Function(lambda o: o.merchant.name)
    delivery_date = fields.Date()
    lines = fields.List(fields.Nested(OrderLineSchema))
    total_amount = _money()
    cutoff_at = LocalInstant(
        metadata={"description": "Until then the merchant may change or cancel it."}
    )
    placed_at = LocalInstant()
    cancelled_at = LocalInstant(allow_none=True)
    source = fields.String()
    note = fields.String()
    late_override_reason = fields.String()
    credit_override_reason = fields.String()


class OpenDateSchema(ma.Schema):
    delivery_date = fields.Date()
    cutoff_at = LocalInstant()


class CalendarSchema(ma.Schema):
    """When the next order will be delivered and until when it may be placed."""

    timezone = fields.String(metadata={"example": "Asia/Shanghai"})
    merchant = fields.String(allow_none=True)
    now = LocalInstant()
    next_delivery_date = fields.Date()
    cutoff_at = LocalInstant(metadata={"description": "The next date's cutoff."})
    open_dates = fields.List(fields.Nested(OpenDateSchema))
    cutoff_time = HourMinute()
    delivery_weekdays = fields.String(metadata={"example": "1234567"})
    lead_days = fields.Integer()
    horizon_days = fields.Integer()


class FrequentItemSchema(ma.Schema):
    """One line of the frequent-items list (常买清单) with the merchant's price now."""

    sku = fields.String(attribute="product.sku")
    name = fields.String(attribute="product.name")
    unit = fields.String(attribute="product.unit")
    unit_price = _money()
    min_order_qty = fields.Integer(attribute="product.min_order_qty")
    order_step = fields.Integer(attribute="product.order_step")
    times_ordered = fields.Integer()
    total_qty = fields.Integer()
    last_qty = fields.Integer()
    last_ordered = fields.Date()


# --- the calendar (admin) -------------------------------------------------------------


class OrderingSettingsSchema(ma.Schema):
    """The distributor's ordering calendar. On PUT, fields left out keep their value."""

    class Meta:
        unknown = ma.RAISE

    cutoff_time = HourMinute(metadata={"example": "22:00"})
    delivery_weekdays = fields.String(
        validate=_length(min=1, max=7),
        metadata={"description": "ISO weekdays, Monday = 1: '135' = Mon, Wed, Fri."},
    )
    lead_days = fields.Integer(strict=True, validate=validate.Range(min=1, max=7))
    horizon_days = fields.Integer(strict=True, validate=validate.Range(min=1, max=90))
    timezone = fields.Function(lambda _: current_app.config["TIMEZONE"], dump_only=True)


class HolidaySchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    date = fields.Date(required=True)
    name = fields.String(load_default="", validate=_length(max=100))


class OrderingGroupSchema(ma.Schema):
    """A delivery route (线路) or merchant group whose cutoff time and delivery
    weekdays override the distributor's (null: inherit)."""

    class Meta:
        unknown = ma.RAISE

    code = fields.String(dump_only=True)
    name = fields.String(required=True, validate=_length(min=1, max=100))
    kind = fields.String(
        load_default="group", validate=validate.OneOf(("route", "group"))
    )
    cutoff_time = HourMinute(load_default=None, allow_none=True)
    delivery_weekdays = fields.String(
        load_default=None,
        allow_none=True,
        validate=_length(min=1, max=7),
        metadata={"description": "ISO weekdays, Monday = 1: '135' = Mon, Wed, Fri."},
    )


class OrderingGroupsArgsSchema(PageArgsSchema):
    kind = fields.String(load_default=None, validate=validate.OneOf(("route", "group")))
