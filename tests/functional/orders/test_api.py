import datetime as dt
from decimal import Decimal

import pytest

from supplychain.checks import run_checks
from supplychain.database import utcnow
from supplychain.extensions import db
from supplychain.orders import schedule
from supplychain.stock.queries import available_qty, default_warehouse
from tests.factories import MerchantFactory, UserFactory, merchant_user, stocked_product
from tests.functional.orders import ORDERS, error_of, local_today, place, written

CONTRACT_KEYS = {
    "id",
    "number",
    "status",
    "merchant",
    "delivery_date",
    "lines",
    "total_amount",
}


@pytest.fixture
def merchant():
    return MerchantFactory(code="M-HZ01")


@pytest.fixture
def shop(auth_headers, merchant):
    return auth_headers(merchant_user(merchant))


@pytest.fixture
def sales(auth_headers):
    return auth_headers(UserFactory(role="sales"))


def available(product):
    db.session.expire_all()
    return available_qty(product.id, default_warehouse().id)


def test_placing_an_order_reserves_stock_and_returns_the_contract_body(
    client, shop, merchant
):
    product = stocked_product(10, sku="AJ-001", price=Decimal("12.50"))
    calendar = schedule.calendar_for(merchant)
    before = calendar.next_delivery_date(utcnow())

    response = place(
        client, shop, {"lines": [{"sku": "AJ-001", "qty": 3}], "note": "放门口"}
    )

    after = calendar.next_delivery_date(utcnow())
    assert response.status_code == 201, response.json
    body = response.json
    assert CONTRACT_KEYS <= set(body)
    assert body["merchant"] == "M-HZ01"
    assert body["status"] == "placed"
    assert body["delivery_date"] in {before.isoformat(), after.isoformat()}
    assert body["number"].startswith("SO-" + body["delivery_date"].replace("-", ""))
    assert body["lines"] == [
        {
            "sku": "AJ-001",
            "name": product.name,
            "unit": "盒",
            "qty": 3,
            "unit_price": "12.50",
            "line_amount": "37.50",
        }
    ]
    assert body["total_amount"] == "37.50"
    assert body["note"] == "放门口"
    assert body["source"] == "api"
    assert body["cutoff_at"].endswith("+08:00")
    assert available(product) == 7
    assert run_checks() == {}


def test_same_key_and_body_returns_the_identical_order_without_a_second(client, shop):
    product = stocked_product(10)
    body = {"lines": [{"sku": product.sku, "qty": 2}]}

    first = place(client, shop, body, key="3f6c0d2e-retry")
    again = place(client, shop, body, key="3f6c0d2e-retry")

    assert first.status_code == again.status_code == 201
    assert again.get_data() == first.get_data()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert written()["orders"] == 1
    assert available(product) == 8


def test_the_same_key_of_another_user_is_another_order(client, shop, auth_headers):
    product = stocked_product(10)
    other = auth_headers(merchant_user())
    body = {"lines": [{"sku": product.sku, "qty": 1}]}

    first = place(client, shop, body, key="shared")
    second = place(client, other, body, key="shared")

    assert first.status_code == second.status_code == 201
    assert first.json["id"] != second.json["id"]


def test_sales_staff_order_for_a_merchant_by_its_code(client, sales, merchant):
    product = stocked_product(10)

    response = place(
        client, sales, {"merchant": "M-HZ01", "lines": [{"sku": product.sku, "qty": 4}]}
    )

    assert response.status_code == 201, response.json
    assert response.json["merchant"] == "M-HZ01"


def test_an_order_may_ask_for_a_later_open_delivery_date(client, shop):
    product = stocked_product(10)
    day = local_today() + dt.timedelta(days=3)

    response = place(
        client,
        shop,
        {"delivery_date": day.isoformat(), "lines": [{"sku": product.sku, "qty": 1}]},
    )

    assert response.status_code == 201, response.json
    assert response.json["delivery_date"] == day.isoformat()


def test_merchant_lists_only_its_own_orders_and_staff_filter_them(
    client, shop, sales, auth_headers
):
    product = stocked_product(20)
    mine = place(client, shop, {"lines": [{"sku": product.sku, "qty": 1}]}).json
    other_shop = auth_headers(merchant_user(MerchantFactory(code="M-HZ02")))
    theirs = place(client, other_shop, {"lines": [{"sku": product.sku, "qty": 2}]}).json

    own = client.get(ORDERS, headers=shop)
    everything = client.get(ORDERS, headers=sales)
    by_merchant = client.get(ORDERS + "?merchant=M-HZ02", headers=sales)
    by_number = client.get(ORDERS + "?q=" + mine["number"], headers=sales)
    cancelled = client.get(ORDERS + "?status=cancelled", headers=sales)
    paged = client.get(ORDERS + "?per_page=1&page=2", headers=sales)

    assert own.status_code == 200
    assert [o["id"] for o in own.json] == [mine["id"]]
    assert own.headers["X-Total-Count"] == "1"
    assert [o["id"] for o in everything.json] == [theirs["id"], mine["id"]]
    assert everything.headers["X-Total-Count"] == "2"
    assert [o["id"] for o in by_merchant.json] == [theirs["id"]]
    assert [o["id"] for o in by_number.json] == [mine["id"]]
    assert cancelled.json == []
    assert [o["id"] for o in paged.json] == [mine["id"]]
    assert own.json[0] == client.get(f"{ORDERS}/{mine['id']}", headers=shop).json


