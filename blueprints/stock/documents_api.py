"""Stock documents (库存单据): JSON API (stub — being built)."""

from __future__ import annotations

from blueprints.api import ApiBlueprint

api_bp = ApiBlueprint(
    "stock_documents_api",
    __name__,
    url_prefix="/api/v1",
    description="Stock documents (库存单据)",
)
