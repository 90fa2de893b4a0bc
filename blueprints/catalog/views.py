"""STUB catalogue pages."""
from flask import Blueprint
from blueprints.auth.decorators import roles_required
bp = Blueprint("catalog", __name__, url_prefix="/catalog", template_folder="templates")
@bp.route("/products")
@roles_required("sales", "buyer", "warehouse", "finance", "merchant")
def products():
    return "products"
