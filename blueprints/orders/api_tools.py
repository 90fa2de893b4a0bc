"""周期送 standing orders and 订单导入 order import, JSON API.

``/api/v1/standing-orders``: list, create, read, change, delete (a merchant user sees
only its own; another merchant's is 404). ``POST /api/v1/orders/import``: a multipart
``file`` (.csv/.xlsx) → 201 with the orders placed, or 422 ``validation_error`` with
``details.rows`` = ``[{"row", "column", "message"}]`` and nothing placed.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import request
from flask_smorest.fields import Upload
from werkzeug.exceptions import UnsupportedMediaType

from blueprints.api import (
    ApiBlueprint,
    PageArgsSchema,
    auth_required,
    current_api_user,
    paginate,
)
from supplychain.errors import ValidationFailed
from supplychain.orders import standing
from supplychain.orders.imports import import_orders
from supplychain.orders.rules import MAX_LINE_QTY, MAX_LINES

api_bp = ApiBlueprint(
    "order_tools_api",
    __name__,
    url_prefix="/api/v1",
    description="Standing orders (周期送) and order import (订单导入)",
)
ROLES = ("merchant", "sales")  # admin passes every staff check


# --- schemas --------------------------------------------------------------------------


class StandingLineSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    sku = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40))
    qty = ma.fields.Integer(
        strict=True, required=True, validate=ma.validate.Range(1, MAX_LINE_QTY)
    )


def _weekdays(**kwargs: Any) -> ma.fields.List:
    return ma.fields.List(
        ma.fields.Integer(strict=True, validate=ma.validate.Range(1, 7)),
        validate=ma.validate.Length(min=1, max=7),
        metadata={"description": "ISO weekdays (1 = Monday), e.g. [1, 4]"},
        **kwargs,
    )


def _lines(**kwargs: Any) -> ma.fields.List:
    return ma.fields.List(
        ma.fields.Nested(StandingLineSchema),
        validate=ma.validate.Length(min=1, max=MAX_LINES),
        **kwargs,
    )


class StandingOrderCreateSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    merchant = ma.fields.String(
        validate=ma.validate.Length(max=30),
        metadata={"description": "merchant code (staff only)"},
    )
    name = ma.fields.String(
        load_default="", validate=ma.validate.Length(max=standing.MAX_NAME)
    )
    weekdays = _weekdays(required=True)
    lines = _lines(required=True)
    start_date = ma.fields.Date(allow_none=True, load_default=None)
    end_date = ma.fields.Date(allow_none=True, load_default=None)


class StandingOrderUpdateSchema(ma.Schema):
    """Fields left out stay as they are."""

    class Meta:
        unknown = ma.RAISE

    name = ma.fields.String(validate=ma.validate.Length(max=standing.MAX_NAME))
    weekdays = _weekdays()
    lines = _lines()
    start_date = ma.fields.Date(allow_none=True)
    end_date = ma.fields.Date(allow_none=True)
    is_active = ma.fields.Boolean(truthy={True}, falsy={False})


class StandingLineOutSchema(ma.Schema):
    sku = ma.fields.Function(lambda line: line.product.sku)
    name = ma.fields.Function(lambda line: line.product.name)
    unit = ma.fields.Function(lambda line: line.product.unit)
    qty = ma.fields.Integer()


class StandingRunSchema(ma.Schema):
    delivery_date = ma.fields.Date()
    outcome = ma.fields.String()
    order_id = ma.fields.Integer(allow_none=True)
    message = ma.fields.String()
    details = ma.fields.Function(standing.run_details)
    run_at = ma.fields.DateTime()


class StandingOrderSchema(ma.Schema):
    id = ma.fields.Integer()
    merchant = ma.fields.Function(lambda s: s.merchant.code)
    merchant_name = ma.fields.Function(lambda s: s.merchant.name)
    name = ma.fields.String()
    weekdays = ma.fields.Function(lambda s: [int(ch) for ch in s.weekdays])
    start_date = ma.fields.Date(allow_none=True)
    end_date = ma.fields.Date(allow_none=True)
    is_active = ma.fields.Boolean()
    next_delivery_date = ma.fields.Function(
        lambda s: _iso(standing.next_run_date(s)),
        metadata={"description": "the next date it orders for (null: never again)"},
    )
    lines = ma.fields.List(ma.fields.Nested(StandingLineOutSchema))
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class StandingOrderDetailSchema(StandingOrderSchema):
    runs = ma.fields.Function(
        lambda s: StandingRunSchema(many=True).dump(standing.recent_runs(s.id, 10)),
        metadata={"description": "the last generator runs: created or skipped"},
    )


class StandingQueryArgsSchema(PageArgsSchema):
    q = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))
    active = ma.fields.Boolean(load_default=None, allow_none=True)


class OrderImportFileSchema(ma.Schema):
    file = Upload(metadata={"description": "a .csv (UTF-8 or GBK) or .xlsx file"})


class ImportedOrderSchema(ma.Schema):
    id = ma.fields.Integer()
    number = ma.fields.String()
    merchant = ma.fields.String(attribute="merchant_code")
    merchant_name = ma.fields.String()
    delivery_date = ma.fields.Date()
    line_count = ma.fields.Integer()
    total_amount = ma.fields.Decimal(places=2, as_string=True)


class OrderImportResultSchema(ma.Schema):
    rows = ma.fields.Integer()
    total_amount = ma.fields.Decimal(places=2, as_string=True)
    orders = ma.fields.List(ma.fields.Nested(ImportedOrderSchema))


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


# --- standing orders ------------------------------------------------------------------


@api_bp.route("/standing-orders", methods=["GET"])
@auth_required(*ROLES)
@api_bp.arguments(StandingQueryArgsSchema, location="query")
@api_bp.response(200, StandingOrderSchema(many=True))
def list_standing_orders(args: dict[str, Any]) -> Any:
    """Standing orders (merchant users: their own); q searches name and merchant."""
    stmt = standing.standing_orders_query(
        current_api_user(), q=args["q"], active=args["active"]
    )
    items, headers = paginate(stmt, args["page"], args["per_page"])
    return items, 200, headers


@api_bp.route("/standing-orders", methods=["POST"])
@auth_required(*ROLES)
@api_bp.arguments(StandingOrderCreateSchema)
@api_bp.response(201, StandingOrderDetailSchema)
def create_standing_order(data: dict[str, Any]) -> Any:
    """Create a standing order (staff send `merchant`; merchant users must not)."""
    return standing.create_standing_order(
        current_api_user(), merchant_code=data.pop("merchant", None), **data
    )


@api_bp.route("/standing-orders/<int:standing_id>", methods=["GET"])
@auth_required(*ROLES)
@api_bp.response(200, StandingOrderDetailSchema)
def get_standing_order(standing_id: int) -> Any:
    """One standing order with its last runs (another merchant's is 404)."""
    return standing.get_standing_order(current_api_user(), standing_id)


@api_bp.route("/standing-orders/<int:standing_id>", methods=["PUT"])
@auth_required(*ROLES)
@api_bp.arguments(StandingOrderUpdateSchema)
@api_bp.response(200, StandingOrderDetailSchema)
def update_standing_order(data: dict[str, Any], standing_id: int) -> Any:
    """Change a standing order; fields left out stay; `is_active` pauses/resumes."""
    return standing.update_standing_order(current_api_user(), standing_id, **data)


@api_bp.route("/standing-orders/<int:standing_id>", methods=["DELETE"])
@auth_required(*ROLES)
@api_bp.response(204)
def delete_standing_order(standing_id: int) -> Any:
    """Delete a standing order (orders it placed stay)."""
    standing.delete_standing_order(current_api_user(), standing_id)
    return None


# --- import ---------------------------------------------------------------------------


@api_bp.route("/orders/import", methods=["POST"])
@auth_required(*ROLES)
@api_bp.arguments(OrderImportFileSchema, location="files")
@api_bp.response(201, OrderImportResultSchema)
def import_file(files: dict[str, Any]) -> Any:
    """Place the orders of a multipart `file` (.csv or .xlsx), all or nothing; 422
    with details.rows = [{row, column, message}] when any row is refused. The same file
    a second time is refused unless `?again=true`."""
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType(
            "Send the file as multipart/form-data, field 'file'."
        )
    upload = files.get("file")
    if upload is None:
        raise ValidationFailed({"file": ["Missing data for required field."]})
    again = request.args.get("again", "").lower() in ("1", "true", "yes")
    return import_orders(
        current_api_user(), upload.read(), upload.filename or "", again=again
    )
