"""盘点 stock counts: JSON API — start, list, read (blind: no expected quantities
unless the caller is a manager), count a bin, approve, cancel."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from blueprints.api import ApiBlueprint, auth_required
from blueprints.stock.counts_schemas import (
    BinCountSchema,
    CountBinSchema,
    CountCreateSchema,
    CountDetailSchema,
    CountListArgsSchema,
    CountSummarySchema,
)
from supplychain.paging import page_of
from supplychain.stock import counts, queries

api_bp = ApiBlueprint(
    "stock_counts_api",
    __name__,
    url_prefix="/api/v1",
    description="Stock counts (盘点): blind counts per bin, approved by a manager",
)

VIEWERS = ("warehouse", "buyer", "finance")  # admin and managers pass too
COUNTERS = ("warehouse",)
MANAGERS = ("warehouse_manager",)


def _who(user: Any) -> str | None:
    return user.username if user is not None else None


def _summary(count: Any, counted: int, total: int) -> dict[str, Any]:
    return {
        "number": count.number,
        "warehouse": count.warehouse.code,
        "kind": count.kind,
        "scope": count.scope,
        "status": count.status,
        "blind": count.blind,
        "note": count.note,
        "counted_bins": counted,
        "total_bins": total,
        "created_by": _who(count.created_by),
        "created_at": count.created_at,
        "approved_by": _who(count.approved_by),
        "approved_at": count.approved_at,
        "variance_value": count.variance_value,
    }


def _line(row: Any, show: bool) -> dict[str, Any]:
    line = row.line
    body = {
        "sku": line.product.sku,
        "name": line.product.name,
        "unit": line.product.unit,
        "lot": line.lot.lot_no if line.lot else None,
        "expiry_date": line.lot.expiry_date if line.lot else None,
        "is_added": line.is_added,
        "counted_qty": line.counted_qty,
    }
    if show:
        body |= {
            "snapshot_qty": line.snapshot_qty,
            "expected_qty": row.expected,
            "variance_qty": row.variance,
            "variance_value": row.value,
        }
    return body


def _bin(review: Any, show: bool) -> dict[str, Any]:
    count_bin = review.count_bin
    return {
        "code": count_bin.bin.code,
        "status": count_bin.status,
        "counted_at": count_bin.counted_at,
        "counted_by": _who(count_bin.counted_by),
        "lines": [_line(row, show) for row in review.rows],
    }


def _detail(count: Any) -> dict[str, Any]:
    """The count as JSON; the ledger's quantities are left out for blind counters."""
    show = counts.expected_visible(count, current_user)
    review = counts.count_variances(count, with_expected=show)
    counted, total = counts.progress(count)
    return _summary(count, counted, total) | {
        "bins": [_bin(b, show) for b in review.bins],
        "unbinned": [
            {"sku": r.sku, "name": r.name, "lot": r.lot_no, "qty": r.on_hand_qty}
            for r in counts.unbinned_stock(count.warehouse_id)
        ],
    }


def _bin_detail(number: str, bin_id: int) -> dict[str, Any]:
    count = counts.get_count(number)
    show = counts.expected_visible(count, current_user)
    review = counts.count_variances(count, with_expected=show)
    [mine] = [b for b in review.bins if b.count_bin.bin_id == bin_id]
    return _bin(mine, show)


@api_bp.route("/stock/counts", methods=["POST"])
@auth_required(*COUNTERS)
@api_bp.arguments(CountCreateSchema)
@api_bp.response(201, CountDetailSchema)
def create_count(data: dict[str, Any]) -> Any:
    """Start a count: every active bin of the warehouse (``kind`` full) or the given
    ``bins`` / ``aisles`` (cycle), with a snapshot of what each bin holds. 409 when a
    bin is already in another open count."""
    warehouse = (
        queries.warehouse_by_code(data["warehouse"])
        if data["warehouse"]
        else queries.default_warehouse()
    )
    count = counts.start_count(
        warehouse.id,
        kind=data["kind"],
        bin_codes=data["bins"],
        aisles=data["aisles"],
        blind=data["blind"],
        note=data["note"],
        user=current_user,
    )
    return _detail(counts.get_count(count.number)), 201


@api_bp.route("/stock/counts", methods=["GET"])
@auth_required(*VIEWERS)
@api_bp.arguments(CountListArgsSchema, location="query")
@api_bp.response(200, CountSummarySchema(many=True))
def list_counts(args: dict[str, Any]) -> Any:
    """Counts, newest first, with their progress (bins counted of all)."""
    warehouse_id = (
        queries.warehouse_by_code(args["warehouse"]).id if args["warehouse"] else None
    )
    stmt = counts.counts_query(
        args["q"], status=args["status"], warehouse_id=warehouse_id
    )
    page = page_of(stmt, args["page"], args["per_page"], scalars=False)
    items = [_summary(row[0], row.counted_bins, row.total_bins) for row in page.items]
    return items, 200, {"X-Total-Count": str(page.total)}


@api_bp.route("/stock/counts/<number>", methods=["GET"])
@auth_required(*VIEWERS)
@api_bp.response(200, CountDetailSchema)
def get_count(number: str) -> Any:
    """A count with its bins and lines. In a blind count the ledger's quantities
    (snapshot, expected, variance) are shown to managers only, until it is
    approved."""
    return _detail(counts.get_count(number))


@api_bp.route("/stock/counts/<number>/bins/<bin_code>", methods=["PUT"])
@auth_required(*COUNTERS)
@api_bp.arguments(BinCountSchema)
@api_bp.response(200, CountBinSchema)
def count_bin(data: dict[str, Any], number: str, bin_code: str) -> Any:
    """Record what was counted in a bin: one entry per item (every listed item,
    0 when none was there, plus items found that were not listed). Counting a bin
    again while the count is open replaces its numbers."""
    count = counts.get_count(number)
    count_bin = counts.count_bin_by_code(count, bin_code)
    counts.record_bin_items(
        count.id, count_bin.bin_id, data["entries"], user=current_user
    )
    return _bin_detail(number, count_bin.bin_id)


@api_bp.route("/stock/counts/<number>/approve", methods=["POST"])
@auth_required(*MANAGERS)
@api_bp.response(200, CountDetailSchema)
def approve_count(number: str) -> Any:
    """Approve a counted count and post its variances as adjustments (all or
    nothing). 409 when it is already approved, a bin is not counted or changed
    after it was counted, or a write-off would take stock reserved for orders."""
    count = counts.get_count(number)
    counts.approve_count(count.id, user=current_user)
    return _detail(counts.get_count(number))


@api_bp.route("/stock/counts/<number>/cancel", methods=["POST"])
@auth_required(*MANAGERS)
@api_bp.response(200, CountDetailSchema)
def cancel_count(number: str) -> Any:
    """Cancel an open count (nothing is posted)."""
    count = counts.get_count(number)
    counts.cancel_count(count.id, current_user)
    return _detail(counts.get_count(number))


@api_bp.route("/stock/counts/<number>/bins/<bin_code>/reset", methods=["POST"])
@auth_required(*MANAGERS)
@api_bp.response(200, CountBinSchema)
def reset_bin(number: str, bin_code: str) -> Any:
    """Send a counted bin back for recount (its numbers are cleared)."""
    count = counts.get_count(number)
    count_bin = counts.count_bin_by_code(count, bin_code)
    counts.reset_bin(count.id, count_bin.bin_id, current_user)
    return _bin_detail(number, count_bin.bin_id)
