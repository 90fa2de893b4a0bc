"""Alembic migrations build exactly the schema the models describe, on SQLite and
PostgreSQL."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from supplychain.extensions import db
from tests.conftest import make_app


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_app(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrate.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_url")
    app = make_app(url, tmp_path)
    with app.app_context():
        _drop_everything()
        yield app
        db.session.remove()
        _drop_everything()
        db.engine.dispose()


def _drop_everything():
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            )
        else:
            db.metadata.drop_all(connection)
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


def test_upgrade_builds_the_models_schema_with_no_differences(empty_app):
    upgrade()

    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_fresh_database_has_the_default_warehouse_main(empty_app):
    upgrade()

    rows = db.session.execute(sa.text("SELECT code, is_default FROM warehouses")).all()
    assert [(code, bool(default)) for code, default in rows] == [("MAIN", True)]


def test_migration_creates_the_append_only_triggers_on_stock_moves(empty_app):
    upgrade()

    if db.engine.dialect.name == "sqlite":
        query = (
            "SELECT name FROM sqlite_master "
            "WHERE type = 'trigger' AND tbl_name = 'stock_moves'"
        )
    else:
        query = (
            "SELECT tgname FROM pg_trigger "
            "WHERE tgrelid = 'stock_moves'::regclass AND NOT tgisinternal"
        )
    names = {row[0] for row in db.session.execute(sa.text(query))}
    assert names in (
        {"stock_moves_no_update", "stock_moves_no_delete"},
        {"stock_moves_no_update_delete"},
    )


def test_downgrade_removes_everything(empty_app):
    upgrade()
    downgrade(revision="base")

    tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
