"""补货 replenishment JSON API: the low-stock list, reorder rules (read, set, delete)
and suggestions from recent demand."""

from __future__ import annotations

from typing import Any

from blueprints.api import ApiBlueprint, auth_required, current_api_user, paginate
from blueprints.stock.replenishment_schemas import (
    LowStockArgsSchema,
    LowStockRowSchema,
    RuleArgsSchema,
    RuleSchema,
    RuleUpdateSchema,
    SuggestionSchema,
    SuggestSchema,
    WarehouseArgsSchema,
)
from supplychain.stock import replenishment
from supplychain.stock.replenishment import EDITOR_ROLES, VIEWER_ROLES

api_bp = ApiBlueprint(
    "replenishment_api",
    __name__,
    url_prefix="/api/v1",
    description="Replenishment signals (补货): reorder rules and the low-stock list",
)


def _warehouse_id(code: str | None) -> int | None:
    return replenishment.warehouse_for_code(code).id if code else None


@api_bp.route("/stock/low-stock", methods=["GET"])
@auth_required(*VIEWER_ROLES)
@api_bp.arguments(LowStockArgsSchema, location="query")
@api_bp.response(200, LowStockRowSchema(many=True))
def low_stock(args: dict[str, Any]) -> Any:
    """Products at or below their reorder point, with the quantity to order."""
    rows = replenishment.low_stock(_warehouse_id(args["warehouse"]))
    start = (args["page"] - 1) * args["per_page"]
    page = rows[start : start + args["per_page"]]
    return page, 200, {"X-Total-Count": str(len(rows))}


@api_bp.route("/stock/rules", methods=["GET"])
@auth_required(*VIEWER_ROLES)
@api_bp.arguments(RuleArgsSchema, location="query")
@api_bp.response(200, RuleSchema(many=True))
def list_rules(args: dict[str, Any]) -> Any:
    """Reorder rules by warehouse and SKU."""
    statement = replenishment.rules_query(
        args["q"], warehouse_id=_warehouse_id(args["warehouse"]), sku=args["sku"]
    )
    items, headers = paginate(statement, args["page"], args["per_page"])
    return items, 200, headers


@api_bp.route("/stock/rules/suggest", methods=["POST"])
@auth_required(*VIEWER_ROLES)
@api_bp.arguments(SuggestSchema)
@api_bp.response(200, SuggestionSchema(many=True))
def suggest_rules(data: dict[str, Any]) -> Any:
    """Suggest rules from the last `days` days' demand; `apply: true` writes them
    (warehouse staff and buyers; manual rules are kept)."""
    warehouse = replenishment.warehouse_for_code(data["warehouse"])
    return replenishment.suggest_rules(
        warehouse.id, days=data["days"], apply=data["apply"], user=current_api_user()
    )


@api_bp.route("/stock/rules/<sku>", methods=["PUT"])
@auth_required(*EDITOR_ROLES)
@api_bp.arguments(WarehouseArgsSchema, location="query")
@api_bp.arguments(RuleUpdateSchema)
@api_bp.response(200, RuleSchema)
def put_rule(args: dict[str, Any], data: dict[str, Any], sku: str) -> Any:
    """Set the manual rule of a SKU in a warehouse (default: the main one)."""
    return replenishment.set_rule_for_sku(
        sku,
        args["warehouse"],
        reorder_point=data["reorder_point"],
        safety_stock=data["safety_stock"],
        lead_time_days=data["lead_time_days"],
        user=current_api_user(),
    )


@api_bp.route("/stock/rules/<sku>", methods=["DELETE"])
@auth_required(*EDITOR_ROLES)
@api_bp.arguments(WarehouseArgsSchema, location="query")
@api_bp.response(204)
def delete_rule(args: dict[str, Any], sku: str) -> Any:
    """Delete the rule of a SKU in a warehouse."""
    replenishment.delete_rule_for_sku(sku, args["warehouse"], user=current_api_user())
    return ""
