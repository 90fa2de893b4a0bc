"""进销存报表 JSON API: money as two-place strings, integer quantities, bare arrays with
X-Total-Count, 4xx in the error shape for bad dates, long periods and unknown
warehouses or SKUs; readers only."""

import datetime as dt

import pytest

from supplychain.stock.expiry import local_today
from tests.factories import UserFactory, last_month_stock_history, merchant_user


@pytest.fixture
def reader(auth_headers):
    return auth_headers(UserFactory(role="finance"))


@pytest.fixture
def history(app):
    return last_month_stock_history()


def get(client, url, headers, status=200):
    response = client.get(url, headers=headers)
    assert response.status_code == status, response.json
    return response


def test_the_movement_report_defaults_to_last_month(client, reader, history):
    response = get(client, "/api/v1/stock/reports/movements", reader)

    assert response.headers["X-Total-Count"] == "2"
    cake = response.json[0]
    assert (cake["sku"], cake["name"], cake["warehouse"]) == (
        "RP-1",
        "东阿阿胶 阿胶糕",
        None,
    )
    assert cake["opening"] == {"qty": 0, "value": "0.00"}
    assert cake["receipts"] == {"qty": 100, "value": "200.00"}
    assert cake["issues"] == {"qty": 30, "value": "60.00"}
    assert cake["closing"] == {"qty": 70, "value": "140.00"}
    odd = response.json[1]
    assert odd["adjustments"] == {"qty": -1, "value": "-9.99"}


def test_the_movement_report_by_warehouse_sku_and_page(client, reader, history):
    first, last = history["first"], history["last"]
    url = f"/api/v1/stock/reports/movements?from={first}&to={last}&warehouse=MAIN"
    one = get(client, url + "&sku=RP-2", reader).json
    paged = get(client, url + "&per_page=1&page=2", reader)

    assert [(row["sku"], row["warehouse"]) for row in one] == [("RP-2", "MAIN")]
    assert [row["sku"] for row in paged.json] == ["RP-2"]
    assert paged.headers["X-Total-Count"] == "2"


@pytest.mark.parametrize(
    "query, status, field",
    [
        ("from=2026-13-01&to=2026-12-31", 422, "from"),
        ("from=2026-03-10&to=2026-03-01", 422, "to"),
        ("from=2025-01-01&to=2026-01-02", 422, "to"),
        ("from=2026-01-01", 422, "to"),
        ("per_page=201", 422, "per_page"),
        ("warehouse=NOPE", 404, None),
        ("sku=NOPE", 404, None),
    ],
)
def test_bad_movement_queries_are_4xx_in_the_error_shape(
    client, reader, query, status, field
):
    response = get(client, f"/api/v1/stock/reports/movements?{query}", reader, status)
    error = response.json["error"]
    assert error["code"] == ("validation_error" if status == 422 else "not_found")
    if field:
        assert field in error["details"]


def test_value_at_the_end_of_a_day(client, reader, history):
    rows = get(client, f"/api/v1/stock/reports/value?at={history['last']}", reader).json
    assert rows == [
        {"warehouse": "MAIN", "sku": "RP-1", "name": "东阿阿胶 阿胶糕", "qty": 70,
         "unit_cost": "2.00", "value": "140.00"},
        {"warehouse": "MAIN", "sku": "RP-2", "name": "=1+2 艾灸贴", "qty": 9,
         "unit_cost": "9.99", "value": "89.91"},
    ]  # fmt: skip
    before = history["first"] - dt.timedelta(days=1)
    assert get(client, f"/api/v1/stock/reports/value?at={before}", reader).json == []
    future = local_today() + dt.timedelta(days=1)
    get(client, f"/api/v1/stock/reports/value?at={future}", reader, 422)
    get(client, "/api/v1/stock/reports/value?at=31.10.2026", reader, 422)
    get(client, "/api/v1/stock/reports/value?warehouse=NOPE", reader, 404)


def test_near_expiry_lists_expiring_then_expired_lots(client, reader, history):
    rows = get(client, "/api/v1/stock/reports/near-expiry", reader).json

    assert rows == [
        {"status": "expiring", "warehouse": "MAIN", "sku": "RP-1",
         "name": "东阿阿胶 阿胶糕", "unit": "盒", "lot": "LOT-A", "production_date": None,
         "expiry_date": (local_today() + dt.timedelta(days=30)).isoformat(),
         "days_left": 30, "qty": 70, "reserved_qty": None, "unit_cost": "2.00",
         "value": "140.00"},
    ]  # fmt: skip
    assert get(client, "/api/v1/stock/reports/near-expiry?days=29", reader).json == []
    for days in ("-1", "3651", "soon"):
        get(client, f"/api/v1/stock/reports/near-expiry?days={days}", reader, 422)


def test_places_by_bin_and_lot(client, reader, history):
    response = get(client, "/api/v1/stock/reports/places?warehouse=MAIN", reader)
    assert response.headers["X-Total-Count"] == "2"
    cake = response.json[0]
    assert (cake["bin"], cake["lot"], cake["qty"], cake["days_left"]) == (
        None, "LOT-A", 70, 30,
    )  # fmt: skip
    assert (cake["quarantine"], cake["expired"]) == (False, False)
    assert get(client, "/api/v1/stock/reports/places?bin=A01", reader).json == []
    get(client, "/api/v1/stock/reports/places?sku=NOPE", reader, 404)


def test_the_history_of_a_sku(client, reader, history):
    first = history["first"]
    body = get(
        client,
        f"/api/v1/stock/products/RP-1/history?from={first}&to={local_today()}",
        reader,
    ).json

    assert (body["sku"], body["from"], body["warehouse"]) == ("RP-1", str(first), None)
    assert body["opening"] == {"qty": 0, "value": "0.00"}
    assert body["closing"] == {"qty": 70, "value": "140.00"}
    receipt, issue = body["lines"]
    assert (receipt["qty_in"], receipt["value_in"], receipt["from_location"]) == (
        100, "200.00", "supplier",
    )  # fmt: skip
    assert receipt["at"].endswith("+00:00")
    assert (issue["qty_out"], issue["balance"]) == (30, {"qty": 70, "value": "140.00"})
    get(client, "/api/v1/stock/products/NOPE/history", reader, 404)
    get(client, "/api/v1/stock/products/RP-1/history?warehouse=NOPE", reader, 404)
    get(client, "/api/v1/stock/products/RP-1/history?from=2026-02-02&to=2026-02-01",
        reader, 422)  # fmt: skip


@pytest.mark.parametrize("role", ["sales", "driver", "dispatcher"])
def test_other_roles_are_403(client, auth_headers, role):
    headers = auth_headers(UserFactory(role=role))
    for path in ("movements", "value", "near-expiry", "places"):
        response = client.get(f"/api/v1/stock/reports/{path}", headers=headers)
        assert response.status_code == 403, path
        assert response.json["error"]["code"] == "forbidden"


def test_merchants_are_403_and_anonymous_401(client, auth_headers):
    headers = auth_headers(merchant_user())
    assert client.get("/api/v1/stock/reports/value", headers=headers).status_code == 403
    assert client.get("/api/v1/stock/reports/value").status_code == 401


def test_the_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/stock/reports/movements", "/api/v1/stock/reports/value",
                 "/api/v1/stock/reports/near-expiry", "/api/v1/stock/reports/places",
                 "/api/v1/stock/products/{sku}/history"):  # fmt: skip
        assert path in paths
