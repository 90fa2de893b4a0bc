"""进销存 reports from the ledger: the movement summary (opening, receipts, returns,
transfers, issues, adjustments, closing — quantity and value) per SKU and warehouse over
a period, and the stock quantity and value at any past instant.

Every figure is a sum of moves. The opening or closing figure is anchored on whichever
side of the period has fewer moves to add up: forward from nothing (Σ moves before the
start) or backward from the stock levels (level − Σ moves after the end) — both are the
same number, because ``supplychain check`` proves each level equals the sum of its
moves, in quantity and in value.

Flows are counted at warehouse boundaries: a move between two bins of one warehouse is
no flow; a move into a warehouse from a supplier is a receipt, from a customer a return,
from transit or another warehouse a transfer in, from the adjustment location an
adjustment (found, count gain); and the mirror images going out (issue, return to
supplier, transfer out, write-off / scrap / count loss).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from supplychain.catalog.models import Product
from supplychain.database import utcnow
from supplychain.extensions import db
from supplychain.stock.models import Location, StockLevel, StockMove, Warehouse

ZERO = Decimal("0.00")
# (direction, the other side's usage) → column of the summary
IN_FLOWS = {
    "supplier": "receipts",
    "customer": "returns",
    "transit": "transfers_in",
    "internal": "transfers_in",
    "adjustment": "adjustments",
}
OUT_FLOWS = {
    "customer": "issues",
    "supplier": "supplier_returns",
    "transit": "transfers_out",
    "internal": "transfers_out",
    "adjustment": "adjustments",
}
FLOWS = (
    "receipts",
    "returns",
    "transfers_in",
    "issues",
    "supplier_returns",
    "transfers_out",
    "adjustments",
)
INBOUND = ("receipts", "returns", "transfers_in")
OUTBOUND = ("issues", "supplier_returns", "transfers_out")


@dataclass
class Figure:
    """A quantity and its value (signed where it is a net flow or a balance)."""

    qty: int = 0
    value: Decimal = ZERO

    def add(self, qty: int, value: Decimal) -> None:
        self.qty += qty
        self.value += value

    def __neg__(self) -> Figure:
        return Figure(-self.qty, -self.value)


@dataclass
class MovementRow:
    """One SKU in one warehouse (``warehouse`` None: all warehouses together).

    Inbound flows are positive, outbound flows are positive quantities taken out,
    ``adjustments`` is net (gains − losses): closing = opening + inbound − outbound +
    adjustments."""

    product_id: int
    sku: str
    name: str
    unit: str
    warehouse: str | None
    opening: Figure = field(default_factory=Figure)
    receipts: Figure = field(default_factory=Figure)
    returns: Figure = field(default_factory=Figure)
    transfers_in: Figure = field(default_factory=Figure)
    issues: Figure = field(default_factory=Figure)
    supplier_returns: Figure = field(default_factory=Figure)
    transfers_out: Figure = field(default_factory=Figure)
    adjustments: Figure = field(default_factory=Figure)
    closing: Figure = field(default_factory=Figure)

    @property
    def net(self) -> Figure:
        """What the period changed: inbound − outbound + adjustments."""
        total = Figure()
        for name in INBOUND:
            part = getattr(self, name)
            total.add(part.qty, part.value)
        for name in OUTBOUND:
            part = getattr(self, name)
            total.add(-part.qty, -part.value)
        total.add(self.adjustments.qty, self.adjustments.value)
        return total

    @property
    def is_empty(self) -> bool:
        return not any(
            getattr(self, name).qty or getattr(self, name).value
            for name in ("opening", "closing") + FLOWS
        )


@dataclass
class MovementReport:
    start: dt.datetime
    end: dt.datetime
    warehouse: str | None
    rows: list[MovementRow]
    anchored: str  # "forward" or "backward": which side the balances were summed from

    @property
    def totals(self) -> MovementRow:
        """Every column summed (values; quantities of different units summed too, as
        the paper report does)."""
        total = MovementRow(0, "", "", "", self.warehouse)
        for row in self.rows:
            for name in ("opening", "closing") + FLOWS:
                part = getattr(row, name)
                getattr(total, name).add(part.qty, part.value)
        return total


# --- time -----------------------------------------------------------------------------
def local_midnight(day: dt.date) -> dt.datetime:
    """The UTC instant at which ``day`` begins in the distributor's time zone."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(dt.timezone.utc)


