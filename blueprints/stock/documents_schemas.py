"""库存单据 stock documents: request and response shapes of the API (contracts.md §2).

Syntax only (types, lengths, ranges, unknown fields); which fields a kind takes and
everything that needs the database is checked by ``supplychain.stock.documents``.
"""

from __future__ import annotations

import marshmallow as ma

from blueprints.api import PageArgsSchema, money_range
from blueprints.stock.schemas import MoveSchema
from supplychain.stock.documents import (
    ADJUSTMENT_REASONS,
    DOCUMENT_KINDS,
    ISSUE_DESTINATIONS,
    MAX_EXTERNAL_REF,
    MAX_LINE_NOTE,
    MAX_LINES,
    MAX_NOTE,
    MAX_TOKEN,
    RETURN_DISPOSITIONS,
)
from supplychain.stock.ledger import MAX_MOVE_QTY
from supplychain.stock.locations import MAX_LOT_NO

_length = ma.validate.Length
_range = ma.validate.Range


def _code(limit: int) -> ma.fields.String:
    return ma.fields.String(load_default=None, validate=_length(min=1, max=limit))


# --- requests -------------------------------------------------------------------------
class DocumentLineCreateSchema(ma.Schema):
    """One line; which fields a kind takes is in the description of each kind."""

    class Meta:
        unknown = ma.RAISE

    sku = ma.fields.String(
        required=True,
        validate=_length(min=1, max=64),
        metadata={"description": "SKU, or a bar code only one product has"},
    )
    qty = ma.fields.Integer(
        strict=True,
        required=True,
        validate=_range(min=-MAX_MOVE_QTY, max=MAX_MOVE_QTY),
        metadata={"description": "positive; signed (never 0) on adjustments"},
    )
    lot = _code(MAX_LOT_NO)
    production_date = ma.fields.Date(load_default=None)
    expiry_date = ma.fields.Date(load_default=None)
    bin = ma.fields.String(
        load_default=None,
        validate=_length(min=1, max=30),
        metadata={"description": "where goods go (in) or come from (out); a code"},
    )
    to_bin = ma.fields.String(
        load_default=None,
        validate=_length(min=1, max=30),
        metadata={"description": "moves: the destination bin"},
    )
    unit_cost = ma.fields.Decimal(
        load_default=None,
        as_string=True,
        allow_nan=False,
        validate=money_range,
        metadata={
            "type": "string",
            "format": "decimal",
            "example": "12.50",
            "description": "receipts and positive adjustments, CNY; a decimal string "
            "(a JSON number is accepted too)",
        },
    )
    note = ma.fields.String(load_default=None, validate=_length(max=MAX_LINE_NOTE))


class DocumentCreateSchema(ma.Schema):
    """A stock document. Header fields by kind — receipt: warehouse, supplier |
    supplier_id, external_ref; issue: warehouse, issue_to (customer | supplier),
    merchant | merchant_id, supplier | supplier_id; move: warehouse (lines with bin →
    to_bin); transfer: warehouse, to_warehouse; adjustment: warehouse, reason_code;
    return: warehouse, merchant | merchant_id, disposition (stock | quarantine),
    external_ref (order number); scrap: warehouse, reason_code. ``note`` on all. The
    ``Idempotency-Key`` header (or ``client_token``) makes a retry return the first
    document."""

    class Meta:
        unknown = ma.RAISE

    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(DOCUMENT_KINDS))
    warehouse = _code(20)
    to_warehouse = _code(20)
    supplier = _code(30)
    supplier_id = ma.fields.Integer(
        strict=True, load_default=None, validate=_range(min=1)
    )
    merchant = _code(30)
    merchant_id = ma.fields.Integer(
        strict=True, load_default=None, validate=_range(min=1)
    )
    issue_to = ma.fields.String(
        load_default=None, validate=ma.validate.OneOf(ISSUE_DESTINATIONS)
    )
    reason_code = ma.fields.String(
        load_default=None, validate=ma.validate.OneOf(ADJUSTMENT_REASONS)
    )
    disposition = ma.fields.String(
        load_default=None, validate=ma.validate.OneOf(RETURN_DISPOSITIONS)
    )
    external_ref = ma.fields.String(
        load_default=None, validate=_length(max=MAX_EXTERNAL_REF)
    )
    note = ma.fields.String(load_default=None, validate=_length(max=MAX_NOTE))
    client_token = ma.fields.String(
        load_default=None, validate=_length(min=1, max=MAX_TOKEN)
    )
    lines = ma.fields.List(
        ma.fields.Nested(DocumentLineCreateSchema),
        required=True,
        validate=_length(min=1, max=MAX_LINES),
    )


class ReceiveLineSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    line_no = ma.fields.Integer(
        strict=True, required=True, validate=_range(min=1, max=MAX_LINES)
    )
    qty = ma.fields.Integer(
        strict=True, required=True, validate=_range(min=0, max=MAX_MOVE_QTY)
    )
    to_bin = ma.fields.String(load_default=None, validate=_length(min=1, max=30))


class ReceiveSchema(ma.Schema):
    """A transfer's receipt at its destination: per line the quantity received now
    and its bin (lines left out receive nothing; no ``lines`` at all: everything in
    transit). ``write_off_missing`` (with ``lines``) writes the shortfall off as lost
    in transit; otherwise it stays in transit."""

    class Meta:
        unknown = ma.RAISE

    lines = ma.fields.List(
        ma.fields.Nested(ReceiveLineSchema),
        load_default=None,
        validate=_length(max=MAX_LINES),
    )
    write_off_missing = ma.fields.Boolean(load_default=False)
    expected_received_qty = ma.fields.Integer(
        strict=True, load_default=None, validate=_range(min=0)
    )


