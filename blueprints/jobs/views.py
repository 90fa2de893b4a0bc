"""STUB jobs pages."""
from flask import Blueprint
from blueprints.auth.decorators import roles_required
bp = Blueprint("jobs", __name__, url_prefix="/jobs", template_folder="templates")
@bp.route("/")
@roles_required("warehouse", "buyer", "finance", "dispatcher")
def index():
    return "jobs"
