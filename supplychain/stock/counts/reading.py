"""盘点 stock counts: the read side (lists, progress, the review of variances), the
count sheet PDF and the invariant for ``supplychain check``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from supplychain.catalog.models import Product
from supplychain.database import to_money, utcnow
from supplychain.errors import (
    NotFound,
    ValidationFailed,
)
from supplychain.extensions import db
from supplychain.messages import msg
from supplychain.paging import like_pattern
from supplychain.stock import ledger
from supplychain.stock.counts.approving import expected_quantities
from supplychain.stock.counts.common import (
    may_approve,
)
from supplychain.stock.models import (
    COUNT_STATUSES,
    Bin,
    Location,
    Lot,
    StockBalance,
    StockCount,
    StockCountBin,
    StockCountLine,
    StockMove,
)


# how a count's bins are listed and walked: as their labels read, aisle by aisle
LABEL_ORDER = (Bin.aisle, Bin.block, Bin.bay, Bin.side, Bin.level, Bin.id)


def counts_query(
    q: str = "",
    *,
    status: str | None = None,
    warehouse_id: int | None = None,
) -> sa.Select:
    """Counts, newest first, as rows ``StockCount, counted_bins, total_bins`` (run
    with ``scalars=False``). ``q`` searches the number, the scope and the note."""
    counted = (
        sa.select(sa.func.count(StockCountBin.id))
        .where(
            StockCountBin.count_id == StockCount.id,
            StockCountBin.status == "counted",
        )
        .correlate(StockCount)
        .scalar_subquery()
    )
    total = (
        sa.select(sa.func.count(StockCountBin.id))
        .where(StockCountBin.count_id == StockCount.id)
        .correlate(StockCount)
        .scalar_subquery()
    )
    stmt = sa.select(
        StockCount, counted.label("counted_bins"), total.label("total_bins")
    ).order_by(StockCount.created_at.desc(), StockCount.id.desc())
    if q.strip():
        pattern = like_pattern(q)
        stmt = stmt.where(
            sa.or_(
                StockCount.number.ilike(pattern, escape="\\"),
                StockCount.scope.ilike(pattern, escape="\\"),
                StockCount.note.ilike(pattern, escape="\\"),
            )
        )
    if status:
        if status not in COUNT_STATUSES:
            raise ValidationFailed({"status": [msg("Unknown status.")]})
        stmt = stmt.where(StockCount.status == status)
    if warehouse_id is not None:
        stmt = stmt.where(StockCount.warehouse_id == warehouse_id)
    return stmt


def get_count(number: str) -> StockCount:
    """:raise NotFound: no count has this number."""
    count = db.session.scalar(
        sa.select(StockCount)
        .where(StockCount.number == (number or "").strip().upper())
        .options(selectinload(StockCount.bins).selectinload(StockCountBin.lines))
    )
    if count is None:
        raise NotFound(msg("Count %(number)s does not exist.", number=number))
    return count


def progress(count: StockCount) -> tuple[int, int]:
    """(counted bins, bins) of a count."""
    return (
        sum(1 for cb in count.bins if cb.status == "counted"),
        len(count.bins),
    )


def count_bins_query(
    count_id: int, q: str = "", *, status: str | None = None
) -> sa.Select:
    """A count's bins (scalars: StockCountBin) in label order (aisle, block, bay,
    side, level); ``q`` filters by bin code, ``status`` by pending / counted."""
    stmt = (
        sa.select(StockCountBin)
        .join(Bin, Bin.id == StockCountBin.bin_id)
        .where(StockCountBin.count_id == count_id)
        .order_by(*LABEL_ORDER)
    )
    if q.strip():
        stmt = stmt.where(Bin.code.ilike(like_pattern(q.upper()), escape="\\"))
    if status:
        stmt = stmt.where(StockCountBin.status == status)
    return stmt


def count_bin_by_code(count: StockCount, code: str) -> StockCountBin:
    """:raise NotFound: no bin with this code in the count."""
    count_bin = db.session.scalar(
        sa.select(StockCountBin)
        .join(Bin, Bin.id == StockCountBin.bin_id)
        .where(
            StockCountBin.count_id == count.id,
            Bin.code == (code or "").strip().upper(),
        )
    )
    if count_bin is None:
        raise NotFound(
            msg(
                "Bin %(bin)s is not part of count %(number)s.",
                bin=code,
                number=count.number,
            )
        )
    return count_bin


def next_pending_bin(
    count: StockCount, after: StockCountBin | None = None
) -> StockCountBin | None:
    """The next bin still to count in label order after ``after`` (wrapping round),
    or None when every bin is counted. Two one-row queries, whatever the count's
    size (it runs after every bin a counter saves)."""
    pending = count_bins_query(count.id, status="pending").limit(1)
    if after is not None:
        b = after.bin
        later = db.session.scalar(
            pending.where(
                sa.tuple_(*LABEL_ORDER)
                > sa.tuple_(b.aisle, b.block, b.bay, b.side, b.level, b.id)
            )
        )
        if later is not None:
            return later
    return db.session.scalar(pending)


@dataclass(frozen=True)
class UnbinnedRow:
    sku: str
    name: str
    unit: str
    lot_no: str | None
    on_hand_qty: int


def unbinned_stock(warehouse_id: int) -> list[UnbinnedRow]:
    """What lies in the warehouse's unbinned location (not countable per bin): move
    it into bins to count it."""
    b = StockBalance.__table__.c
    rows = db.session.execute(
        sa.select(Product.sku, Product.name, Product.unit, Lot.lot_no, b.on_hand_qty)
        .select_from(StockBalance.__table__)
        .join(Location, Location.id == b.location_id)
        .join(Product, Product.id == b.product_id)
        .outerjoin(Lot, Lot.id == b.lot_id)
        .where(Location.key == f"wh:{warehouse_id}", b.on_hand_qty > 0)
        .order_by(Product.sku, Lot.lot_no)
    )
    return [UnbinnedRow(*row[:4], int(row[4])) for row in rows]


@dataclass(frozen=True)
class VarianceRow:
    """A line on the review page: ``expected`` is None while the bin is pending;
    values are the posted ones (approved) or at today's moving average."""

    line: StockCountLine
    counted: int | None
    expected: int | None
    variance: int | None
    value: Decimal | None


