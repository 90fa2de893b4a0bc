"""商品管理 request and response shapes of the catalogue API and forms (marshmallow).

Money is a two-place decimal string out and a decimal string (or JSON number) with at
most two places in; quantities are strict integers; unknown fields in bodies are
refused."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import fields, validate

from blueprints.api import PageArgsSchema
from supplychain.catalog import values as limits


class Money(fields.Decimal):
    """A price: "12.50" or 12.5 in, "12.50" out; refuses floats' noise, >2 places,
    negatives and absurd amounts."""

    default_error_messages = {"invalid": 'Not a valid amount (e.g. "12.50").'}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(places=2, as_string=True, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, float):
            value = repr(value)  # 12.5 → "12.5", not the binary expansion
        if isinstance(value, str):
            value = value.strip()
        try:
            amount = Decimal(value)
        except (ArithmeticError, TypeError, ValueError):
            raise self.make_error("invalid") from None
        problem = limits.money_problem(amount)
        if problem:
            raise ma.ValidationError(problem)
        return amount.quantize(Decimal("0.01"))


class Measure(fields.Decimal):
    """Kilograms or litres: up to three places, not negative."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(places=3, as_string=True, allow_none=True, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, float):
            value = repr(value)
        try:
            amount = Decimal(str(value).strip())
        except (ArithmeticError, TypeError, ValueError):
            raise self.make_error("invalid") from None
        problem = limits.measure_problem(amount)
        if problem:
            raise ma.ValidationError(problem)
        return amount


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError("Must not be blank.")


def _key(value: str) -> None:
    problem = limits.key_problem(value)
    if problem:
        raise ma.ValidationError(problem)


def _qty(low: int = 1, high: int = limits.MAX_QTY, **kwargs: Any) -> fields.Integer:
    return fields.Integer(
        strict=True, validate=validate.Range(min=low, max=high), **kwargs
    )


def _text(limit: int, **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Length(max=limit), **kwargs)


class StrictSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE


# --- products -----------------------------------------------------------------------


class ProductFieldsSchema(StrictSchema):
    """The optional product fields shared by create and update."""

    name_en = _text(200)
    case_qty = _qty()
    category = fields.String(allow_none=True, validate=validate.Length(max=30))
    barcode = fields.String(allow_none=True, validate=[validate.Length(max=64)])
    is_stocked = fields.Boolean()
    is_lot_tracked = fields.Boolean()
    shelf_life_days = _qty(1, limits.MAX_SHELF_LIFE_DAYS, allow_none=True)
    min_order_qty = _qty()
    order_step = _qty()
    weight_kg = Measure()
    volume_l = Measure()
    description = _text(5000)

    @ma.validates("barcode")
    def _barcode(self, value: str | None, **kwargs: Any) -> None:
        if value:
            _key(value)


class ProductCreateSchema(ProductFieldsSchema):
    sku = fields.String(required=True, validate=[validate.Length(max=40), _key])
    name = fields.String(required=True, validate=[validate.Length(max=200), _not_blank])
    unit = fields.String(required=True, validate=[validate.Length(max=200), _not_blank])
    price = Money(required=True)


class ProductUpdateSchema(ProductFieldsSchema):
    name = fields.String(validate=[validate.Length(max=200), _not_blank])
    unit = fields.String(validate=[validate.Length(max=200), _not_blank])
    price = Money()
    is_active = fields.Boolean()


class ProductSchema(ma.Schema):
    """A product as the caller sees it: ``price`` is the caller's price (a merchant's
    own price for merchant users, the list price for staff)."""

    id = fields.Integer()
    sku = fields.String()
    name = fields.String()
    name_en = fields.String()
    unit = fields.String()
    price = Money()
    case_qty = fields.Integer()
    category = fields.Function(lambda p: p.category.code if p.category else None)
    barcode = fields.String(allow_none=True)
    is_stocked = fields.Boolean()
    is_lot_tracked = fields.Boolean()
    is_active = fields.Boolean()
    min_order_qty = fields.Integer()
    order_step = fields.Integer()
    shelf_life_days = fields.Integer(allow_none=True)
    weight_kg = fields.Decimal(places=3, as_string=True, allow_none=True)
    volume_l = fields.Decimal(places=3, as_string=True, allow_none=True)
    description = fields.String()
    has_image = fields.Function(lambda p: bool(p.image_path))


