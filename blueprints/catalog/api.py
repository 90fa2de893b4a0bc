"""STUB catalog API."""
from blueprints.api import ApiBlueprint
api_bp = ApiBlueprint("catalog_api", __name__, url_prefix="/api/v1", description="catalog")
