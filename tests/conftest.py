"""Shared fixtures: app (fresh schema per test), client, runner, login helpers,
factories.

`app` runs on SQLite by default. Tests that take the `any_db_app` fixture run twice:
once on SQLite and once on PostgreSQL (a throwaway cluster started by
tests/support/postgres.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from supplychain.app import create_app
from supplychain.bootstrap import ensure_reference_data
from supplychain.extensions import db
from tests import factories

pytest_plugins = ["tests.plugins"]

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "PROPAGATE_UNEXPECTED": False,
    # assertions read English; zh_CN is checked on its own
    "BABEL_DEFAULT_LOCALE": "en",
}


def make_app(database_url: str, tmp_path: Any, **overrides: Any) -> Flask:
    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    os.environ["SUPPLYCHAIN_INSTANCE_PATH"] = str(instance)
    try:
        app = create_app(TEST_CONFIG | {"DATABASE_URL": database_url} | overrides)
    finally:
        del os.environ["SUPPLYCHAIN_INSTANCE_PATH"]
    return app


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Override in a module to pass extra config to the app."""
    return {}


@pytest.fixture
def app(tmp_path: Any, app_config: dict[str, Any]) -> Iterator[Flask]:
    app = make_app(f"sqlite:///{tmp_path / 'test.sqlite'}", tmp_path, **app_config)
    with app.app_context():
        db.create_all()
        ensure_reference_data()
        factories.bind(db.session)
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db_app(
    request: pytest.FixtureRequest, tmp_path: Any, app_config: dict[str, Any]
) -> Iterator[Flask]:
    """The app on SQLite and on PostgreSQL: for integration tests of services and the
    ledger."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_url")
    app = make_app(url, tmp_path, **app_config)
    with app.app_context():
        if request.param == "postgres":
            from tests.support.postgres import reset_database

            reset_database(
                db.engine, db.metadata
            )  # schema once, then TRUNCATE per test
        else:
            db.create_all()
        ensure_reference_data()
        factories.bind(db.session)
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


PASSWORD = "correct horse 42"


def login(client: FlaskClient, user: Any, password: str = PASSWORD) -> None:
    response = client.post(
        "/auth/login", data={"username": user.username, "password": password}
    )
    assert response.status_code == 302, response.data


def bearer(client: FlaskClient, user: Any, password: str = PASSWORD) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/token", json={"username": user.username, "password": password}
    )
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['access_token']}"}


@pytest.fixture
def login_as(client: FlaskClient) -> Any:
    """login_as(user) logs the test client in through the login form."""
    return lambda user: login(client, user)


@pytest.fixture
def auth_headers(client: FlaskClient) -> Any:
    """auth_headers(user) → {"Authorization": "Bearer …"} from POST
    /api/v1/auth/token."""
    return lambda user: bearer(client, user)
