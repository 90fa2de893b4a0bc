"""周期送 and 订单导入 JSON API: /api/v1/standing-orders and /api/v1/orders/import."""

import io

import pytest
import sqlalchemy as sa

from supplychain.extensions import db
from supplychain.orders.models import Order, StandingOrder
from tests.factories import MerchantFactory, UserFactory, merchant_user, stocked_product

URL = "/api/v1/standing-orders"


@pytest.fixture
def product():
    return stocked_product(10)


@pytest.fixture
def shop_user():
    return merchant_user()


@pytest.fixture
def shop(auth_headers, shop_user):
    return auth_headers(shop_user)


def body(product, **extra):
    return {
        "name": "周二周五",
        "weekdays": [5, 2],
        "lines": [{"sku": product.sku, "qty": 2}],
    } | extra


def create(client, headers, product, **extra):
    response = client.post(URL, json=body(product, **extra), headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def test_creating_returns_the_standing_order_with_its_next_date(
    client, shop, shop_user, product
):
    created = create(client, shop, product)

    assert created["merchant"] == shop_user.merchant.code
    assert created["weekdays"] == [2, 5] and created["is_active"] is True
    assert created["lines"] == [
        {"sku": product.sku, "name": product.name, "unit": product.unit, "qty": 2}
    ]
    assert created["next_delivery_date"] is not None and created["runs"] == []


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"merchant": "M0001"}, "merchant"),
        ({"weekdays": ["mon"]}, "weekdays"),
        ({"weekdays": [0]}, "weekdays"),
        ({"lines": []}, "lines"),
        ({"lines": [{"sku": "X", "qty": 1.5}]}, "lines"),
        ({"colour": "red"}, "colour"),
        ({"end_date": "2020-01-01"}, "end_date"),
    ],
)
def test_bad_bodies_are_422_and_write_nothing(client, shop, product, extra, field):
    response = client.post(URL, json=body(product, **extra), headers=shop)

    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_error"
    assert field in response.json["error"]["details"]
    assert db.session.scalar(sa.select(sa.func.count(StandingOrder.id))) == 0


def test_listing_shows_only_the_merchants_own_with_a_total(
    client, auth_headers, shop, product
):
    create(client, shop, product)
    other = auth_headers(merchant_user())
    create(client, other, product)

    mine = client.get(URL, headers=shop)
    everyone = client.get(URL, headers=auth_headers(UserFactory(role="sales")))

    assert mine.status_code == 200 and len(mine.json) == 1
    assert mine.headers["X-Total-Count"] == "1"
    assert everyone.headers["X-Total-Count"] == "2"


def test_another_merchants_standing_order_is_404(client, auth_headers, shop, product):
    created = create(client, shop, product)
    stranger = auth_headers(merchant_user())
    url = f"{URL}/{created['id']}"

    assert client.get(url, headers=stranger).status_code == 404
    assert client.put(url, json={"name": "x"}, headers=stranger).status_code == 404
    assert client.delete(url, headers=stranger).status_code == 404
    assert client.get(url, headers=shop).json["name"] == "周二周五"


def test_put_changes_given_fields_and_delete_removes(client, shop, product):
    created = create(client, shop, product)
    url = f"{URL}/{created['id']}"

    changed = client.put(url, json={"is_active": False, "weekdays": [3]}, headers=shop)
    deleted = client.delete(url, headers=shop)

    assert changed.status_code == 200
    assert changed.json["is_active"] is False and changed.json["weekdays"] == [3]
    assert changed.json["name"] == "周二周五"
    assert deleted.status_code == 204
    assert client.get(url, headers=shop).status_code == 404


def test_staff_name_the_merchant(client, auth_headers, product):
    merchant = MerchantFactory()
    sales = auth_headers(UserFactory(role="sales"))

    missing = client.post(URL, json=body(product), headers=sales)
    created = create(client, sales, product, merchant=merchant.code)

    assert missing.status_code == 422 and "merchant" in missing.json["error"]["details"]
    assert created["merchant"] == merchant.code


def test_roles_and_tokens_are_checked(client, auth_headers):
    assert client.get(URL).status_code == 401
    warehouse = auth_headers(UserFactory(role="warehouse"))
    assert client.get(URL, headers=warehouse).status_code == 403
    assert client.post("/api/v1/orders/import", headers=warehouse).status_code == 403


# --- import ---------------------------------------------------------------------------


def post_file(client, headers, text, filename="orders.csv"):
    return client.post(
        "/api/v1/orders/import",
        data={"file": (io.BytesIO(text.encode("utf-8")), filename)},
        content_type="multipart/form-data",
        headers=headers,
    )


def test_an_import_returns_201_with_the_orders(client, auth_headers, product):
    a, b = MerchantFactory(), MerchantFactory()
    sales = auth_headers(UserFactory(role="sales"))

    response = post_file(
        client, sales,
        f"merchant,sku,qty\n{a.code},{product.sku},2\n{b.code},{product.sku},1\n",
    )  # fmt: skip

    assert response.status_code == 201, response.json
    assert [o["merchant"] for o in response.json["orders"]] == [a.code, b.code]
    assert response.json["orders"][0]["total_amount"] == "25.00"
    assert response.json["total_amount"] == "37.50" and response.json["rows"] == 2


def test_a_refused_import_is_422_with_the_rows(client, shop, product):
    response = post_file(client, shop, f"sku,qty\n{product.sku},2\nNOPE,1\n")

    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_error"
    assert error["details"]["rows"] == [
        {"row": 3, "column": "sku", "message": "Unknown SKU 'NOPE'."}
    ]
    assert db.session.scalar(sa.select(sa.func.count(Order.id))) == 0


def test_an_import_needs_a_multipart_file(client, shop):
    as_json = client.post("/api/v1/orders/import", json={"file": "x"}, headers=shop)
    no_file = client.post(
        "/api/v1/orders/import", data={}, content_type="multipart/form-data",
        headers=shop,
    )  # fmt: skip

    assert as_json.status_code == 415
    assert no_file.status_code == 422 and "file" in no_file.json["error"]["details"]
