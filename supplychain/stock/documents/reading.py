"""库存单据 read side: the documents list, one document with its lines and the moves
it posted, single moves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from supplychain.catalog.models import Product, Supplier
from supplychain.errors import DomainError, NotFound, ValidationFailed
from supplychain.extensions import db
from supplychain.merchants.models import Merchant
from supplychain.messages import msg
from supplychain.paging import like_pattern
from supplychain.stock.documents.lines import MAX_ID
from supplychain.stock.documents.writing import REFERENCE_TYPE
from supplychain.stock.models import (
    StockDocument,
    StockDocumentLine,
    StockMove,
    Warehouse,
)


def documents_query(
    *,
    kind: str | None = None,
    warehouse_id: int | None = None,
    warehouse_code: str | None = None,
    q: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> sa.Select:
    """Documents, newest first (scalars: StockDocument). ``warehouse_id`` matches the
    source or the destination of a transfer; ``q`` a number, external reference or a
    SKU on a line; dates are local days of posting, both inclusive."""
    from supplychain.stock.reports import local_midnight

    stmt = (
        sa.select(StockDocument)
        .options(selectinload(StockDocument.lines))  # list totals: no query per row
        .order_by(StockDocument.posted_at.desc(), StockDocument.id.desc())
    )
    if kind:
        stmt = stmt.where(StockDocument.kind == kind)
    if warehouse_code:
        warehouse_id = db.session.scalar(
            sa.select(Warehouse.id).where(
                Warehouse.code == warehouse_code.strip().upper()
            )
        )
        if warehouse_id is None:  # an unknown warehouse has no documents
            return stmt.where(sa.false())
    if warehouse_id is not None:
        stmt = stmt.where(
            sa.or_(
                StockDocument.warehouse_id == warehouse_id,
                StockDocument.to_warehouse_id == warehouse_id,
            )
        )
    if q.strip():
        pattern = like_pattern(q)
        on_lines = (
            sa.select(StockDocumentLine.document_id)
            .join(Product, Product.id == StockDocumentLine.product_id)
            .where(Product.sku.ilike(pattern, escape="\\"))
        )
        stmt = stmt.where(
            sa.or_(
                StockDocument.number.ilike(pattern, escape="\\"),
                StockDocument.external_ref.ilike(pattern, escape="\\"),
                StockDocument.id.in_(on_lines),
            )
        )
    if date_from is not None:
        stmt = stmt.where(StockDocument.posted_at >= local_midnight(date_from))
    if date_to is not None:
        stmt = stmt.where(
            StockDocument.posted_at < local_midnight(date_to + dt.timedelta(days=1))
        )
    return stmt


def get_document(number: str) -> StockDocument:
    """:raise NotFound: no document has this number."""
    document = db.session.scalar(
        sa.select(StockDocument).where(
            StockDocument.number == (number or "").strip().upper()
        )
    )
    if document is None:
        raise NotFound(msg("Stock document %(number)s does not exist.", number=number))
    return document


def document_moves(document: StockDocument) -> list[StockMove]:
    """The moves a document posted, in posting order (a transfer: the dispatch, then
    each receipt)."""
    return list(
        db.session.scalars(
            sa.select(StockMove)
            .where(
                StockMove.reference_type == REFERENCE_TYPE,
                StockMove.reference_id == document.id,
            )
            .order_by(StockMove.id)
        )
    )


def get_move(move_id: int) -> StockMove:
    """One ledger move. :raise NotFound: no such move."""
    move = db.session.get(StockMove, move_id) if 0 < move_id <= MAX_ID else None
    if move is None:
        raise NotFound(msg("Stock move %(id)s does not exist.", id=move_id))
    return move


@dataclass(frozen=True)
class LineView:
    """A document line as pages and prints show it: its signed quantity (negative:
    out of the warehouse on an adjustment), the moves it posted and, on a transfer,
    what is still in transit and what was written off as lost."""

    line: StockDocumentLine
    moves: tuple[StockMove, ...]
    signed_qty: int
    in_transit_qty: int = 0
    lost_qty: int = 0

    @property
    def signed_value(self) -> Decimal:
        """The line's value with the sign of its quantity."""
        return -self.line.value if self.signed_qty < 0 else self.line.value


