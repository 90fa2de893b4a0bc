"""The UI shell around every page: navigation per role, security headers, audit
actor."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, Response, current_app, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from supplychain.audit.recorder import SYSTEM, Actor, set_actor
from supplychain.auth import services as auth_services
from supplychain.extensions import login_manager

# (endpoint, label, roles allowed; admin sees every staff entry)
NAV: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    ("main.index", _l("Home"), ()),
    ("orders.shop", _l("Order goods"), ("merchant",)),
    (
        "orders.index",
        _l("Orders"),
        ("merchant", "sales", "buyer", "warehouse", "finance", "dispatcher"),
    ),
    ("standing.index", _l("Standing orders"), ("merchant", "sales")),
    (
        "catalog.products",
        _l("Products"),
        ("sales", "buyer", "warehouse", "finance", "merchant"),
    ),
    ("merchants.index", _l("Merchants"), ("sales", "finance", "dispatcher")),
    ("merchants.map", _l("Map"), ("sales", "dispatcher")),
    ("stock.index", _l("Stock"), ("warehouse", "buyer", "sales")),
    ("stock_documents.index", _l("Stock documents"), ("warehouse",)),
    ("stock_counts.index", _l("Stock counts"), ("warehouse",)),
    ("stock_reports.index", _l("Stock reports"), ("warehouse", "buyer", "finance")),
    ("replenishment.index", _l("Replenishment"), ("warehouse", "buyer", "finance")),
    ("stock.warehouses", _l("Warehouses"), ("warehouse",)),
    (
        "jobs.index",
        _l("Jobs"),
        ("sales", "warehouse", "buyer", "finance", "dispatcher"),
    ),
    ("order_settings.index", _l("Cutoffs"), ("admin",)),
    ("admin.users", _l("Users"), ()),
    ("admin.audit", _l("Audit log"), ()),
)

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "sales": _l("Sales"),
    "buyer": _l("Buyer"),
    "warehouse": _l("Warehouse"),
    "warehouse_manager": _l("Warehouse manager"),
    "dispatcher": _l("Dispatcher"),
    "driver": _l("Driver"),
    "finance": _l("Finance"),
    "merchant": _l("Merchant"),
}


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
    "Permissions-Policy": "geolocation=(self), camera=(), microphone=()",
}


def nav_for(user: Any) -> list[tuple[str, Any]]:
    """Menu entries for this user's role: "()" = everyone; admin sees every staff
    entry."""
    if not getattr(user, "is_authenticated", False):
        return []
    items = []
    for endpoint, label, roles in NAV:
        if endpoint.startswith("admin."):
            allowed = user.role == "admin"
        elif not roles or user.role in roles:
            allowed = True
        elif user.role == "warehouse_manager":
            allowed = "warehouse" in roles
        else:
            allowed = user.role == "admin"
        if allowed:
            items.append((endpoint, label))
    return items


def set_audit_actor() -> None:
    if getattr(current_user, "is_authenticated", False):
        set_actor(Actor(current_user.id, current_user.username))
    else:
        set_actor(SYSTEM)


def _security_headers(response: Response) -> Response:
    for key, value in SECURITY_HEADERS.items():
        response.headers.setdefault(key, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def _now_local() -> dt.datetime:
    return dt.datetime.now(ZoneInfo(current_app.config["TIMEZONE"]))


def current_locale() -> str:
    """ "zh_CN" or "en" (Babel may spell zh_CN as zh_Hans_CN)."""
    locale = get_locale()
    return "zh_CN" if locale is None or locale.language == "zh" else "en"


def _context() -> dict[str, Any]:
    return {
        "nav_items": nav_for(current_user),
        "current_locale": current_locale,
        "now_local": _now_local,
        "role_label": role_label,
    }


def init_app(app: Flask) -> None:
    login_manager.user_loader(auth_services.load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    app.before_request(set_audit_actor)
    # the actor is a context variable of the serving thread: never let it outlive the
    # request
    app.teardown_request(lambda _exc: set_actor(SYSTEM))
    app.after_request(_security_headers)
    app.context_processor(_context)
    from blueprints import i18n

    i18n.init_app(app)