def period_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) instants of the local days ``first`` to ``last`` inclusive."""
    return local_midnight(first), local_midnight(last + dt.timedelta(days=1))


# --- sums of moves --------------------------------------------------------------------
Key = tuple[int, int]  # (product_id, warehouse_id)


def _money(value: object) -> Decimal:
    if value is None:
        return ZERO
    if isinstance(value, Decimal):
        return value.quantize(ZERO)
    return (Decimal(int(value)) / 100).quantize(ZERO)  # pragma: no cover - defensive


def _flows(
    lower: dt.datetime | None,
    upper: dt.datetime | None,
    *,
    warehouse_id: int | None,
    product_ids: Iterable[int] | None,
) -> dict[Key, dict[str, Figure]]:
    """Flows per (product, warehouse) and column for moves in [lower, upper); outbound
    flows as positive quantities in their own columns, adjustments signed."""
    m = StockMove.__table__.c
    result: dict[Key, dict[str, Figure]] = defaultdict(lambda: defaultdict(Figure))
    ids = list(product_ids) if product_ids is not None else None
    for inbound in (True, False):
        here, other = aliased(Location), aliased(Location)
        here_column = m.to_location_id if inbound else m.from_location_id
        other_column = m.from_location_id if inbound else m.to_location_id
        statement = (
            sa.select(
                m.product_id,
                here.warehouse_id,
                other.usage,
                sa.func.sum(m.qty),
                sa.func.sum(m.value),
            )
            .select_from(StockMove.__table__)
            .join(here, here.id == here_column)
            .join(other, other.id == other_column)
            .where(
                here.usage == "internal",
                sa.or_(
                    other.warehouse_id.is_(None),
                    other.warehouse_id != here.warehouse_id,
                ),
            )
            .group_by(m.product_id, here.warehouse_id, other.usage)
        )
        if lower is not None:
            statement = statement.where(m.created_at >= lower)
        if upper is not None:
            statement = statement.where(m.created_at < upper)
        if warehouse_id is not None:
            statement = statement.where(here.warehouse_id == warehouse_id)
        if ids is not None:
            statement = statement.where(m.product_id.in_(ids))
        columns = IN_FLOWS if inbound else OUT_FLOWS
        for product_id, wid, usage, qty, value in db.session.execute(statement):
            column = columns[usage]
            qty, value = int(qty), _money(value)
            if column == "adjustments" and not inbound:
                qty, value = -qty, -value
            result[(product_id, wid)][column].add(qty, value)
    return result


def _net(flows: dict[str, Figure]) -> Figure:
    total = Figure()
    for name, part in flows.items():
        sign = -1 if name in OUTBOUND else 1
        total.add(sign * part.qty, sign * part.value)
    return total


def _levels(
    warehouse_id: int | None, product_ids: Iterable[int] | None
) -> dict[Key, Figure]:
    statement = sa.select(
        StockLevel.product_id,
        StockLevel.warehouse_id,
        StockLevel.on_hand_qty,
        StockLevel.stock_value,
    )
    if warehouse_id is not None:
        statement = statement.where(StockLevel.warehouse_id == warehouse_id)
    if product_ids is not None:
        statement = statement.where(StockLevel.product_id.in_(list(product_ids)))
    return {
        (p, w): Figure(int(qty), _money(value))
        for p, w, qty, value in db.session.execute(statement)
    }


def _moves_since(instant: dt.datetime) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(StockMove)
            .where(StockMove.created_at >= instant)
        )
        or 0
    )


def _moves_before(instant: dt.datetime) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(StockMove)
            .where(StockMove.created_at < instant)
        )
        or 0
    )


def balances_at(
    instant: dt.datetime,
    *,
    warehouse_id: int | None = None,
    product_ids: Iterable[int] | None = None,
) -> dict[Key, Figure]:
    """On hand quantity and value per (product, warehouse) at ``instant`` (moves
    before it), summed from whichever side has fewer moves."""
    ids = list(product_ids) if product_ids is not None else None
    if _moves_since(instant) <= _moves_before(instant):
        balances = _levels(warehouse_id, ids)
        for key, flows in _flows(
            instant, None, warehouse_id=warehouse_id, product_ids=ids
        ).items():
            net = _net(flows)
            balances.setdefault(key, Figure()).add(-net.qty, -net.value)
    else:
        balances = {}
        for key, flows in _flows(
            None, instant, warehouse_id=warehouse_id, product_ids=ids
        ).items():
            balances[key] = _net(flows)
    return balances


@dataclass(frozen=True)
class ValueRow:
    product_id: int
    sku: str
    name: str
    warehouse: str
    qty: int
    value: Decimal

    @property
    def unit_cost(self) -> Decimal | None:
        return (self.value / self.qty).quantize(Decimal("0.0001")) if self.qty else None


def stock_value_at(
    instant: dt.datetime | None = None, *, warehouse_id: int | None = None
) -> list[ValueRow]:
    """Stock quantity and value per product and warehouse at ``instant`` (default
    now), products with nothing on hand left out, by SKU then warehouse."""
    balances = (
        balances_at(instant, warehouse_id=warehouse_id)
        if instant is not None and instant < utcnow()
        else _levels(warehouse_id, None)
    )
    names = _product_names({p for p, _ in balances})
    codes = _warehouse_codes()
    rows = [
        ValueRow(p, *names[p][:2], codes[w], figure.qty, figure.value)
        for (p, w), figure in balances.items()
        if figure.qty or figure.value
    ]
    return sorted(rows, key=lambda r: (r.sku, r.warehouse))


def _product_names(ids: set[int]) -> dict[int, tuple[str, str, str]]:
    if not ids:
        return {}
    return {
        pid: (sku, name, unit)
        for pid, sku, name, unit in db.session.execute(
            sa.select(Product.id, Product.sku, Product.name, Product.unit).where(
                Product.id.in_(list(ids))
            )
        )
    }


def _warehouse_codes() -> dict[int, str]:
    return dict(db.session.execute(sa.select(Warehouse.id, Warehouse.code)).all())


# --- the 进销存 summary ------------------------------------------------------------------
def movement_summary(
    start: dt.datetime,
    end: dt.datetime,
    *,
    warehouse_id: int | None = None,
    product_ids: Iterable[int] | None = None,
    include_empty: bool = False,
) -> MovementReport:
    """The 进销存 report for moves in [start, end): one row per SKU (per warehouse, or
    all warehouses together when ``warehouse_id`` is None), by SKU. Rows with no
    stock and no movement are left out unless ``include_empty``.

    Transfers between warehouses appear, in the all-warehouses view, as a transfer out
    of one and into the other (the goods in transit between them are in neither)."""
    if end < start:
        raise ValueError("the period ends before it starts")
    ids = list(product_ids) if product_ids is not None else None
    period = _flows(start, end, warehouse_id=warehouse_id, product_ids=ids)
    backward = _moves_since(end) <= _moves_before(start)
    anchor = (
        balances_at(end, warehouse_id=warehouse_id, product_ids=ids)
        if backward
        else balances_at(start, warehouse_id=warehouse_id, product_ids=ids)
    )
    keys = set(period) | set(anchor)
    names = _product_names({p for p, _ in keys})
    codes = _warehouse_codes()
    rows: dict[tuple[int, int | None], MovementRow] = {}
    for key in keys:
        product_id, wid = key
        group = (product_id, wid if warehouse_id is not None else None)
        row = rows.get(group)
        if row is None:
            sku, name, unit = names[product_id]
            row = rows[group] = MovementRow(
                product_id,
                sku,
                name,
                unit,
                codes[wid] if warehouse_id is not None else None,
            )
        flows = period.get(key, {})
        for column, figure in flows.items():
            getattr(row, column).add(figure.qty, figure.value)
        net = _net(flows)
        balance = anchor.get(key, Figure())
        if backward:
            row.closing.add(balance.qty, balance.value)
            row.opening.add(balance.qty - net.qty, balance.value - net.value)
        else:
            row.opening.add(balance.qty, balance.value)
            row.closing.add(balance.qty + net.qty, balance.value + net.value)
    ordered = sorted(rows.values(), key=lambda r: (r.sku, r.warehouse or ""))
    if not include_empty:
        ordered = [row for row in ordered if not row.is_empty]
    return MovementReport(
        start,
        end,
        codes.get(warehouse_id) if warehouse_id is not None else None,
        ordered,
        "backward" if backward else "forward",
    )