class ProductQueryArgsSchema(PageArgsSchema):
    sku = fields.String(validate=validate.Length(max=40))
    q = fields.String(validate=validate.Length(max=200))
    category = fields.String(validate=validate.Length(max=30))
    active = fields.Boolean()


class PriceSchema(StrictSchema):
    price = Money(required=True, allow_none=True)


class GradePriceSchema(ma.Schema):
    grade = fields.String(attribute="grade_code")
    name = fields.String(attribute="grade_name")
    price = Money(allow_none=True)


class ImportFileSchema(ma.Schema):
    file = Upload(required=True)


class ImageFileSchema(ma.Schema):
    image = Upload(required=True)


class MerchantPriceSchema(ma.Schema):
    merchant = fields.String()
    sku = fields.String()
    price = Money(allow_none=True)


class ImportResultSchema(ma.Schema):
    created = fields.Integer()
    updated = fields.Integer()


# --- categories, grades, suppliers --------------------------------------------------


class CategoryCreateSchema(StrictSchema):
    code = fields.String(required=True, validate=[validate.Length(max=30), _key])
    name = fields.String(required=True, validate=[validate.Length(max=120), _not_blank])
    name_en = _text(120)
    parent = fields.String(allow_none=True, validate=validate.Length(max=30))
    sort = fields.Integer(
        strict=True, validate=validate.Range(min=-1_000_000, max=1_000_000)
    )


class CategorySchema(ma.Schema):
    code = fields.String()
    name = fields.String()
    name_en = fields.String()
    parent = fields.Function(lambda c: c.parent.code if c.parent else None)
    sort = fields.Integer()


class PriceGradeCreateSchema(StrictSchema):
    code = fields.String(required=True, validate=[validate.Length(max=30), _key])
    name = fields.String(required=True, validate=[validate.Length(max=80), _not_blank])


class PriceGradeSchema(ma.Schema):
    code = fields.String()
    name = fields.String()


class SupplierQueryArgsSchema(PageArgsSchema):
    q = fields.String(validate=validate.Length(max=200))
    active = fields.Boolean()


class SupplierCreateSchema(StrictSchema):
    code = fields.String(required=True, validate=[validate.Length(max=30), _key])
    name = fields.String(required=True, validate=[validate.Length(max=200), _not_blank])
    contact = _text(120)
    phone = _text(40)
    address = _text(300)
    lead_time_days = _qty(0, limits.MAX_LEAD_TIME_DAYS)


class SupplierUpdateSchema(StrictSchema):
    name = fields.String(validate=[validate.Length(max=200), _not_blank])
    contact = _text(120)
    phone = _text(40)
    address = _text(300)
    lead_time_days = _qty(0, limits.MAX_LEAD_TIME_DAYS)
    is_active = fields.Boolean()


class SupplierSchema(ma.Schema):
    code = fields.String()
    name = fields.String()
    contact = fields.String()
    phone = fields.String()
    address = fields.String()
    lead_time_days = fields.Integer()
    is_active = fields.Boolean()


class ProductSupplierCreateSchema(StrictSchema):
    supplier = fields.String(required=True, validate=validate.Length(min=1, max=30))
    cost_price = Money(required=True)
    supplier_sku = _text(60)
    case_qty = _qty()
    moq = _qty()
    lead_time_days = _qty(0, limits.MAX_LEAD_TIME_DAYS, allow_none=True)
    is_preferred = fields.Boolean()


class ProductSupplierSchema(ma.Schema):
    supplier = fields.Function(lambda link: link.supplier.code)
    supplier_name = fields.Function(lambda link: link.supplier.name)
    supplier_sku = fields.String()
    cost_price = Money()
    case_qty = fields.Integer()
    moq = fields.Integer()
    lead_time_days = fields.Integer(allow_none=True)
    is_preferred = fields.Boolean()
