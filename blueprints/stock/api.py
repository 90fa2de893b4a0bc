"""STUB stock API."""
from blueprints.api import ApiBlueprint
api_bp = ApiBlueprint("stock_api", __name__, url_prefix="/api/v1", description="stock")
