"""订单确认单 order confirmation: an Order as the printing dataclass, and its PDF.

Every value is decided here (local times in the distributor's time zone, bilingual
status text, snapshotted names and prices); ``printing.orders`` only lays it out.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app

from printing.orders import (
    ConfirmationLine,
    OrderConfirmationDoc,
    render_order_confirmation,
)
from supplychain.database import utcnow
from supplychain.orders.models import Order

DEFAULT_COMPANY = "配送中心 Distribution centre"
STATUS_TEXT = {
    "placed": "已下单 Placed",
    "confirmed": "已确认 Confirmed",
    "picking": "拣货中 Picking",
    "delivered": "已送达 Delivered",
    "invoiced": "已开票 Invoiced",
    "cancelled": "已取消 Cancelled",
}


def _local(instant: dt.datetime | None, zone: ZoneInfo) -> str:
    if instant is None:
        return "—"
    if instant.tzinfo is None:  # stored UTC without a zone (defensive)
        instant = instant.replace(tzinfo=dt.timezone.utc)
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def confirmation_document(
    order: Order, *, now: dt.datetime | None = None
) -> OrderConfirmationDoc:
    """The confirmation of ``order`` as it stands (the caller checked tenancy)."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    merchant = order.merchant
    window = merchant.delivery_window
    contact = " ".join(
        part for part in (merchant.contact_name or "", merchant.phone or "") if part
    )
    return OrderConfirmationDoc(
        company=current_app.config.get("COMPANY_NAME") or DEFAULT_COMPANY,
        number=order.number,
        status=STATUS_TEXT.get(order.status, order.status),
        merchant_code=merchant.code,
        merchant_name=merchant.name,
        address=merchant.address or "",
        contact=contact,
        delivery_date=order.delivery_date,
        delivery_window=(
            f"{window[0]:%H:%M}–{window[1]:%H:%M}" if window is not None else ""
        ),
        placed_at=_local(order.placed_at, zone),
        cutoff_at=_local(order.cutoff_at, zone),
        lines=tuple(
            ConfirmationLine(
                sku=line.sku,
                name=line.name,
                name_en=line.name_en or "",
                unit=line.unit,
                qty=line.qty,
                unit_price=line.unit_price,
                line_amount=line.line_amount,
            )
            for line in order.lines
        ),
        total_amount=order.total_amount,
        generated_at=_local(now or utcnow(), zone),
        note=order.note or "",
    )


def confirmation_pdf(order: Order, *, now: dt.datetime | None = None) -> bytes:
    """The order confirmation as A4 PDF bytes."""
    return render_order_confirmation(confirmation_document(order, now=now))
