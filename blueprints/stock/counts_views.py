"""盘点 stock counts: pages — the list, the start form, the counter's blind count on a
phone (count → bins to count, searchable by a scanned bin code → one bin → the next
pending bin) and the manager's review with recount, approval (a confirm step) and
cancellation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import NotFound as HttpNotFound

from blueprints.auth.decorators import roles_required
from blueprints.forms import domain_field_errors, load_form
from blueprints.i18n import localize
from blueprints.stock.counts_schemas import BinCountFormSchema, CountStartFormSchema
from supplychain.errors import NotFound, OutOfStock, ValidationFailed
from supplychain.paging import Page, page_of
from supplychain.stock import counts, queries
from supplychain.stock.expiry import NEAR_EXPIRY_DAYS, days_left, local_today
from supplychain.stock.models import COUNT_STATUSES

bp = Blueprint(
    "stock_counts", __name__, url_prefix="/stock/counts", template_folder="templates"
)

VIEWERS = ("warehouse", "buyer", "finance")  # admin and managers pass too
COUNTERS = ("warehouse",)
MANAGERS = ("warehouse_manager",)
BINS_PER_PAGE = 50
REVIEW_BINS_PER_PAGE = 40
FOUND_ROWS, MAX_FOUND_ROWS = 2, 10


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "local_time": _local_time,
        "expiry_badge": _expiry_badge,
        "status_label": _status_label,
        "money": _money,
    }


def _money(value: Decimal | None) -> str:
    """¥1,234.50 / -¥13.00 / — (none yet)."""
    if value is None:
        return "—"
    return f"-¥{-value:,.2f}" if value < 0 else f"¥{value:,.2f}"


def _local_time(instant: dt.datetime | None) -> str:
    if instant is None:
        return "—"
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _expiry_badge(expiry: dt.date | None) -> str:
    """ "bad" (expired), "warn" (within NEAR_EXPIRY_DAYS) or ""."""
    left = days_left(expiry, local_today())
    if left is None:
        return ""
    return "bad" if left < 0 else "warn" if left <= NEAR_EXPIRY_DAYS else ""


def _status_label(status: str) -> str:
    return {
        "counting": _("Counting"),
        "approved": _("Approved"),
        "cancelled": _("Cancelled"),
        "pending": _("To count"),
        "counted": _("Counted"),
    }.get(status, status)


def _page() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


def _count_or_404(number: str) -> Any:
    try:
        return counts.get_count(number)
    except NotFound:
        raise HttpNotFound() from None


def _bin_or_404(count: Any, code: str) -> Any:
    try:
        return counts.count_bin_by_code(count, code)
    except NotFound:
        raise HttpNotFound() from None


# --- list and start -----------------------------------------------------------------
@bp.route("/")
@roles_required(*VIEWERS)
def index() -> Any:
    """Counts, newest first, with their progress; searchable by number, scope, note."""
    q = request.args.get("q", "")[:100]
    status = request.args.get("status", "")
    status = status if status in COUNT_STATUSES else ""
    page = page_of(
        counts.counts_query(q, status=status or None), _page(), scalars=False
    )
    return render_template(
        "stock/counts.html",
        page=page,
        q=q,
        status=status,
        statuses=COUNT_STATUSES,
        can_count=counts.may_count(current_user),
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*COUNTERS)
def new() -> Any:
    """Start a full count of a warehouse or a cycle count of some aisles or bins."""
    errors: dict[str, str] = {}
    default = queries.default_warehouse()
    form: dict[str, Any] = {"warehouse": default.code, "kind": "cycle", "blind": "1"}
    if request.method == "POST":
        form = request.form.to_dict()
        data, errors = load_form(CountStartFormSchema(), request.form)
        if data is not None:
            try:
                warehouse = queries.warehouse_by_code(data["warehouse"])
                count = counts.start_count(
                    warehouse.id,
                    kind=data["kind"],
                    bin_codes=data["bins"],
                    aisles=data["aisles"],
                    blind=data["blind"],
                    note=data["note"],
                    user=current_user,
                )
            except NotFound:
                errors = {"warehouse": _("Choose a warehouse.")}
            except ValidationFailed as error:
                errors = domain_field_errors(error)
            else:
                flash(
                    _(
                        "Count %(number)s started: %(n)s bins to count.",
                        number=count.number,
                        n=len(count.bins),
                    ),
                    "success",
                )
                return redirect(url_for("stock_counts.show", number=count.number))
    return render_template(
        "stock/count_new.html",
        form=form,
        errors=errors,
        warehouses=queries.active_warehouses(),
    ), (400 if errors else 200)


# --- the counter's flow ---------------------------------------------------------------
@bp.route("/<number>")
@roles_required(*VIEWERS)
def show(number: str) -> Any:
    """A count: its bins to count (a scanned bin code opens the bin), progress, the
    stock outside any bin, and the manager's actions."""
    count = _count_or_404(number)
    q = request.args.get("q", "")[:30].strip()
    if q and count.status == "counting" and counts.may_count(current_user):
        try:
            found = counts.count_bin_by_code(count, q)
        except NotFound:
            pass
        else:  # a scanned code: straight to the bin
            return redirect(
                url_for("stock_counts.bin", number=count.number, code=found.bin.code)
            )
    status = request.args.get("status", "")
    status = status if status in ("pending", "counted") else ""
    bins = page_of(
        counts.count_bins_query(count.id, q, status=status or None),
        _page(),
        BINS_PER_PAGE,
    )
    counted, total = counts.progress(count)
    return render_template(
        "stock/count.html",
        count=count,
        bins=bins,
        q=q,
        status=status,
        counted=counted,
        total=total,
        unbinned=counts.unbinned_stock(count.warehouse_id),
        next_bin=counts.next_pending_bin(count),
        can_count=counts.may_count(current_user) and count.status == "counting",
        can_manage=counts.may_approve(current_user) and count.status == "counting",
    )


