"""进销存报表 stock report pages: the 进销存 movement report, stock value at a date, stock
by bin and lot, a SKU's movement history with running balance, the near-expiry report
(临期报表) — each with XLSX/CSV exports of all rows (the 进销存 report also as PDF)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import marshmallow as ma
from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound as HttpNotFound
from werkzeug.routing import BuildError

from blueprints.auth.decorators import roles_required
from blueprints.forms import load_form
from blueprints.stock.reports_schemas import (
    HistoryFormSchema,
    MovementsFormSchema,
    NearExpiryArgsSchema,
    PlacesArgsSchema,
    ValueArgsSchema,
)
from blueprints.stock.views import USAGE_LABELS
from supplychain.errors import NotFound
from supplychain.paging import Page, page_of
from supplychain.stock import queries, reports
from supplychain.stock import reports_export as exports
from supplychain.stock.expiry import local_today

bp = Blueprint(
    "stock_reports", __name__, url_prefix="/stock/reports", template_folder="templates"
)

READERS = ("warehouse", "buyer", "finance")  # admin passes every staff check
PER_PAGE = 50
FILE_FORMATS = ("xlsx", "csv")


@bp.context_processor
def _report_helpers() -> dict[str, Any]:
    return {
        "place_label": place_label,
        "reference_url": reference_url,
        "export_url": export_url,
    }


def place_label(place: Any) -> str:
    """A report ``Place`` for people: the warehouse/bin code or the translated
    virtual location."""
    if place.is_internal:
        return place.label
    return str(USAGE_LABELS.get(place.usage, place.label))


def reference_url(reference_type: str | None, number: str | None) -> str | None:
    """The page of the document a move refers to, when that page exists."""
    if not number:
        return None
    endpoint = {"stock_document": "stock_documents.show", "order": "orders.detail"}
    if reference_type not in endpoint:
        return None
    try:
        return url_for(endpoint[reference_type], number=number)
    except BuildError:  # that feature's pages are not there (yet)
        return None


def export_url(endpoint: str, fmt: str, **values: Any) -> str:
    """The export of the report on screen: the same filters, no page number."""
    args = {k: v for k, v in request.args.items() if k != "page" and v != ""}
    return url_for(endpoint, fmt=fmt, **values, **args)


def _args(schema: ma.Schema) -> tuple[dict[str, Any] | None, dict[str, str]]:
    return load_form(schema, request.args)


def _warehouse(
    data: dict[str, Any] | None, errors: dict[str, str]
) -> tuple[Any, dict[str, str]]:
    """The warehouse named in the filters (None: all), or an error next to it."""
    code = (data or {}).get("warehouse")
    if not code:
        return None, errors
    try:
        return queries.warehouse_by_code(code), errors
    except NotFound:
        return None, errors | {"warehouse": _("There is no warehouse %(c)s.", c=code)}


def _list_page(items: list[Any], per_page: int = PER_PAGE) -> Page:
    pages = max(1, -(-len(items) // per_page))
    number = min(max(1, request.args.get("page", 1, type=int) or 1), pages)
    start = (number - 1) * per_page
    return Page(items[start : start + per_page], number, per_page, len(items))


def _send(exported: exports.Export, *, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(
        exported.data,
        mimetype=exported.mimetype,
        headers={
            "Content-Disposition": f'{disposition}; filename="{exported.filename}"'
        },
    )


def _check_format(fmt: str, allowed: tuple[str, ...] = FILE_FORMATS) -> None:
    if fmt not in allowed:
        raise HttpNotFound()


def _page_or_redirect(endpoint: str, **values: Any) -> Response:
    """Bad filters on an export link: back to the report, which shows the errors."""
    args = {k: v for k, v in request.args.items() if k != "page"}
    return redirect(url_for(endpoint, **values, **args), 303)


# --- the hub --------------------------------------------------------------------------
@bp.route("/")
@roles_required(*READERS)
def index() -> Any:
    """The reports, and how many lots expire soon or have expired."""
    expiry = reports.near_expiry()
    first, last = reports.last_month()
    return render_template(
        "stock/reports.html",
        expiry=expiry,
        month=first.strftime("%Y-%m"),
        period=(first, last),
    )


# --- 进销存 -----------------------------------------------------------------------------
def _movements() -> tuple[dict[str, Any], dict[str, str], Any, Any]:
    data, errors = _args(MovementsFormSchema())
    warehouse, errors = _warehouse(data, errors)
    if errors or data is None:
        return data or {}, errors, warehouse, None
    start, end = reports.period_bounds(data["first"], data["last"])
    report = reports.movement_summary(
        start,
        end,
        warehouse_id=warehouse.id if warehouse else None,
        product_ids=reports.product_ids_matching(data["q"]),
    )
    return data, errors, warehouse, report


@bp.route("/movements")
@roles_required(*READERS)
def movements() -> Any:
    """进销存: per SKU over a month or custom dates, opening → flows → closing."""
    data, errors, warehouse, report = _movements()
    form = request.args.to_dict()
    if report is not None and not form.get("month") and not form.get("from"):
        form["month"] = data["first"].strftime("%Y-%m")
    return render_template(
        "stock/report_movements.html",
        form=form,
        errors=errors,
        data=data,
        report=report,
        page=_list_page(report.rows) if report is not None else None,
        warehouse=warehouse,
        warehouses=queries.active_warehouses(),
    ), (400 if errors else 200)


@bp.route("/movements.<fmt>")
@roles_required(*READERS)
def movements_export(fmt: str) -> Any:
    """The whole 进销存 report as XLSX, CSV or an A4 landscape PDF."""
    _check_format(fmt, FILE_FORMATS + ("pdf",))
    data, errors, warehouse, report = _movements()
    if report is None:
        return _page_or_redirect("stock_reports.movements")
    if fmt == "pdf":
        name = warehouse.name if warehouse else ""
        pdf = exports.movements_pdf(
            report, data["first"], data["last"], warehouse_name=name
        )
        return _send(pdf, inline=True)
    return _send(exports.movements_file(report, fmt, data["first"], data["last"]))


# --- stock value at a date ------------------------------------------------------------
def _value() -> tuple[dict[str, Any], dict[str, str], dt.date | None, list[Any]]:
    data, errors = _args(ValueArgsSchema())
    warehouse, errors = _warehouse(data, errors)
    if errors or data is None:
        return data or {}, errors, None, []
    day = data["at"] or local_today()
    rows = reports.stock_value_at(
        reports.end_of_day(day), warehouse_id=warehouse.id if warehouse else None
    )
    q = data["q"].strip().lower()
    if q:
        rows = [r for r in rows if q in r.sku.lower() or q in r.name.lower()]
    return data, errors, day, rows


@bp.route("/value")
@roles_required(*READERS)
def value() -> Any:
    """Stock quantity, moving-average unit cost and value at the end of a day."""
    data, errors, day, rows = _value()
    form = request.args.to_dict()
    form.setdefault("at", (day or local_today()).isoformat())
    return render_template(
        "stock/report_value.html",
        form=form,
        errors=errors,
        day=day,
        page=_list_page(rows),
        totals=reports.value_totals(rows) if not errors else [],
        warehouses=queries.active_warehouses(),
    ), (400 if errors else 200)


@bp.route("/value.<fmt>")
@roles_required(*READERS)
def value_export(fmt: str) -> Any:
    _check_format(fmt)
    data, errors, day, rows = _value()
    if errors or day is None:
        return _page_or_redirect("stock_reports.value")
    return _send(exports.value_file(rows, fmt, day))


# --- stock by bin and lot -------------------------------------------------------------
def _places_filters() -> tuple[dict[str, Any], dict[str, str], Any]:
    data, errors = _args(PlacesArgsSchema())
    warehouse, errors = _warehouse(data, errors)
    return data or {}, errors, warehouse


@bp.route("/places")
@roles_required(*READERS)
def places() -> Any:
    """Every bin (or "no bin") with stock: SKU, lot, dates, days left, flags, qty."""
    data, errors, warehouse = _places_filters()
    page, on = None, local_today()
    if not errors:
        stmt = reports.places_query(
            warehouse_id=warehouse.id if warehouse else None,
            sku=data["sku"],
            bin_prefix=data["bin"],
        )
        found = page_of(stmt, data["page"], PER_PAGE, scalars=False)
        page = Page(
            [reports.place_row(row, on) for row in found.items],
            found.number,
            found.per_page,
            found.total,
        )
    return render_template(
        "stock/report_places.html",
        form=request.args.to_dict(),
        errors=errors,
        page=page,
        warehouses=queries.active_warehouses(),
    ), (400 if errors else 200)


@bp.route("/places.<fmt>")
@roles_required(*READERS)
def places_export(fmt: str) -> Any:
    _check_format(fmt)
    data, errors, warehouse = _places_filters()
    if errors:
        return _page_or_redirect("stock_reports.places")
    on = local_today()
    rows = reports.stock_places(
        warehouse_id=warehouse.id if warehouse else None,
        sku=data["sku"],
        bin_prefix=data["bin"],
        on=on,
    )
    return _send(exports.places_file(rows, fmt, on))


# --- a SKU's movement history ---------------------------------------------------------
def _history(sku: str) -> tuple[Any, dict[str, Any], dict[str, str], Any]:
    product = queries.product_by_sku(sku)
    if product is None:
        raise HttpNotFound()
    data, errors = _args(HistoryFormSchema())
    warehouse, errors = _warehouse(data, errors)
    if errors or data is None:
        return product, data or {}, errors, None
    start, end = reports.period_bounds(data["first"], data["last"])
    history = reports.product_history(
        product.id, start, end, warehouse_id=warehouse.id if warehouse else None
    )
    return product, data, errors, history


@bp.route("/history/<sku>")
@roles_required(*READERS)
def history(sku: str) -> Any:
    """Opening balance, every move with the running balance, closing balance."""
    product, data, errors, found = _history(sku)
    form = request.args.to_dict()
    if data.get("first"):
        form.setdefault("from", data["first"].isoformat())
        form.setdefault("to", data["last"].isoformat())
    return render_template(
        "stock/report_history.html",
        product=product,
        form=form,
        errors=errors,
        history=found,
        page=_list_page(found.lines) if found is not None else None,
        warehouses=queries.active_warehouses(),
    ), (400 if errors else 200)


@bp.route("/history/<sku>/export.<fmt>")
@roles_required(*READERS)
def history_export(sku: str, fmt: str) -> Any:
    _check_format(fmt)
    product, data, errors, found = _history(sku)
    if found is None:
        return _page_or_redirect("stock_reports.history", sku=product.sku)
    return _send(exports.history_file(found, fmt))


# --- near expiry ----------------------------------------------------------------------
def _near_expiry() -> tuple[dict[str, Any], dict[str, str], Any]:
    data, errors = _args(NearExpiryArgsSchema())
    warehouse, errors = _warehouse(data, errors)
    if errors or data is None:
        return data or {}, errors, None
    report = reports.near_expiry(
        data["days"], warehouse_id=warehouse.id if warehouse else None
    )
    return data, errors, report


@bp.route("/near-expiry")
@roles_required(*READERS)
def near_expiry() -> Any:
    """Lots to push in a campaign (usable, expiring within N days) and expired lots
    to write off or return, by expiry date."""
    data, errors, report = _near_expiry()
    form = request.args.to_dict()
    form.setdefault("days", str(data.get("days", "")))
    return render_template(
        "stock/report_near_expiry.html",
        form=form,
        errors=errors,
        report=report,
        warehouses=queries.active_warehouses(),
    ), (400 if errors else 200)


@bp.route("/near-expiry.<fmt>")
@roles_required(*READERS)
def near_expiry_export(fmt: str) -> Any:
    _check_format(fmt)
    data, errors, report = _near_expiry()
    if report is None:
        return _page_or_redirect("stock_reports.near_expiry")
    return _send(exports.near_expiry_file(report, fmt))
