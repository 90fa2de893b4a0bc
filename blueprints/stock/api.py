"""进销存 JSON API: stock adjustments and levels, moves, warehouses and their bins."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from blueprints.api import ApiBlueprint, auth_required, paginate
from blueprints.stock.schemas import (
    AdjustmentCreateSchema,
    BinsArgsSchema,
    BinSchema,
    GenerateBinsResultSchema,
    GenerateBinsSchema,
    MovesArgsSchema,
    MoveSchema,
    StockArgsSchema,
    StockRowSchema,
    WarehouseCreateSchema,
    WarehouseSchema,
    WarehouseUpdateSchema,
)
from supplychain.auth.models import STAFF_ROLES
from supplychain.paging import page_of
from supplychain.stock import queries, services

api_bp = ApiBlueprint(
    "stock_api",
    __name__,
    url_prefix="/api/v1",
    description="Stock (进销存): levels, moves, warehouses",
)


@api_bp.route("/stock/adjustments", methods=["POST"])
@auth_required("admin", "warehouse")
@api_bp.arguments(AdjustmentCreateSchema)
@api_bp.response(201, MoveSchema)
def create_adjustment(data: dict[str, Any]) -> Any:
    """Book a stock correction: qty > 0 adds, < 0 writes off (default MAIN)."""
    return services.adjust_stock(
        data["sku"],
        data["qty"],
        data["reason"],
        warehouse_code=data["warehouse"],
        lot=data["lot"],
        expiry_date=data["expiry_date"],
        bin_code=data["bin"],
        user_id=current_user.id,
    )


@api_bp.route("/stock", methods=["GET"])
@auth_required(*STAFF_ROLES)
@api_bp.arguments(StockArgsSchema, location="query")
@api_bp.response(200, StockRowSchema(many=True))
def list_stock(args: dict[str, Any]) -> Any:
    """Stock per product and warehouse: on hand, reserved and available."""
    stmt = queries.stock_query(
        args["q"], sku=args["sku"], warehouse_code=args["warehouse"]
    )
    page = page_of(stmt, args["page"], args["per_page"], scalars=False)
    return page.items, 200, {"X-Total-Count": str(page.total)}


@api_bp.route("/stock/moves", methods=["GET"])
@auth_required(*STAFF_ROLES)
@api_bp.arguments(MovesArgsSchema, location="query")
@api_bp.response(200, MoveSchema(many=True))
def list_moves(args: dict[str, Any]) -> Any:
    """Ledger moves, newest first."""
    warehouse_id = (
        queries.warehouse_by_code(args["warehouse"]).id if args["warehouse"] else None
    )
    stmt = queries.moves_query(
        sku=args["sku"],
        warehouse_id=warehouse_id,
        reference_type=args["reference_type"],
        reference_id=args["reference_id"],
    )
    items, headers = paginate(stmt, args["page"], args["per_page"])
    return items, 200, headers


@api_bp.route("/warehouses", methods=["GET"])
@auth_required(*STAFF_ROLES)
@api_bp.response(200, WarehouseSchema(many=True))
def list_warehouses() -> Any:
    """Warehouses, the default first, with their layout."""
    items, headers = paginate(queries.warehouses_query(), 1, 200)
    return items, 200, headers


@api_bp.route("/warehouses", methods=["POST"])
@auth_required("admin")
@api_bp.arguments(WarehouseCreateSchema)
@api_bp.response(201, WarehouseSchema)
def create_warehouse(data: dict[str, Any]) -> Any:
    """Create a warehouse with its layout (contracts.md §3 fields, nested or flat)."""
    layout = data.pop("layout", {})
    return services.create_warehouse(
        data.pop("code"), data.pop("name"), **data, **layout
    )


@api_bp.route("/warehouses/<code>", methods=["GET"])
@auth_required(*STAFF_ROLES)
@api_bp.response(200, WarehouseSchema)
def get_warehouse(code: str) -> Any:
    """One warehouse."""
    return queries.warehouse_by_code(code)


@api_bp.route("/warehouses/<code>", methods=["PATCH"])
@auth_required("admin")
@api_bp.arguments(WarehouseUpdateSchema)
@api_bp.response(200, WarehouseSchema)
def update_warehouse(data: dict[str, Any], code: str) -> Any:
    """Change name, address, coordinates, status, default flag or layout."""
    warehouse = queries.warehouse_by_code(code)
    return services.update_warehouse(warehouse.id, **(data.pop("layout", {}) | data))


@api_bp.route("/warehouses/<code>/bins", methods=["GET"])
@auth_required(*STAFF_ROLES)
@api_bp.arguments(BinsArgsSchema, location="query")
@api_bp.response(200, BinSchema(many=True))
def list_bins(args: dict[str, Any], code: str) -> Any:
    """A warehouse's bins in label order, with the optimizer's 0-based position."""
    warehouse = queries.warehouse_by_code(code)
    stmt = queries.bins_query(
        warehouse.id, aisle=args["aisle"], q=args["q"], active_only=bool(args["active"])
    )
    items, headers = paginate(stmt, args["page"], args["per_page"])
    return items, 200, headers


@api_bp.route("/warehouses/<code>/bins", methods=["POST"])
@auth_required("admin", "warehouse")
@api_bp.arguments(GenerateBinsSchema)
@api_bp.response(200, GenerateBinsResultSchema)
def generate_bins(data: dict[str, Any], code: str) -> Any:
    """Generate the bins of the layout (idempotent)."""
    warehouse = queries.warehouse_by_code(code)
    return services.generate_bins(
        warehouse.id, levels=data["levels"], sides=data["sides"]
    )


# --- bins: quarantine and status ------------------------------------------------------
from blueprints.api import current_api_user  # noqa: E402
from blueprints.stock.replenishment_schemas import (  # noqa: E402
    BinDetailSchema,
    BinUpdateSchema,
)


@api_bp.route("/warehouses/<code>/bins/<bin_code>", methods=["PATCH"])
@auth_required("admin", "warehouse")
@api_bp.arguments(BinUpdateSchema)
@api_bp.response(200, BinDetailSchema)
def patch_bin(data: dict[str, Any], code: str, bin_code: str) -> Any:
    """Quarantine or release a bin (`is_quarantine`), activate or deactivate it
    (`is_active`); refused while its stock is promised to orders."""
    found = services.bin_for_codes(code, bin_code)
    return services.update_bin(found.id, user=current_api_user(), **data)


# --- single moves (库存流水): read one; a posted move is never edited -------------------
@api_bp.route("/stock/moves/<int:move_id>", methods=["GET"])
@auth_required(*STAFF_ROLES)
@api_bp.response(200, MoveSchema)
def get_move(move_id: int) -> Any:
    """One ledger move."""
    from supplychain.stock import documents

    return documents.get_move(move_id)


@api_bp.route("/stock/moves/<int:move_id>", methods=["PUT", "PATCH", "DELETE"])
@auth_required(*STAFF_ROLES)
@api_bp.alt_response(405, description="Posted moves are never edited.")
def edit_move(move_id: int) -> Any:
    """Refused (405): the ledger is append-only; post a correcting move instead."""
    from blueprints.stock.documents_api import never_edited

    never_edited(
        "Posted stock moves are never edited or deleted; "
        "correct a mistake with a new document (an adjustment).",
        "GET",
    )