def _partition(
    lines: Iterable[StockDocumentLine], moves: list[StockMove]
) -> list[tuple[StockDocumentLine, list[StockMove]]]:
    """The posting moves of each line: every line's ledger call made moves adding up
    to exactly its quantity, in line order (ids ascend within the transaction)."""
    out, queue = [], list(moves)
    for line in sorted(lines, key=lambda item: item.line_no):
        taken, total = [], 0
        while queue and total < line.qty:
            move = queue.pop(0)
            taken.append(move)
            total += move.qty
        out.append((line, taken))
    return out


def document_lines(
    document: StockDocument, moves: list[StockMove] | None = None
) -> list[LineView]:
    """Every line with its posting moves (``moves``: ``document_moves`` if already
    read)."""
    moves = document_moves(document) if moves is None else moves
    if document.kind == "transfer":
        moves = [m for m in moves if m.to_location.usage == "transit"]
    views = []
    for line, taken in _partition(document.lines, moves):
        outgoing = bool(taken) and taken[0].from_location.is_internal
        signed = -line.qty if document.kind == "adjustment" and outgoing else line.qty
        left = line.qty - line.received_qty
        done = document.status == "received"
        views.append(
            LineView(
                line,
                tuple(taken),
                signed,
                in_transit_qty=left if document.kind == "transfer" and not done else 0,
                lost_qty=left if document.kind == "transfer" and done else 0,
            )
        )
    return views


@dataclass(frozen=True)
class DocumentView:
    """A document with what pages and the API show beside it: its merchant and
    supplier, its lines (LineView) and the moves it posted."""

    document: StockDocument
    merchant: Merchant | None = None
    supplier: Supplier | None = None
    lines: tuple[LineView, ...] = ()
    moves: tuple[StockMove, ...] = ()

    @property
    def total_value(self) -> Decimal:
        """The cost value the document moved (Σ line values)."""
        return sum((line.value for line in self.document.lines), Decimal("0.00"))

    @property
    def net_value(self) -> Decimal:
        """Σ signed line values: an adjustment's net effect on the stock value."""
        return sum((view.signed_value for view in self.lines), Decimal("0.00"))


def document_view(document: StockDocument) -> DocumentView:
    """The document with its parties, lines and moves."""
    moves = document_moves(document)
    return DocumentView(
        document,
        (
            db.session.get(Merchant, document.merchant_id)
            if document.merchant_id
            else None
        ),
        (
            db.session.get(Supplier, document.supplier_id)
            if document.supplier_id
            else None
        ),
        tuple(document_lines(document, moves)),
        tuple(moves),
    )


def document_views(documents: Sequence[StockDocument]) -> list[DocumentView]:
    """Documents of a list page with their parties (lines and moves not read)."""
    merchant_ids = {d.merchant_id for d in documents if d.merchant_id}
    supplier_ids = {d.supplier_id for d in documents if d.supplier_id}
    merchants = (
        {
            m.id: m
            for m in db.session.scalars(
                sa.select(Merchant).where(Merchant.id.in_(merchant_ids))
            )
        }
        if merchant_ids
        else {}
    )
    suppliers = (
        {
            s.id: s
            for s in db.session.scalars(
                sa.select(Supplier).where(Supplier.id.in_(supplier_ids))
            )
        }
        if supplier_ids
        else {}
    )
    return [
        DocumentView(
            d,
            merchants.get(d.merchant_id) if d.merchant_id else None,
            suppliers.get(d.supplier_id) if d.supplier_id else None,
        )
        for d in documents
    ]


def active_suppliers() -> list[Supplier]:
    """Suppliers for a form's choice, by code."""
    return list(
        db.session.scalars(
            sa.select(Supplier).where(Supplier.is_active).order_by(Supplier.code)
        )
    )


def posting_error_lines(error: DomainError) -> dict[str, Any]:
    """Field errors of a refused posting, whatever the error: a ValidationFailed's
    fields, or an OutOfStock's per-line messages (for pages)."""
    if isinstance(error, ValidationFailed):
        return dict(error.errors)
    return dict(error.details.get("errors") or {})
