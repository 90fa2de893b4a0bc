"""Replenishment signals (补货): pages (stub — being built)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from blueprints.auth.decorators import roles_required

bp = Blueprint(
    "replenishment",
    __name__,
    url_prefix="/stock/replenishment",
    template_folder="templates",
)


@bp.route("/")
@roles_required("warehouse", "buyer", "finance")
def index() -> Any:
    return render_template("base.html")
