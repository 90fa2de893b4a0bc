"""Shared pieces of the JSON API: the blueprint class, bearer-token auth, pagination,
the money range check."""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

import flask_smorest
import marshmallow as ma
import sqlalchemy as sa
from flask import g, request
from werkzeug.exceptions import Forbidden, Unauthorized

from supplychain.auth import services as auth_services
from supplychain.database import MAX_MONEY
from supplychain.extensions import db

MAX_PER_PAGE = 200


class ApiBlueprint(flask_smorest.Blueprint):
    """flask-smorest blueprint; every route is documented as needing a bearer token."""


def _unauthorized(message: str) -> Unauthorized:
    error = Unauthorized(message)
    error.data = {  # type: ignore[attr-defined]
        "headers": {"WWW-Authenticate": 'Bearer realm="api"'}
    }
    return error


def current_api_user() -> Any:
    return g.api_user


def auth_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Bearer-token auth for API routes. No roles ⇒ any authenticated user. Admin
    passes any staff-role check; merchant users pass only where 'merchant' is listed."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise _unauthorized(
                    "A bearer token is required (POST /api/v1/auth/token)."
                )
            user = auth_services.user_for_token(token.strip())
            if user is None:
                raise _unauthorized("The bearer token is invalid or has expired.")
            if roles and not user.has_role(*roles):
                raise Forbidden("Your role may not do this.")
            g.api_user = user
            # current_user for this request only (Flask-Login reads g._login_user);
            # unlike login_user() this never writes a session cookie on an API response
            g._login_user = user
            from blueprints.shell import set_audit_actor

            set_audit_actor()
            return view(*args, **kwargs)

        doc = copy.deepcopy(getattr(view, "_apidoc", {}))
        doc.setdefault("manual_doc", {}).setdefault("security", [{"bearerAuth": []}])
        wrapper._apidoc = doc  # type: ignore[attr-defined]
        return wrapper

    return decorator


def money_range(amount: Decimal) -> None:
    """0 ≤ amount ≤ MAX_MONEY. A function, not ``validate.Range``: apispec would print
    Decimal bounds as strings, which is not valid OpenAPI."""
    if not 0 <= amount <= MAX_MONEY:
        raise ma.ValidationError(f"Must be between 0 and {MAX_MONEY}.")


class PageArgsSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    page = ma.fields.Integer(
        load_default=1, validate=ma.validate.Range(min=1, max=10**6)
    )
    per_page = ma.fields.Integer(
        load_default=50, validate=ma.validate.Range(min=1, max=MAX_PER_PAGE)
    )


def paginate(
    stmt: sa.Select, page: int, per_page: int
) -> tuple[list[Any], dict[str, str]]:
    """Run a select for one page; returns (items, {"X-Total-Count": total})."""
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
    )
    items = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return items, {"X-Total-Count": str(total or 0)}
