"""进销存报表 stock reports JSON API: the 进销存 movement report, stock value at a date,
near-expiry lots, stock by bin and lot, and a SKU's movement history.

Periods are local days ``from``–``to`` inclusive (at most 366 days); money is a string
with two places; quantities are integers. Lists are bare arrays with ``X-Total-Count``.
"""

from __future__ import annotations

from typing import Any

from blueprints.api import ApiBlueprint, auth_required
from blueprints.stock.reports_schemas import (
    ExpiryRowSchema,
    HistoryArgsSchema,
    HistorySchema,
    MovementRowSchema,
    MovementsArgsSchema,
    NearExpiryPageArgsSchema,
    PlaceRowSchema,
    PlacesArgsSchema,
    ValueArgsSchema,
    ValueRowSchema,
)
from supplychain.errors import NotFound
from supplychain.messages import msg
from supplychain.paging import page_of
from supplychain.stock import queries, reports
from supplychain.stock.expiry import local_today

api_bp = ApiBlueprint(
    "stock_reports_api",
    __name__,
    url_prefix="/api/v1",
    description="Stock reports (进销存报表)",
)

READERS = ("warehouse", "buyer", "finance")  # admin passes every staff check


def _warehouse_id(code: str | None) -> int | None:
    """:raise NotFound: unknown warehouse code (404)."""
    return queries.warehouse_by_code(code).id if code else None


def _product(sku: str) -> Any:
    """:raise NotFound: unknown SKU (404)."""
    product = queries.product_by_sku(sku)
    if product is None:
        raise NotFound(msg("Product %(sku)s does not exist.", sku=sku))
    return product


def _one_page(items: list[Any], args: dict[str, Any]) -> tuple[Any, int, dict]:
    start = (args["page"] - 1) * args["per_page"]
    return (
        items[start : start + args["per_page"]],
        200,
        {"X-Total-Count": str(len(items))},
    )


@api_bp.route("/stock/reports/movements", methods=["GET"])
@auth_required(*READERS)
@api_bp.arguments(MovementsArgsSchema, location="query")
@api_bp.response(200, MovementRowSchema(many=True))
def movements(args: dict[str, Any]) -> Any:
    """进销存: per SKU (per warehouse, or all together) opening, receipts, returns,
    transfers in, issues, returns to supplier, transfers out, net adjustments and
    closing, quantity and value, for local days ``from``–``to`` (default last
    month)."""
    warehouse_id = _warehouse_id(args["warehouse"])
    product_ids = [_product(args["sku"]).id] if args["sku"] else None
    start, end = reports.period_bounds(args["first"], args["last"])
    report = reports.movement_summary(
        start, end, warehouse_id=warehouse_id, product_ids=product_ids
    )
    return _one_page(report.rows, args)


@api_bp.route("/stock/reports/value", methods=["GET"])
@auth_required(*READERS)
@api_bp.arguments(ValueArgsSchema, location="query")
@api_bp.response(200, ValueRowSchema(many=True))
def value(args: dict[str, Any]) -> Any:
    """Stock per product and warehouse at the end of local day ``at`` (default
    today): quantity, moving-average unit cost, value."""
    warehouse_id = _warehouse_id(args["warehouse"])
    day = args["at"] or local_today()
    rows = reports.stock_value_at(reports.end_of_day(day), warehouse_id=warehouse_id)
    q = args["q"].strip().lower()
    if q:
        rows = [r for r in rows if q in r.sku.lower() or q in r.name.lower()]
    return _one_page(rows, args)


@api_bp.route("/stock/reports/near-expiry", methods=["GET"])
@auth_required(*READERS)
@api_bp.arguments(NearExpiryPageArgsSchema, location="query")
@api_bp.response(200, ExpiryRowSchema(many=True))
def near_expiry(args: dict[str, Any]) -> Any:
    """Lots expiring within ``days`` (default 60; the expiry day itself is usable),
    status ``expiring``, then already expired lots, status ``expired``; each by
    expiry date."""
    report = reports.near_expiry(
        args["days"], warehouse_id=_warehouse_id(args["warehouse"])
    )
    rows = [
        {**row.__dict__, "status": status}
        for status, part in (("expiring", report.expiring), ("expired", report.expired))
        for row in part
    ]
    return _one_page(rows, args)


@api_bp.route("/stock/reports/places", methods=["GET"])
@auth_required(*READERS)
@api_bp.arguments(PlacesArgsSchema, location="query")
@api_bp.response(200, PlaceRowSchema(many=True))
def places(args: dict[str, Any]) -> Any:
    """Stock by bin and lot: every internal place with stock (``bin`` null: the
    warehouse's unbinned location), with days left and the quarantine / expired
    flags; ``bin`` filters on a bin code prefix."""
    warehouse_id = _warehouse_id(args["warehouse"])
    if args["sku"]:
        _product(args["sku"])
    stmt = reports.places_query(
        warehouse_id=warehouse_id, sku=args["sku"], bin_prefix=args["bin"]
    )
    page = page_of(stmt, args["page"], args["per_page"], scalars=False)
    on = local_today()
    rows = [reports.place_row(row, on) for row in page.items]
    return rows, 200, {"X-Total-Count": str(page.total)}


@api_bp.route("/stock/products/<sku>/history", methods=["GET"])
@auth_required(*READERS)
@api_bp.arguments(HistoryArgsSchema, location="query")
@api_bp.response(200, HistorySchema)
def history(args: dict[str, Any], sku: str) -> Any:
    """A SKU's moves over local days ``from``–``to`` (default the last 30 days) with
    the running balance, in one warehouse or all: opening, lines, closing."""
    product = _product(sku)
    start, end = reports.period_bounds(args["first"], args["last"])
    found = reports.product_history(
        product.id, start, end, warehouse_id=_warehouse_id(args["warehouse"])
    )
    return {
        "sku": found.sku,
        "name": found.name,
        "unit": found.unit,
        "warehouse": found.warehouse,
        "first": args["first"],
        "last": args["last"],
        "opening": found.opening,
        "closing": found.closing,
        "lines": found.lines,
    }
