"""库存单据 writing: the idempotent submit (one commit, or a rollback; the same client
token returns the first document) and the common write of a document — number, header,
one ledger call per line, lines valued at the sum of their moves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from supplychain.errors import OutOfStock, ValidationFailed
from supplychain.extensions import db
from supplychain.messages import msg
from supplychain.numbering import next_number
from supplychain.stock.documents.lines import MAX_TOKEN, _Errors, _Header, _Line
from supplychain.stock.expiry import local_today
from supplychain.stock.models import StockDocument, StockDocumentLine, StockMove

REFERENCE_TYPE = "stock_document"


SERIES = {
    "receipt": "RC",
    "issue": "IS",
    "move": "MV",
    "transfer": "TR",
    "adjustment": "AD",
    "return": "RT",
    "scrap": "SC",
}


REASON_WORDS = {
    "receipt": "Receipt",
    "issue": "Issue",
    "move": "Move",
    "transfer": "Transfer out",
    "adjustment": "Adjustment",
    "return": "Return",
    "scrap": "Scrap",
}


@dataclass
class _Posted:
    line: _Line
    moves: list[StockMove]


def _token_key(client_token: str | None, user_id: int | None) -> str | None:
    """What is stored for a client token: a digest of the user and the token, so that
    any 1–255 printable ASCII token fits the column and two users never collide."""
    if client_token is None or client_token == "":
        return None
    if (
        not isinstance(client_token, str)
        or len(client_token) > MAX_TOKEN
        or not all(" " <= ch <= "~" for ch in client_token)
    ):
        raise ValidationFailed(
            {
                "client_token": [
                    msg(
                        "A client token is 1 to %(n)s printable ASCII characters.",
                        n=MAX_TOKEN,
                    )
                ]
            }
        )
    return hashlib.sha256(f"{user_id or 0}\n{client_token}".encode()).hexdigest()


def _by_token(token: str | None) -> StockDocument | None:
    if token is None:
        return None
    return db.session.scalar(
        sa.select(StockDocument).where(StockDocument.client_token == token)
    )


def _submit(
    client_token: str | None,
    user_id: int | None,
    build: Callable[[], StockDocument],
) -> StockDocument:
    """Run ``build`` and commit once; the same token again returns the first
    document (also when two submits race: the loser's insert hits the unique token,
    it rolls back and returns the winner's document)."""
    token = _token_key(client_token, user_id)
    existing = _by_token(token)
    if existing is not None:
        return existing
    try:
        document = build()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = _by_token(token)
        if existing is None:
            raise
        return existing
    except BaseException:
        db.session.rollback()
        raise
    return document


def _refs(document: StockDocument, user_id: int | None) -> dict[str, Any]:
    return {
        "reason": f"{REASON_WORDS[document.kind]} {document.number}",
        "reference_type": REFERENCE_TYPE,
        "reference_id": document.id,
        "user_id": user_id,
    }


def _short_message(available: int) -> str:
    return msg("Only %(n)s available here.", n=available)


# set by ``posting.check_document``: ``_write`` stops before writing anything
_CHECK_ONLY: ContextVar[bool] = ContextVar("stock_document_check_only", default=False)


class _Checked(Exception):
    """Check-only mode reached the write: every check before the ledger passed."""


def _write(
    header: _Header,
    lines: list[_Line],
    post_line: Callable[[_Line, dict[str, Any]], list[StockMove]],
    *,
    client_token: str | None,
    user_id: int | None,
    status: str = "posted",
    **values: Any,
) -> StockDocument:
    """Number, document, moves and lines; raises after the ledger refused any line
    (every line is tried, so all errors come back at once)."""
    if _CHECK_ONLY.get():
        raise _Checked()
    assert header.warehouse is not None
    number = next_number(SERIES[header.kind], local_today())
    document = StockDocument(
        number=number,
        kind=header.kind,
        status=status,
        warehouse_id=header.warehouse.id,
        client_token=_token_key(client_token, user_id),
        **header.values,
        **values,
    )
    db.session.add(document)
    db.session.flush()
    refs = _refs(document, user_id)
    errors, short, invalid = _Errors(), [], False
    posted: list[_Posted] = []
    for line in lines:
        try:
            posted.append(_Posted(line, post_line(line, refs)))
        except OutOfStock as error:
            entry = dict(error.lines[0], line=line.index)
            short.append(entry)
            errors.line(line.index, "qty", _short_message(entry["available_qty"]))
        except ValidationFailed as error:
            invalid = True
            errors.merge_line(line.index, error.errors)
    if short and not invalid:  # 409 with every short line (and its field message)
        refused = OutOfStock(short)
        refused.details["errors"] = errors.errors
        raise refused
    errors.raise_if_any()
    for line_no, item in enumerate(posted, start=1):
        document.lines.append(_document_line(line_no, item))
    db.session.flush()
    return document


def _document_line(line_no: int, item: _Posted) -> StockDocumentLine:
    line, moves = item.line, item.moves
    lot_ids = {m.lot_id for m in moves}
    lot = moves[0].lot if len(lot_ids) == 1 else None
    bins = {_move_bin(m, line) for m in moves}
    bin_id = line.bin.id if line.bin is not None else None
    if bin_id is None and len(bins) == 1:
        bin_id = bins.pop()
    return StockDocumentLine(
        line_no=line_no,
        product_id=line.product.id,
        qty=abs(line.qty),
        lot_id=lot.id if lot is not None else None,
        production_date=lot.production_date if lot else line.production_date,
        expiry_date=lot.expiry_date if lot else line.expiry_date,
        bin_id=bin_id,
        to_bin_id=line.to_bin.id if line.to_bin is not None else None,
        unit_cost=line.unit_cost,
        value=sum((m.value for m in moves), Decimal("0.00")),
        note=line.note,
    )


def _move_bin(move: StockMove, line: _Line) -> int | None:
    """The bin on the warehouse side a line names: where the goods came from on
    outgoing lines, where they went on incoming ones."""
    outgoing = move.from_location.is_internal
    location = move.from_location if outgoing else move.to_location
    return location.bin_id
