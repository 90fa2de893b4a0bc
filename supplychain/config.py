"""Configuration defaults. Nothing here reads the environment at import time."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask


class DefaultConfig:
    """Embedded defaults: SQLite in the instance folder, jobs in-process."""

    SECRET_KEY = (
        "dev-only-change-me"  # overridden by SUPPLYCHAIN_SECRET_KEY in production
    )
    DATABASE_URL: str | None = None  # None ⇒ sqlite file in the instance folder
    REDIS_URL: str | None = None  # set ⇒ background jobs go to RQ
    JOB_QUEUE = "supplychain"
    JOB_RUNNER: str | None = None  # "inline" | "rq"; None ⇒ rq when REDIS_URL is set
    JOB_TIMEOUT = 3600  # seconds an RQ job may run
    TIMEZONE = "Asia/Shanghai"
    COMPANY_NAME = (
        "配送中心 Distribution centre"  # printed on price lists and other documents
    )
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024  # uploads (CSV/XLSX imports) above this ⇒ 413
    API_TOKEN_HOURS = 12
    LOGIN_RATE_LIMIT = "10 per minute"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a merchant's order page may stay open all evening
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}
    PER_PAGE = 50

    # flask-smorest / OpenAPI
    API_TITLE = "Supplychain API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = None  # our own offline docs page at /api/v1/docs


def load_config(app: Flask, overrides: Mapping[str, Any] | None = None) -> None:
    """Defaults → instance/config.py → SUPPLYCHAIN_* environment → overrides (tests)."""
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("SUPPLYCHAIN")
    if overrides:
        app.config.update(overrides)
    url = app.config.get("DATABASE_URL") or (
        "sqlite:///" + os.path.join(app.instance_path, "supplychain.sqlite")
    )
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]
    if not app.config.get("SQLALCHEMY_ENGINE_OPTIONS"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = _pool_options(url)
    if (
        app.config.get("REDIS_URL")
        and app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    ):
        # limits must be shared between web processes in production
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]


def _pool_options(url: str) -> dict[str, Any]:
    """Connection pools large enough for threaded servers: a request may use two
    connections (an order's idempotency claim runs on its own, before it takes any
    lock). SQLite has no server-side limit. On PostgreSQL a process keeps up to 10
    connections open and opens up to 30 more at a peak (size max_connections for the
    web processes × threads you run; the default 100 fits 3 processes at full peak)."""
    if url.startswith("sqlite"):
        return {"pool_size": 10, "max_overflow": -1}
    return {"pool_size": 10, "max_overflow": 30}
