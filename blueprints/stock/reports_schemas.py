"""进销存报表 request and response shapes: report filters (shared by the pages, through
``load_form``, and the JSON API) and the report rows. Money is a string with two places,
quantities are integers, dates ``YYYY-MM-DD``, instants ISO 8601 with offset."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP
from typing import Any

import marshmallow as ma

from blueprints.api import PageArgsSchema
from supplychain.messages import msg
from supplychain.stock.expiry import NEAR_EXPIRY_DAYS, local_today
from supplychain.errors import ValidationFailed
from supplychain.stock.reports import (
    MAX_EXPIRY_DAYS,
    check_period,
    last_month,
    month_days,
)

_length = ma.validate.Length
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])\Z")
HISTORY_DAYS = 30  # a SKU's history shows the last 30 days unless told


def _money(**kwargs: Any) -> ma.fields.Decimal:
    return ma.fields.Decimal(places=2, as_string=True, rounding=ROUND_HALF_UP, **kwargs)


def _check_period(first: dt.date, last: dt.date) -> None:
    try:
        check_period(first, last)
    except ValidationFailed as error:
        raise ma.ValidationError(error.errors["to"], "to") from None


class _Period(ma.Schema):
    """``from`` and ``to`` (local days, inclusive), both or neither; loads as
    ``first``/``last`` (the default period when neither is given)."""

    class Meta:
        unknown = ma.EXCLUDE

    first = ma.fields.Date(data_key="from", load_default=None)
    last = ma.fields.Date(data_key="to", load_default=None)
    warehouse = ma.fields.String(load_default=None, validate=_length(min=1, max=20))

    def default_period(self, data: dict[str, Any]) -> tuple[dt.date, dt.date]:
        return last_month()

    @ma.validates_schema
    def _both_ends(self, data: dict[str, Any], **kwargs: Any) -> None:
        first, last = data.get("first"), data.get("last")
        if (first is None) != (last is None):
            missing = "from" if first is None else "to"
            raise ma.ValidationError(msg("Give both dates of the period."), missing)
        if first is not None and last is not None:
            _check_period(first, last)

    @ma.post_load
    def _resolve(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if data.get("first") is None:
            data["first"], data["last"] = self.default_period(data)
        return data


class MovementsArgsSchema(_Period, PageArgsSchema):
    """The 进销存 report's filters (API): default period last month."""

    sku = ma.fields.String(load_default=None, validate=_length(min=1, max=40))


class MovementsFormSchema(_Period):
    """The 进销存 page: a month (``YYYY-MM``, default last month) or custom dates,
    warehouse, SKU or name search."""

    month = ma.fields.String(load_default=None)
    q = ma.fields.String(load_default="", validate=_length(max=100))

    @ma.validates("month")
    def _month(self, value: str | None, **kwargs: Any) -> None:
        if value is not None and not MONTH.match(value):
            raise ma.ValidationError(msg("Give a month as YYYY-MM."))

    def default_period(self, data: dict[str, Any]) -> tuple[dt.date, dt.date]:
        month = data.get("month")
        if month:
            year, number = MONTH.match(month).groups()  # type: ignore[union-attr]
            return month_days(int(year), int(number))
        return last_month()


class HistoryArgsSchema(_Period):
    """A SKU's history: default the last 30 days up to today."""

    def default_period(self, data: dict[str, Any]) -> tuple[dt.date, dt.date]:
        today = local_today()
        return today - dt.timedelta(days=HISTORY_DAYS - 1), today


class HistoryFormSchema(HistoryArgsSchema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1))


def _not_future(value: dt.date) -> None:
    if value > local_today():
        raise ma.ValidationError(msg("The date is in the future."))


class ValueArgsSchema(PageArgsSchema):
    """Stock value at the end of a local day (default today)."""

    at = ma.fields.Date(load_default=None, validate=_not_future)
    warehouse = ma.fields.String(load_default=None, validate=_length(min=1, max=20))
    q = ma.fields.String(load_default="", validate=_length(max=100))


class NearExpiryArgsSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    days = ma.fields.Integer(
        load_default=NEAR_EXPIRY_DAYS,
        validate=ma.validate.Range(min=0, max=MAX_EXPIRY_DAYS),
    )
    warehouse = ma.fields.String(load_default=None, validate=_length(min=1, max=20))


class NearExpiryPageArgsSchema(NearExpiryArgsSchema, PageArgsSchema):
    pass


class PlacesArgsSchema(PageArgsSchema):
    """Stock by bin and lot: warehouse, bin code prefix, SKU."""

    warehouse = ma.fields.String(load_default=None, validate=_length(min=1, max=20))
    bin = ma.fields.String(load_default="", validate=_length(max=30))
    sku = ma.fields.String(load_default=None, validate=_length(min=1, max=40))


