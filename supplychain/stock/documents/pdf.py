"""库存单据 printing: a document as the printing dataclass (every string, date and
value decided here, bilingual) and its A4 PDF (入库单, 出库单, 调拨单 …)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app

from printing.stock_documents import (
    StockDocumentDoc,
    StockDocumentLineDoc,
    render_stock_document,
)
from supplychain.catalog.models import Supplier
from supplychain.database import utcnow
from supplychain.extensions import db
from supplychain.merchants.models import Merchant
from supplychain.stock.documents.reading import LineView, document_lines
from supplychain.stock.models import Bin, StockDocument, Warehouse

STATUS_TEXT = {
    "posted": "已过账 Posted",
    "in_transit": "在途 In transit",
    "received": "已收货 Received",
}


REASON_TEXT = {
    "damage": "破损 Damage",
    "expiry": "过期 Expiry",
    "found": "盘盈 Found",
    "lost": "丢失 Lost",
    "count": "盘点 Count",
    "other": "其他 Other",
    "stock": "回库 Back to stock",
    "quarantine": "隔离待检 Quarantine",
}


_VIRTUAL_TEXT = {
    "supplier": "供应商 Supplier",
    "customer": "客户 Customer",
    "adjustment": "库存调整 Adjustment",
    "transit": "在途 In transit",
}


DEFAULT_COMPANY = "配送中心 Distribution centre"


def _place(warehouse: Warehouse | None, bin_: Bin | None) -> str:
    if warehouse is None:
        return ""
    return f"{warehouse.code}/{bin_.code}" if bin_ is not None else warehouse.code


def _line_places(document: StockDocument, view: LineView) -> tuple[str, str]:
    """(from, to) of a printed line, in the words of its kind."""
    line, kind = view.line, document.kind
    here = _place(document.warehouse, line.bin)
    if kind in ("receipt", "return"):
        source = "supplier" if kind == "receipt" else "customer"
        return _VIRTUAL_TEXT[source], here
    if kind == "adjustment":
        if view.signed_qty > 0:
            return _VIRTUAL_TEXT["adjustment"], here
        return here, _VIRTUAL_TEXT["adjustment"]
    if kind == "issue":
        supplier_return = bool(view.moves) and (
            view.moves[0].to_location.usage == "supplier"
        )
        return here, _VIRTUAL_TEXT["supplier" if supplier_return else "customer"]
    if kind == "move":
        return here, _place(document.warehouse, line.to_bin)
    if kind == "transfer":
        return here, _place(document.to_warehouse, line.to_bin)
    return here, "报废 Scrap"


def _local_text(instant: dt.datetime | None) -> str:
    if instant is None:
        return "—"
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _facts(document: StockDocument) -> list[tuple[str, str]]:
    warehouse = document.warehouse
    facts = [("仓库 Warehouse", f"{warehouse.code} {warehouse.name}")]
    if document.to_warehouse is not None:
        target = document.to_warehouse
        facts.append(("调入仓 To warehouse", f"{target.code} {target.name}"))
    for label, model, party_id in (
        ("供应商 Supplier", Supplier, document.supplier_id),
        ("商户 Merchant", Merchant, document.merchant_id),
    ):
        party = db.session.get(model, party_id) if party_id is not None else None
        if party is not None:
            facts.append((label, f"{party.code} {party.name}"))
    if document.reason_code:
        facts.append(
            ("原因 Reason", REASON_TEXT.get(document.reason_code, document.reason_code))
        )
    if document.external_ref:
        facts.append(("外部单号 External ref.", document.external_ref))
    who = document.created_by
    facts += [
        ("制单人 Posted by", (who.display_name or who.username) if who else "—"),
        ("过账时间 Posted at", _local_text(document.posted_at)),
    ]
    if document.received_at is not None:
        by = document.received_by
        facts += [
            ("收货人 Received by", (by.display_name or by.username) if by else "—"),
            ("收货时间 Received at", _local_text(document.received_at)),
        ]
    return facts


def document_pdf(document: StockDocument, *, company: str | None = None) -> bytes:
    """The document as an A4 PDF (入库单, 出库单, 调拨单 …) with its lines, values and
    signature boxes."""
    views = document_lines(document)
    lines = []
    for view in views:
        line = view.line
        source, target = _line_places(document, view)
        lines.append(
            StockDocumentLineDoc(
                line_no=line.line_no,
                sku=line.product.sku,
                name=line.product.name,
                unit=line.product.unit,
                qty=view.signed_qty,
                value=view.signed_value,
                lot=line.lot.lot_no if line.lot else "",
                expiry_date=line.expiry_date,
                from_place=source,
                to_place=target,
                received_qty=(
                    line.received_qty if document.kind == "transfer" else None
                ),
                note=line.note or "",
            )
        )
    doc = StockDocumentDoc(
        company=company or current_app.config.get("COMPANY_NAME") or DEFAULT_COMPANY,
        kind=document.kind,
        number=document.number,
        status=STATUS_TEXT.get(document.status, document.status),
        facts=tuple(_facts(document)),
        lines=tuple(lines),
        total_value=sum((line.value for line in lines), Decimal("0.00")),
        generated_at=_local_text(utcnow()),
        note=document.note or "",
    )
    return render_stock_document(doc)
