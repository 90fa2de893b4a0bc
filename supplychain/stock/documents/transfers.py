"""库存单据 transfers between warehouses (调拨): dispatched through the transit location,
received at the destination lot by lot at the value they left with — partly, with the
rest left in transit or written off as lost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from supplychain.database import to_money, utcnow
from supplychain.errors import Conflict, ValidationFailed
from supplychain.extensions import db
from supplychain.messages import msg
from supplychain.stock import ledger
from supplychain.stock.documents.lines import (
    MAX_LINES,
    _bin,
    _Bins,
    _check_user,
    _Errors,
    _header,
    _Line,
    _lines_for,
    _warehouse,
)
from supplychain.stock.documents.reading import (
    _partition,
    document_moves,
    get_document,
)
from supplychain.stock.documents.writing import REFERENCE_TYPE, _submit, _write
from supplychain.stock.models import (
    Bin,
    StockDocument,
    StockDocumentLine,
    StockMove,
)


def dispatch_transfer(
    lines: Sequence[Mapping[str, Any]],
    *,
    warehouse_code: str | None = None,
    to_warehouse_code: str | None = None,
    external_ref: str = "",
    note: str = "",
    client_token: str | None = None,
    user_id: int | None = None,
) -> StockDocument:
    """Dispatch a transfer (调拨 TR) from one warehouse to another and commit: usable,
    unreserved stock leaves for the transit location at its moving-average value
    (first-expiry-first-out unless a line names its ``lot`` / ``bin``); the document
    stays ``in_transit`` until ``receive_transfer`` books it in at the destination.

    :raise ValidationFailed: bad lines; the destination missing, inactive or the
        same warehouse.
    :raise OutOfStock: lines asking for more than is available.
    """

    def build() -> StockDocument:
        errors = _Errors()
        header = _header(
            "transfer",
            errors,
            warehouse_code=warehouse_code,
            active_warehouse=True,
            note=note,
            external_ref=external_ref,
            user_id=user_id,
        )
        target = _warehouse(to_warehouse_code, "to_warehouse", errors, active=True)
        if target is not None and header.warehouse is not None:
            if target.id == header.warehouse.id:
                errors.add(
                    "to_warehouse",
                    msg("A transfer goes to another warehouse; use a move instead."),
                )
        parsed = _lines_for(header, "transfer", lines, errors, destination_bin=False)
        errors.raise_if_any()
        warehouse_id = header.warehouse.id  # type: ignore[union-attr]

        def post(line: _Line, refs: dict[str, Any]) -> list[StockMove]:
            return ledger.dispatch_transfer(
                line.product.id,
                line.qty,
                from_warehouse_id=warehouse_id,
                from_bin_id=line.bin.id if line.bin else None,
                lot=line.lot,
                **refs,
            )

        return _write(
            header,
            parsed,
            post,
            client_token=client_token,
            user_id=user_id,
            status="in_transit",
            to_warehouse_id=target.id,  # type: ignore[union-attr]
        )

    return _submit(client_token, user_id, build)


@dataclass(frozen=True)
class _Piece:
    """Part of a transfer line in transit: one lot with the value it left at."""

    lot_id: int | None
    qty: int
    value: Decimal

    def value_of(self, start: int, end: int) -> Decimal:
        """The value of units [start, end) of the piece; the parts of a piece always
        add up to its value (each boundary is rounded once)."""

        def upto(n: int) -> Decimal:
            return to_money(self.value * n / self.qty)

        return upto(end) - upto(start)


def _dispatched_pieces(document: StockDocument) -> dict[int, list[_Piece]]:
    """Per line id, the pieces its dispatch sent into transit, in posting order."""
    moves = [m for m in document_moves(document) if m.to_location.usage == "transit"]
    return {
        line.id: [_Piece(m.lot_id, m.qty, m.value) for m in taken]
        for line, taken in _partition(document.lines, moves)
    }


def _slices(
    pieces: list[_Piece], start: int, end: int
) -> list[tuple[_Piece, int, Decimal]]:
    """Units [start, end) of a line's pieces: (piece, qty, value) per piece touched."""
    out, offset = [], 0
    for piece in pieces:
        low, high = max(start, offset), min(end, offset + piece.qty)
        if low < high:
            out.append((piece, high - low, piece.value_of(low - offset, high - offset)))
        offset += piece.qty
    return out


