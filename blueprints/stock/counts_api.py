"""Stock counts (盘点): JSON API (stub — being built)."""

from __future__ import annotations

from blueprints.api import ApiBlueprint

api_bp = ApiBlueprint(
    "stock_counts_api",
    __name__,
    url_prefix="/api/v1",
    description="Stock counts (盘点)",
)