def test_list_filters_by_delivery_date(client, sales, merchant):
    product = stocked_product(20)
    later = local_today() + dt.timedelta(days=4)
    place(
        client, sales, {"merchant": "M-HZ01", "lines": [{"sku": product.sku, "qty": 1}]}
    )
    wanted = place(
        client,
        sales,
        {
            "merchant": "M-HZ01",
            "delivery_date": later.isoformat(),
            "lines": [{"sku": product.sku, "qty": 1}],
        },
    ).json

    response = client.get(f"{ORDERS}?delivery_date={later}", headers=sales)

    assert [o["id"] for o in response.json] == [wanted["id"]]


def test_an_order_is_found_by_id_and_by_number(client, shop):
    product = stocked_product(10)
    order = place(client, shop, {"lines": [{"sku": product.sku, "qty": 1}]}).json

    by_id = client.get(f"{ORDERS}/{order['id']}", headers=shop)
    by_number = client.get(f"{ORDERS}/{order['number'].lower()}", headers=shop)

    assert by_id.status_code == by_number.status_code == 200
    assert by_id.json == by_number.json == order


def test_cancel_releases_the_stock_and_a_second_cancel_changes_nothing(client, shop):
    product = stocked_product(10)
    order = place(client, shop, {"lines": [{"sku": product.sku, "qty": 6}]}).json

    cancelled = client.post(f"{ORDERS}/{order['id']}/cancel", headers=shop)
    again = client.post(f"{ORDERS}/{order['number']}/cancel", headers=shop, json={})

    assert cancelled.status_code == 200, cancelled.json
    assert cancelled.json["status"] == "cancelled"
    assert cancelled.json["cancelled_at"]
    assert available(product) == 10
    assert again.status_code == 200
    assert again.json == cancelled.json
    assert run_checks() == {}


def test_amending_lines_moves_reservations_by_the_difference(client, shop):
    kept = stocked_product(10, price=Decimal("3.00"))
    dropped = stocked_product(10)
    added = stocked_product(10, price=Decimal("2.25"))
    order = place(
        client,
        shop,
        {"lines": [{"sku": kept.sku, "qty": 2}, {"sku": dropped.sku, "qty": 5}]},
    ).json

    response = client.put(
        f"{ORDERS}/{order['id']}/lines",
        headers=shop,
        json={
            "lines": [{"sku": kept.sku, "qty": 7}, {"sku": added.sku, "qty": 3}],
            "note": "改数量",
        },
    )

    assert response.status_code == 200, response.json
    body = response.json
    assert [(line["sku"], line["qty"]) for line in body["lines"]] == [
        (kept.sku, 7),
        (added.sku, 3),
    ]
    assert body["total_amount"] == "27.75"  # 7 × 3.00 + 3 × 2.25
    assert body["note"] == "改数量"
    assert (available(kept), available(dropped), available(added)) == (3, 10, 7)
    assert run_checks() == {}


def test_calendar_gives_the_next_date_its_cutoff_and_the_open_dates(client, shop):
    response = client.get(ORDERS + "/calendar", headers=shop)

    assert response.status_code == 200
    body = response.json
    assert body["timezone"] == "Asia/Shanghai"
    assert body["merchant"] == "M-HZ01"
    assert (body["cutoff_time"], body["delivery_weekdays"]) == ("22:00", "1234567")
    assert body["cutoff_at"].endswith("T22:00:00+08:00")
    first = body["open_dates"][0]
    assert first == {
        "delivery_date": body["next_delivery_date"],
        "cutoff_at": body["cutoff_at"],
    }
    assert len(body["open_dates"]) >= 14
    assert dt.datetime.fromisoformat(body["now"]) < dt.datetime.fromisoformat(
        body["cutoff_at"]
    )


def test_staff_see_a_merchants_route_calendar(client, sales, merchant):
    schedule.save_group(
        "R-WEST",
        name="西湖线",
        kind="route",
        cutoff_time=dt.time(18, 30),
        delivery_weekdays="135",
    )
    schedule.assign_group("M-HZ01", "R-WEST", kind="route")

    own = client.get(ORDERS + "/calendar?merchant=M-HZ01", headers=sales)
    distributor = client.get(ORDERS + "/calendar", headers=sales)

    assert own.status_code == 200
    assert (own.json["cutoff_time"], own.json["delivery_weekdays"]) == ("18:30", "135")
    assert own.json["cutoff_at"].endswith("T18:30:00+08:00")
    assert all(
        dt.date.fromisoformat(d["delivery_date"]).isoweekday() in (1, 3, 5)
        for d in own.json["open_dates"]
    )
    assert distributor.json["merchant"] is None
    assert distributor.json["cutoff_time"] == "22:00"


