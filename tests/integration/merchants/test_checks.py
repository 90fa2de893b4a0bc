import datetime as dt

import pytest
import sqlalchemy as sa

from supplychain.extensions import db
from supplychain.merchants.checks import check_invariants
from supplychain.merchants.models import MerchantContact
from tests.factories import MerchantContactFactory, MerchantFactory, merchant_user

pytestmark = pytest.mark.usefixtures("any_db_app")


def test_a_clean_database_passes():
    merchant = MerchantFactory(
        delivery_window_start=dt.time(7), delivery_window_end=dt.time(9)
    )
    merchant_user(merchant)
    MerchantContactFactory(merchant=merchant, is_primary=True)

    assert check_invariants() == []


def test_reports_active_merchants_without_coordinates():
    MerchantFactory(code="NOGEO", lat=None, lon=None)
    MerchantFactory(code="OLD", lat=None, lon=None, is_active=False)

    problems = check_invariants()

    assert len(problems) == 1
    assert (
        "without coordinates" in problems[0]
        and "NOGEO" in problems[0]
        and "OLD" not in problems[0]
    )


def test_reports_merchant_users_whose_merchant_is_gone():
    merchant_user(MerchantFactory(code="GONE"), username="orphan")
    db.session.remove()
    with db.engine.connect() as connection:  # delete behind the foreign key's back
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        else:
            connection.exec_driver_sql(
                "ALTER TABLE users DROP CONSTRAINT fk_users_merchant_id_merchants"
            )
        connection.exec_driver_sql("DELETE FROM merchants WHERE code = 'GONE'")
        connection.commit()

    problems = check_invariants()

    assert any(
        "orphan" in p and "without an existing merchant" in p for p in problems
    ), problems


def test_reports_two_primary_contacts_written_behind_the_services_back():
    merchant = MerchantFactory(code="TWO")
    MerchantContactFactory(merchant=merchant, is_primary=True)
    MerchantContactFactory(merchant=merchant, is_primary=False)
    db.session.execute(sa.text("DROP INDEX uq_merchant_contacts_primary"))
    db.session.execute(sa.update(MerchantContact).values(is_primary=True))
    db.session.commit()

    problems = check_invariants()

    assert any("primary contact" in p and "TWO" in p for p in problems)
