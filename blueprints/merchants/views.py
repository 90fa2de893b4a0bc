"""STUB merchant pages."""
from flask import Blueprint
from blueprints.auth.decorators import roles_required
bp = Blueprint("merchants", __name__, url_prefix="/merchants", template_folder="templates")
@bp.route("/")
@roles_required("sales", "finance", "dispatcher")
def index():
    return "merchants"
@bp.route("/map")
@roles_required("sales", "dispatcher")
def map():
    return "map"
