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

Also here, for the report pages, the API and ``supplychain stock …``: report periods
(local days, at most 366), stock value at the end of a day with totals per warehouse,
stock by bin and lot (``places_query``), one SKU's movement history with its running
balance (``product_history``) and the near-expiry report (临期, ``near_expiry``), which
applies the one expiry rule of ``supplychain.stock.expiry``. Files and the PDF are made
by ``supplychain.stock.reports_export``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from supplychain.catalog.models import Product
from supplychain.database import utcnow
from supplychain.errors import NotFound, ValidationFailed
from supplychain.extensions import db
from supplychain.messages import msg
from supplychain.paging import matches
from supplychain.stock.expiry import (
    NEAR_EXPIRY_DAYS,
    days_left,
    is_expired,
    local_today,
)
from supplychain.stock.models import (
    Bin,
    Location,
    Lot,
    StockBalance,
    StockLevel,
    StockMove,
    Warehouse,
)

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


# --- periods and filters (shared by the pages, the API and the command line) ----------
MAX_PERIOD_DAYS = 366


def check_period(first: dt.date, last: dt.date) -> None:
    """A report period of local days ``first`` to ``last`` inclusive.

    :raise ValidationFailed: on ``to`` when it ends before it starts or spans more
        than ``MAX_PERIOD_DAYS`` days."""
    if last < first:
        raise ValidationFailed({"to": [msg("The period ends before it starts.")]})
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationFailed(
            {"to": [msg("A period spans at most %(n)s days.", n=MAX_PERIOD_DAYS)]}
        )