@dataclass(frozen=True)
class BinReview:
    count_bin: StockCountBin
    rows: list[VarianceRow]

    @property
    def variance_value(self) -> Decimal:
        return sum((r.value or Decimal(0) for r in self.rows), Decimal("0.00"))

    @property
    def has_variance(self) -> bool:
        return any(r.variance for r in self.rows)


@dataclass(frozen=True)
class CountReview:
    bins: list[BinReview] = field(default_factory=list)

    @property
    def variance_value(self) -> Decimal:
        return sum((b.variance_value for b in self.bins), Decimal("0.00"))

    @property
    def gain_value(self) -> Decimal:
        return sum(
            (r.value for b in self.bins for r in b.rows if r.value and r.value > 0),
            Decimal("0.00"),
        )

    @property
    def loss_value(self) -> Decimal:
        return sum(
            (r.value for b in self.bins for r in b.rows if r.value and r.value < 0),
            Decimal("0.00"),
        )

    @property
    def adjustments(self) -> int:
        return sum(1 for b in self.bins for r in b.rows if r.variance)


def count_variances(count: StockCount, *, with_expected: bool = True) -> CountReview:
    """Per bin and line: counted, expected, variance and its value — stored ones for
    an approved count, otherwise computed now (expected = the ledger at each bin's
    count time; value at the warehouse's moving-average cost). Without
    ``with_expected`` only the counted quantities (what a blind counter may see)."""
    approved = count.status == "approved"
    expected = expected_quantities(count) if with_expected and not approved else {}
    averages: dict[int, Decimal] = {}
    bins = []
    order = list(db.session.scalars(count_bins_query(count.id)))
    for count_bin in order:
        rows = []
        for line in count_bin.lines:
            if approved and with_expected:
                rows.append(
                    VarianceRow(
                        line,
                        line.counted_qty,
                        line.expected_qty,
                        line.variance_qty,
                        line.variance_value,
                    )
                )
                continue
            if count_bin.status != "counted" or not with_expected:
                rows.append(VarianceRow(line, line.counted_qty, None, None, None))
                continue
            exp = expected.get(line.id, 0)
            variance = (line.counted_qty or 0) - exp
            if line.product_id not in averages:
                averages[line.product_id] = ledger.average_cost(
                    line.product_id, count.warehouse_id
                )
            value = to_money(averages[line.product_id] * variance)
            rows.append(VarianceRow(line, line.counted_qty, exp, variance, value))
        bins.append(BinReview(count_bin, rows))
    return CountReview(bins)


def expected_visible(count: StockCount, user: Any) -> bool:
    """Whether ``user`` may see the ledger's quantities of a count: always for a
    manager, for anyone once the count is closed or when it is not blind."""
    return may_approve(user) or not count.blind or count.status != "counting"


def bin_lines(count_bin: StockCountBin) -> list[StockCountLine]:
    """The lines a counter sees for a bin: listed ones first (by SKU, lot), then the
    items added."""
    return sorted(
        count_bin.lines,
        key=lambda line: (
            line.is_added,
            line.product.sku,
            line.lot.expiry_date if line.lot and line.lot.expiry_date else dt.date.max,
            line.lot.lot_no if line.lot else "",
        ),
    )


