"""STUB admin pages."""
from flask import Blueprint
from blueprints.auth.decorators import roles_required
bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
@bp.route("/users")
@roles_required("admin")
def users():
    return "users"
@bp.route("/audit")
@roles_required("admin")
def audit():
    return "audit"
