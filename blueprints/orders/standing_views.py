"""周期送 standing order pages: list with the next delivery date and the notices of
skipped runs, new, edit (lines, weekdays, dates), pause/resume, delete. Merchant users
manage their own; sales staff (and admin) any merchant's."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from blueprints.auth.decorators import roles_required
from supplychain.errors import ValidationFailed
from supplychain.extensions import db
from supplychain.orders import standing
from supplychain.orders.schedule import calendar_for
from supplychain.paging import page_of

bp = Blueprint(
    "standing", __name__, url_prefix="/standing-orders", template_folder="templates"
)

ROLES = ("merchant", "sales")  # admin passes every staff check
PER_PAGE = 30
BLANK_ROWS = 3
MAX_FORM_ROWS = 500
WEEKDAYS = (
    (1, _l("Mon")), (2, _l("Tue")), (3, _l("Wed")), (4, _l("Thu")),
    (5, _l("Fri")), (6, _l("Sat")), (7, _l("Sun")),
)  # fmt: skip
_ROW = re.compile(r"^(sku|qty)-(\d{1,3})$")
_WHOLE = re.compile(r"^\d{1,12}$")


def _is_staff() -> bool:
    return current_user.role != "merchant"


def _form_rows(form: MultiDict) -> list[dict[str, str]]:
    """The line rows of the form in their order (blank rows dropped)."""
    numbers = sorted({int(m.group(2)) for key in form if (m := _ROW.match(key))})[
        :MAX_FORM_ROWS
    ]
    rows = []
    for number in numbers:
        sku = form.get(f"sku-{number}", "").strip()
        qty = form.get(f"qty-{number}", "").strip()
        if sku or qty:
            rows.append({"sku": sku, "qty": qty})
    return rows


def _parse_form(form: MultiDict) -> tuple[dict[str, Any], list[dict], dict]:
    """(values for the service, the line rows as typed, field errors)."""
    errors: dict[str, list[str]] = {}
    rows = _form_rows(form)
    values: dict[str, Any] = {
        "name": form.get("name", "").strip(),
        "weekdays": "".join(sorted(set(form.getlist("weekdays")))),
        "lines": [
            {
                "sku": r["sku"],
                "qty": int(r["qty"]) if _WHOLE.match(r["qty"]) else r["qty"],
            }
            for r in rows
        ],
    }
    for name in ("start_date", "end_date"):
        text = form.get(name, "").strip()
        try:
            values[name] = dt.date.fromisoformat(text) if text else None
        except ValueError:
            errors[name] = [_("Enter a date as YYYY-MM-DD.")]
    return values, rows, errors


def _service_errors(error: ValidationFailed) -> dict[str, list[str]]:
    """The service's field errors as form errors (line i → sku-i / qty-i)."""
    db.session.rollback()
    errors: dict[str, list[str]] = {}
    for key, value in error.errors.items():
        if key == "lines" and isinstance(value, dict):
            for index, fields in value.items():
                for field, messages in fields.items():
                    name = f"{field}-{index}" if field in ("sku", "qty") else "lines"
                    errors.setdefault(name, []).extend(messages)
        else:
            errors[key] = value if isinstance(value, list) else [str(value)]
    return errors


def _render_form(
    record: Any,
    values: dict[str, Any],
    rows: list[dict],
    errors: dict,
    status: int = 200,
) -> Any:
    runs = standing.recent_runs(record.id) if record is not None else []
    return (
        render_template(
            "orders/standing_form.html", record=record, v=values,
            rows=rows + [{"sku": "", "qty": ""}] * BLANK_ROWS, errors=errors,
            weekdays=WEEKDAYS, staff=_is_staff(), runs=runs,
            numbers=standing.order_numbers(r.order_id for r in runs),
            details=standing.run_details,
            delivery_days=_delivery_days(record),
            next_date=standing.next_run_date(record) if record is not None else None,
        ),
        status,
    )  # fmt: skip


def _delivery_days(record: Any) -> str:
    """The delivery weekdays that apply (the merchant's; staff creating: the
    distributor's)."""
    if record is not None:
        merchant = record.merchant
    elif not _is_staff():
        merchant = current_user.merchant
    else:
        merchant = None
    return "".join(str(d) for d in sorted(calendar_for(merchant).weekdays))


