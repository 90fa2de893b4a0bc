"""Request and response shapes for merchants (contracts.md §2), shared by the API and
the HTML forms (house style §3.12)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import marshmallow as ma
from flask_smorest.fields import Upload

from blueprints.api import PageArgsSchema, money_range
from supplychain.database import CENT
from supplychain.merchants.services import MAX_MIN_SHELF_LIFE_DAYS
from supplychain.merchants.values import (
    CODE_RE,
    KINDS,
    MAX_PAYMENT_TERMS_DAYS,
    PHONE_RE,
    TEXT_LIMITS,
    format_time,
    parse_window,
)

_length = ma.validate.Length
_shelf_life_range = ma.validate.Range(min=0, max=MAX_MIN_SHELF_LIFE_DAYS)


class MoneyField(ma.fields.Decimal):
    """Exact money: a decimal string or JSON number with at most two places in (never
    rounded silently), a string with two places out ("5000.00")."""

    default_error_messages = {"too_precise": "At most two decimal places."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validate", money_range)
        metadata = {
            "type": "string", "format": "decimal", "example": "5000.00",
            "description": "a decimal string (a JSON number is accepted too)",
        }  # fmt: skip
        kwargs["metadata"] = metadata | kwargs.get("metadata", {})
        super().__init__(as_string=True, allow_nan=False, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Decimal:
        amount = super()._deserialize(value, attr, data, **kwargs)
        try:
            exact = amount == amount.quantize(CENT)
        except InvalidOperation:  # more digits than the decimal context holds
            raise self.make_error("too_large") from None
        if not exact:
            raise self.make_error("too_precise")
        return amount

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else format(Decimal(value).quantize(CENT), "f")


class WindowField(ma.fields.Field):
    """A local delivery window ``["07:00", "10:00"]`` ↔ a pair of times."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {
            "type": "array", "items": {"type": "string", "example": "07:00"},
            "minItems": 2, "maxItems": 2, "example": ["07:00", "10:00"],
            "description": "local time, [start, end), start before end",
        }  # fmt: skip
        kwargs["metadata"] = metadata | kwargs.get("metadata", {})
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ma.ValidationError('Must be two times, like ["07:00", "10:00"].')
        try:
            return parse_window(value)
        except ValueError as error:
            raise ma.ValidationError(str(error)) from None

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else [format_time(t) for t in value]


def _text(field: str, **kwargs: Any) -> ma.fields.String:
    return ma.fields.String(validate=_length(max=TEXT_LIMITS[field]), **kwargs)


_phone_validators = [
    _length(max=TEXT_LIMITS["phone"]),
    ma.validate.Regexp(
        rf"^(?:{PHONE_RE.pattern})?$",
        error="Digits, spaces, '+', '-' and brackets only.",
    ),
]


class _MerchantOptionalFields(ma.Schema):
    name_en = _text("name_en")
    kind = ma.fields.String(validate=ma.validate.OneOf(KINDS))
    district = _text("district")
    price_grade = ma.fields.String(allow_none=True, validate=_length(max=30))
    credit_limit = MoneyField(allow_none=True)
    delivery_window = WindowField(allow_none=True)
    payment_terms_days = ma.fields.Integer(
        strict=True, validate=ma.validate.Range(min=0, max=MAX_PAYMENT_TERMS_DAYS)
    )
    min_shelf_life_days = ma.fields.Integer(
        strict=True,
        allow_none=True,
        validate=_shelf_life_range,
        metadata={
            "description": "minimum remaining shelf life on delivery, days; "
            "null = no minimum"
        },
    )
    contact_name = _text("contact_name")
    phone = ma.fields.String(validate=_phone_validators)
    note = _text("note")


def _code_field() -> ma.fields.String:
    return ma.fields.String(
        required=True,
        validate=ma.validate.Regexp(
            rf"^{CODE_RE.pattern}$", error="1 to 30 letters, digits, '-' or '_'."
        ),
    )


class MerchantCreateSchema(_MerchantOptionalFields):
    """POST /merchants: unknown fields are refused (marshmallow's default RAISE)."""

    code = _code_field()
    name = ma.fields.String(
        required=True, validate=_length(min=1, max=TEXT_LIMITS["name"])
    )
    address = ma.fields.String(
        required=True, validate=_length(min=1, max=TEXT_LIMITS["address"])
    )
    lat = ma.fields.Float(required=True, validate=ma.validate.Range(min=-90, max=90))
    lon = ma.fields.Float(required=True, validate=ma.validate.Range(min=-180, max=180))


class MerchantUpdateSchema(_MerchantOptionalFields):
    """PATCH /merchants/<code>: any subset; null clears price_grade, credit_limit
    (= unlimited) and delivery_window. The code never changes."""

    name = ma.fields.String(validate=_length(min=1, max=TEXT_LIMITS["name"]))
    address = ma.fields.String(validate=_length(min=1, max=TEXT_LIMITS["address"]))
    lat = ma.fields.Float(validate=ma.validate.Range(min=-90, max=90))
    lon = ma.fields.Float(validate=ma.validate.Range(min=-180, max=180))
    is_active = ma.fields.Boolean()


class MerchantContactSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(required=True, validate=_length(min=1, max=80))
    role = ma.fields.String(validate=_length(max=40))
    phone = ma.fields.String(validate=_phone_validators)
    wechat = ma.fields.String(validate=_length(max=60))
    is_primary = ma.fields.Boolean()


class MerchantSchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()
    name_en = ma.fields.String()
    kind = ma.fields.String()
    address = ma.fields.String()
    district = ma.fields.String()
    lat = ma.fields.Float()
    lon = ma.fields.Float()
    price_grade = ma.fields.Function(
        lambda m: m.price_grade.code if m.price_grade else None
    )
    credit_limit = MoneyField(metadata={"description": "null = unlimited"})
    payment_terms_days = ma.fields.Integer(
        metadata={"description": "0 = cash on delivery"}
    )
    delivery_window = WindowField(metadata={"example": ["07:00", "10:00"]})
    min_shelf_life_days = ma.fields.Integer(
        allow_none=True, metadata={"description": "null = no minimum"}
    )
    contact_name = ma.fields.String()
    phone = ma.fields.String()
    note = ma.fields.String(
        metadata={"description": "internal; left out for merchant users"}
    )
    is_active = ma.fields.Boolean()
    contacts = ma.fields.List(ma.fields.Nested(MerchantContactSchema))
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()


class MerchantQueryArgsSchema(PageArgsSchema):
    q = ma.fields.String(load_default="", validate=_length(max=100))
    kind = ma.fields.String(load_default="", validate=ma.validate.OneOf(("",) + KINDS))
    district = ma.fields.String(load_default="", validate=_length(max=40))
    active = ma.fields.Boolean(load_default=None, allow_none=True)


class MerchantExportArgsSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    format = ma.fields.String(
        load_default="csv", validate=ma.validate.OneOf(("csv", "xlsx"))
    )
    q = ma.fields.String(load_default="", validate=_length(max=100))
    kind = ma.fields.String(load_default="", validate=ma.validate.OneOf(("",) + KINDS))
    active = ma.fields.Boolean(load_default=None, allow_none=True)


class MerchantUserCreateSchema(ma.Schema):
    username = ma.fields.String(required=True, validate=_length(min=1, max=80))
    password = ma.fields.String(
        required=True, load_only=True, validate=_length(min=8, max=1024)
    )
    display_name = ma.fields.String(load_default="", validate=_length(max=120))


class MerchantUserSchema(ma.Schema):
    id = ma.fields.Integer()
    username = ma.fields.String()
    display_name = ma.fields.String()
    role = ma.fields.String()
    merchant = ma.fields.Function(lambda u: u.merchant.code if u.merchant else None)
    is_active = ma.fields.Boolean()
    created_at = ma.fields.AwareDateTime()


class MerchantImportFileSchema(ma.Schema):
    file = Upload(metadata={"description": "a .csv (UTF-8 or GBK) or .xlsx file"})


class MerchantImportResultSchema(ma.Schema):
    created = ma.fields.Integer()
    updated = ma.fields.Integer()


# --- HTML forms: every field is on the form; a blank optional field clears the value


class _FormFields(ma.Schema):
    """Blank optional form fields (dropped by load_form) mean 'none', not 'unchanged';
    the window comes as two time inputs."""

    name = ma.fields.String(
        required=True, validate=_length(min=1, max=TEXT_LIMITS["name"])
    )
    address = ma.fields.String(
        required=True, validate=_length(min=1, max=TEXT_LIMITS["address"])
    )
    lat = ma.fields.Float(required=True, validate=ma.validate.Range(min=-90, max=90))
    lon = ma.fields.Float(required=True, validate=ma.validate.Range(min=-180, max=180))
    name_en = _text("name_en", load_default="")
    kind = ma.fields.String(load_default="store", validate=ma.validate.OneOf(KINDS))
    district = _text("district", load_default="")
    price_grade = ma.fields.String(load_default=None, validate=_length(max=30))
    credit_limit = MoneyField(load_default=None)
    delivery_window = WindowField(load_default=None)
    payment_terms_days = ma.fields.Integer(  # form text: not strict
        load_default=0, validate=ma.validate.Range(min=0, max=MAX_PAYMENT_TERMS_DAYS)
    )
    min_shelf_life_days = ma.fields.Integer(
        load_default=None, validate=_shelf_life_range
    )
    contact_name = _text("contact_name", load_default="")
    phone = ma.fields.String(load_default="", validate=_phone_validators)
    note = _text("note", load_default="")

    @ma.pre_load
    def join_window(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data = dict(data)
        start, end = data.pop("window_start", ""), data.pop("window_end", "")
        if start or end:
            data["delivery_window"] = [start, end]
        return data


class MerchantFormSchema(_FormFields):
    code = _code_field()


class MerchantEditFormSchema(_FormFields):
    pass


class ContactFormSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=_length(min=1, max=80))
    role = ma.fields.String(load_default="", validate=_length(max=40))
    phone = ma.fields.String(load_default="", validate=_phone_validators)
    wechat = ma.fields.String(load_default="", validate=_length(max=60))
    is_primary = ma.fields.Boolean(load_default=False)