class DocumentsArgsSchema(PageArgsSchema):
    kind = ma.fields.String(
        load_default=None, validate=ma.validate.OneOf(DOCUMENT_KINDS)
    )
    warehouse = ma.fields.String(load_default=None, validate=_length(max=20))
    q = ma.fields.String(load_default="", validate=_length(max=100))
    date_from = ma.fields.Date(load_default=None)
    date_to = ma.fields.Date(load_default=None)


# --- responses (serialising supplychain.stock.documents.DocumentView) -------------
def _code_of(attribute: str) -> ma.fields.Function:
    def get(view: object) -> str | None:
        found = getattr(view, attribute)
        return found.code if found is not None else None

    return ma.fields.Function(get)


class DocumentLineSchema(ma.Schema):
    """A posted line (serialises a LineView): ``qty`` is positive, ``signed_qty`` its
    effect on the warehouse (negative: written off on an adjustment); ``value`` the
    cost value it moved."""

    line_no = ma.fields.Integer(attribute="line.line_no")
    sku = ma.fields.String(attribute="line.product.sku")
    name = ma.fields.String(attribute="line.product.name")
    unit = ma.fields.String(attribute="line.product.unit")
    qty = ma.fields.Integer(attribute="line.qty")
    signed_qty = ma.fields.Integer()
    lot = ma.fields.Function(lambda v: v.line.lot.lot_no if v.line.lot else None)
    production_date = ma.fields.Date(attribute="line.production_date")
    expiry_date = ma.fields.Date(attribute="line.expiry_date")
    bin = ma.fields.Function(lambda v: v.line.bin.code if v.line.bin else None)
    to_bin = ma.fields.Function(lambda v: v.line.to_bin.code if v.line.to_bin else None)
    unit_cost = ma.fields.Decimal(
        attribute="line.unit_cost", places=2, as_string=True, allow_none=True
    )
    value = ma.fields.Decimal(attribute="line.value", places=2, as_string=True)
    received_qty = ma.fields.Integer(attribute="line.received_qty")
    in_transit_qty = ma.fields.Integer()
    lost_qty = ma.fields.Integer()
    note = ma.fields.String(attribute="line.note")


class DocumentSummarySchema(ma.Schema):
    """A document in a list (serialises a DocumentView)."""

    id = ma.fields.Integer(attribute="document.id")
    number = ma.fields.String(attribute="document.number")
    kind = ma.fields.String(attribute="document.kind")
    status = ma.fields.String(attribute="document.status")
    warehouse = ma.fields.String(attribute="document.warehouse.code")
    to_warehouse = ma.fields.Function(
        lambda v: v.document.to_warehouse.code if v.document.to_warehouse else None
    )
    reason_code = ma.fields.String(attribute="document.reason_code", allow_none=True)
    external_ref = ma.fields.String(attribute="document.external_ref")
    merchant = _code_of("merchant")
    supplier = _code_of("supplier")
    source_type = ma.fields.String(attribute="document.source_type", allow_none=True)
    source_id = ma.fields.Integer(attribute="document.source_id", allow_none=True)
    note = ma.fields.String(attribute="document.note")
    total_value = ma.fields.Decimal(places=2, as_string=True)
    created_by = ma.fields.Function(
        lambda v: v.document.created_by.username if v.document.created_by else None
    )
    posted_at = ma.fields.AwareDateTime(attribute="document.posted_at")
    received_by = ma.fields.Function(
        lambda v: v.document.received_by.username if v.document.received_by else None
    )
    received_at = ma.fields.AwareDateTime(
        attribute="document.received_at", allow_none=True
    )


class DocumentSchema(DocumentSummarySchema):
    """A document with its lines and the ledger moves it posted."""

    net_value = ma.fields.Decimal(places=2, as_string=True)
    lines = ma.fields.List(ma.fields.Nested(DocumentLineSchema))
    moves = ma.fields.List(ma.fields.Nested(MoveSchema))


# --- HTML forms (every value arrives as text; blank fields are left out) ----------
class DocumentFormSchema(ma.Schema):
    """The header of the "new document" form."""

    class Meta:
        unknown = ma.EXCLUDE

    warehouse = _code(20)
    to_warehouse = _code(20)
    supplier_id = ma.fields.Integer(load_default=None, validate=_range(min=1))
    merchant = _code(30)
    issue_to = ma.fields.String(
        load_default=None, validate=ma.validate.OneOf(ISSUE_DESTINATIONS)
    )
    reason_code = ma.fields.String(
        load_default=None, validate=ma.validate.OneOf(ADJUSTMENT_REASONS)
    )
    disposition = ma.fields.String(
        load_default=None, validate=ma.validate.OneOf(RETURN_DISPOSITIONS)
    )
    external_ref = ma.fields.String(
        load_default=None, validate=_length(max=MAX_EXTERNAL_REF)
    )
    note = ma.fields.String(load_default=None, validate=_length(max=MAX_NOTE))


class DocumentLineFormSchema(DocumentLineCreateSchema):
    """One line row of the form."""

    class Meta:
        unknown = ma.EXCLUDE

    qty = ma.fields.Integer(
        required=True, validate=_range(min=-MAX_MOVE_QTY, max=MAX_MOVE_QTY)
    )
    unit_cost = ma.fields.Decimal(
        load_default=None, allow_nan=False, validate=money_range
    )


class ReceiveLineFormSchema(ReceiveLineSchema):
    class Meta:
        unknown = ma.EXCLUDE

    line_no = ma.fields.Integer(required=True, validate=_range(min=1, max=MAX_LINES))
    qty = ma.fields.Integer(load_default=0, validate=_range(min=0, max=MAX_MOVE_QTY))