def month_days(year: int, month: int) -> tuple[dt.date, dt.date]:
    """The first and last day of a calendar month."""
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def last_month(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The calendar month before ``today``'s (default the local today)."""
    today = today or local_today()
    last = today.replace(day=1) - dt.timedelta(days=1)
    return last.replace(day=1), last


def product_ids_matching(q: str) -> list[int] | None:
    """Ids of the products whose SKU or name contains ``q`` (None: no filter)."""
    if not (q or "").strip():
        return None
    return list(
        db.session.scalars(
            sa.select(Product.id).where(
                matches(q, Product.sku, Product.name, Product.name_en)
            )
        )
    )


UNIT_COST = Decimal("0.0001")


def unit_cost_of(figure: Figure) -> Decimal | None:
    """Moving-average unit cost of a balance (4 places); None when none is on hand."""
    return (figure.value / figure.qty).quantize(UNIT_COST) if figure.qty else None


# --- stock value at a date: totals per warehouse --------------------------------------
@dataclass(frozen=True)
class ValueTotal:
    warehouse: str | None  # None: all warehouses
    qty: int
    value: Decimal


def value_totals(rows: Iterable[ValueRow]) -> list[ValueTotal]:
    """Quantity and value per warehouse (by code), then the grand total (warehouse
    None) last."""
    per: dict[str, Figure] = defaultdict(Figure)
    grand = Figure()
    for row in rows:
        per[row.warehouse].add(row.qty, row.value)
        grand.add(row.qty, row.value)
    totals = [ValueTotal(code, f.qty, f.value) for code, f in sorted(per.items())]
    return totals + [ValueTotal(None, grand.qty, grand.value)]


def end_of_day(day: dt.date) -> dt.datetime:
    """The instant a local day ends (= the next day's local midnight): "value at
    2026-10-31" counts every move of that day."""
    return local_midnight(day + dt.timedelta(days=1))


# --- stock by bin and lot -------------------------------------------------------------
@dataclass(frozen=True)
class PlaceRow:
    """Stock of one product and lot at one internal place (a bin, or the warehouse's
    unbinned location: ``bin`` None)."""

    warehouse: str
    bin: str | None
    is_quarantine: bool
    product_id: int
    sku: str
    name: str
    unit: str
    lot_no: str | None
    production_date: dt.date | None
    expiry_date: dt.date | None
    qty: int
    days_left: int | None
    is_expired: bool

    @property
    def is_near_expiry(self) -> bool:
        """Usable today but expiring within NEAR_EXPIRY_DAYS."""
        return (
            self.days_left is not None
            and not self.is_expired
            and self.days_left <= NEAR_EXPIRY_DAYS
        )

    @property
    def is_usable(self) -> bool:
        return not (self.is_expired or self.is_quarantine)


def places_query(
    *,
    warehouse_id: int | None = None,
    product_id: int | None = None,
    sku: str | None = None,
    bin_prefix: str = "",
) -> sa.Select:
    """Rows (see ``place_row``) of every internal place, product and lot with stock, by
    warehouse, bin (the unbinned location first), SKU, expiry. ``bin_prefix`` keeps the
    bins whose code starts with it (and drops the unbinned places)."""
    b = StockBalance.__table__.c
    stmt = (
        sa.select(
            Warehouse.code.label("warehouse"),
            Bin.code.label("bin"),
            sa.func.coalesce(Bin.is_quarantine, sa.false()).label("is_quarantine"),
            Product.id.label("product_id"),
            Product.sku.label("sku"),
            Product.name.label("name"),
            Product.unit.label("unit"),
            Lot.lot_no.label("lot_no"),
            Lot.production_date.label("production_date"),
            Lot.expiry_date.label("expiry_date"),
            b.on_hand_qty.label("qty"),
        )
        .select_from(StockBalance.__table__)
        .join(Location, Location.id == b.location_id)
        .join(Warehouse, Warehouse.id == Location.warehouse_id)
        .join(Product, Product.id == b.product_id)
        .outerjoin(Bin, Bin.id == Location.bin_id)
        .outerjoin(Lot, Lot.id == b.lot_id)
        .where(Location.usage == "internal", b.on_hand_qty != 0)
        .order_by(
            Warehouse.code,
            sa.case((Bin.code.is_(None), 0), else_=1),
            Bin.code,
            Product.sku,
            sa.case((Lot.expiry_date.is_(None), 1), else_=0),
            Lot.expiry_date,
            Lot.lot_no,
        )
    )
    if warehouse_id is not None:
        stmt = stmt.where(Location.warehouse_id == warehouse_id)
    if product_id is not None:
        stmt = stmt.where(b.product_id == product_id)
    if sku:
        stmt = stmt.where(Product.sku == sku.strip())
    if bin_prefix.strip():
        stmt = stmt.where(
            Bin.code.startswith(bin_prefix.strip().upper(), autoescape=True)
        )
    return stmt


def place_row(row: Any, on: dt.date | None = None) -> PlaceRow:
    """A row of ``places_query`` with its days left and expiry flag on ``on``."""
    on = on or local_today()
    return PlaceRow(
        row.warehouse,
        row.bin,
        bool(row.is_quarantine),
        row.product_id,
        row.sku,
        row.name,
        row.unit,
        row.lot_no,
        row.production_date,
        row.expiry_date,
        int(row.qty),
        days_left(row.expiry_date, on),
        is_expired(row.expiry_date, on),
    )


def stock_places(
    *,
    warehouse_id: int | None = None,
    product_id: int | None = None,
    sku: str | None = None,
    bin_prefix: str = "",
    on: dt.date | None = None,
) -> list[PlaceRow]:
    """Every row of ``places_query`` (exports, the product page)."""
    on = on or local_today()
    stmt = places_query(
        warehouse_id=warehouse_id, product_id=product_id, sku=sku, bin_prefix=bin_prefix
    )
    return [place_row(row, on) for row in db.session.execute(stmt)]


# --- movement history of one SKU with a running balance -------------------------------
@dataclass(frozen=True)
class Place:
    """A location as people read it: ``usage`` internal with a label ``MAIN`` or
    ``MAIN/A01-1-01-L1``, or a virtual usage (supplier, customer, adjustment,
    transit) whose label the page translates."""

    usage: str
    warehouse_id: int | None
    label: str

    @property
    def is_internal(self) -> bool:
        return self.usage == "internal"


@dataclass
class HistoryLine:
    """One move as seen from the report's scope (a warehouse, or all of them): in,
    out, or ``moved`` inside the scope (between bins, or between two warehouses in the
    all-warehouses view), which changes no balance."""

    move_id: int
    created_at: dt.datetime
    reason: str
    reference_type: str | None
    reference_id: int | None
    reference_number: str | None
    source: Place
    target: Place
    lot_no: str | None
    qty_in: int
    qty_out: int
    value_in: Decimal
    value_out: Decimal
    moved_qty: int
    balance: Figure


@dataclass
class ProductHistory:
    product_id: int
    sku: str
    name: str
    unit: str
    warehouse: str | None
    start: dt.datetime
    end: dt.datetime
    opening: Figure
    lines: list[HistoryLine]

    @property
    def closing(self) -> Figure:
        """Opening plus every line: equals the level when the period reaches now."""
        if self.lines:
            last = self.lines[-1].balance
            return Figure(last.qty, last.value)
        return Figure(self.opening.qty, self.opening.value)

    @property
    def total_in(self) -> Figure:
        return Figure(
            sum(line.qty_in for line in self.lines),
            sum((line.value_in for line in self.lines), ZERO),
        )

    @property
    def total_out(self) -> Figure:
        return Figure(
            sum(line.qty_out for line in self.lines),
            sum((line.value_out for line in self.lines), ZERO),
        )


def _places() -> dict[int, Place]:
    rows = db.session.execute(
        sa.select(
            Location.id, Location.usage, Location.warehouse_id, Warehouse.code, Bin.code
        )
        .outerjoin(Warehouse, Warehouse.id == Location.warehouse_id)
        .outerjoin(Bin, Bin.id == Location.bin_id)
    )
    return {
        lid: Place(
            usage,
            wid,
            (f"{code}/{bin_code}" if bin_code else code) if code else usage,
        )
        for lid, usage, wid, code, bin_code in rows
    }


def reference_numbers(
    refs: Iterable[tuple[str | None, int | None]],
) -> dict[tuple[str, int], str]:
    """Numbers of the documents moves refer to: ``("stock_document", 7)`` →
    ``"RC-20261123-0007"``; stock counts and orders likewise. Unknown types are left
    out."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for kind, ident in refs:
        if kind and ident is not None:
            wanted[kind].add(ident)
    found: dict[tuple[str, int], str] = {}
    for kind, model in _reference_models().items():
        ids = wanted.get(kind)
        if not ids:
            continue
        for ident, number in db.session.execute(
            sa.select(model.id, model.number).where(model.id.in_(list(ids)))
        ):
            found[(kind, ident)] = number
    return found


def _reference_models() -> dict[str, Any]:
    from supplychain.orders.models import Order
    from supplychain.stock.models import StockCount, StockDocument

    return {"stock_document": StockDocument, "stock_count": StockCount, "order": Order}


def product_history(
    product_id: int,
    start: dt.datetime,
    end: dt.datetime,
    *,
    warehouse_id: int | None = None,
) -> ProductHistory:
    """The moves of one product in [start, end) with a running balance, in one
    warehouse or all of them: the opening balance (as ``balances_at``), then each move
    in time order. The last balance is the closing balance; for a period reaching now
    it equals the stock level (quantity and value).

    :raise NotFound: unknown product."""
    product = db.session.get(Product, product_id)
    if product is None:
        raise NotFound(msg("Product %(id)s does not exist.", id=product_id))
    if end < start:
        raise ValueError("the period ends before it starts")
    opening = Figure()
    for figure in balances_at(
        start, warehouse_id=warehouse_id, product_ids=[product_id]
    ).values():
        opening.add(figure.qty, figure.value)
    places = _places()

    def inside(location_id: int) -> bool:
        place = places[location_id]
        return place.is_internal and (
            warehouse_id is None or place.warehouse_id == warehouse_id
        )

    m = StockMove.__table__.c
    moves = db.session.execute(
        sa.select(
            m.id, m.created_at, m.qty, m.value, m.from_location_id, m.to_location_id,
            m.reason, m.reference_type, m.reference_id, Lot.lot_no,
        )  # fmt: skip
        .select_from(StockMove.__table__)
        .outerjoin(Lot, Lot.id == m.lot_id)
        .where(m.product_id == product_id, m.created_at >= start, m.created_at < end)
        .order_by(m.created_at, m.id)
    ).all()
    numbers = reference_numbers((row.reference_type, row.reference_id) for row in moves)
    balance = Figure(opening.qty, opening.value)
    lines = []
    for row in moves:
        into, out_of = inside(row.to_location_id), inside(row.from_location_id)
        if not (into or out_of):
            continue
        qty, value = int(row.qty), _money(row.value)
        qty_in = qty if into and not out_of else 0
        qty_out = qty if out_of and not into else 0
        value_in = value if qty_in else ZERO
        value_out = value if qty_out else ZERO
        balance.add(qty_in - qty_out, value_in - value_out)
        lines.append(
            HistoryLine(
                row.id,
                row.created_at,
                row.reason,
                row.reference_type,
                row.reference_id,
                numbers.get((row.reference_type, row.reference_id)),
                places[row.from_location_id],
                places[row.to_location_id],
                row.lot_no,
                qty_in,
                qty_out,
                value_in,
                value_out,
                qty if into and out_of else 0,
                Figure(balance.qty, balance.value),
            )
        )
    codes = _warehouse_codes()
    return ProductHistory(
        product.id,
        product.sku,
        product.name,
        product.unit,
        codes.get(warehouse_id) if warehouse_id is not None else None,
        start,
        end,
        opening,
        lines,
    )


# --- near-expiry report (临期报表) ------------------------------------------------------
@dataclass(frozen=True)
class ExpiryRow:
    """A lot in a warehouse: ``qty`` on hand (for expiring lots the usable part, out
    of quarantine bins; for expired lots all of it), valued at the warehouse's
    moving-average unit cost. How much of it is reserved is unknown: reservations are
    kept per product and warehouse, not per lot."""

    warehouse: str
    product_id: int
    sku: str
    name: str
    unit: str
    lot_no: str
    production_date: dt.date | None
    expiry_date: dt.date
    days_left: int
    qty: int
    unit_cost: Decimal | None
    value: Decimal


@dataclass(frozen=True)
class NearExpiryReport:
    on: dt.date
    days: int
    expiring: list[ExpiryRow]  # usable on ``on``, expiring within ``days``
    expired: list[ExpiryRow]  # to write off or return to the supplier

    @property
    def expiring_value(self) -> Decimal:
        return sum((row.value for row in self.expiring), ZERO)

    @property
    def expired_value(self) -> Decimal:
        return sum((row.value for row in self.expired), ZERO)


MAX_EXPIRY_DAYS = 3650


def near_expiry(
    days: int = NEAR_EXPIRY_DAYS,
    *,
    warehouse_id: int | None = None,
    on: dt.date | None = None,
) -> NearExpiryReport:
    """Lots with stock whose expiry date is at most ``days`` away on ``on`` (default
    today), per warehouse, by expiry: those still usable (the expiry day itself is
    usable: days left 0 … ``days``) and, apart, those already expired. Stock in
    quarantine bins is not offered for a campaign; expired stock is listed wherever
    it lies.

    :raise ValidationFailed: on ``days`` outside 0 … MAX_EXPIRY_DAYS."""
    if (
        isinstance(days, bool)
        or not isinstance(days, int)
        or not (0 <= days <= MAX_EXPIRY_DAYS)
    ):
        raise ValidationFailed(
            {"days": [msg("Give 0 to %(n)s days.", n=MAX_EXPIRY_DAYS)]}
        )
    on = on or local_today()
    b = StockBalance.__table__.c
    quarantined = sa.case((Bin.is_quarantine.is_(True), b.on_hand_qty), else_=0)
    stmt = (
        sa.select(
            Location.warehouse_id,
            Warehouse.code,
            Product.id,
            Product.sku,
            Product.name,
            Product.unit,
            Lot.lot_no,
            Lot.production_date,
            Lot.expiry_date,
            sa.func.sum(b.on_hand_qty),
            sa.func.sum(quarantined),
        )
        .select_from(StockBalance.__table__)
        .join(Location, Location.id == b.location_id)
        .join(Warehouse, Warehouse.id == Location.warehouse_id)
        .join(Lot, Lot.id == b.lot_id)
        .join(Product, Product.id == b.product_id)
        .outerjoin(Bin, Bin.id == Location.bin_id)
        .where(
            Location.usage == "internal",
            b.on_hand_qty > 0,
            Lot.expiry_date.is_not(None),
            Lot.expiry_date <= on + dt.timedelta(days=days),
        )
        .group_by(
            Location.warehouse_id, Warehouse.code, Product.id, Product.sku,
            Product.name, Product.unit, Lot.id, Lot.lot_no, Lot.production_date,
            Lot.expiry_date,
        )  # fmt: skip
    )
    if warehouse_id is not None:
        stmt = stmt.where(Location.warehouse_id == warehouse_id)
    found = db.session.execute(stmt).all()
    levels = _levels(warehouse_id, {row[2] for row in found}) if found else {}
    expiring, expired = [], []
    for wid, code, pid, sku, name, unit, lot_no, made, expiry, qty, held in found:
        gone = is_expired(expiry, on)
        qty = int(qty) if gone else int(qty) - int(held or 0)
        if qty <= 0:
            continue
        level = levels.get((pid, wid), Figure())
        cost = unit_cost_of(level)
        value = (level.value * qty / level.qty).quantize(ZERO) if level.qty else ZERO
        row = ExpiryRow(
            code, pid, sku, name, unit, lot_no, made, expiry,
            days_left(expiry, on), qty, cost, value,
        )  # fmt: skip
        (expired if gone else expiring).append(row)
    order = lambda r: (r.expiry_date, r.warehouse, r.sku, r.lot_no)  # noqa: E731
    return NearExpiryReport(
        on, days, sorted(expiring, key=order), sorted(expired, key=order)
    )
