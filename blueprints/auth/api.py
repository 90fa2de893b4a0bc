"""POST /api/v1/auth/token: exchange a username and password for a bearer token."""

from __future__ import annotations

from typing import Any

from flask import current_app
from werkzeug.exceptions import Unauthorized

from blueprints.api import ApiBlueprint
from blueprints.auth.schemas import LoginSchema, TokenSchema
from supplychain.auth import services
from supplychain.extensions import limiter

api_bp = ApiBlueprint(
    "auth_api", __name__, url_prefix="/api/v1/auth", description="Tokens"
)


def _token_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@api_bp.route("/token", methods=["POST"])
@limiter.limit(_token_limit)
@api_bp.arguments(LoginSchema)
@api_bp.response(200, TokenSchema)
def token(data: dict[str, str]) -> Any:
    """Get a bearer token (valid for API_TOKEN_HOURS)."""
    user = services.authenticate(data["username"], data["password"])
    if user is None:
        raise Unauthorized("Wrong username or password.")
    issued = services.issue_token(user, hours=current_app.config["API_TOKEN_HOURS"])
    return {
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "expires_at": issued.expires_at,
    }