@bp.route("/<number>/bins/<code>", methods=["GET", "POST"])
@roles_required(*COUNTERS)
def bin(number: str, code: str) -> Any:
    """Count one bin on a phone: a big number per listed line, rows for items found
    here; then on to the next bin still to count."""
    count = _count_or_404(number)
    count_bin = _bin_or_404(count, code)
    if count.status != "counting":
        flash(_("Count %(number)s is closed.", number=count.number), "error")
        return redirect(url_for("stock_counts.show", number=count.number))
    errors: dict[str, str] = {}
    values, found = _previous(count_bin)
    if request.method == "POST":
        data, errors = load_form(BinCountFormSchema(), request.form)
        data = data or {"entries": {}, "found": []}
        values = {f"line_{k}": v for k, v in data["entries"].items()}
        found = list(data["found"])
        if not request.form.get("more_rows"):  # else: only show more found rows
            try:
                counts.record_bin_count(
                    count.id,
                    count_bin.bin_id,
                    data["entries"],
                    user=current_user,
                    added=found,
                )
            except ValidationFailed as error:
                errors = domain_field_errors(error)
            else:
                return _to_next_bin(count, count_bin)
    wanted = request.form.get("more_rows", 0, type=int) or 0
    extra = min(MAX_FOUND_ROWS, max(FOUND_ROWS, wanted, len(found) + 1))
    rows = found + [None] * max(0, extra - len(found))
    show_ledger = not count.blind or counts.may_approve(current_user)
    return render_template(
        "stock/count_bin.html",
        count=count,
        count_bin=count_bin,
        lines=[line for line in counts.bin_lines(count_bin) if not line.is_added],
        values=values,
        found_rows=rows,
        errors=errors,
        ledger=counts.current_quantities(count_bin) if show_ledger else None,
        more_rows=min(MAX_FOUND_ROWS, len(rows) + 3),
        progress=counts.progress(count),
    ), (400 if errors else 200)


def _previous(count_bin: Any) -> tuple[dict[str, Any], list[Any]]:
    """What the counter entered last time (a recount starts from it)."""
    values = {
        f"line_{line.id}": line.counted_qty
        for line in count_bin.lines
        if not line.is_added and line.counted_qty is not None
    }
    found = [
        counts.FoundItem(
            line.product.sku,
            line.counted_qty,
            lot=line.lot.lot_no if line.lot else None,
        )
        for line in counts.bin_lines(count_bin)
        if line.is_added
    ]
    return values, found