def test_frequent_items_come_from_the_merchants_orders_with_its_price(
    client, shop, sales
):
    often = stocked_product(50, sku="OFTEN", price=Decimal("8.80"))
    once = stocked_product(50, sku="ONCE")
    place(client, shop, {"lines": [{"sku": "OFTEN", "qty": 2}]})
    place(
        client, shop, {"lines": [{"sku": "OFTEN", "qty": 5}, {"sku": "ONCE", "qty": 1}]}
    )

    mine = client.get(ORDERS + "/frequent-items", headers=shop)
    for_staff = client.get(ORDERS + "/frequent-items?merchant=M-HZ01", headers=sales)
    no_merchant = client.get(ORDERS + "/frequent-items", headers=sales)

    assert mine.status_code == 200
    assert [i["sku"] for i in mine.json] == [often.sku, once.sku]
    first = mine.json[0]
    assert (first["times_ordered"], first["total_qty"], first["last_qty"]) == (2, 7, 5)
    assert first["unit_price"] == "8.80"
    assert for_staff.json == mine.json
    assert error_of(no_merchant)[:2] == (422, "validation_error")
    assert "merchant" in error_of(no_merchant)[2]


def test_staff_late_and_credit_overrides_are_recorded_on_the_order(
    client, sales, auth_headers
):
    product = stocked_product(10, price=Decimal("50.00"))
    MerchantFactory(code="M-TIGHT", credit_limit=Decimal("20.00"))
    # lead 2 days: tomorrow's cutoff was yesterday evening, whatever the time now
    schedule.update_settings(
        cutoff_time=dt.time(22, 0), delivery_weekdays="1234567", lead_days=2
    )
    tomorrow = local_today() + dt.timedelta(days=1)

    response = place(
        client,
        sales,
        {
            "merchant": "M-TIGHT",
            "delivery_date": tomorrow.isoformat(),
            "lines": [{"sku": product.sku, "qty": 1}],
            "late_reason": "店长电话补单",
            "credit_reason": "老板同意赊账",
        },
    )

    assert response.status_code == 201, response.json
    assert response.json["delivery_date"] == tomorrow.isoformat()
    assert response.json["late_override_reason"] == "店长电话补单"
    assert response.json["credit_override_reason"] == "老板同意赊账"


def test_openapi_document_lists_the_order_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json

    paths = spec["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/orders"])
    assert "get" in paths["/api/v1/orders/{ref}"]
    assert "put" in paths["/api/v1/orders/{ref}/lines"]
    assert "post" in paths["/api/v1/orders/{ref}/cancel"]
    assert "get" in paths["/api/v1/orders/calendar"]
    assert "get" in paths["/api/v1/orders/frequent-items"]
    assert {"get", "put"} <= set(paths["/api/v1/orders/settings"])
    assert {"get", "post"} <= set(paths["/api/v1/orders/holidays"])
    assert "delete" in paths["/api/v1/orders/holidays/{day}"]
    assert "put" in paths["/api/v1/ordering-groups/{code}"]
    header = paths["/api/v1/orders"]["post"]["parameters"][0]
    assert (header["in"], header["name"], header["required"]) == (
        "header",
        "Idempotency-Key",
        True,
    )


@pytest.mark.parametrize(
    "method, path",
    [
        ("post", ORDERS),
        ("get", ORDERS),
        ("get", ORDERS + "/1"),
        ("put", ORDERS + "/1/lines"),
        ("post", ORDERS + "/1/cancel"),
        ("get", ORDERS + "/calendar"),
        ("get", ORDERS + "/frequent-items"),
        ("get", ORDERS + "/settings"),
        ("get", "/api/v1/ordering-groups"),
    ],
)
def test_every_order_endpoint_needs_a_token(client, method, path):
    response = getattr(client, method)(path)

    assert error_of(response)[:2] == (401, "unauthorized")


@pytest.mark.parametrize(
    "role, method, path",
    [
        ("warehouse", "post", ORDERS),
        ("finance", "post", ORDERS + "/1/cancel"),
        ("warehouse", "put", ORDERS + "/1/lines"),
        ("merchant", "get", ORDERS + "/settings"),
        ("sales", "put", ORDERS + "/settings"),
        ("merchant", "post", ORDERS + "/holidays"),
        ("sales", "put", "/api/v1/ordering-groups/R1"),
    ],
)
def test_roles_that_may_not_are_refused_with_403(
    client, auth_headers, role, method, path
):
    user = merchant_user() if role == "merchant" else UserFactory(role=role)

    response = getattr(client, method)(path, headers=auth_headers(user), json={})

    assert error_of(response)[:2] == (403, "forbidden")
