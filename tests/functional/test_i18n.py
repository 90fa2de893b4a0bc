import pytest

from supplychain.config import DefaultConfig
from tests.factories import UserFactory


@pytest.fixture
def app_config():
    return {"BABEL_DEFAULT_LOCALE": DefaultConfig.BABEL_DEFAULT_LOCALE}


def test_pages_are_chinese_by_default(client):
    page = client.get("/auth/login").get_data(as_text=True)

    assert DefaultConfig.BABEL_DEFAULT_LOCALE == "zh_CN"
    assert 'lang="zh-CN"' in page
    assert "登录" in page


def test_language_switch_turns_pages_english_and_back(client, login_as):
    login_as(UserFactory(role="admin"))

    client.post("/auth/lang/en", data={"next": "/"})
    english = client.get("/").get_data(as_text=True)
    client.post("/auth/lang/zh_CN", data={"next": "/"})
    chinese = client.get("/").get_data(as_text=True)

    assert 'lang="en"' in english and "Products" in english
    assert 'lang="zh-CN"' in chinese and "商品" in chinese


def test_unknown_language_is_ignored(client):
    client.post("/auth/lang/xx", data={"next": "/auth/login"})

    assert 'lang="zh-CN"' in client.get("/auth/login").get_data(as_text=True)


def test_api_answers_in_english_whatever_the_session_language(client):
    client.post("/auth/lang/zh_CN", data={"next": "/"})

    response = client.post(
        "/api/v1/auth/token", json={"username": "nobody", "password": "wrong password"}
    )

    assert response.json["error"]["message"] == "Wrong username or password."


def test_a_rule_message_reaches_a_chinese_page_in_chinese(client, login_as):
    from tests.factories import merchant_user, stocked_product

    product = stocked_product(100, min_order_qty=6, order_step=6)
    login_as(merchant_user())
    client.post("/auth/lang/zh_CN", data={"next": "/"})

    page = client.post(
        "/orders/cart/set", data={"sku": product.sku, "qty": "7", "back": "shop"}
    ).get_data(as_text=True)

    assert "最接近的数量是 12" in page
    assert "nearest quantity" not in page


def test_the_api_keeps_rule_messages_in_english(client, auth_headers):
    from tests.factories import merchant_user, stocked_product

    product = stocked_product(100, min_order_qty=6, order_step=6)
    headers = auth_headers(merchant_user()) | {"Idempotency-Key": "k-1"}
    client.post("/auth/lang/zh_CN", data={"next": "/"})

    body = client.post(
        "/api/v1/orders", json={"lines": [{"sku": product.sku, "qty": 7}]},
        headers=headers,
    ).get_json()

    assert body["error"]["details"]["lines"]["0"]["qty"] == [
        "Order 6 plus multiples of 6; the nearest quantity is 12."
    ]
