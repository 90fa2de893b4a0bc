"""补货 replenishment request and response shapes (reorder rules, suggestions, the
low-stock list) and the bin settings body (quarantine), shared by the API and the
forms."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from blueprints.api import PageArgsSchema
from blueprints.stock.schemas import BinSchema
from supplychain.stock.replenishment_rules import (
    DEFAULT_DEMAND_DAYS,
    MAX_DEMAND_DAYS,
    MAX_LEAD_TIME_DAYS,
    MAX_RULE_QTY,
    MIN_DEMAND_DAYS,
)

_length = ma.validate.Length
_qty_range = ma.validate.Range(min=0, max=MAX_RULE_QTY)
_lead_range = ma.validate.Range(min=0, max=MAX_LEAD_TIME_DAYS)
_days_range = ma.validate.Range(min=MIN_DEMAND_DAYS, max=MAX_DEMAND_DAYS)


def _safety_within_reorder_point(data: dict[str, Any]) -> None:
    if data["safety_stock"] > data["reorder_point"]:
        raise ma.ValidationError(
            "The safety stock cannot be above the reorder point.", "safety_stock"
        )


class StrictBoolean(ma.fields.Boolean):
    """JSON true or false only (not 1, "yes" or "on")."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


# --- rules ----------------------------------------------------------------------------
class WarehouseArgsSchema(ma.Schema):
    """``?warehouse=CODE`` (default: the default warehouse)."""

    class Meta:
        unknown = ma.EXCLUDE

    warehouse = ma.fields.String(load_default=None, validate=_length(min=1, max=20))


class RuleArgsSchema(PageArgsSchema):
    warehouse = ma.fields.String(load_default=None, validate=_length(max=20))
    sku = ma.fields.String(load_default=None, validate=_length(max=40))
    q = ma.fields.String(load_default="", validate=_length(max=100))


class RuleUpdateSchema(ma.Schema):
    """A manual rule: whole units, safety stock ≤ reorder point; a missing or null
    lead time means the preferred supplier's."""

    class Meta:
        unknown = ma.RAISE

    reorder_point = ma.fields.Integer(strict=True, required=True, validate=_qty_range)
    safety_stock = ma.fields.Integer(strict=True, required=True, validate=_qty_range)
    lead_time_days = ma.fields.Integer(
        strict=True, load_default=None, allow_none=True, validate=_lead_range
    )

    @ma.validates_schema
    def safety_within_reorder_point(self, data: dict[str, Any], **_: Any) -> None:
        _safety_within_reorder_point(data)


class RuleFormSchema(ma.Schema):
    """The rule form (one row of the page or the new-rule form): text values."""

    sku = ma.fields.String(required=True, validate=_length(min=1, max=40))
    warehouse = ma.fields.String(load_default=None, validate=_length(max=20))
    reorder_point = ma.fields.Integer(required=True, validate=_qty_range)
    safety_stock = ma.fields.Integer(required=True, validate=_qty_range)
    lead_time_days = ma.fields.Integer(load_default=None, validate=_lead_range)

    @ma.validates_schema
    def safety_within_reorder_point(self, data: dict[str, Any], **_: Any) -> None:
        _safety_within_reorder_point(data)


class RuleSchema(ma.Schema):
    sku = ma.fields.Function(lambda r: r.product.sku)
    name = ma.fields.Function(lambda r: r.product.name)
    unit = ma.fields.Function(lambda r: r.product.unit)
    warehouse = ma.fields.Function(lambda r: r.warehouse.code)
    reorder_point = ma.fields.Integer()
    safety_stock = ma.fields.Integer()
    lead_time_days = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "null = the preferred supplier's lead time"},
    )
    method = ma.fields.String(metadata={"description": "manual | suggested"})
    updated_at = ma.fields.AwareDateTime()


class SuggestSchema(ma.Schema):
    """Suggest rules from the demand of the last ``days`` complete days; ``apply``
    writes them (never over a manual rule)."""

    class Meta:
        unknown = ma.RAISE

    warehouse = ma.fields.String(load_default=None, validate=_length(min=1, max=20))
    days = ma.fields.Integer(
        strict=True, load_default=DEFAULT_DEMAND_DAYS, validate=_days_range
    )
    apply = StrictBoolean(load_default=False)


class SuggestFormSchema(ma.Schema):
    warehouse = ma.fields.String(load_default=None, validate=_length(max=20))
    days = ma.fields.Integer(load_default=DEFAULT_DEMAND_DAYS, validate=_days_range)


class SuggestionSchema(ma.Schema):
    sku = ma.fields.String()
    name = ma.fields.String()
    warehouse = ma.fields.String()
    days = ma.fields.Integer()
    total_qty = ma.fields.Integer()
    avg_daily_qty = ma.fields.Decimal(places=2, as_string=True)
    std_daily_qty = ma.fields.Decimal(places=2, as_string=True)
    lead_time_days = ma.fields.Integer()
    reorder_point = ma.fields.Integer()
    safety_stock = ma.fields.Integer()
    current_reorder_point = ma.fields.Integer(allow_none=True)
    current_safety_stock = ma.fields.Integer(allow_none=True)
    current_method = ma.fields.String(allow_none=True)
    is_manual = ma.fields.Boolean(
        metadata={"description": "a manual rule exists; it is kept"}
    )
    applied = ma.fields.Boolean()


# --- low stock ------------------------------------------------------------------------
class LowStockArgsSchema(PageArgsSchema):
    warehouse = ma.fields.String(load_default=None, validate=_length(max=20))


class LowStockRowSchema(ma.Schema):
    sku = ma.fields.String()
    name = ma.fields.String()
    unit = ma.fields.String()
    warehouse = ma.fields.String()
    on_hand_qty = ma.fields.Integer()
    reserved_qty = ma.fields.Integer()
    unusable_qty = ma.fields.Integer()
    available_qty = ma.fields.Integer()
    inbound_qty = ma.fields.Integer()
    reorder_point = ma.fields.Integer()
    safety_stock = ma.fields.Integer()
    shortfall_qty = ma.fields.Integer()
    suggested_qty = ma.fields.Integer()
    lead_time_days = ma.fields.Integer()
    supplier = ma.fields.String(attribute="supplier_code", allow_none=True)
    case_qty = ma.fields.Integer()
    moq = ma.fields.Integer()


# --- bins -----------------------------------------------------------------------------
class BinUpdateSchema(ma.Schema):
    """PATCH a bin: quarantine it (stock stays on hand, never available) or release
    it; activate or deactivate it."""

    class Meta:
        unknown = ma.RAISE

    is_quarantine = StrictBoolean()
    is_active = StrictBoolean()

    @ma.validates_schema
    def something_to_change(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ma.ValidationError("Give is_quarantine and/or is_active.", "_schema")


class BinDetailSchema(BinSchema):
    is_quarantine = ma.fields.Boolean()
    warehouse = ma.fields.Function(lambda b: b.warehouse.code)
