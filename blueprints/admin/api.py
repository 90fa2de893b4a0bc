"""Administration API: users and the audit log (admin only)."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from blueprints.admin.schemas import (
    AuditArgsSchema,
    AuditLogSchema,
    UserCreateSchema,
    UserSchema,
)
from blueprints.api import ApiBlueprint, PageArgsSchema, auth_required, paginate
from supplychain.audit.queries import audit_query
from supplychain.auth import services
from supplychain.auth.queries import users_query

api_bp = ApiBlueprint(
    "admin_api", __name__, url_prefix="/api/v1", description="Users and audit log"
)


@api_bp.route("/users", methods=["GET"])
@auth_required("admin")
@api_bp.arguments(PageArgsSchema, location="query")
@api_bp.response(200, UserSchema(many=True))
def list_users(args: dict[str, Any]) -> Any:
    """List users."""
    items, headers = paginate(users_query(), args["page"], args["per_page"])
    return items, 200, headers


@api_bp.route("/users", methods=["POST"])
@auth_required("admin")
@api_bp.arguments(UserCreateSchema)
@api_bp.response(201, UserSchema)
def create_user(data: dict[str, Any]) -> Any:
    """Create a user of any role (merchant users need `merchant`)."""
    return services.create_user_by_codes(
        data["username"],
        data["password"],
        role=data["role"],
        merchant_code=data.get("merchant"),
        display_name=data.get("display_name", ""),
    )


@api_bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@auth_required("admin")
@api_bp.response(200, UserSchema)
def deactivate_user(user_id: int) -> Any:
    """Deactivate a user; their tokens stop working."""
    return services.set_user_active(user_id, False, acting_user_id=current_user.id)


@api_bp.route("/audit", methods=["GET"])
@auth_required("admin")
@api_bp.arguments(AuditArgsSchema, location="query")
@api_bp.response(200, AuditLogSchema(many=True))
def list_audit(args: dict[str, Any]) -> Any:
    """The audit log, newest first."""
    stmt = audit_query(args["entity"], args["actor"], args["entity_id"])
    items, headers = paginate(stmt, args["page"], args["per_page"])
    return items, 200, headers
