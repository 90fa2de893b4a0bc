"""演示数据 database state: is there data already, and wiping it for ``--reset``.

"Data" is any row in a table of the models' metadata, except bookkeeping and the
reference rows every database has (the default warehouse MAIN and the ledger's lazily
created locations). Wiping removes every row of every model table — including the
append-only stock ledger, whose triggers refuse DELETE row by row — and then puts the
reference rows back.
"""

from __future__ import annotations

import sqlalchemy as sa

from supplychain import models  # noqa: F401  (every table on the metadata)
from supplychain.bootstrap import ensure_reference_data
from supplychain.delivery import models as delivery_models  # noqa: F401
from supplychain.extensions import db

# rows in these tables do not make a database "non-empty"
BOOKKEEPING_TABLES = frozenset({"audit_log", "job_runs", "api_tokens", "locations"})


def database_has_data() -> bool:
    """True when the database holds domain data beyond the reference rows."""
    for table in db.metadata.sorted_tables:
        if table.name in BOOKKEEPING_TABLES:
            continue
        if table.name == "warehouses":  # the default warehouse MAIN is reference data
            if db.session.scalar(sa.select(sa.func.count()).select_from(table)) > 1:
                return True
            continue
        if db.session.execute(
            sa.select(sa.literal(1)).select_from(table).limit(1)
        ).first():
            return True
    return False


def wipe_domain_data() -> None:
    """Delete every row of every model table, then restore the reference data. Commits.

    PostgreSQL: one TRUNCATE (row triggers do not fire; identities restart). SQLite: the
    triggers on those tables are dropped, the rows deleted child tables first, and the
    triggers re-created from their stored SQL — also when the wipe fails half-way.
    """
    tables = list(reversed(db.metadata.sorted_tables))
    if db.session.get_bind().dialect.name == "postgresql":
        preparer = db.session.get_bind().dialect.identifier_preparer
        names = ", ".join(preparer.format_table(table) for table in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        db.session.commit()
    else:
        _delete_all_sqlite(tables)
    db.session.expunge_all()
    ensure_reference_data()


def _delete_all_sqlite(tables: list[sa.Table]) -> None:
    wanted = {table.name for table in tables}
    triggers = [
        (name, sql)
        for name, table_name, sql in db.session.execute(
            sa.text(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"
            )
        )
        if table_name in wanted
    ]
    try:
        for name, _ in triggers:
            db.session.execute(sa.text(f'DROP TRIGGER "{name}"'))
        for table in tables:
            db.session.execute(table.delete())
        for _, sql in triggers:
            db.session.execute(sa.text(sql))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        _restore_triggers(triggers)
        raise


def _restore_triggers(triggers: list[tuple[str, str]]) -> None:
    """Put back any trigger that is missing (pysqlite runs DROP TRIGGER outside the
    transaction, so a rollback does not bring it back)."""
    present = set(
        db.session.scalars(
            sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        )
    )
    for name, sql in triggers:
        if name not in present:
            db.session.execute(sa.text(sql))
    db.session.commit()
