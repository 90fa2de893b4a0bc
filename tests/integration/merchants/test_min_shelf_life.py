import pytest
import sqlalchemy as sa

from supplychain.errors import ValidationFailed
from supplychain.extensions import db
from supplychain.merchants import services
from supplychain.merchants.models import Merchant
from tests.factories import MerchantFactory

NEW = {"name": "拱墅健康小店", "address": "莫干山路 8 号", "lat": 30.3, "lon": 120.1}


@pytest.fixture(autouse=True)
def app(any_db_app):
    return any_db_app


def shelf_life(code):
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Merchant.min_shelf_life_days).where(Merchant.code == code)
    )


def test_a_merchant_is_created_with_a_minimum_shelf_life():
    merchant = services.create_merchant("GS01", min_shelf_life_days=90, **NEW)

    assert merchant.min_shelf_life_days == 90 and shelf_life("GS01") == 90


@pytest.mark.parametrize("days", [0, 3650, None])
def test_the_minimum_shelf_life_can_be_changed_or_removed(days):
    MerchantFactory(code="GS02", min_shelf_life_days=30)

    services.update_merchant("GS02", min_shelf_life_days=days)

    assert shelf_life("GS02") == days


@pytest.mark.parametrize("days", [-1, 3651, 10**9, 2.5, "30", True])
def test_a_shelf_life_outside_0_to_3650_days_is_refused_and_nothing_written(days):
    MerchantFactory(code="GS03", min_shelf_life_days=30)

    with pytest.raises(ValidationFailed) as error:
        services.update_merchant("GS03", min_shelf_life_days=days, name="新名")
    with pytest.raises(ValidationFailed):
        services.create_merchant("GS04", min_shelf_life_days=days, **NEW)

    assert "min_shelf_life_days" in error.value.errors
    assert shelf_life("GS03") == 30
    assert (
        db.session.scalar(sa.select(Merchant.name).where(Merchant.code == "GS03"))
        != "新名"
    )
    assert shelf_life("GS04") is None
    assert (
        db.session.scalar(sa.select(Merchant.id).where(Merchant.code == "GS04")) is None
    )
