import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from supplychain.audit.models import AuditLog
from supplychain.auth.models import User
from supplychain.errors import Conflict, DuplicateKey, NotFound, ValidationFailed
from supplychain.extensions import db
from supplychain.merchants import services
from supplychain.merchants.access import get_visible_merchant, scope_to_user
from supplychain.merchants.models import Merchant, MerchantContact
from tests.factories import (
    MerchantFactory,
    PriceGradeFactory,
    UserFactory,
    merchant_user,
)

pytestmark = pytest.mark.usefixtures("any_db_app")


def _create(code="HZ001", **values):
    base = {
        "name": "西湖健康小店",
        "address": "杭州市西湖区文三路 1 号",
        "lat": 30.2741,
        "lon": 120.1551,
    }
    return services.create_merchant(code, **(base | values))


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_creates_a_store_with_defaults():
    merchant = _create()

    db.session.expire_all()
    stored = db.session.get(Merchant, merchant.id)
    assert stored.kind == "store"
    assert stored.is_active
    assert stored.credit_limit is None
    assert stored.payment_terms_days == 0
    assert stored.delivery_window is None


def test_creates_with_every_optional_field():
    grade = PriceGradeFactory(code="LEADER")

    merchant = _create(
        kind="group_leader",
        name_en="West Lake shop",
        district="西湖区",
        price_grade="LEADER",
        credit_limit=Decimal("5000.50"),
        delivery_window=(dt.time(7), dt.time(10)),
        payment_terms_days=30,
        contact_name="王老板",
        phone="138 0000 0000",
        note="后门卸货",
    )

    db.session.expire_all()
    stored = db.session.get(Merchant, merchant.id)
    assert stored.price_grade_id == grade.id
    assert stored.credit_limit == Decimal("5000.50")
    assert stored.delivery_window == (dt.time(7), dt.time(10))
    assert (stored.kind, stored.district, stored.payment_terms_days) == (
        "group_leader",
        "西湖区",
        30,
    )


def test_every_write_is_audited():
    merchant = _create()

    row = db.session.scalar(sa.select(AuditLog).where(AuditLog.entity == "merchants"))
    assert row.action == "create" and row.entity_id == str(merchant.id)
    assert row.after["code"] == "HZ001"


def test_duplicate_code_is_refused_and_nothing_written():
    _create()

    with pytest.raises(DuplicateKey) as caught:
        _create(name="另一家")

    assert "code" in caught.value.errors
    assert _count(Merchant) == 1


