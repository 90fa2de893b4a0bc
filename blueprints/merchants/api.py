"""STUB merchants API."""
from blueprints.api import ApiBlueprint
api_bp = ApiBlueprint("merchants_api", __name__, url_prefix="/api/v1", description="merchants")