def _record_values(record: Any) -> tuple[dict[str, Any], list[dict]]:
    values = {
        "name": record.name,
        "weekdays": record.weekdays,
        "start_date": record.start_date,
        "end_date": record.end_date,
    }
    rows = [{"sku": line.product.sku, "qty": line.qty, "product": line.product}
            for line in record.lines]  # fmt: skip
    return values, rows


def _back(standing_id: int) -> Any:
    if request.form.get("back") == "edit":
        return redirect(url_for("standing.edit", standing_id=standing_id))
    return redirect(url_for("standing.index"))


@bp.route("/")
@roles_required(*ROLES)
def index() -> Any:
    """Standing orders with their next delivery date, and skipped-run notices."""
    q = (request.args.get("q") or "").strip()[:200]
    page = page_of(
        standing.standing_orders_query(current_user, q=q),
        max(1, request.args.get("page", 1, type=int) or 1),
        PER_PAGE,
    )
    return render_template(
        "orders/standing_index.html", page=page, q=q, staff=_is_staff(),
        next_dates=standing.next_run_dates(page.items),
        notices=standing.skipped_notices(current_user), details=standing.run_details,
        weekdays=dict(WEEKDAYS),
    )  # fmt: skip


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*ROLES)
def new() -> Any:
    """Create a standing order."""
    if request.method == "GET":
        return _render_form(None, {"weekdays": ""}, [], {})
    values, rows, errors = _parse_form(request.form)
    merchant = request.form.get("merchant", "").strip() or None
    values["merchant"] = merchant or ""
    if not errors:
        try:
            record = standing.create_standing_order(
                current_user, merchant_code=merchant if _is_staff() else None,
                **{k: v for k, v in values.items() if k != "merchant"},
            )  # fmt: skip
        except ValidationFailed as error:
            errors = _service_errors(error)
        else:
            flash(_("Standing order saved."), "success")
            return redirect(url_for("standing.edit", standing_id=record.id))
    return _render_form(None, values, rows, errors, 422)


@bp.route("/<int:standing_id>", methods=["GET", "POST"])
@roles_required(*ROLES)
def edit(standing_id: int) -> Any:
    """Change a standing order's lines, weekdays and dates; its last runs."""
    record = standing.get_standing_order(current_user, standing_id)
    if request.method == "GET":
        values, rows = _record_values(record)
        return _render_form(record, values, rows, {})
    values, rows, errors = _parse_form(request.form)
    if not errors:
        try:
            standing.update_standing_order(current_user, standing_id, **values)
        except ValidationFailed as error:
            errors = _service_errors(error)
        else:
            flash(_("Standing order saved."), "success")
            return redirect(url_for("standing.edit", standing_id=standing_id))
    return _render_form(record, values, rows, errors, 422)


@bp.route("/<int:standing_id>/pause", methods=["POST"])
@roles_required(*ROLES)
def pause(standing_id: int) -> Any:
    """Stop generating orders until resumed."""
    standing.set_standing_order_active(current_user, standing_id, False)
    flash(_("Standing order paused."), "success")
    return _back(standing_id)


@bp.route("/<int:standing_id>/resume", methods=["POST"])
@roles_required(*ROLES)
def resume(standing_id: int) -> Any:
    """Generate orders again."""
    standing.set_standing_order_active(current_user, standing_id, True)
    flash(_("Standing order resumed."), "success")
    return _back(standing_id)


@bp.route("/<int:standing_id>/delete", methods=["POST"])
@roles_required(*ROLES)
def delete(standing_id: int) -> Any:
    """Delete a standing order (orders already placed stay); needs the confirm box."""
    if request.form.get("confirm") != "yes":
        standing.get_standing_order(current_user, standing_id)  # 404 for others
        flash(_("Tick “Yes, delete it” to delete the standing order."), "error")
        return redirect(url_for("standing.edit", standing_id=standing_id))
    standing.delete_standing_order(current_user, standing_id)
    flash(_("Standing order deleted."), "success")
    return redirect(url_for("standing.index"))