def _to_next_bin(count: Any, count_bin: Any) -> Any:
    flash(_("Bin %(code)s counted.", code=count_bin.bin.code), "success")
    following = counts.next_pending_bin(count, count_bin)
    if following is None:
        flash(
            _("Every bin is counted: a warehouse manager can now review the count."),
            "info",
        )
        return redirect(url_for("stock_counts.show", number=count.number))
    return redirect(
        url_for("stock_counts.bin", number=count.number, code=following.bin.code)
    )


# --- the manager's review -------------------------------------------------------------
@bp.route("/<number>/review")
@roles_required(*VIEWERS)
def review(number: str) -> Any:
    """Per bin and line: expected (the ledger when the bin was counted), counted,
    variance and its value, with totals; a manager recounts bins and approves."""
    count = _count_or_404(number)
    visible = counts.expected_visible(count, current_user)
    result = counts.count_variances(count, with_expected=visible)
    only_variances = request.args.get("variances") == "1"
    bins = [b for b in result.bins if not only_variances or b.has_variance]
    number_ = _page()
    shown = bins[(number_ - 1) * REVIEW_BINS_PER_PAGE : number_ * REVIEW_BINS_PER_PAGE]
    counted, total = counts.progress(count)
    return render_template(
        "stock/count_review.html",
        count=count,
        review=result,
        bins=Page(shown, number_, REVIEW_BINS_PER_PAGE, len(bins)),
        visible=visible,
        only_variances=only_variances,
        counted=counted,
        total=total,
        can_manage=counts.may_approve(current_user) and count.status == "counting",
    )


@bp.route("/<number>/bins/<code>/reset", methods=["POST"])
@roles_required(*MANAGERS)
def reset(number: str, code: str) -> Any:
    """Send a bin back for recount."""
    count = _count_or_404(number)
    count_bin = _bin_or_404(count, code)
    counts.reset_bin(count.id, count_bin.bin_id, current_user)
    flash(_("Bin %(code)s goes back for recount.", code=count_bin.bin.code), "success")
    return redirect(url_for("stock_counts.review", number=count.number))


@bp.route("/<number>/approve", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def approve(number: str) -> Any:
    """The confirm step, then the approval: the variances are posted as adjustments
    (all or nothing)."""
    count = _count_or_404(number)
    if count.status != "counting":
        flash(_("Count %(number)s is closed.", number=count.number), "error")
        return redirect(url_for("stock_counts.review", number=count.number))
    if request.method == "POST":
        try:
            approved = counts.approve_count(count.id, user=current_user)
        except OutOfStock as error:  # reserved stock: the lines are in the message
            flash(localize(error.message), "error")
            return redirect(url_for("stock_counts.review", number=count.number))
        flash(
            _(
                "Count %(number)s approved: variances posted, net %(value)s.",
                number=approved.number,
                value=_money(approved.variance_value),
            ),
            "success",
        )
        return redirect(url_for("stock_counts.review", number=count.number))
    counted, total = counts.progress(count)
    if counted < total:
        flash(_("Every bin must be counted before the count is approved."), "error")
        return redirect(url_for("stock_counts.review", number=count.number))
    result = counts.count_variances(count)
    return render_template(
        "stock/count_approve.html",
        count=count,
        review=result,
        rows=[
            (b.count_bin, row) for b in result.bins for row in b.rows if row.variance
        ],
    )


@bp.route("/<number>/cancel", methods=["POST"])
@roles_required(*MANAGERS)
def cancel(number: str) -> Any:
    """Cancel an open count (nothing is posted)."""
    count = _count_or_404(number)
    if request.form.get("confirm") != "1":
        flash(_("Tick the box to confirm the cancellation."), "error")
        return redirect(url_for("stock_counts.show", number=count.number))
    counts.cancel_count(count.id, current_user)
    flash(_("Count %(number)s cancelled.", number=count.number), "success")
    return redirect(url_for("stock_counts.show", number=count.number))


@bp.route("/<number>/sheet.pdf")
@roles_required(*COUNTERS)
def sheet(number: str) -> Any:
    """The count sheet (盘点表) to count on paper: blind for blind counters."""
    count = _count_or_404(number)
    pdf = counts.count_sheet_pdf(count, user=current_user)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="count-{count.number}.pdf"'
        },
    )
