"""补货 replenishment pages: the low-stock list (with CSV/XLSX export), reorder rules
with inline editing, and rule suggestions from recent demand (preview, then apply)."""

from __future__ import annotations

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
from flask_login import current_user
from werkzeug.exceptions import NotFound as HttpNotFound

from blueprints.auth.decorators import roles_required
from blueprints.forms import domain_field_errors, load_form
from blueprints.stock.replenishment_schemas import RuleFormSchema, SuggestFormSchema
from supplychain.errors import ValidationFailed
from supplychain.paging import page_of
from supplychain.stock import queries, replenishment
from supplychain.stock.replenishment import EDITOR_ROLES, VIEWER_ROLES
from supplychain.stock.replenishment_rules import DEFAULT_DEMAND_DAYS

bp = Blueprint(
    "replenishment",
    __name__,
    url_prefix="/stock/replenishment",
    template_folder="templates",
)

RULES_PER_PAGE = 50
LOW_STOCK_SHOWN = 200  # more are in the export


def _filters(source: Any) -> dict[str, Any]:
    """The list filters (warehouse code, search, page) from args or hidden fields."""
    page = str(source.get("page") or "1")
    filters = {
        "warehouse": (source.get("warehouse") or "")[:20].strip().upper(),
        "q": (source.get("q") or "")[:100],
        "page": int(page) if page.isdigit() and 0 < int(page) < 10**6 else 1,
    }
    return {k: v for k, v in filters.items() if v and v != 1}


def _warehouse(code: str) -> Any:
    """The active warehouse with this code, or None (all warehouses)."""
    if not code:
        return None
    return next((w for w in queries.active_warehouses() if w.code == code), None)


def _index_page(
    filters: dict[str, Any], form: Any = None, errors: dict[str, str] | None = None
) -> str:
    warehouse = _warehouse(filters.get("warehouse", ""))
    warehouse_id = warehouse.id if warehouse else None
    low = replenishment.low_stock(warehouse_id)
    rules = page_of(
        replenishment.rules_query(filters.get("q", ""), warehouse_id=warehouse_id),
        filters.get("page", 1),
        RULES_PER_PAGE,
    )
    return render_template(
        "stock/replenishment.html",
        low=low[:LOW_STOCK_SHOWN],
        low_total=len(low),
        rules=rules,
        filters=filters,
        warehouse=warehouse,
        warehouses=queries.active_warehouses(),
        default_warehouse=queries.default_warehouse(),
        can_edit=current_user.has_role(*EDITOR_ROLES),
        form=form or {},
        errors=errors or {},
        days=DEFAULT_DEMAND_DAYS,
    )


@bp.route("/")
@roles_required(*VIEWER_ROLES)
def index() -> Any:
    """The low-stock list first, then the reorder rules."""
    return _index_page(_filters(request.args))


@bp.route("/rules", methods=["POST"])
@roles_required(*EDITOR_ROLES)
def save_rule() -> Any:
    """Set a manual rule (a row of the rules table or the new-rule form)."""
    back = _filters({k[2:]: v for k, v in request.form.items() if k.startswith("f_")})
    data, errors = load_form(RuleFormSchema(), request.form)
    if data is not None:
        try:
            rule = replenishment.set_rule_for_sku(
                data["sku"],
                data["warehouse"],
                reorder_point=data["reorder_point"],
                safety_stock=data["safety_stock"],
                lead_time_days=data["lead_time_days"],
                user=current_user,
            )
        except ValidationFailed as error:
            errors = domain_field_errors(error)
        else:
            flash(
                _(
                    "Reorder rule saved: %(sku)s in %(warehouse)s.",
                    sku=rule.product.sku,
                    warehouse=rule.warehouse.code,
                ),
                "success",
            )
            return redirect(url_for("replenishment.index", **back))
    return _index_page(back, request.form, errors), 400


@bp.route("/rules/delete", methods=["POST"])
@roles_required(*EDITOR_ROLES)
def delete_rule() -> Any:
    """Delete a rule: the product leaves the low-stock list of that warehouse."""
    back = _filters({k[2:]: v for k, v in request.form.items() if k.startswith("f_")})
    sku = request.form.get("sku", "")[:40]
    replenishment.delete_rule_for_sku(
        sku, request.form.get("warehouse", "")[:20], user=current_user
    )
    flash(_("Reorder rule of %(sku)s deleted.", sku=sku), "success")
    return redirect(url_for("replenishment.index", **back))


@bp.route("/suggest", methods=["GET", "POST"])
@roles_required(*VIEWER_ROLES)
def suggest() -> Any:
    """Preview the rules the last days' demand suggests; POST applies them."""
    if request.method == "POST" and not current_user.has_role(*EDITOR_ROLES):
        abort(403)
    source = request.form if request.method == "POST" else request.args
    form = {k: v for k, v in source.items() if k != "csrf_token"}
    data, errors = load_form(SuggestFormSchema(), source)
    suggestions: list[Any] = []
    warehouse = None
    if data is not None:
        try:
            warehouse = replenishment.warehouse_for_code(data["warehouse"])
            suggestions = replenishment.suggest_rules(
                warehouse.id,
                days=data["days"],
                apply=request.method == "POST",
                user=current_user,
            )
        except ValidationFailed as error:
            errors = domain_field_errors(error)
    if request.method == "POST" and not errors and warehouse is not None:
        applied = sum(1 for s in suggestions if s.applied)
        kept = sum(1 for s in suggestions if s.is_manual)
        flash(
            _(
                "%(n)s suggested rules written; %(m)s manual rules kept.",
                n=applied,
                m=kept,
            ),
            "success",
        )
        return redirect(url_for("replenishment.index", warehouse=warehouse.code))
    return render_template(
        "stock/replenishment_suggest.html",
        suggestions=suggestions,
        warehouse=warehouse,
        warehouses=queries.active_warehouses(),
        form=form,
        days=data["days"] if data else form.get("days", DEFAULT_DEMAND_DAYS),
        errors=errors,
        can_edit=current_user.has_role(*EDITOR_ROLES),
    ), (400 if errors else 200)


@bp.route("/low-stock.<fmt>")
@roles_required(*VIEWER_ROLES)
def export_low_stock(fmt: str) -> Any:
    """The low-stock list as CSV or XLSX (contracts.md §5)."""
    if fmt not in ("csv", "xlsx"):
        raise HttpNotFound()
    warehouse = _warehouse(_filters(request.args).get("warehouse", ""))
    exported = replenishment.export_low_stock(fmt, warehouse.id if warehouse else None)
    return Response(
        exported.data,
        mimetype=exported.mimetype,
        headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'},
    )