def receive_transfer(
    number: str,
    lines: Sequence[Mapping[str, Any]] | None = None,
    *,
    write_off_missing: bool = False,
    expected_received_qty: int | None = None,
    user_id: int | None = None,
) -> StockDocument:
    """Book a transfer in at its destination warehouse and commit. ``lines``: per
    document line ``{"line_no", "qty", "to_bin"}`` — the quantity received now and the
    destination bin (empty: the warehouse's unbinned stock); lines left out receive
    nothing; ``lines=None`` receives everything still in transit (and cannot be
    combined with ``write_off_missing``). Each unit arrives
    at the value it left the source at, lot by lot.

    A shortfall stays in transit for a later receipt — or, with
    ``write_off_missing=True``, is written off as lost in transit (to the adjustment
    location at its dispatched value). The document is ``received`` when nothing of
    it is left in transit. ``expected_received_qty`` (the quantity already received
    when the form was shown) turns a double submit into a Conflict.

    :raise NotFound: no such document. :raise Conflict: not a transfer, already
        received, or received meanwhile.
    :raise ValidationFailed: more than is in transit on a line, unknown line or bin,
        nothing received and nothing written off.
    """
    if lines is None and write_off_missing:
        raise ValidationFailed(
            {"lines": [msg("Say what arrived (lines) before writing off the rest.")]}
        )
    try:
        _check_user(user_id)
        document = _lock_transfer(number)
        if expected_received_qty is not None and expected_received_qty != sum(
            line.received_qty for line in document.lines
        ):
            raise Conflict(msg("This transfer was received meanwhile; check it again."))
        plan = _receipt_plan(document, lines)
        if not any(qty for _, qty, _ in plan) and not write_off_missing:
            raise ValidationFailed(
                {"lines": [msg("Give the quantity received on at least one line.")]}
            )
        _post_receipt_plan(document, plan, write_off_missing, user_id)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return document


def _lock_transfer(number: str) -> StockDocument:
    """The transfer, locked against a concurrent receipt: a conditional UPDATE first
    (the write lock on SQLite, the row lock on PostgreSQL), then its rows read
    fresh."""
    document = get_document(number)
    if document.kind != "transfer":
        raise Conflict(msg("Only a transfer is received."))
    table = StockDocument.__table__
    locked = db.session.execute(
        sa.update(table)
        .where(table.c.id == document.id, table.c.status == "in_transit")
        .values(updated_at=utcnow())
    ).rowcount
    if locked != 1:
        raise Conflict(
            msg("Transfer %(number)s has already been received.", number=number)
        )
    db.session.refresh(document)
    for line in document.lines:
        db.session.refresh(line)
    return document


def _receipt_plan(
    document: StockDocument, lines: Sequence[Mapping[str, Any]] | None
) -> list[tuple[StockDocumentLine, int, Bin | None]]:
    """(line, qty received now, destination bin) for every document line."""
    by_no = {line.line_no: line for line in document.lines}
    if lines is None:
        return [(line, line.qty - line.received_qty, None) for line in document.lines]
    errors = _Errors()
    if not isinstance(lines, Sequence) or len(lines) > MAX_LINES:
        raise ValidationFailed({"lines": [msg("Give the received lines.")]})
    bins = _Bins(document.to_warehouse)  # type: ignore[arg-type]
    given: dict[int, tuple[int, Bin | None]] = {}
    for index, raw in enumerate(lines):
        raw = raw if isinstance(raw, Mapping) else {}
        line = by_no.get(raw.get("line_no"))  # type: ignore[arg-type]
        if line is None or raw.get("line_no") in given:
            errors.line(index, "line_no", msg("Not a line of this transfer, or twice."))
            continue
        qty = raw.get("qty")
        left = line.qty - line.received_qty
        if isinstance(qty, bool) or not isinstance(qty, int) or not 0 <= qty <= left:
            errors.line(
                index, "qty", msg("At most %(n)s are still in transit.", n=left)
            )
            continue
        to_bin = _bin(
            raw.get("to_bin"), bins, index, "to_bin", errors, destination=True
        )
        given[line.line_no] = (qty, to_bin)
    errors.raise_if_any()
    return [(line, *given.get(line.line_no, (0, None))) for line in document.lines]


def _post_receipt_plan(
    document: StockDocument,
    plan: list[tuple[StockDocumentLine, int, Bin | None]],
    write_off: bool,
    user_id: int | None,
) -> None:
    pieces = _dispatched_pieces(document)
    target = document.to_warehouse_id
    assert target is not None
    arriving = dict(
        reason=f"Transfer in {document.number}",
        reference_type=REFERENCE_TYPE,
        reference_id=document.id,
        user_id=user_id,
    )
    lost = dict(arriving, reason=f"Lost in transit {document.number}")
    for line, qty, to_bin in plan:
        start = line.received_qty
        for piece, part, value in _slices(pieces[line.id], start, start + qty):
            ledger.receive_transfer(
                line.product_id,
                part,
                value,
                to_warehouse_id=target,
                lot_id=piece.lot_id,
                to_bin_id=to_bin.id if to_bin else None,
                **arriving,
            )
        if write_off:
            for piece, part, value in _slices(pieces[line.id], start + qty, line.qty):
                ledger.receive_transfer(
                    line.product_id,
                    part,
                    value,
                    to_warehouse_id=target,
                    lot_id=piece.lot_id,
                    to_usage="adjustment",
                    **lost,
                )
        line.received_qty = start + qty
        if qty and to_bin is not None:
            line.to_bin_id = to_bin.id
    document.received_at = utcnow()
    document.received_by_id = user_id
    if write_off or all(line.received_qty == line.qty for line in document.lines):
        document.status = "received"
    db.session.flush()
