"""Stock reports (进销存报表): JSON API (stub — being built)."""

from __future__ import annotations

from blueprints.api import ApiBlueprint

api_bp = ApiBlueprint(
    "stock_reports_api",
    __name__,
    url_prefix="/api/v1",
    description="Stock reports (进销存报表)",
)
