"""The issue's "Bad input" list against POST /api/v1/orders (and amend/cancel/get):
each answers with the error of contracts.md and writes nothing."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from supplychain.database import utcnow
from supplychain.extensions import db
from supplychain.orders import schedule
from supplychain.orders.models import IdempotencyKey
from supplychain.orders.rules import fingerprint
from supplychain.stock import ledger
from supplychain.stock.queries import default_warehouse
from tests.factories import (
    MerchantFactory,
    ProductFactory,
    UserFactory,
    merchant_user,
    stocked_product,
)
from tests.functional.orders import ORDERS, error_of, local_today, place, written


@pytest.fixture
def shop(auth_headers):
    return auth_headers(merchant_user(MerchantFactory(code="M-HZ01")))


@pytest.fixture
def product():
    return stocked_product(100, sku="AJ-001")


@pytest.fixture
def before(shop, product):
    """The database as it is just before the bad request (tokens and stock exist)."""
    return written()


def refused(response, status, code):
    """The details of a refusal after checking its status and code."""
    got_status, got_code, details = error_of(response)
    assert (got_status, got_code) == (status, code), response.get_json()
    return details


def line_error(details, index, field):
    return details["lines"][str(index)][field]


@pytest.mark.parametrize(
    "qty, message",
    [
        (0, "at least 1"),
        (-3, "at least 1"),
        (1.5, "whole number"),
        (1.0, "whole number"),
        ("3", "whole number"),
        (True, "whole number"),
        (None, "may not be null"),
        (10**12, "at most 1,000,000"),
    ],
)
def test_a_quantity_that_is_not_a_positive_json_integer_is_refused(
    client, shop, product, before, qty, message
):
    response = place(client, shop, {"lines": [{"sku": "AJ-001", "qty": qty}]})

    details = refused(response, 422, "validation_error")
    assert message in line_error(details, 0, "qty")[0]
    assert written() == before


def test_a_quantity_off_the_order_step_is_refused_with_the_nearest_one(client, shop):
    stocked_product(100, sku="CASE6", min_order_qty=6, order_step=6)
    before = written()

    response = place(client, shop, {"lines": [{"sku": "CASE6", "qty": 7}]})

    details = refused(response, 422, "validation_error")
    assert "nearest quantity is 12" in line_error(details, 0, "qty")[0]
    assert written() == before


def test_a_quantity_below_the_minimum_is_refused(client, shop):
    stocked_product(100, sku="MIN5", min_order_qty=5)
    before = written()

    response = place(client, shop, {"lines": [{"sku": "MIN5", "qty": 3}]})

    details = refused(response, 422, "validation_error")
    assert "minimum order quantity is 5" in line_error(details, 0, "qty")[0]
    assert written() == before


def test_an_unknown_sku_is_refused_on_its_line(client, shop, before):
    response = place(
        client,
        shop,
        {"lines": [{"sku": "AJ-001", "qty": 1}, {"sku": "NOPE", "qty": 1}]},
    )

    details = refused(response, 422, "validation_error")
    assert list(details["lines"]) == ["1"]
    assert "Unknown SKU 'NOPE'" in line_error(details, 1, "sku")[0]
    assert written() == before


def test_an_inactive_product_is_refused(client, shop):
    ProductFactory(sku="OLD", is_active=False)
    before = written()

    response = place(client, shop, {"lines": [{"sku": "OLD", "qty": 1}]})

    details = refused(response, 422, "validation_error")
    assert "no longer sold" in line_error(details, 0, "sku")[0]
    assert written() == before


def test_the_same_sku_twice_is_refused_on_the_second_line(client, shop, before):
    response = place(
        client,
        shop,
        {"lines": [{"sku": "AJ-001", "qty": 1}, {"sku": "AJ-001", "qty": 2}]},
    )

    details = refused(response, 422, "validation_error")
    assert "already on line 1" in line_error(details, 1, "sku")[0]
    assert written() == before


def test_an_empty_order_is_refused(client, shop, before):
    response = place(client, shop, {"lines": []})

    details = refused(response, 422, "validation_error")
    assert details == {"lines": ["An order needs at least one line."]}
    assert written() == before


def test_an_order_without_lines_is_refused(client, shop, before):
    response = place(client, shop, {"note": "hello"})

    details = refused(response, 422, "validation_error")
    assert details == {"lines": ["Missing data for required field."]}
    assert written() == before


def test_ten_thousand_lines_are_refused(client, shop, before):
    lines = [{"sku": f"SKU-{n}", "qty": 1} for n in range(10_000)]

    response = place(client, shop, {"lines": lines})

    details = refused(response, 422, "validation_error")
    assert "at most 500 lines" in details["lines"][0]
    assert written() == before


def test_a_line_that_is_not_an_sku_and_qty_object_is_refused(client, shop, before):
    response = place(
        client,
        shop,
        {"lines": [{"sku": "AJ-001", "qty": 1, "price": "0.01"}, "AJ-001", {"qty": 1}]},
    )

    details = refused(response, 422, "validation_error")
    assert line_error(details, 0, "price") == ["Unknown field."]
    assert details["lines"]["1"]["_schema"]
    assert line_error(details, 2, "sku") == ["Missing data for required field."]
    assert written() == before


def test_an_unknown_field_is_refused(client, shop, before):
    response = place(
        client, shop, {"lines": [{"sku": "AJ-001", "qty": 1}], "discount": "50%"}
    )

    details = refused(response, 422, "validation_error")
    assert details == {"discount": ["Unknown field."]}
    assert written() == before


def test_a_past_delivery_date_is_refused(client, shop, before):
    today = local_today()

    response = place(
        client,
        shop,
        {"delivery_date": today.isoformat(), "lines": [{"sku": "AJ-001", "qty": 1}]},
    )

    details = refused(response, 422, "validation_error")
    assert "after today" in details["delivery_date"][0]
    assert written() == before


def test_a_date_that_is_not_a_date_is_refused(client, shop, before):
    response = place(
        client,
        shop,
        {"delivery_date": "2026-02-30", "lines": [{"sku": "AJ-001", "qty": 1}]},
    )

    details = refused(response, 422, "validation_error")
    assert details["delivery_date"] == ["Not a valid date."]
    assert written() == before


def test_a_day_without_deliveries_is_refused(client, shop, product):
    day = local_today() + dt.timedelta(days=3)
    weekdays = "".join(str(d) for d in range(1, 8) if d != day.isoweekday())
    schedule.update_settings(cutoff_time=dt.time(22, 0), delivery_weekdays=weekdays)
    before = written()

    response = place(
        client,
        shop,
        {"delivery_date": day.isoformat(), "lines": [{"sku": "AJ-001", "qty": 1}]},
    )

    details = refused(response, 422, "validation_error")
    assert "is not a delivery day" in details["delivery_date"][0]
    assert written() == before


def test_a_holiday_is_refused(client, shop, product):
    day = local_today() + dt.timedelta(days=3)
    schedule.add_holiday(day, "春节")
    before = written()

    response = place(
        client,
        shop,
        {"delivery_date": day.isoformat(), "lines": [{"sku": "AJ-001", "qty": 1}]},
    )

    details = refused(response, 422, "validation_error")
    assert "holiday" in details["delivery_date"][0]
    assert written() == before


def test_a_date_whose_cutoff_passed_is_409_with_the_next_date(client, shop, product):
    # lead 2 days: tomorrow's cutoff was yesterday evening, whatever the time now
    schedule.update_settings(
        cutoff_time=dt.time(22, 0), delivery_weekdays="1234567", lead_days=2
    )
    tomorrow = local_today() + dt.timedelta(days=1)
    before = written()

    response = place(
        client,
        shop,
        {"delivery_date": tomorrow.isoformat(), "lines": [{"sku": "AJ-001", "qty": 1}]},
    )

    details = refused(response, 409, "cutoff_passed")
    assert details["delivery_date"] == tomorrow.isoformat()
    assert details["cutoff_at"]
    assert dt.date.fromisoformat(details["next_delivery_date"]) > tomorrow
    assert written() == before


def test_a_merchant_user_may_not_override_the_cutoff(client, shop, product):
    schedule.update_settings(
        cutoff_time=dt.time(22, 0), delivery_weekdays="1234567", lead_days=2
    )
    tomorrow = local_today() + dt.timedelta(days=1)
    before = written()

    response = place(
        client,
        shop,
        {
            "delivery_date": tomorrow.isoformat(),
            "lines": [{"sku": "AJ-001", "qty": 1}],
            "late_reason": "please",
        },
    )

    details = refused(response, 422, "validation_error")
    assert details == {"late_reason": ["Only staff can override."]}
    assert written() == before


def test_a_merchant_user_may_not_name_a_merchant(client, shop, product):
    MerchantFactory(code="M-OTHER")
    before = written()

    response = place(
        client, shop, {"merchant": "M-OTHER", "lines": [{"sku": "AJ-001", "qty": 1}]}
    )

    details = refused(response, 422, "validation_error")
    assert list(details) == ["merchant"]
    assert written() == before


def test_staff_must_name_a_known_merchant(client, auth_headers, product):
    sales = auth_headers(UserFactory(role="sales"))
    before = written()

    missing = place(client, sales, {"lines": [{"sku": "AJ-001", "qty": 1}]})
    unknown = place(
        client, sales, {"merchant": "NOPE", "lines": [{"sku": "AJ-001", "qty": 1}]}
    )

    assert list(refused(missing, 422, "validation_error")) == ["merchant"]
    assert (
        "Unknown merchant" in refused(unknown, 422, "validation_error")["merchant"][0]
    )
    assert written() == before


def test_insufficient_stock_is_409_with_what_is_available_and_reserves_nothing(
    client, shop, product
):
    stocked_product(3, sku="SHORT")
    before = written()

    response = place(
        client,
        shop,
        {"lines": [{"sku": "AJ-001", "qty": 10}, {"sku": "SHORT", "qty": 5}]},
    )

    details = refused(response, 409, "insufficient_stock")
    assert details == {
        "lines": [{"sku": "SHORT", "requested_qty": 5, "available_qty": 3}]
    }
    assert written() == before


def test_a_refused_key_can_be_used_again_once_the_problem_is_fixed(
    client, shop, product
):
    short = stocked_product(1, sku="SHORT")
    body = {"lines": [{"sku": "SHORT", "qty": 2}]}
    refused(place(client, shop, body, key="retry-me"), 409, "insufficient_stock")
    ledger.post_adjustment(short.id, default_warehouse().id, 5, reason="到货")
    db.session.commit()

    response = place(client, shop, body, key="retry-me")

    assert response.status_code == 201, response.json


def test_the_credit_limit_is_409_with_the_figures(client, auth_headers):
    stocked_product(100, sku="DEAR", price=Decimal("12.50"))
    merchant = MerchantFactory(code="M-TIGHT", credit_limit=Decimal("30.00"))
    shop = auth_headers(merchant_user(merchant))
    assert (
        place(client, shop, {"lines": [{"sku": "DEAR", "qty": 2}]}).status_code == 201
    )
    before = written()

    response = place(client, shop, {"lines": [{"sku": "DEAR", "qty": 1}]})

    details = refused(response, 409, "credit_limit_exceeded")
    assert details == {
        "credit_limit": "30.00",
        "exposure": "25.00",
        "order_amount": "12.50",
        "available_credit": "5.00",
    }
    assert written() == before


def test_another_merchants_order_is_404_for_read_change_and_cancel(
    client, shop, auth_headers, product
):
    theirs = auth_headers(merchant_user())
    order = place(client, theirs, {"lines": [{"sku": "AJ-001", "qty": 1}]}).json
    before = written()

    responses = [
        client.get(f"{ORDERS}/{order['id']}", headers=shop),
        client.get(f"{ORDERS}/{order['number']}", headers=shop),
        client.post(f"{ORDERS}/{order['id']}/cancel", headers=shop),
        client.put(
            f"{ORDERS}/{order['id']}/lines",
            headers=shop,
            json={"lines": [{"sku": "AJ-001", "qty": 5}]},
        ),
    ]

    assert [error_of(r)[:2] for r in responses] == [(404, "not_found")] * 4
    assert written() == before


@pytest.mark.parametrize(
    "ref", ["999999", "SO-20990101-0001", "99999999999999999999", "²"]
)
def test_an_unknown_order_is_404(client, shop, ref):
    response = client.get(f"{ORDERS}/{ref}", headers=shop)

    assert error_of(response)[:2] == (404, "not_found")


def test_a_missing_idempotency_key_is_400(client, shop, before):
    response = client.post(
        ORDERS, headers=shop, json={"lines": [{"sku": "AJ-001", "qty": 1}]}
    )

    details = refused(response, 400, "idempotency_key_required")
    assert "Idempotency-Key" in details
    assert written() == before


@pytest.mark.parametrize(
    "key", ["k" * 256, "clé-1", "tab\tkey", ""], ids=["256", "latin1", "tab", "empty"]
)
def test_an_idempotency_key_that_is_not_1_to_255_printable_ascii_is_400(
    client, shop, before, key
):
    response = place(client, shop, {"lines": [{"sku": "AJ-001", "qty": 1}]}, key=key)

    details = refused(response, 400, "invalid_idempotency_key")
    assert "Idempotency-Key" in details
    assert written() == before


def test_a_255_character_key_is_accepted(client, shop, product):
    response = place(
        client, shop, {"lines": [{"sku": "AJ-001", "qty": 1}]}, key="k" * 255
    )

    assert response.status_code == 201


def test_the_same_key_with_another_body_is_422_and_keeps_the_first_order(
    client, shop, product
):
    first = place(client, shop, {"lines": [{"sku": "AJ-001", "qty": 1}]}, key="once")
    before = written()

    response = place(client, shop, {"lines": [{"sku": "AJ-001", "qty": 2}]}, key="once")

    details = refused(response, 422, "validation_error")
    assert "different request" in details["Idempotency-Key"][0]
    assert written() == before
    assert client.get(f"{ORDERS}/{first.json['id']}", headers=shop).json == first.json


def test_malformed_json_is_400(client, shop, before):
    response = client.post(
        ORDERS,
        headers=shop | {"Idempotency-Key": "bad-json"},
        data='{"lines": [{"sku": "AJ-001", "qty": 1}',
        content_type="application/json",
    )

    refused(response, 400, "bad_request")
    assert written() == before


def test_a_json_body_that_is_not_an_object_is_422(client, shop, before):
    response = client.post(
        ORDERS,
        headers=shop | {"Idempotency-Key": "array"},
        data=json.dumps([{"sku": "AJ-001", "qty": 1}]),
        content_type="application/json",
    )

    refused(response, 422, "validation_error")
    assert written() == before


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", None]
)
def test_a_body_that_is_not_json_is_415(client, shop, before, content_type):
    kwargs = {"content_type": content_type} if content_type else {}
    response = client.post(
        ORDERS,
        headers=shop | {"Idempotency-Key": "text"},
        data='{"lines": [{"sku": "AJ-001", "qty": 1}]}',
        **kwargs,
    )

    refused(response, 415, "unsupported_media_type")
    assert written() == before


def test_a_body_over_one_megabyte_is_413(client, shop, before):
    body = json.dumps({"lines": [{"sku": "AJ-001", "qty": 1}], "note": "x" * 1_100_000})

    response = client.post(
        ORDERS,
        headers=shop | {"Idempotency-Key": "huge"},
        data=body,
        content_type="application/json",
    )

    refused(response, 413, "payload_too_large")
    assert written() == before


def test_amending_after_the_cutoff_is_409_and_changes_nothing(
    client, shop, auth_headers, product
):
    schedule.update_settings(
        cutoff_time=dt.time(22, 0), delivery_weekdays="1234567", lead_days=2
    )
    tomorrow = local_today() + dt.timedelta(days=1)
    sales = auth_headers(UserFactory(role="sales"))
    order = place(
        client,
        sales,
        {
            "merchant": "M-HZ01",
            "delivery_date": tomorrow.isoformat(),
            "lines": [{"sku": "AJ-001", "qty": 2}],
            "late_reason": "电话补单",
        },
    ).json
    before = written()

    amend = client.put(
        f"{ORDERS}/{order['id']}/lines",
        headers=shop,
        json={"lines": [{"sku": "AJ-001", "qty": 5}]},
    )
    cancel = client.post(f"{ORDERS}/{order['id']}/cancel", headers=shop)

    assert refused(amend, 409, "cutoff_passed")["delivery_date"] == tomorrow.isoformat()
    refused(cancel, 409, "cutoff_passed")
    assert written() == before


def test_staff_may_amend_after_the_cutoff_with_a_reason(client, auth_headers, product):
    schedule.update_settings(
        cutoff_time=dt.time(22, 0), delivery_weekdays="1234567", lead_days=2
    )
    MerchantFactory(code="M-LATE")
    sales = auth_headers(UserFactory(role="sales"))
    order = place(
        client,
        sales,
        {
            "merchant": "M-LATE",
            "delivery_date": (local_today() + dt.timedelta(days=1)).isoformat(),
            "lines": [{"sku": "AJ-001", "qty": 2}],
            "late_reason": "电话补单",
        },
    ).json

    without = client.put(
        f"{ORDERS}/{order['id']}/lines",
        headers=sales,
        json={"lines": [{"sku": "AJ-001", "qty": 3}]},
    )
    with_reason = client.put(
        f"{ORDERS}/{order['id']}/lines",
        headers=sales,
        json={"lines": [{"sku": "AJ-001", "qty": 3}], "override_reason": "店长改量"},
    )

    refused(without, 409, "cutoff_passed")
    assert with_reason.status_code == 200, with_reason.json
    assert with_reason.json["lines"][0]["qty"] == 3
    assert with_reason.json["late_override_reason"] == "店长改量"


def test_bad_amend_bodies_are_refused_and_change_nothing(client, shop, product):
    order = place(client, shop, {"lines": [{"sku": "AJ-001", "qty": 2}]}).json
    before = written()
    url = f"{ORDERS}/{order['id']}/lines"

    empty = client.put(url, headers=shop, json={"lines": []})
    fractional = client.put(
        url, headers=shop, json={"lines": [{"sku": "AJ-001", "qty": 2.5}]}
    )
    text = client.put(url, headers=shop, data="lines=1", content_type="text/plain")
    unknown = client.put(url, headers=shop, json={"lines": [], "merchant": "M-HZ01"})

    assert refused(empty, 422, "validation_error") == {
        "lines": ["An order needs at least one line."]
    }
    assert (
        "whole number"
        in line_error(refused(fractional, 422, "validation_error"), 0, "qty")[0]
    )
    refused(text, 415, "unsupported_media_type")
    assert refused(unknown, 422, "validation_error") == {"merchant": ["Unknown field."]}
    assert written() == before


def test_a_cancel_body_with_an_unknown_field_or_not_json_is_refused(
    client, shop, product
):
    order = place(client, shop, {"lines": [{"sku": "AJ-001", "qty": 2}]}).json
    before = written()
    url = f"{ORDERS}/{order['id']}/cancel"

    unknown = client.post(url, headers=shop, json={"reason": "x"})
    text = client.post(url, headers=shop, data="cancel", content_type="text/plain")
    not_staff = client.post(url, headers=shop, json={"override_reason": "x"})

    assert refused(unknown, 422, "validation_error") == {"reason": ["Unknown field."]}
    refused(text, 415, "unsupported_media_type")
    assert refused(not_staff, 422, "validation_error") == {
        "override_reason": ["Only staff can override."]
    }
    assert written() == before


def test_a_key_whose_first_request_is_still_running_is_409(
    client, auth_headers, product
):
    user = merchant_user()
    shop = auth_headers(user)
    lines = [{"sku": "AJ-001", "qty": 1}]
    request = {"merchant": None, "delivery_date": None, "lines": lines, "note": ""}
    db.session.add(
        IdempotencyKey(
            user_id=user.id,
            key="in-flight",
            request_hash=fingerprint(request),
            status="pending",
            claimed_at=utcnow(),
        )
    )
    db.session.commit()
    before = written()

    response = place(client, shop, {"lines": lines}, key="in-flight")

    refused(response, 409, "idempotency_key_in_use")
    assert written() == before
