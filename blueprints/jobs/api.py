"""STUB jobs API."""
from blueprints.api import ApiBlueprint
api_bp = ApiBlueprint("jobs_api", __name__, url_prefix="/api/v1", description="jobs")
