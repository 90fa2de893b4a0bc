"""The composition root: create_app() wires configuration, extensions, blueprints and
jobs."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from sqlalchemy import event

from supplychain.config import load_config
from supplychain.extensions import api, babel, csrf, db, limiter, login_manager, migrate

HERE = os.path.dirname(os.path.abspath(__file__))
WEB = os.path.join(os.path.dirname(HERE), "blueprints")


def create_app(config_overrides: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("SUPPLYCHAIN_INSTANCE_PATH") or None,
        template_folder=os.path.join(WEB, "templates"),
        static_folder=os.path.join(WEB, "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    load_config(app, config_overrides)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
    configure_jobs(app)
    configure_logging(app)
    return app


def register_extensions(app: Flask) -> None:
    from supplychain import models  # noqa: F401  (every table on the metadata)
    from supplychain.audit import recorder

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=os.path.join(HERE, "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    api.init_app(app, spec_kwargs={"servers": [{"url": "/"}]})
    from blueprints.i18n import select_locale, select_timezone

    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES", os.path.join(WEB, "translations")
    )
    babel.init_app(
        app, locale_selector=select_locale, timezone_selector=select_timezone
    )
    recorder.install(db.session)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL so readers never block the writer, a busy timeout instead of 'database is
    locked', foreign keys enforced (SQLite leaves them off by default)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def register_blueprints(app: Flask) -> None:
    from blueprints import register_blueprints as register

    register(app)


def register_error_handlers(app: Flask) -> None:
    from blueprints.errors import register_error_handlers as register

    register(app)


def register_commands(app: Flask) -> None:
    from supplychain.cli import register_commands as register

    register(app)


def configure_jobs(app: Flask) -> None:
    from supplychain.jobs.runner import make_runner

    app.extensions["job_runner"] = make_runner(app)


def configure_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
        )
