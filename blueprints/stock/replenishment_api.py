"""Replenishment signals (补货): JSON API (stub — being built)."""

from __future__ import annotations

from blueprints.api import ApiBlueprint

api_bp = ApiBlueprint(
    "replenishment_api",
    __name__,
    url_prefix="/api/v1",
    description="Replenishment signals (补货)",
)
