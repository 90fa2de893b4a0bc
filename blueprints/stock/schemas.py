"""进销存 request and response shapes (contracts.md §2), shared by the API and the
forms."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from blueprints.api import PageArgsSchema
from supplychain.stock.layout import LIMITS, MAX_LEVELS, SIDES
from supplychain.stock.ledger import MAX_MOVE_QTY, MAX_REASON
from supplychain.stock.locations import MAX_LOT_NO

_length = ma.validate.Length
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,19}\Z"


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError("Must not be blank.")


def _not_zero(value: int) -> None:
    if value == 0:
        raise ma.ValidationError("Must not be zero.")


# --- stock ----------------------------------------------------------------------------
class AdjustmentCreateSchema(ma.Schema):
    """A stock correction: ``qty`` signed (+ found / − written off), never zero."""

    class Meta:
        unknown = ma.RAISE

    sku = ma.fields.String(required=True, validate=[_length(min=1, max=40), _not_blank])
    qty = ma.fields.Integer(
        strict=True,
        required=True,
        validate=[ma.validate.Range(min=-MAX_MOVE_QTY, max=MAX_MOVE_QTY), _not_zero],
    )
    reason = ma.fields.String(
        required=True, validate=[_length(min=1, max=MAX_REASON), _not_blank]
    )
    warehouse = ma.fields.String(load_default=None, validate=_length(min=1, max=20))
    lot = ma.fields.String(
        load_default=None, validate=[_length(min=1, max=MAX_LOT_NO), _not_blank]
    )
    expiry_date = ma.fields.Date(load_default=None)
    bin = ma.fields.String(load_default=None, validate=_length(min=1, max=30))


class AdjustmentFormSchema(AdjustmentCreateSchema):
    """The same fields from an HTML form, where every value arrives as text."""

    qty = ma.fields.Integer(
        required=True,
        validate=[ma.validate.Range(min=-MAX_MOVE_QTY, max=MAX_MOVE_QTY), _not_zero],
    )


class MoveSchema(ma.Schema):
    """One ledger move; ``qty`` is positive (from → to), ``delta_qty`` its signed effect
    on
    ``warehouse`` (+ in, − out, 0 between bins of one warehouse)."""

    id = ma.fields.Integer()
    sku = ma.fields.Function(lambda m: m.product.sku)
    qty = ma.fields.Integer()
    delta_qty = ma.fields.Integer()
    warehouse = ma.fields.Function(lambda m: m.warehouse.code if m.warehouse else None)
    from_location = ma.fields.Function(lambda m: m.from_location.label)
    to_location = ma.fields.Function(lambda m: m.to_location.label)
    lot = ma.fields.Function(lambda m: m.lot.lot_no if m.lot else None)
    expiry_date = ma.fields.Function(
        lambda m: m.lot.expiry_date.isoformat() if m.lot and m.lot.expiry_date else None
    )
    reason = ma.fields.String()
    reference_type = ma.fields.String(allow_none=True)
    reference_id = ma.fields.Integer(allow_none=True)
    user = ma.fields.Function(lambda m: m.user.username if m.user else None)
    created_at = ma.fields.AwareDateTime()


class StockRowSchema(ma.Schema):
    sku = ma.fields.String()
    name = ma.fields.String()
    unit = ma.fields.String()
    warehouse = ma.fields.String()
    on_hand_qty = ma.fields.Integer()
    reserved_qty = ma.fields.Integer()
    available_qty = ma.fields.Integer()


class StockArgsSchema(PageArgsSchema):
    sku = ma.fields.String(load_default=None, validate=_length(max=40))
    q = ma.fields.String(load_default="", validate=_length(max=100))
    warehouse = ma.fields.String(load_default=None, validate=_length(max=20))


class MovesArgsSchema(PageArgsSchema):
    sku = ma.fields.String(load_default=None, validate=_length(max=40))
    warehouse = ma.fields.String(load_default=None, validate=_length(max=20))
    reference_type = ma.fields.String(load_default=None, validate=_length(max=40))
    reference_id = ma.fields.Integer(load_default=None)


# --- warehouses -----------------------------------------------------------------------
def _layout_field(name: str, *, strict: bool = True) -> ma.fields.Field:
    low, high, integer = LIMITS[name]
    if integer:
        return ma.fields.Integer(
            strict=strict, validate=ma.validate.Range(min=low, max=high)
        )
    return ma.fields.Float(
        allow_nan=False, validate=ma.validate.Range(min=low, max=high)
    )


class LayoutSchema(ma.Schema):
    """The warehouse model of contracts.md §3 (the optimizer's layout JSON), metres."""

    class Meta:
        unknown = ma.RAISE

    n_aisles = _layout_field("n_aisles")
    n_cross_aisles = _layout_field("n_cross_aisles")
    bays_per_block = _layout_field("bays_per_block")
    aisle_spacing = _layout_field("aisle_spacing")
    bay_length = _layout_field("bay_length")
    cross_to_first_bay = _layout_field("cross_to_first_bay")
    depot_aisle = _layout_field("depot_aisle")
    depot_offset = _layout_field("depot_offset")


LAYOUT_NAMES = tuple(LayoutSchema._declared_fields)


def _lift_flat_layout(data: Any) -> Any:
    """Accept the layout fields at the top level too (``{"code", "n_aisles", …}``)."""
    if isinstance(data, dict) and "layout" not in data:
        flat = {k: data[k] for k in LAYOUT_NAMES if k in data}
        if flat:
            data = {k: v for k, v in data.items() if k not in flat} | {"layout": flat}
    return data


class _WarehouseFields(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    name = ma.fields.String(validate=[_length(min=1, max=120), _not_blank])
    address = ma.fields.String(validate=_length(max=300))
    lat = ma.fields.Float(
        allow_none=True, allow_nan=False, validate=ma.validate.Range(min=-90, max=90)
    )
    lon = ma.fields.Float(
        allow_none=True, allow_nan=False, validate=ma.validate.Range(min=-180, max=180)
    )
    is_default = ma.fields.Boolean()
    layout = ma.fields.Nested(LayoutSchema)

    @ma.pre_load
    def lift_layout(self, data: Any, **_: Any) -> Any:
        return _lift_flat_layout(data)


class WarehouseCreateSchema(_WarehouseFields):
    code = ma.fields.String(
        required=True,
        validate=ma.validate.Regexp(
            CODE_PATTERN, error="1 to 20 letters, digits, '-' or '_'."
        ),
    )
    name = ma.fields.String(
        required=True, validate=[_length(min=1, max=120), _not_blank]
    )


class WarehouseUpdateSchema(_WarehouseFields):
    is_active = ma.fields.Boolean()


class WarehouseSchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()
    address = ma.fields.String()
    lat = ma.fields.Float(allow_none=True)
    lon = ma.fields.Float(allow_none=True)
    is_default = ma.fields.Boolean()
    is_active = ma.fields.Boolean()
    layout = ma.fields.Function(
        lambda w: {name: getattr(w, name) for name in LAYOUT_NAMES}
    )


class _WarehouseFormBase(ma.Schema):

    code = ma.fields.String(
        validate=ma.validate.Regexp(
            CODE_PATTERN, error="1 to 20 letters, digits, '-' or '_'."
        )
    )
    name = ma.fields.String(
        required=True, validate=[_length(min=1, max=120), _not_blank]
    )
    address = ma.fields.String(load_default="", validate=_length(max=300))
    lat = ma.fields.Float(
        load_default=None, allow_nan=False, validate=ma.validate.Range(min=-90, max=90)
    )
    lon = ma.fields.Float(
        load_default=None,
        allow_nan=False,
        validate=ma.validate.Range(min=-180, max=180),
    )
    is_default = ma.fields.Boolean(load_default=False)
    is_active = ma.fields.Boolean(load_default=False)


WarehouseFormSchema = type(
    "WarehouseFormSchema",
    (_WarehouseFormBase,),
    {
        "__doc__": "The warehouse form: flat fields, text values, checkboxes.",
        **{name: _layout_field(name, strict=False) for name in LAYOUT_NAMES},
    },
)


class BinSchema(ma.Schema):
    code = ma.fields.String()
    aisle = ma.fields.Integer()
    block = ma.fields.Integer()
    bay = ma.fields.Integer()
    side = ma.fields.String()
    level = ma.fields.Integer()
    is_active = ma.fields.Boolean()
    is_quarantine = ma.fields.Boolean()
    layout_position = ma.fields.Function(lambda b: list(b.layout_position))


class BinsArgsSchema(PageArgsSchema):
    aisle = ma.fields.Integer(
        load_default=None, validate=ma.validate.Range(min=1, max=1000)
    )
    q = ma.fields.String(load_default="", validate=_length(max=30))
    active = ma.fields.Boolean(load_default=None)


class GenerateBinsSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    levels = ma.fields.Integer(
        load_default=1, validate=ma.validate.Range(min=1, max=MAX_LEVELS)
    )
    sides = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(SIDES)),
        load_default=list(SIDES),
        validate=_length(min=1, max=2),
    )


class GenerateBinsResultSchema(ma.Schema):
    created = ma.fields.Integer()
    deactivated = ma.fields.Integer()
    total = ma.fields.Integer()
