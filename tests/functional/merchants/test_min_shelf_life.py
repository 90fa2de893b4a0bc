import pytest
import sqlalchemy as sa

from supplychain.extensions import db
from supplychain.merchants.models import Merchant
from tests.factories import MerchantFactory, UserFactory, merchant_user

FORM = {
    "name": "西湖健康小店", "address": "文三路 1 号", "lat": "30.2741", "lon": "120.1551",
    "kind": "store", "payment_terms_days": "0",
}  # fmt: skip


def shelf_life(code):
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Merchant.min_shelf_life_days).where(Merchant.code == code)
    )


@pytest.fixture
def sales(app):
    return UserFactory(role="sales")


def test_the_api_sets_shows_and_clears_the_minimum_shelf_life(
    client, auth_headers, sales
):
    MerchantFactory(code="HZ001")
    headers = auth_headers(sales)

    set_ = client.patch(
        "/api/v1/merchants/HZ001", json={"min_shelf_life_days": 120}, headers=headers
    )
    shown = client.get("/api/v1/merchants/HZ001", headers=headers)
    cleared = client.patch(
        "/api/v1/merchants/HZ001", json={"min_shelf_life_days": None}, headers=headers
    )

    assert set_.status_code == 200 and set_.json["min_shelf_life_days"] == 120
    assert shown.json["min_shelf_life_days"] == 120
    assert cleared.status_code == 200 and cleared.json["min_shelf_life_days"] is None
    assert shelf_life("HZ001") is None


def test_the_api_creates_a_merchant_with_a_minimum_shelf_life(
    client, auth_headers, sales
):
    response = client.post(
        "/api/v1/merchants",
        json={
            "code": "HZ009",
            "name": "店",
            "address": "路",
            "lat": 30.2,
            "lon": 120.1,
            "min_shelf_life_days": 60,
        },
        headers=auth_headers(sales),
    )

    assert response.status_code == 201 and response.json["min_shelf_life_days"] == 60


@pytest.mark.parametrize("days", [-1, 3651, "90", 12.5, True])
def test_the_api_refuses_a_bad_shelf_life_with_a_field_error(
    client, auth_headers, sales, days
):
    MerchantFactory(code="HZ001", min_shelf_life_days=30)

    response = client.patch(
        "/api/v1/merchants/HZ001",
        json={"min_shelf_life_days": days},
        headers=auth_headers(sales),
    )

    assert response.status_code == 422
    assert "min_shelf_life_days" in response.json["error"]["details"]
    assert shelf_life("HZ001") == 30


def test_the_edit_form_sets_the_shelf_life_and_the_merchant_page_shows_it(
    client, login_as, sales
):
    MerchantFactory(code="HZ001")
    login_as(sales)

    form = client.get("/merchants/HZ001/edit").get_data(as_text=True)
    saved = client.post(
        "/merchants/HZ001/edit", data=FORM | {"min_shelf_life_days": "45"}
    )
    page = client.get("/merchants/HZ001").get_data(as_text=True)

    assert 'name="min_shelf_life_days"' in form
    assert saved.status_code == 302 and shelf_life("HZ001") == 45
    assert "45 days remaining on delivery" in page


def test_the_edit_form_prefills_and_blank_removes_the_minimum(client, login_as, sales):
    MerchantFactory(code="HZ001", min_shelf_life_days=75)
    login_as(sales)

    form = client.get("/merchants/HZ001/edit").get_data(as_text=True)
    client.post("/merchants/HZ001/edit", data=FORM | {"min_shelf_life_days": ""})
    page = client.get("/merchants/HZ001").get_data(as_text=True)

    assert 'name="min_shelf_life_days" type="text" value="75"' in form
    assert shelf_life("HZ001") is None and "no minimum" in page


@pytest.mark.parametrize("days", ["abc", "-3", "4000", "2.5"])
def test_the_edit_form_shows_a_bad_shelf_life_next_to_the_field(
    client, login_as, sales, days
):
    MerchantFactory(code="HZ001", min_shelf_life_days=30)
    login_as(sales)

    response = client.post(
        "/merchants/HZ001/edit", data=FORM | {"min_shelf_life_days": days}
    )

    assert response.status_code == 400
    assert 'id="e-min_shelf_life_days"' in response.get_data(as_text=True)
    assert shelf_life("HZ001") == 30


def test_a_merchant_user_sees_its_own_minimum_shelf_life(client, login_as):
    merchant = MerchantFactory(code="HZ001", min_shelf_life_days=90)
    login_as(merchant_user(merchant))

    page = client.get("/merchants/HZ001").get_data(as_text=True)

    assert "90 days remaining on delivery" in page
