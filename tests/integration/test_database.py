"""The database layer on SQLite and PostgreSQL alike: exact money, UTC instants, SQLite
pragmas, foreign keys and the audit trail (数据库层).

Money and time columns are checked on a private scratch table so the test does not
depend on any feature's model; the audit trail and foreign keys use real models through
factories.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask

from supplychain.audit.models import AuditLog
from supplychain.audit.recorder import Actor, acting_as
from supplychain.auth.models import User
from supplychain.database import Money, UTCDateTime
from supplychain.extensions import db
from supplychain.merchants.models import Merchant
from tests.factories import PASSWORD, MerchantFactory, UserFactory, merchant_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
BIGGEST = Decimal("999999999999.99")

scratch = sa.MetaData()
ledger = sa.Table(
    "zz_scratch_money",
    scratch,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("amount", Money()),
    sa.Column("at", UTCDateTime()),
)


@pytest.fixture
def table(any_db_app: Flask) -> Iterator[sa.Table]:
    """The scratch table, created for this test and dropped afterwards."""
    scratch.drop_all(db.engine)
    scratch.create_all(db.engine)
    yield ledger
    db.session.rollback()
    scratch.drop_all(db.engine)


def dialect() -> str:
    return db.engine.dialect.name


def insert(table: sa.Table, *rows: dict) -> None:
    db.session.execute(table.insert(), list(rows))
    db.session.commit()


def rows_in(table: sa.Table) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(table))


# -- money -----------------------------------------------------------------------------
def test_money_summed_in_sql_is_exact(table):
    insert(table, {"amount": Decimal("0.10")}, {"amount": Decimal("0.20")})

    total = db.session.scalar(sa.select(sa.func.sum(table.c.amount)))

    assert total == Decimal("0.30")
    assert isinstance(total, Decimal)
    assert str(total) == "0.30"


def test_a_thousand_cents_add_up_to_ten_yuan_exactly(table):
    insert(table, *({"amount": Decimal("0.01")} for _ in range(1000)))

    total = db.session.scalar(sa.select(sa.func.sum(table.c.amount)))

    assert total == Decimal("10.00")


@pytest.mark.parametrize("value", [BIGGEST, -BIGGEST, Decimal("0.01"), Decimal("0.00")])
def test_money_round_trips_exactly_up_to_the_largest_value(table, value):
    insert(table, {"amount": value})

    assert db.session.scalar(sa.select(table.c.amount)) == value


def test_largest_values_sum_beyond_a_single_column_exactly(table):
    insert(table, {"amount": BIGGEST}, {"amount": BIGGEST}, {"amount": Decimal("0.02")})

    total = db.session.scalar(sa.select(sa.func.sum(table.c.amount)))

    assert total == Decimal("2000000000000.00")


@pytest.mark.parametrize(
    "given, stored",
    [
        ("0.005", "0.01"),
        ("0.004", "0.00"),
        ("2.675", "2.68"),  # 2.675 is 2.67499… as a float: proves no float on the way
        ("-0.005", "-0.01"),
        ("1.234999", "1.23"),
        ("12.5", "12.50"),
        (7, "7.00"),
    ],
)
def test_money_is_rounded_half_up_to_cents(table, given, stored):
    value = given if isinstance(given, int) else Decimal(given)

    insert(table, {"amount": value})

    assert str(db.session.scalar(sa.select(table.c.amount))) == stored


def test_a_float_is_refused_as_money_and_nothing_is_written(table):
    with pytest.raises(sa.exc.StatementError, match="float"):
        insert(table, {"amount": 0.1})
    db.session.rollback()

    assert rows_in(table) == 0


def test_money_is_stored_as_an_exact_type(table):
    insert(table, {"amount": Decimal("12.50")})

    if dialect() == "sqlite":
        raw = db.session.execute(
            sa.text("SELECT typeof(amount), amount FROM zz_scratch_money")
        )
        assert tuple(raw.one()) == ("integer", 1250)  # cents
    else:
        column = db.session.execute(
            sa.text(
                "SELECT data_type, numeric_precision, numeric_scale"
                " FROM information_schema.columns "
                "WHERE table_name = 'zz_scratch_money' AND column_name = 'amount'"
            )
        ).one()
        assert tuple(column) == ("numeric", 14, 2)


def test_money_beyond_numeric_14_2_is_refused_and_nothing_is_written(table):
    with pytest.raises(sa.exc.StatementError):
        insert(table, {"amount": BIGGEST + Decimal("0.01")})
    db.session.rollback()

    assert rows_in(table) == 0


# -- time ------------------------------------------------------------------------------
def test_aware_datetimes_come_back_as_the_same_instant_in_utc(table):
    evening_in_hangzhou = dt.datetime(2026, 11, 24, 21, 30, 15, 123456, tzinfo=SHANGHAI)

    insert(table, {"at": evening_in_hangzhou})
    loaded = db.session.scalar(sa.select(table.c.at))

    assert loaded == evening_in_hangzhou
    assert loaded.utcoffset() == dt.timedelta(0)
    assert (loaded.hour, loaded.microsecond) == (13, 123456)


def test_instants_compare_in_sql_by_time_not_by_wall_clock(table):
    shanghai_morning = dt.datetime(
        2026, 11, 25, 7, 0, tzinfo=SHANGHAI
    )  # 2026-11-24 23:00 UTC
    utc_late_evening = dt.datetime(2026, 11, 24, 22, 0, tzinfo=dt.timezone.utc)
    insert(table, {"amount": Decimal("1"), "at": shanghai_morning})
    insert(table, {"amount": Decimal("2"), "at": utc_late_evening})

    ordered = db.session.scalars(sa.select(table.c.amount).order_by(table.c.at)).all()
    later = db.session.scalars(
        sa.select(table.c.amount).where(table.c.at > utc_late_evening)
    ).all()

    assert ordered == [Decimal("2.00"), Decimal("1.00")]
    assert later == [Decimal("1.00")]


def test_a_naive_datetime_is_refused(table):
    with pytest.raises(sa.exc.StatementError, match="naive"):
        insert(table, {"at": dt.datetime(2026, 11, 24, 21, 30)})
    db.session.rollback()

    assert rows_in(table) == 0


def test_model_timestamps_are_aware_utc(any_db_app):
    merchant = MerchantFactory()
    db.session.expire_all()

    created = db.session.get(Merchant, merchant.id).created_at

    assert created.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.timezone.utc) - created) < dt.timedelta(minutes=5)


# -- SQLite settings and foreign keys --------------------------------------------------
def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(app):
    with db.engine.connect() as first, db.engine.connect() as second:
        for conn in (first, second):  # every pooled connection, not just the first
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def test_a_row_pointing_at_a_missing_parent_is_refused(any_db_app):
    users_before = db.session.scalar(sa.select(sa.func.count(User.id)))

    db.session.add(
        User(username="ghost", password_hash="x", role="merchant", merchant_id=987654)
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()

    assert db.session.scalar(sa.select(sa.func.count(User.id))) == users_before


def test_a_parent_still_referenced_cannot_be_deleted(any_db_app):
    user = merchant_user()
    merchant_id = user.merchant_id

    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.delete(Merchant).where(Merchant.id == merchant_id))
        db.session.commit()
    db.session.rollback()

    assert db.session.get(Merchant, merchant_id) is not None


# -- audit trail -----------------------------------------------------------------------
def audit_rows(entity: str, entity_id: int) -> list[AuditLog]:
    return list(
        db.session.scalars(
            sa.select(AuditLog)
            .where(AuditLog.entity == entity, AuditLog.entity_id == str(entity_id))
            .order_by(AuditLog.id)
        )
    )


def test_audit_log_records_create_update_and_delete_with_before_and_after(any_db_app):
    with acting_as(Actor(42, "auditor")):
        merchant = MerchantFactory(name="西湖店", credit_limit=Decimal("5000.00"))
        merchant_id = merchant.id
        merchant.name = "西湖旗舰店"
        merchant.credit_limit = Decimal("8000.50")
        db.session.commit()
        db.session.delete(merchant)
        db.session.commit()

    created, updated, deleted = audit_rows("merchants", merchant_id)

    assert [created.action, updated.action, deleted.action] == [
        "create",
        "update",
        "delete",
    ]
    assert {row.actor for row in (created, updated, deleted)} == {"auditor"}
    assert {row.actor_id for row in (created, updated, deleted)} == {42}
    assert created.before is None
    assert created.after["name"] == "西湖店"
    assert created.after["credit_limit"] == "5000.00"
    assert updated.before["name"] == "西湖店"
    assert updated.before["credit_limit"] == "5000.00"
    assert updated.after["name"] == "西湖旗舰店"
    assert updated.after["credit_limit"] == "8000.50"
    assert "code" not in updated.after  # only what changed
    assert deleted.before["name"] == "西湖旗舰店"
    assert deleted.after is None
    assert created.at.utcoffset() == dt.timedelta(0)


def test_audit_log_shows_money_as_the_database_stores_it(any_db_app):
    merchant = MerchantFactory(credit_limit=Decimal("12.345"))
    db.session.expire_all()

    (created,) = audit_rows("merchants", merchant.id)

    assert str(db.session.get(Merchant, merchant.id).credit_limit) == "12.35"
    assert created.after["credit_limit"] == "12.35"


def test_audit_log_leaves_out_password_hashes(any_db_app):
    user = UserFactory(role="sales")

    (created,) = audit_rows("users", user.id)

    assert created.after["username"] == user.username
    assert "password_hash" not in created.after
    assert PASSWORD not in str(created.after)


def test_a_refused_write_leaves_no_audit_row(any_db_app):
    existing = MerchantFactory()
    audit_before = db.session.scalar(sa.select(sa.func.count(AuditLog.id)))

    db.session.add(Merchant(code=existing.code, name="重复的店"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()

    assert db.session.scalar(sa.select(sa.func.count(AuditLog.id))) == audit_before
