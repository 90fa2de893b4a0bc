"""contracts.md §2: the ordering endpoints allow one user at least 50 requests per
second, even where a deployment sets default or application-wide rate limits."""

import pytest

from tests.factories import merchant_user, stocked_product
from tests.functional.orders import ORDERS, place


@pytest.fixture
def app_config():
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_DEFAULT": "5 per minute",
        "RATELIMIT_APPLICATION": "20 per minute",
    }


def test_a_burst_of_orders_from_one_user_is_never_rate_limited(client, auth_headers):
    product = stocked_product(1000)
    shop = auth_headers(merchant_user())

    statuses = [
        place(client, shop, {"lines": [{"sku": product.sku, "qty": 1}]}).status_code
        for _ in range(30)
    ] + [client.get(ORDERS, headers=shop).status_code for _ in range(30)]
    calendar = [
        client.get(ORDERS + "/calendar", headers=shop).status_code for _ in range(10)
    ]

    assert statuses == [201] * 30 + [200] * 30
    assert calendar == [200] * 10


def test_the_limits_of_this_module_are_live_elsewhere(client, auth_headers):
    shop = auth_headers(merchant_user())

    statuses = [
        client.get("/api/v1/products", headers=shop).status_code for _ in range(8)
    ]

    assert 429 in statuses