@pytest.mark.parametrize(
    "values, field",
    [
        ({"lat": 95.0}, "lat"),
        ({"lon": -181.0}, "lon"),
        ({"lat": None}, "lat"),
        ({"credit_limit": Decimal("-0.01")}, "credit_limit"),
        ({"kind": "supermarket"}, "kind"),
        ({"delivery_window": (dt.time(10), dt.time(7))}, "delivery_window"),
        ({"price_grade": "NOPE"}, "price_grade"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_values_are_refused_by_field_and_nothing_written(values, field):
    with pytest.raises(ValidationFailed) as caught:
        _create(**values)

    assert field in caught.value.errors
    assert _count(Merchant) == 0


@pytest.mark.parametrize("code", ["HZ 001", "x" * 31, "杭州", "", "map"])
def test_bad_codes_are_refused(code):
    with pytest.raises(ValidationFailed) as caught:
        _create(code)

    assert "code" in caught.value.errors


def test_update_changes_only_the_given_fields_and_can_clear_limits():
    _create(credit_limit=Decimal("100.00"), delivery_window=(dt.time(7), dt.time(9)))

    services.update_merchant(
        "HZ001", credit_limit=None, delivery_window=None, district="上城区"
    )

    db.session.expire_all()
    stored = services.get_merchant("HZ001")
    assert stored.credit_limit is None and stored.delivery_window is None
    assert stored.district == "上城区"
    assert stored.name == "西湖健康小店"


def test_update_with_an_unknown_grade_writes_nothing():
    _create()

    with pytest.raises(ValidationFailed):
        services.update_merchant("HZ001", district="上城区", price_grade="NOPE")

    db.session.expire_all()
    assert services.get_merchant("HZ001").district == ""


def test_update_of_unknown_merchant_is_not_found():
    with pytest.raises(NotFound):
        services.update_merchant("NOPE", name="x")


def test_deactivated_merchant_stays_in_the_database_with_its_users():
    merchant = _create()
    user = services.create_merchant_user("HZ001", "hz001-boss", "long enough 1")

    services.deactivate_merchant("HZ001")

    db.session.expire_all()
    assert db.session.get(Merchant, merchant.id).is_active is False
    assert db.session.get(User, user.id).merchant_id == merchant.id


def test_reactivating_a_merchant_without_coordinates_is_refused():
    MerchantFactory(code="OLD1", lat=None, lon=None, is_active=False)

    with pytest.raises(ValidationFailed):
        services.set_merchant_active("OLD1", True)

    db.session.expire_all()
    assert services.get_merchant("OLD1").is_active is False


def test_a_new_primary_contact_takes_over_from_the_old_one():
    _create()
    first = services.add_contact("HZ001", name="张三", role="店长", is_primary=True)

    second = services.add_contact("HZ001", name="李四", role="收货人", is_primary=True)

    db.session.expire_all()
    primaries = db.session.scalars(
        sa.select(MerchantContact).where(MerchantContact.is_primary.is_(True))
    ).all()
    assert [c.id for c in primaries] == [second.id]
    assert db.session.get(MerchantContact, first.id).is_primary is False


def test_promoting_an_existing_contact_to_primary():
    _create()
    first = services.add_contact("HZ001", name="张三", is_primary=True)
    second = services.add_contact("HZ001", name="李四")

    services.update_contact("HZ001", second.id, is_primary=True)

    db.session.expire_all()
    assert db.session.get(MerchantContact, first.id).is_primary is False
    assert db.session.get(MerchantContact, second.id).is_primary is True


def test_contact_needs_a_name_and_belongs_to_its_merchant():
    _create()
    other = MerchantFactory(code="HZ002")
    contact = services.add_contact("HZ002", name="赵六")

    with pytest.raises(ValidationFailed):
        services.add_contact("HZ001", name=" ")
    with pytest.raises(NotFound):
        services.remove_contact("HZ001", contact.id)

    assert _count(MerchantContact) == 1
    assert other.contacts[0].name == "赵六"


def test_creates_a_merchant_user_that_belongs_to_the_merchant():
    merchant = _create()

    user = services.create_merchant_user(
        "HZ001", "hz001-boss", "long enough 1", display_name="王老板"
    )

    assert (user.role, user.merchant_id, user.display_name) == (
        "merchant",
        merchant.id,
        "王老板",
    )


def test_no_users_for_an_inactive_or_unknown_merchant():
    MerchantFactory(code="GONE", is_active=False)

    with pytest.raises(Conflict):
        services.create_merchant_user("GONE", "gone-1", "long enough 1")
    with pytest.raises(NotFound):
        services.create_merchant_user("NOPE", "nope-1", "long enough 1")

    assert _count(User) == 0


def test_get_visible_merchant_hides_other_merchants_from_a_merchant_user():
    own, other = MerchantFactory(code="OWN"), MerchantFactory(code="OTHER")
    user = merchant_user(own)

    assert get_visible_merchant(user, "OWN").id == own.id
    assert get_visible_merchant(user, own.id).id == own.id
    with pytest.raises(NotFound):
        get_visible_merchant(user, "OTHER")
    with pytest.raises(NotFound):
        get_visible_merchant(user, other.id)


def test_get_visible_merchant_lets_staff_see_any_and_reports_unknown():
    MerchantFactory(code="ANY")
    staff = UserFactory(role="finance")

    assert get_visible_merchant(staff, "ANY").code == "ANY"
    with pytest.raises(NotFound):
        get_visible_merchant(staff, "NOPE")


def test_scope_to_user_filters_rows_of_another_table_by_merchant():
    own, other = MerchantFactory(), MerchantFactory()
    merchant_user(own, username="own-user")
    merchant_user(other, username="other-user")
    viewer = db.session.scalar(sa.select(User).where(User.username == "own-user"))

    stmt = scope_to_user(
        sa.select(User.username).where(User.role == "merchant"),
        User.merchant_id,
        viewer,
    )

    assert db.session.scalars(stmt).all() == ["own-user"]


def test_database_refuses_out_of_range_coordinates_even_without_the_service():
    db.session.add(Merchant(code="RAW", name="raw", lat=91.0, lon=120.0))

    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
