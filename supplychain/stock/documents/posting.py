"""库存单据 posting: receipts (入库), issues (出库), bin moves (移库), adjustments (调整),
merchant returns (退货) and scrap (报废), and ``post_document`` — one entry point for
any kind, used by the forms and the API.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from supplychain.catalog.models import Supplier
from supplychain.errors import ValidationFailed
from supplychain.extensions import db
from supplychain.merchants.models import Merchant
from supplychain.messages import msg
from supplychain.stock import ledger
from supplychain.stock.documents.lines import (
    ISSUE_DESTINATIONS,
    _Bins,
    _effective_expiry,
    _Errors,
    _header,
    _Line,
    _lines_for,
    _parse_lines,
    _party,
)
from supplychain.stock.documents.transfers import dispatch_transfer
from supplychain.stock.documents.writing import (
    _CHECK_ONLY,
    _Checked,
    _submit,
    _write,
)
from supplychain.stock.expiry import is_expired, local_today, usable_from
from supplychain.stock.models import (
    ADJUSTMENT_REASONS,
    DOCUMENT_KINDS,
    RETURN_DISPOSITIONS,
    Bin,
    StockDocument,
    StockMove,
)


def build_receipt(
    lines: Sequence[Mapping[str, Any]],
    *,
    warehouse_code: str | None = None,
    supplier_id: int | None = None,
    supplier_code: str | None = None,
    external_ref: str = "",
    note: str = "",
    source_type: str | None = None,
    source_id: int | None = None,
    client_token: str | None = None,
    user_id: int | None = None,
) -> StockDocument:
    """A goods receipt (入库单) posted in the caller's transaction, not committed (the
    purchase order receiving calls it with ``source_type="purchase_order"``).

    Lines: ``sku`` (or ``product_id``), ``qty``, ``lot``, ``production_date``,
    ``expiry_date``, ``bin`` (code), ``unit_cost`` (default: the moving average, or
    the supplier's cost price when nothing is on hand), ``note``.

    :raise ValidationFailed: any bad line or header field — among them a lot that is
        expired on arrival (expired goods are never received; a return of expired goods
        goes to quarantine instead). The caller must roll back.
    """
    errors = _Errors()
    header = _header(
        "receipt",
        errors,
        warehouse_code=warehouse_code,
        active_warehouse=True,
        note=note,
        external_ref=external_ref,
        user_id=user_id,
    )
    supplier = _party(Supplier, "supplier", supplier_id, supplier_code, errors)
    if (source_type is None) != (source_id is None) or (
        source_type is not None and not 0 < len(str(source_type)) <= 40
    ):
        errors.add("source_type", msg("Give both a source type and id, or neither."))
    parsed = (
        _parse_lines(
            "receipt", lines, _Bins(header.warehouse), errors, destination_bin=True
        )
        if header.warehouse is not None
        else []
    )
    today = local_today()
    for line in parsed:
        expiry = _effective_expiry(line)
        if is_expired(expiry, today):
            errors.line(
                line.index,
                "expiry_date",
                msg(
                    "This lot expired on %(date)s: expired goods are not received.",
                    date=expiry.isoformat() if expiry else "",
                ),
            )
    errors.raise_if_any()
    warehouse_id = header.warehouse.id  # type: ignore[union-attr]

    def post(line: _Line, refs: dict[str, Any]) -> list[StockMove]:
        return [
            ledger.post_receipt(
                line.product.id,
                warehouse_id,
                line.qty,
                lot=line.lot,
                expiry_date=line.expiry_date,
                production_date=line.production_date,
                bin_id=line.bin.id if line.bin else None,
                unit_cost=line.unit_cost,
                from_usage="supplier",
                **refs,
            )
        ]

    return _write(
        header,
        parsed,
        post,
        client_token=client_token,
        user_id=user_id,
        supplier_id=supplier.id if supplier else None,
        source_type=source_type,
        source_id=source_id,
    )


def receive_goods(
    lines: Sequence[Mapping[str, Any]],
    *,
    warehouse_code: str | None = None,
    supplier_id: int | None = None,
    supplier_code: str | None = None,
    external_ref: str = "",
    note: str = "",
    source_type: str | None = None,
    source_id: int | None = None,
    client_token: str | None = None,
    user_id: int | None = None,
) -> StockDocument:
    """Post a goods receipt (入库 RC) from a supplier and commit; see
    ``build_receipt`` for the lines and the refusals."""
    return _submit(
        client_token,
        user_id,
        lambda: build_receipt(
            lines,
            warehouse_code=warehouse_code,
            supplier_id=supplier_id,
            supplier_code=supplier_code,
            external_ref=external_ref,
            note=note,
            source_type=source_type,
            source_id=source_id,
            client_token=client_token,
            user_id=user_id,
        ),
    )


def issue_goods(
    lines: Sequence[Mapping[str, Any]],
    *,
    warehouse_code: str | None = None,
    issue_to: str | None = None,
    merchant_id: int | None = None,
    merchant_code: str | None = None,
    supplier_id: int | None = None,
    supplier_code: str | None = None,
    external_ref: str = "",
    note: str = "",
    client_token: str | None = None,
    user_id: int | None = None,
) -> StockDocument:
    """Post an issue (出库 IS) to a customer (optionally a merchant) or back to a
    supplier (``issue_to="supplier"``, implied by a supplier) and commit. Stock is
    taken first-expiry-first-out over bins and lots unless a line names its ``lot`` /
    ``bin``; a customer only gets stock usable on the day (a merchant's minimum
    remaining shelf life counts), a supplier may take back expired or quarantined
    stock. Stock reserved for orders is never issued here.

    :raise ValidationFailed: bad header or lines.
    :raise OutOfStock: lines asking for more than is there (``details.lines`` with
        the line index and available quantity).
    """

    def build() -> StockDocument:
        errors = _Errors()
        header = _header(
            "issue",
            errors,
            warehouse_code=warehouse_code,
            active_warehouse=False,
            note=note,
            external_ref=external_ref,
            user_id=user_id,
        )
        merchant = _party(Merchant, "merchant", merchant_id, merchant_code, errors)
        supplier = _party(Supplier, "supplier", supplier_id, supplier_code, errors)
        to = issue_to or ("supplier" if supplier is not None else "customer")
        if to not in ISSUE_DESTINATIONS:
            errors.add("issue_to", msg("Issue to a customer or a supplier."))
        elif to == "customer" and supplier is not None:
            errors.add(
                "supplier", msg("A supplier is only given on a supplier return.")
            )
        elif to == "supplier" and merchant is not None:
            errors.add("merchant", msg("A merchant is only given on a customer issue."))
        parsed = _lines_for(header, "issue", lines, errors, destination_bin=False)
        errors.raise_if_any()
        warehouse_id = header.warehouse.id  # type: ignore[union-attr]
        on = (
            usable_from(local_today(), merchant.min_shelf_life_days)
            if merchant is not None and to == "customer"
            else None
        )

        def post(line: _Line, refs: dict[str, Any]) -> list[StockMove]:
            return ledger.post_issue(
                line.product.id,
                warehouse_id,
                line.qty,
                to_usage=to,
                lot=line.lot,
                bin_id=line.bin.id if line.bin else None,
                usable_from=on,
                **refs,
            )

        return _write(
            header,
            parsed,
            post,
            client_token=client_token,
            user_id=user_id,
            merchant_id=merchant.id if merchant else None,
            supplier_id=supplier.id if supplier else None,
        )

    return _submit(client_token, user_id, build)


def move_goods(
    lines: Sequence[Mapping[str, Any]],
    *,
    warehouse_code: str | None = None,
    note: str = "",
    client_token: str | None = None,
    user_id: int | None = None,
) -> StockDocument:
    """Post a move (移库 MV) between places of one warehouse and commit: each line from
    ``bin`` (empty: the warehouse's unbinned stock — a put-away) to ``to_bin`` (empty:
    back to the unbinned stock). Lots keep their identity; without ``lot`` they are
    taken first-expiry-first-out. On hand and value of the warehouse do not change.

    :raise ValidationFailed: bad lines, the same place on both sides.
    :raise OutOfStock: the source place holds too little that is not promised to
        orders.
    """

    def build() -> StockDocument:
        errors = _Errors()
        header = _header(
            "move",
            errors,
            warehouse_code=warehouse_code,
            active_warehouse=True,
            note=note,
            user_id=user_id,
        )
        parsed = _lines_for(header, "move", lines, errors, destination_bin=False)
        for line in parsed:
            if (line.bin and line.bin.id) == (line.to_bin and line.to_bin.id):
                errors.line(
                    line.index,
                    "to_bin",
                    msg("The source and the destination are the same."),
                )
        errors.raise_if_any()
        warehouse_id = header.warehouse.id  # type: ignore[union-attr]

        def post(line: _Line, refs: dict[str, Any]) -> list[StockMove]:
            return ledger.post_transfer(
                line.product.id,
                line.qty,
                from_warehouse_id=warehouse_id,
                to_warehouse_id=warehouse_id,
                from_bin_id=line.bin.id if line.bin else None,
                to_bin_id=line.to_bin.id if line.to_bin else None,
                lot=line.lot,
                **refs,
            )

        return _write(header, parsed, post, client_token=client_token, user_id=user_id)

    return _submit(client_token, user_id, build)


def adjust_stock_document(
    lines: Sequence[Mapping[str, Any]],
    *,
    reason_code: str | None = None,
    warehouse_code: str | None = None,
    note: str = "",
    client_token: str | None = None,
    user_id: int | None = None,
) -> StockDocument:
    """Post an adjustment (调整 AD) and commit: per line a signed ``qty`` — positive
    books stock in (at ``unit_cost``, default the moving average; a new lot may be
    named with its dates), negative writes it off at the moving average from one
    place (``bin``, empty: the unbinned stock; lot-tracked products name the lot).
    ``reason_code`` is one of ADJUSTMENT_REASONS.

    :raise ValidationFailed: bad reason or lines. :raise OutOfStock: a write-off
        larger than what is there and not reserved.
    """

    def build() -> StockDocument:
        errors = _Errors()
        header = _header(
            "adjustment",
            errors,
            warehouse_code=warehouse_code,
            active_warehouse=False,
            note=note,
            user_id=user_id,
        )
        if reason_code not in ADJUSTMENT_REASONS:
            errors.add(
                "reason_code",
                msg("Choose one of: %(codes)s.", codes=", ".join(ADJUSTMENT_REASONS)),
            )
        parsed = _lines_for(header, "adjustment", lines, errors, destination_bin=True)
        for line in parsed:
            if line.qty < 0 and line.unit_cost is not None:
                errors.line(
                    line.index,
                    "unit_cost",
                    msg("A write-off leaves at the moving-average cost."),
                )
        errors.raise_if_any()
        warehouse_id = header.warehouse.id  # type: ignore[union-attr]

        def post(line: _Line, refs: dict[str, Any]) -> list[StockMove]:
            refs = dict(refs, reason=f"{refs['reason']} ({reason_code})")
            return [
                ledger.post_adjustment(
                    line.product.id,
                    warehouse_id,
                    line.qty,
                    lot=line.lot,
                    expiry_date=line.expiry_date,
                    production_date=line.production_date,
                    bin_id=line.bin.id if line.bin else None,
                    unit_cost=line.unit_cost if line.qty > 0 else None,
                    **refs,
                )
            ]

        return _write(
            header,
            parsed,
            post,
            client_token=client_token,
            user_id=user_id,
            reason_code=reason_code,
        )

    return _submit(client_token, user_id, build)


def quarantine_bin(warehouse_id: int) -> Bin | None:
    """The warehouse's first active quarantine bin (by code), where returns awaiting
    inspection go when a line names none."""
    return db.session.scalar(
        sa.select(Bin)
        .where(
            Bin.warehouse_id == warehouse_id,
            Bin.is_quarantine.is_(True),
            Bin.is_active.is_(True),
        )
        .order_by(Bin.code)
        .limit(1)
    )


def accept_return(
    lines: Sequence[Mapping[str, Any]],
    *,
    disposition: str | None = None,
    warehouse_code: str | None = None,
    merchant_id: int | None = None,
    merchant_code: str | None = None,
    external_ref: str = "",
    note: str = "",
    client_token: str | None = None,
    user_id: int | None = None,
) -> StockDocument:
    """Accept goods a merchant sent back (退货 RT; ``external_ref`` may carry the order
    number) and commit. ``disposition`` "stock": back into saleable stock (``bin`` or
    the unbinned stock) — never an expired lot; "quarantine": into a quarantine bin
    (the line's, or the warehouse's first), on hand but never available until
    inspected. Valued at the moving average (or the supplier's cost price).

    :raise ValidationFailed: no merchant, bad lines, an expired lot to stock, a
        non-quarantine bin for quarantine, or no quarantine bin in the warehouse (a
        ``disposition`` error saying to mark one).
    """

    def build() -> StockDocument:
        errors = _Errors()
        header = _header(
            "return",
            errors,
            warehouse_code=warehouse_code,
            active_warehouse=True,
            note=note,
            external_ref=external_ref,
            user_id=user_id,
        )
        merchant = _party(Merchant, "merchant", merchant_id, merchant_code, errors)
        if merchant is None and "merchant" not in errors.errors:
            errors.add("merchant", msg("Give the merchant who returns the goods."))
        if disposition not in RETURN_DISPOSITIONS:
            errors.add("disposition", msg("Return to stock or to quarantine."))
        parsed = _lines_for(header, "return", lines, errors, destination_bin=True)
        quarantine = None
        if disposition == "quarantine" and header.warehouse is not None:
            quarantine = quarantine_bin(header.warehouse.id)
            if quarantine is None and any(line.bin is None for line in parsed):
                errors.add(
                    "disposition",
                    msg(
                        "Warehouse %(code)s has no quarantine bin: mark a bin as "
                        "quarantine on the warehouse page first.",
                        code=header.warehouse.code,
                    ),
                )
        _check_return_lines(parsed, disposition, errors)
        errors.raise_if_any()
        warehouse_id = header.warehouse.id  # type: ignore[union-attr]

        def post(line: _Line, refs: dict[str, Any]) -> list[StockMove]:
            target = line.bin or quarantine
            return [
                ledger.post_receipt(
                    line.product.id,
                    warehouse_id,
                    line.qty,
                    lot=line.lot,
                    expiry_date=line.expiry_date,
                    production_date=line.production_date,
                    bin_id=target.id if target else None,
                    from_usage="customer",
                    **refs,
                )
            ]

        for line in parsed:  # the document line shows where it went
            if line.bin is None and quarantine is not None:
                line.bin = quarantine
        return _write(
            header,
            parsed,
            post,
            client_token=client_token,
            user_id=user_id,
            merchant_id=merchant.id if merchant else None,
            reason_code=disposition,
        )

    return _submit(client_token, user_id, build)


def _check_return_lines(lines: list[_Line], disposition: str, errors: _Errors) -> None:
    today = local_today()
    for line in lines:
        if disposition == "quarantine":
            if line.bin is not None and not line.bin.is_quarantine:
                errors.line(
                    line.index,
                    "bin",
                    msg("Bin %(code)s is not a quarantine bin.", code=line.bin.code),
                )
            continue
        expiry = _effective_expiry(line)
        if disposition == "stock" and is_expired(expiry, today):
            errors.line(
                line.index,
                "lot",
                msg(
                    "This lot expired on %(date)s: return it to quarantine.",
                    date=expiry.isoformat() if expiry else "",
                ),
            )


def scrap_goods(
    lines: Sequence[Mapping[str, Any]],
    *,
    warehouse_code: str | None = None,
    reason_code: str | None = None,
    note: str = "",
    client_token: str | None = None,
    user_id: int | None = None,
) -> StockDocument:
    """Scrap goods (报废 SC) and commit: out of a line's ``bin`` — often a quarantine
    bin — (empty: first-expiry-first-out anywhere in the warehouse) to the adjustment
    location, at the moving average. Expired and quarantined stock may be scrapped;
    usable stock only when it is not reserved. ``reason_code`` (optional) is one of
    ADJUSTMENT_REASONS.

    :raise ValidationFailed: bad lines or reason. :raise OutOfStock: too little there.
    """

    def build() -> StockDocument:
        errors = _Errors()
        header = _header(
            "scrap",
            errors,
            warehouse_code=warehouse_code,
            active_warehouse=False,
            note=note,
            user_id=user_id,
        )
        if reason_code is not None and reason_code not in ADJUSTMENT_REASONS:
            errors.add(
                "reason_code",
                msg("Choose one of: %(codes)s.", codes=", ".join(ADJUSTMENT_REASONS)),
            )
        parsed = _lines_for(header, "scrap", lines, errors, destination_bin=False)
        errors.raise_if_any()
        warehouse_id = header.warehouse.id  # type: ignore[union-attr]

        def post(line: _Line, refs: dict[str, Any]) -> list[StockMove]:
            return ledger.post_issue(
                line.product.id,
                warehouse_id,
                line.qty,
                to_usage="adjustment",
                lot=line.lot,
                bin_id=line.bin.id if line.bin else None,
                **refs,
            )

        return _write(
            header,
            parsed,
            post,
            client_token=client_token,
            user_id=user_id,
            reason_code=reason_code,
        )

    return _submit(client_token, user_id, build)


# the header fields each kind takes (API / form names)
HEADER_FIELDS: dict[str, tuple[str, ...]] = {
    "receipt": ("warehouse", "supplier", "supplier_id", "external_ref", "note"),
    "issue": (
        "warehouse",
        "issue_to",
        "merchant",
        "merchant_id",
        "supplier",
        "supplier_id",
        "external_ref",
        "note",
    ),
    "move": ("warehouse", "note"),
    "transfer": ("warehouse", "to_warehouse", "external_ref", "note"),
    "adjustment": ("warehouse", "reason_code", "note"),
    "return": (
        "warehouse",
        "disposition",
        "merchant",
        "merchant_id",
        "external_ref",
        "note",
    ),
    "scrap": ("warehouse", "reason_code", "note"),
}


_ARGUMENT_NAMES = {
    "warehouse": "warehouse_code",
    "to_warehouse": "to_warehouse_code",
    "supplier": "supplier_code",
    "merchant": "merchant_code",
}


def post_document(
    kind: str,
    lines: Sequence[Mapping[str, Any]],
    *,
    fields: Mapping[str, Any] | None = None,
    client_token: str | None = None,
    user_id: int | None = None,
) -> StockDocument:
    """Post a document of any ``kind`` with its header ``fields`` (names of
    HEADER_FIELDS: ``warehouse``, ``supplier``… codes, ``supplier_id`` /
    ``merchant_id`` ids); a field the kind does not take is refused when given.

    :raise ValidationFailed: unknown kind or a field of another kind; otherwise what
        the kind's own function raises.
    """
    if kind not in HEADER_FIELDS:
        raise ValidationFailed(
            {
                "kind": [
                    msg("Choose one of: %(kinds)s.", kinds=", ".join(DOCUMENT_KINDS))
                ]
            }
        )
    given = {k: v for k, v in (fields or {}).items() if v is not None and v != ""}
    foreign = sorted(set(given) - set(HEADER_FIELDS[kind]))
    if foreign:
        raise ValidationFailed(
            {name: [msg("Not used on this kind of document.")] for name in foreign}
        )
    arguments = {_ARGUMENT_NAMES.get(k, k): v for k, v in given.items()}
    poster: Callable[..., StockDocument] = _POSTERS[kind]
    return poster(lines, client_token=client_token, user_id=user_id, **arguments)


_POSTERS: dict[str, Callable[..., StockDocument]] = {
    "receipt": receive_goods,
    "issue": issue_goods,
    "move": move_goods,
    "transfer": dispatch_transfer,
    "adjustment": adjust_stock_document,
    "return": accept_return,
    "scrap": scrap_goods,
}


def check_document(
    kind: str,
    lines: Sequence[Mapping[str, Any]],
    *,
    fields: Mapping[str, Any] | None = None,
    user_id: int | None = None,
) -> dict[str, list[str]]:
    """The field errors ``post_document`` finds before it calls the ledger, without
    writing anything ({} when none): a form with a syntax error on one line still
    shows every other line's errors. Shortages are only found when posting."""
    reset = _CHECK_ONLY.set(True)
    try:
        post_document(kind, lines, fields=fields, user_id=user_id)
    except _Checked:
        return {}
    except ValidationFailed as error:
        return dict(error.errors)
    finally:
        _CHECK_ONLY.reset(reset)
        db.session.rollback()
    return {}  # pragma: no cover - check-only mode never posts
