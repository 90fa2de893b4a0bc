from types import SimpleNamespace

import sqlalchemy as sa

from supplychain.merchants.access import (
    can_see_merchant,
    scope_to_user,
    visible_merchant_ids,
)
from supplychain.merchants.models import Merchant


def _user(role, merchant_id=None, *, active=True, authenticated=True):
    return SimpleNamespace(
        role=role,
        merchant_id=merchant_id,
        is_active=active,
        is_authenticated=authenticated,
    )


def _sql(stmt):
    return str(stmt.compile(compile_kwargs={"literal_binds": True}))


def test_staff_see_every_merchant():
    for role in (
        "admin",
        "sales",
        "buyer",
        "warehouse",
        "dispatcher",
        "driver",
        "finance",
    ):
        assert visible_merchant_ids(_user(role)) is None


def test_a_merchant_user_sees_only_its_own_merchant():
    assert visible_merchant_ids(_user("merchant", 7)) == {7}
    assert can_see_merchant(_user("merchant", 7), 7)
    assert not can_see_merchant(_user("merchant", 7), 8)


def test_anonymous_deactivated_and_orphan_users_see_nothing():
    for user in (
        None,
        _user("sales", authenticated=False),
        _user("sales", active=False),
        _user("merchant", None),
    ):
        assert visible_merchant_ids(user) == set()
        assert not can_see_merchant(user, 1)


def test_scope_leaves_staff_queries_alone():
    stmt = sa.select(Merchant)

    assert _sql(scope_to_user(stmt, Merchant.id, _user("finance"))) == _sql(stmt)


def test_scope_filters_a_merchant_users_query_to_its_merchant():
    sql = _sql(scope_to_user(sa.select(Merchant), Merchant.id, _user("merchant", 7)))

    assert "merchants.id IN (7)" in sql


def test_scope_returns_nothing_for_a_user_that_sees_nothing():
    sql = _sql(scope_to_user(sa.select(Merchant), Merchant.id, _user("merchant", None)))

    assert "false" in sql.lower() or "0 = 1" in sql or "1 != 1" in sql