# --- responses -----------------------------------------------------------------------
class FigureSchema(ma.Schema):
    qty = ma.fields.Integer()
    value = _money()


class MovementRowSchema(ma.Schema):
    """One SKU of the 进销存 report; ``adjustments`` is net (gains − losses), the
    outbound columns are positive quantities taken out: closing = opening + receipts +
    returns + transfers_in − issues − supplier_returns − transfers_out +
    adjustments."""

    sku = ma.fields.String()
    name = ma.fields.String()
    unit = ma.fields.String()
    warehouse = ma.fields.String(allow_none=True)
    opening = ma.fields.Nested(FigureSchema)
    receipts = ma.fields.Nested(FigureSchema)
    returns = ma.fields.Nested(FigureSchema)
    transfers_in = ma.fields.Nested(FigureSchema)
    issues = ma.fields.Nested(FigureSchema)
    supplier_returns = ma.fields.Nested(FigureSchema)
    transfers_out = ma.fields.Nested(FigureSchema)
    adjustments = ma.fields.Nested(FigureSchema)
    closing = ma.fields.Nested(FigureSchema)


class ValueRowSchema(ma.Schema):
    """A product in a warehouse at the end of the day: quantity, moving-average unit
    cost, value."""

    warehouse = ma.fields.String()
    sku = ma.fields.String()
    name = ma.fields.String()
    qty = ma.fields.Integer()
    unit_cost = _money(allow_none=True)
    value = _money()


class PlaceRowSchema(ma.Schema):
    warehouse = ma.fields.String()
    bin = ma.fields.String(allow_none=True)
    quarantine = ma.fields.Boolean(attribute="is_quarantine")
    sku = ma.fields.String()
    name = ma.fields.String()
    unit = ma.fields.String()
    lot = ma.fields.String(attribute="lot_no", allow_none=True)
    production_date = ma.fields.Date(allow_none=True)
    expiry_date = ma.fields.Date(allow_none=True)
    days_left = ma.fields.Integer(allow_none=True)
    expired = ma.fields.Boolean(attribute="is_expired")
    qty = ma.fields.Integer()


class ExpiryRowSchema(ma.Schema):
    """A lot in a warehouse. ``status``: ``expiring`` (usable, within the horizon;
    ``qty`` excludes quarantine bins) or ``expired`` (write off or return; all of it).
    ``reserved_qty`` is always null: reservations are per product, not per lot."""

    status = ma.fields.String()
    warehouse = ma.fields.String()
    sku = ma.fields.String()
    name = ma.fields.String()
    unit = ma.fields.String()
    lot = ma.fields.String(attribute="lot_no")
    production_date = ma.fields.Date(allow_none=True)
    expiry_date = ma.fields.Date()
    days_left = ma.fields.Integer()
    qty = ma.fields.Integer()
    reserved_qty = ma.fields.Constant(None)
    unit_cost = _money(allow_none=True)
    value = _money()


class HistoryLineSchema(ma.Schema):
    """A move seen from the report's scope: ``qty_in`` / ``qty_out`` change the
    balance; ``moved_qty`` moved inside the scope (between bins)."""

    move_id = ma.fields.Integer()
    at = ma.fields.AwareDateTime(attribute="created_at", default_timezone=dt.UTC)
    reason = ma.fields.String()
    reference_type = ma.fields.String(allow_none=True)
    reference_id = ma.fields.Integer(allow_none=True)
    reference_number = ma.fields.String(allow_none=True)
    from_location = ma.fields.Function(lambda line: line.source.label)
    to_location = ma.fields.Function(lambda line: line.target.label)
    lot = ma.fields.String(attribute="lot_no", allow_none=True)
    qty_in = ma.fields.Integer()
    qty_out = ma.fields.Integer()
    moved_qty = ma.fields.Integer()
    value_in = _money()
    value_out = _money()
    balance = ma.fields.Nested(FigureSchema)


class HistorySchema(ma.Schema):
    """Opening balance, every move of the period, closing balance (= Σ; equals the
    stock level when the period reaches today)."""

    sku = ma.fields.String()
    name = ma.fields.String()
    unit = ma.fields.String()
    warehouse = ma.fields.String(allow_none=True)
    first = ma.fields.Date(data_key="from")
    last = ma.fields.Date(data_key="to")
    opening = ma.fields.Nested(FigureSchema)
    closing = ma.fields.Nested(FigureSchema)
    lines = ma.fields.List(ma.fields.Nested(HistoryLineSchema))
