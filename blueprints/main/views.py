"""Home page per role, health check."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from blueprints.shell import nav_for
from supplychain.extensions import db

bp = Blueprint("main", __name__, template_folder="templates")


@bp.route("/")
@login_required
def index() -> Any:
    """The home page: what this role works on today."""
    return render_template("main/index.html", tiles=nav_for(current_user)[1:])


@bp.route("/api/v1/docs")
def api_docs() -> Any:
    """Browsable API documentation (Swagger UI, vendored)."""
    return render_template("main/api_docs.html")


@bp.route("/healthz")
def health() -> Any:
    """Liveness and database check for load balancers."""
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}
