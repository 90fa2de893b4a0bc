"""Stock reports (进销存报表): pages (stub — being built)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from blueprints.auth.decorators import roles_required

bp = Blueprint(
    "stock_reports", __name__, url_prefix="/stock/reports", template_folder="templates"
)


@bp.route("/")
@roles_required("warehouse", "buyer", "finance")
def index() -> Any:
    return render_template("base.html")
