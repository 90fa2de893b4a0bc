"""STUB stock pages."""
from flask import Blueprint
from blueprints.auth.decorators import roles_required
bp = Blueprint("stock", __name__, url_prefix="/stock", template_folder="templates")
@bp.route("/")
@roles_required("warehouse", "buyer", "sales")
def index():
    return "stock"
@bp.route("/warehouses")
@roles_required("warehouse")
def warehouses():
    return "warehouses"