def current_quantities(count_bin: StockCountBin) -> dict[int, int]:
    """Line id → the ledger's quantity in the bin now (for open, non-blind counts)."""
    b = StockBalance.__table__.c
    held = {
        (p, k): int(q)
        for p, k, q in db.session.execute(
            sa.select(b.product_id, b.lot_key, b.on_hand_qty).where(
                b.location_id == count_bin.location_id
            )
        )
    }
    return {
        line.id: held.get((line.product_id, line.lot_key), 0)
        for line in count_bin.lines
    }


def count_sheet_pdf(count: StockCount, *, user: Any) -> bytes:
    """The count's sheet (盘点表) as an A4 PDF: per bin the listed products and lots
    with a box for the counted number; the system quantity only where ``user`` may
    see it (``expected_visible``: never for a blind counter)."""
    from zoneinfo import ZoneInfo

    from flask import current_app
    from printing.stock_counts import (
        CountSheetBin,
        CountSheetDoc,
        CountSheetLine,
        render_count_sheet,
    )

    show = expected_visible(count, user)
    bins = []
    for count_bin in db.session.scalars(count_bins_query(count.id)):
        held = current_quantities(count_bin) if show else {}
        lines = tuple(
            CountSheetLine(
                sku=line.product.sku,
                name=line.product.name,
                unit=line.product.unit,
                lot=line.lot.lot_no if line.lot else "",
                expiry_date=line.lot.expiry_date if line.lot else None,
                system_qty=held.get(line.id) if show else None,
            )
            for line in bin_lines(count_bin)
            if not line.is_added
        )
        bins.append(CountSheetBin(count_bin.bin.code, lines))
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    doc = CountSheetDoc(
        company=current_app.config.get("COMPANY_NAME") or "配送中心",
        number=count.number,
        warehouse=f"{count.warehouse.code} {count.warehouse.name}",
        scope=count.scope or "全部库位 All bins",
        blind=not show,
        generated_at=utcnow().astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        bins=tuple(bins),
    )
    return render_count_sheet(doc)


def check_counts() -> list[str]:
    """Problems with approved counts (for ``supplychain check``): each line's posted
    variance must equal the net of the count's moves at its bin, product and lot, and
    the count's variance value the sum of its lines'. Empty when all hold."""
    m = StockMove.__table__.c
    move_lot = sa.func.coalesce(m.lot_id, sa.literal_column("0"))
    posted: dict[tuple[int, int, int, int], int] = defaultdict(int)
    for side, sign in ((m.to_location_id, 1), (m.from_location_id, -1)):
        for count_id, location_id, product_id, lot_key, qty in db.session.execute(
            sa.select(m.reference_id, side, m.product_id, move_lot, sa.func.sum(m.qty))
            .where(m.reference_type == "stock_count")
            .group_by(m.reference_id, side, m.product_id, move_lot)
        ):
            posted[(count_id, location_id, product_id, int(lot_key))] += sign * int(qty)
    cb = StockCountBin.__table__.c
    ln = StockCountLine.__table__.c
    problems = []
    wanted: dict[tuple[int, int, int, int], int] = defaultdict(int)
    rows = db.session.execute(
        sa.select(
            StockCount.number,
            StockCount.id,
            cb.location_id,
            ln.product_id,
            ln.lot_key,
            ln.variance_qty,
        )
        .join(StockCountLine.__table__, ln.count_id == StockCount.id)
        .join(StockCountBin.__table__, cb.id == ln.count_bin_id)
        .where(StockCount.status == "approved")
    )
    numbers = {}
    for number, count_id, location_id, product_id, lot_key, variance in rows:
        numbers[count_id] = number
        wanted[(count_id, location_id, product_id, lot_key)] += variance or 0
    internal = set(
        db.session.scalars(sa.select(Location.id).where(Location.usage == "internal"))
    )
    for key in sorted(set(wanted) | {k for k in posted if k[1] in internal}):
        if wanted.get(key, 0) != posted.get(key, 0):
            problems.append(
                f"count {numbers.get(key[0], key[0])}: product {key[2]} lot {key[3]} "
                f"at location {key[1]} has variance {wanted.get(key, 0)} but its "
                f"moves net {posted.get(key, 0)}"
            )
    totals = db.session.execute(
        sa.select(
            StockCount.number,
            StockCount.variance_value,
            sa.func.coalesce(sa.func.sum(ln.variance_value), 0),
        )
        .outerjoin(StockCountLine.__table__, ln.count_id == StockCount.id)
        .where(StockCount.status == "approved")
        .group_by(StockCount.id, StockCount.number, StockCount.variance_value)
    )
    for number, total, lines_total in totals:
        if to_money(total or 0) != to_money(Decimal(lines_total or 0)):
            problems.append(
                f"count {number}: variance value {total} but its lines add up to "
                f"{lines_total}"
            )
    return problems
