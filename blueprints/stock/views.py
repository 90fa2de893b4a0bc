"""进销存 pages: stock list and product stock, adjustments, warehouses with their layout
drawing, bins and bin labels."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import NotFound as HttpNotFound

from blueprints.auth.decorators import roles_required
from blueprints.forms import domain_field_errors, load_form
from blueprints.stock.schemas import (
    LAYOUT_NAMES,
    AdjustmentFormSchema,
    WarehouseFormSchema,
)
from supplychain.errors import NotFound, OutOfStock, ValidationFailed
from supplychain.merchants.geo import MapMarker, register_marker_source
from supplychain.paging import page_of
from supplychain.stock import queries, services
from supplychain.stock.layout import Layout, draw_layout

bp = Blueprint("stock", __name__, url_prefix="/stock", template_folder="templates")

VIEWERS = ("warehouse", "buyer", "sales")  # admin passes every staff check
KEEPERS = ("warehouse",)
BINS_PER_PAGE = 50


def _page() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


def _warehouse_or_404(code: str) -> Any:
    try:
        return queries.warehouse_by_code(code)
    except NotFound:
        raise HttpNotFound() from None


def _warehouse_markers() -> list[MapMarker]:
    return [
        MapMarker(
            w.lat,
            w.lon,
            f"{w.code} {w.name}",
            "warehouse",
            url_for("stock.warehouse", code=w.code),
        )
        for w in queries.active_warehouses()
        if w.lat is not None and w.lon is not None
    ]


bp.record_once(lambda state: register_marker_source(state.app, _warehouse_markers))

USAGE_LABELS = {
    "supplier": _l("Supplier"),
    "customer": _l("Customer"),
    "adjustment": _l("Inventory adjustment"),
    "transit": _l("In transit"),
}


@bp.context_processor
def _stock_helpers() -> dict[str, Any]:
    return {"location_label": _location_label}


def _location_label(location: Any) -> str:
    """A location for people: the warehouse (and bin) code, or the translated usage."""
    return (
        str(USAGE_LABELS.get(location.usage, location.label))
        if not location.is_internal
        else location.label
    )


# --- stock ----------------------------------------------------------------------------
@bp.route("/")
@roles_required(*VIEWERS)
def index() -> Any:
    """Stock per product and warehouse, searchable, the unavailable highlighted;
    unusable (expired or in quarantine) and value columns; a near-expiry banner."""
    from supplychain.stock import reports

    q, code = request.args.get("q", "")[:100], request.args.get("warehouse", "")[:20]
    short = request.args.get("short") == "1"
    stmt = queries.stock_query(q, warehouse_code=code or None, only_short=short)
    page = page_of(stmt, _page(), scalars=False)
    try:
        chosen = queries.warehouse_by_code(code) if code else None
    except NotFound:
        chosen = None
    expiry = reports.near_expiry(warehouse_id=chosen.id if chosen else None)
    return render_template(
        "stock/index.html",
        page=page,
        q=q,
        warehouse=code,
        short=short,
        warehouses=queries.active_warehouses(),
        expiry=expiry,
        can_see_reports=current_user.has_role("warehouse", "buyer", "finance"),
    )


@bp.route("/products/<sku>")
@roles_required(*VIEWERS)
def product(sku: str) -> Any:
    """One product's stock: per warehouse with moving-average cost and value, per
    place and lot with days left, recent moves linked to their documents."""
    from blueprints.stock.reports_views import reference_url
    from supplychain.stock import reports

    found = queries.product_by_sku(sku)
    if found is None:
        raise HttpNotFound()
    rows = page_of(queries.stock_query(sku=found.sku), 1, 100, scalars=False).items
    costs = {
        row.warehouse: reports.unit_cost_of(
            reports.Figure(int(row.on_hand_qty), row.stock_value)
        )
        for row in rows
    }
    places = sorted(
        reports.stock_places(product_id=found.id),
        key=lambda p: (p.expiry_date or dt.date.max, p.warehouse, p.bin or ""),
    )
    moves = page_of(queries.moves_query(product_id=found.id), _page(), 50)
    numbers = reports.reference_numbers(
        (m.reference_type, m.reference_id) for m in moves.items
    )
    references = {}
    for m in moves.items:
        number = numbers.get((m.reference_type, m.reference_id))
        if number:
            references[m.id] = (number, reference_url(m.reference_type, number))
    return render_template(
        "stock/product.html",
        product=found,
        rows=rows,
        costs=costs,
        places=places,
        moves=moves,
        references=references,
        near_days=reports.NEAR_EXPIRY_DAYS,
        can_see_reports=current_user.has_role("warehouse", "buyer", "finance"),
    )


@bp.route("/adjustments/new", methods=["GET", "POST"])
@roles_required(*KEEPERS)
def new_adjustment() -> Any:
    """Book a stock correction (盘点调整)."""
    errors: dict[str, str] = {}
    form: dict[str, Any] = {"sku": request.args.get("sku", "")[:40]}
    if request.method == "POST":
        form = request.form.to_dict()
        data, errors = load_form(AdjustmentFormSchema(), request.form)
        if data is not None:
            try:
                move = services.adjust_stock(
                    data["sku"],
                    data["qty"],
                    data["reason"],
                    warehouse_code=data["warehouse"],
                    lot=data["lot"],
                    expiry_date=data["expiry_date"],
                    bin_code=data["bin"],
                    user_id=current_user.id,
                )
            except ValidationFailed as error:
                errors = domain_field_errors(error)
            except OutOfStock as error:
                line = error.lines[0]
                errors = {
                    "qty": _(
                        "Only %(n)s can be written off here "
                        "(the rest is reserved or elsewhere).",
                        n=line["available_qty"],
                    )
                }
            else:
                flash(
                    _(
                        "Adjustment booked: %(sku)s %(qty)+d.",
                        sku=move.product.sku,
                        qty=move.delta_qty,
                    ),
                    "success",
                )
                return redirect(url_for("stock.product", sku=move.product.sku))
    return render_template(
        "stock/adjustment.html",
        form=form,
        errors=errors,
        warehouses=queries.active_warehouses(),
        default=queries.default_warehouse(),
    ), (400 if errors else 200)


# --- warehouses -----------------------------------------------------------------------
def _warehouse_values(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "code"}


@bp.route("/warehouses", methods=["GET", "POST"])
@roles_required(*KEEPERS)
def warehouses() -> Any:
    """Warehouses; an administrator adds new ones here."""
    errors: dict[str, str] = {}
    form: dict[str, Any] = Layout().as_dict()
    if request.method == "POST":
        if not current_user.has_role("admin"):
            abort(403)
        form = request.form.to_dict()
        data, errors = load_form(WarehouseFormSchema(), request.form)
        if data is not None and not data.get("code"):
            errors = {"code": _("Give a code.")}
        elif data is not None:
            values = _warehouse_values(data)
            values.pop("is_active", None)
            try:
                created = services.create_warehouse(
                    data["code"], values.pop("name"), **values
                )
            except ValidationFailed as error:
                errors = domain_field_errors(error)
            else:
                flash(_("Warehouse %(code)s created.", code=created.code), "success")
                return redirect(url_for("stock.warehouse", code=created.code))
    q = request.args.get("q", "")[:100]
    page = page_of(queries.warehouses_query(q), _page())
    return render_template(
        "stock/warehouses.html",
        page=page,
        q=q,
        form=form,
        errors=errors,
        layout_names=LAYOUT_NAMES,
        can_create=current_user.has_role("admin"),
    ), (400 if errors else 200)


@bp.route("/warehouses/<code>", methods=["GET", "POST"])
@roles_required(*KEEPERS)
def warehouse(code: str) -> Any:
    """A warehouse: layout drawing, bins, bin generation, labels; admins edit it."""
    found = _warehouse_or_404(code)
    errors: dict[str, str] = {}
    form: dict[str, Any] = {}
    if request.method == "POST":
        if not current_user.has_role("admin"):
            abort(403)
        form = request.form.to_dict()
        data, errors = load_form(WarehouseFormSchema(), request.form)
        if data is not None:
            try:
                services.update_warehouse(found.id, **_warehouse_values(data))
            except ValidationFailed as error:
                errors = domain_field_errors(error)
            else:
                flash(_("Warehouse %(code)s saved.", code=found.code), "success")
                return redirect(url_for("stock.warehouse", code=found.code))
    aisle = request.args.get("aisle", type=int)
    bins = page_of(
        queries.bins_query(found.id, aisle=aisle, q=request.args.get("q", "")[:30]),
        _page(),
        BINS_PER_PAGE,
    )
    drawing = draw_layout(Layout.of(found), queries.binned_bays(found.id))
    return render_template(
        "stock/warehouse.html",
        warehouse=found,
        bins=bins,
        aisle=aisle,
        q=request.args.get("q", ""),
        drawing=drawing,
        counts=queries.bin_counts(found.id),
        form=form or _edit_form(found),
        errors=errors,
        layout_names=LAYOUT_NAMES,
        can_edit=current_user.has_role("admin"),
    ), (400 if errors else 200)


def _edit_form(found: Any) -> dict[str, Any]:
    fields = ("name", "address", "lat", "lon") + LAYOUT_NAMES
    form = {name: getattr(found, name) for name in fields}
    form.update(is_default=found.is_default, is_active=found.is_active)
    return form


@bp.route("/warehouses/<code>/bins", methods=["POST"])
@roles_required(*KEEPERS)
def generate_bins(code: str) -> Any:
    """Create the bins of the layout that are missing (idempotent)."""
    found = _warehouse_or_404(code)
    levels = request.form.get("levels", 1, type=int) or 0
    sides = request.form.getlist("sides") or ["L", "R"]
    try:
        result = services.generate_bins(found.id, levels=levels, sides=sides)
    except ValidationFailed as error:
        flash(" ".join(domain_field_errors(error).values()), "error")
    else:
        flash(
            _(
                "%(created)s bins created, %(deactivated)s deactivated; "
                "%(total)s in all.",
                created=result.created,
                deactivated=result.deactivated,
                total=result.total,
            ),
            "success",
        )
    return redirect(url_for("stock.warehouse", code=found.code))


@bp.route("/warehouses/<code>/labels.pdf")
@roles_required(*KEEPERS)
def bin_labels(code: str) -> Any:
    """Bin labels as an A4 PDF: all active bins, or one aisle's (?aisle=N)."""
    found = _warehouse_or_404(code)
    aisle = request.args.get("aisle", type=int)
    try:
        pdf = services.bin_labels_pdf(found.id, aisle=aisle)
    except ValidationFailed:
        flash(_("There are no active bins to print; generate the bins first."), "error")
        return redirect(url_for("stock.warehouse", code=found.code))
    name = f"bin-labels-{found.code}" + (f"-A{aisle:02d}" if aisle else "") + ".pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
