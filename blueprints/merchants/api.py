"""商户管理 merchants JSON API (contracts.md §2): create, list, read, change, users,
contacts, import and export. A merchant user may read only its own merchant; any other
is 404."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from werkzeug.exceptions import UnsupportedMediaType

from blueprints.api import ApiBlueprint, auth_required, current_api_user, paginate
from blueprints.merchants.schemas import (
    MerchantContactSchema,
    MerchantExportArgsSchema,
    MerchantImportFileSchema,
    MerchantImportResultSchema,
    MerchantCreateSchema,
    MerchantQueryArgsSchema,
    MerchantSchema,
    MerchantUpdateSchema,
    MerchantUserCreateSchema,
    MerchantUserSchema,
)
from supplychain.auth.models import STAFF_ROLES
from supplychain.errors import ValidationFailed
from supplychain.merchants import services
from supplychain.merchants.access import get_visible_merchant
from supplychain.merchants.queries import merchant_users, merchants_query
from supplychain.merchants.spreadsheets import export_merchants, import_merchants

api_bp = ApiBlueprint(
    "merchants_api", __name__, url_prefix="/api/v1", description="Merchants (商户管理)"
)
EDITORS = ("admin", "sales")


@api_bp.route("/merchants", methods=["POST"])
@auth_required(*EDITORS)
@api_bp.arguments(MerchantCreateSchema)
@api_bp.response(201, MerchantSchema)
def create_merchant(data: dict[str, Any]) -> Any:
    """Create a merchant (price_grade by grade code; credit_limit null = unlimited)."""
    return services.create_merchant(data.pop("code"), **data)


@api_bp.route("/merchants", methods=["GET"])
@auth_required(*STAFF_ROLES)
@api_bp.arguments(MerchantQueryArgsSchema, location="query")
@api_bp.response(200, MerchantSchema(many=True))
def list_merchants(args: dict[str, Any]) -> Any:
    """List merchants by code; q searches code, name, address, district, phone."""
    stmt = merchants_query(
        args["q"], kind=args["kind"], active=args["active"], district=args["district"]
    )
    items, headers = paginate(stmt, args["page"], args["per_page"])
    return items, 200, headers


@api_bp.route("/merchants/export", methods=["GET"])
@auth_required(*STAFF_ROLES)
@api_bp.arguments(MerchantExportArgsSchema, location="query")
def export(args: dict[str, Any]) -> Any:
    """Merchants as CSV (UTF-8 with BOM) or XLSX; the same columns the import reads."""
    exported = export_merchants(
        args["format"], q=args["q"], kind=args["kind"], active=args["active"]
    )
    return Response(
        exported.data,
        mimetype=exported.mimetype,
        headers={"Content-Disposition": f"attachment; filename={exported.filename}"},
    )


@api_bp.route("/merchants/import", methods=["POST"])
@auth_required(*EDITORS)
@api_bp.arguments(MerchantImportFileSchema, location="files")
@api_bp.response(200, MerchantImportResultSchema)
def import_file(files: dict[str, Any]) -> Any:
    """Create or update merchants from a multipart `file` (.csv or .xlsx), all or
    nothing; 422 with details.rows = [{row, column, message}] when any row is bad."""
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType(
            "Send the file as multipart/form-data, field 'file'."
        )
    upload = files.get("file")
    if upload is None:
        raise ValidationFailed({"file": ["Missing data for required field."]})
    return import_merchants(upload.read(), upload.filename or "")


@api_bp.route("/merchants/<code>", methods=["GET"])
@auth_required()
@api_bp.response(200, MerchantSchema)
def get_merchant(code: str) -> Any:
    """One merchant: staff see any, a merchant user only its own (others are 404)."""
    user = current_api_user()
    merchant = get_visible_merchant(user, code)
    if user.is_staff:
        return merchant
    return jsonify(MerchantSchema(exclude=("note",)).dump(merchant))


@api_bp.route("/merchants/<code>", methods=["PATCH"])
@auth_required(*EDITORS)
@api_bp.arguments(MerchantUpdateSchema)
@api_bp.response(200, MerchantSchema)
def update_merchant(data: dict[str, Any], code: str) -> Any:
    """Change some fields; `is_active: false` deactivates (never deletes)."""
    return services.update_merchant(code, **data)


@api_bp.route("/merchants/<code>/users", methods=["POST"])
@auth_required(*EDITORS)
@api_bp.arguments(MerchantUserCreateSchema)
@api_bp.response(201, MerchantUserSchema)
def create_user(data: dict[str, Any], code: str) -> Any:
    """Create a login (role merchant) that sees only this merchant."""
    return services.create_merchant_user(
        code, data["username"], data["password"], display_name=data["display_name"]
    )


@api_bp.route("/merchants/<code>/users", methods=["GET"])
@auth_required(*EDITORS)
@api_bp.response(200, MerchantUserSchema(many=True))
def list_users(code: str) -> Any:
    """The merchant's logins."""
    return merchant_users(services.get_merchant(code).id)


@api_bp.route("/merchants/<code>/contacts", methods=["POST"])
@auth_required(*EDITORS)
@api_bp.arguments(MerchantContactSchema)
@api_bp.response(201, MerchantContactSchema)
def add_contact(data: dict[str, Any], code: str) -> Any:
    """Add a contact person; is_primary takes the primary role from any other."""
    return services.add_contact(code, **data)


@api_bp.route("/merchants/<code>/contacts/<int:contact_id>", methods=["DELETE"])
@auth_required(*EDITORS)
@api_bp.response(204)
def remove_contact(code: str, contact_id: int) -> Any:
    """Remove a contact person."""
    services.remove_contact(code, contact_id)
