"""HTTP layer: HTML pages (views.py) and JSON API (api.py) per feature, registered
here."""

from __future__ import annotations

from importlib import import_module

from flask import Flask

# (module, attribute) pairs; HTML blueprints first, then flask-smorest API blueprints.
BLUEPRINTS = (
    ("blueprints.main.views", "bp"),
    ("blueprints.auth.views", "bp"),
    ("blueprints.catalog.views", "bp"),
    ("blueprints.merchants.views", "bp"),
    ("blueprints.stock.views", "bp"),
    ("blueprints.stock.documents_views", "bp"),
    ("blueprints.stock.counts_views", "bp"),
    ("blueprints.stock.reports_views", "bp"),
    ("blueprints.stock.replenishment_views", "bp"),
    ("blueprints.stock.bins_views", "bp"),
    ("blueprints.orders.import_views", "bp"),  # /orders/import before /orders/<n>
    ("blueprints.orders.settings_views", "bp"),
    ("blueprints.orders.views", "bp"),
    ("blueprints.orders.standing_views", "bp"),
    ("blueprints.jobs.views", "bp"),
    ("blueprints.admin.views", "bp"),
)
API_BLUEPRINTS = (
    ("blueprints.auth.api", "api_bp"),
    ("blueprints.catalog.api", "api_bp"),
    ("blueprints.merchants.api", "api_bp"),
    ("blueprints.stock.api", "api_bp"),
    ("blueprints.stock.documents_api", "api_bp"),
    ("blueprints.stock.counts_api", "api_bp"),
    ("blueprints.stock.reports_api", "api_bp"),
    ("blueprints.stock.replenishment_api", "api_bp"),
    ("blueprints.orders.api", "api_bp"),
    ("blueprints.orders.api_tools", "api_bp"),
    ("blueprints.jobs.api", "api_bp"),
    ("blueprints.admin.api", "api_bp"),
)


def register_blueprints(app: Flask) -> None:
    from supplychain.extensions import api, csrf

    for module, attr in BLUEPRINTS:
        app.register_blueprint(getattr(import_module(module), attr))
    for module, attr in API_BLUEPRINTS:
        bp = getattr(import_module(module), attr)
        csrf.exempt(bp)  # the API authenticates with bearer tokens, never cookies
        api.register_blueprint(bp)
    api.spec.components.security_scheme(
        "bearerAuth",
        {"type": "http", "scheme": "bearer", "description": "POST /api/v1/auth/token"},
    )
    from blueprints import shell

    shell.init_app(app)
