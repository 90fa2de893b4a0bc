import datetime as dt

import pytest
import sqlalchemy as sa

from supplychain.extensions import db
from supplychain.stock import ledger, replenishment
from supplychain.stock.expiry import local_today
from supplychain.stock.models import StockRule
from supplychain.stock.queries import default_warehouse
from supplychain.stock.reports import local_midnight
from tests.factories import (
    ProductFactory,
    ProductSupplierFactory,
    UserFactory,
    WarehouseFactory,
    merchant_user,
)


def rules():
    db.session.expire_all()
    return {
        (r.product.sku, r.warehouse.code): (r.reorder_point, r.safety_stock, r.method)
        for r in db.session.scalars(sa.select(StockRule))
    }


@pytest.fixture
def keeper(app, auth_headers):
    return auth_headers(UserFactory(role="warehouse"))


@pytest.fixture
def finance(app, auth_headers):
    return auth_headers(UserFactory(role="finance"))


@pytest.fixture
def merchant(app, auth_headers):
    return auth_headers(merchant_user())


@pytest.fixture
def low_product(app):
    product = ProductFactory(sku="LOW-1", name="阿胶膏")
    ProductSupplierFactory(product=product, case_qty=5, moq=10)
    main = default_warehouse()
    ledger.post_receipt(product.id, main.id, 4)
    db.session.commit()
    replenishment.set_rule(product.id, main.id, reorder_point=8, safety_stock=3)
    return product


def test_the_low_stock_list_is_a_bare_array_with_a_total(client, keeper, low_product):
    response = client.get("/api/v1/stock/low-stock?warehouse=MAIN", headers=keeper)

    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "1"
    [row] = response.json
    assert row["sku"] == "LOW-1" and row["warehouse"] == "MAIN"
    assert (row["available_qty"], row["inbound_qty"], row["shortfall_qty"]) == (4, 0, 4)
    assert row["suggested_qty"] == 10  # 4 + 3 = 7 → minimum order 10
    assert (row["case_qty"], row["moq"]) == (5, 10)


def test_the_low_stock_list_pages(client, keeper, low_product):
    response = client.get("/api/v1/stock/low-stock?page=2&per_page=1", headers=keeper)

    assert response.json == [] and response.headers["X-Total-Count"] == "1"


def test_an_unknown_warehouse_filter_is_a_field_error(client, keeper):
    response = client.get("/api/v1/stock/low-stock?warehouse=NOPE", headers=keeper)

    assert response.status_code == 422
    assert "warehouse" in response.json["error"]["details"]


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/stock/low-stock"),
        ("get", "/api/v1/stock/rules"),
        ("put", "/api/v1/stock/rules/LOW-1"),
        ("delete", "/api/v1/stock/rules/LOW-1"),
        ("post", "/api/v1/stock/rules/suggest"),
    ],
)
def test_merchant_users_get_403_and_strangers_401(client, merchant, method, path):
    body = {"reorder_point": 1, "safety_stock": 0} if method == "put" else {}

    refused = getattr(client, method)(path, json=body, headers=merchant)
    anonymous = getattr(client, method)(path, json=body)

    assert refused.status_code == 403
    assert refused.json["error"]["code"] == "forbidden"
    assert anonymous.status_code == 401


def test_rules_are_listed_by_warehouse_and_sku(client, keeper, low_product):
    other = WarehouseFactory(code="XS")
    replenishment.set_rule(low_product.id, other.id, reorder_point=2, safety_stock=1)

    all_rules = client.get("/api/v1/stock/rules", headers=keeper)
    one = client.get("/api/v1/stock/rules?warehouse=XS&sku=LOW-1", headers=keeper)

    assert all_rules.headers["X-Total-Count"] == "2"
    assert [r["warehouse"] for r in all_rules.json] == ["MAIN", "XS"]
    assert one.json == [
        {
            "sku": "LOW-1",
            "name": "阿胶膏",
            "unit": "盒",
            "warehouse": "XS",
            "reorder_point": 2,
            "safety_stock": 1,
            "lead_time_days": None,
            "method": "manual",
            "updated_at": one.json[0]["updated_at"],
        }
    ]


def test_put_sets_a_manual_rule_in_the_default_or_a_named_warehouse(client, keeper):
    ProductFactory(sku="P-1")
    WarehouseFactory(code="XS")

    main = client.put(
        "/api/v1/stock/rules/P-1",
        json={"reorder_point": 30, "safety_stock": 6, "lead_time_days": 3},
        headers=keeper,
    )
    other = client.put(
        "/api/v1/stock/rules/P-1?warehouse=xs",
        json={"reorder_point": 5, "safety_stock": 1},
        headers=keeper,
    )

    assert main.status_code == 200 and main.json["lead_time_days"] == 3
    assert other.status_code == 200 and other.json["warehouse"] == "XS"
    assert rules() == {
        ("P-1", "MAIN"): (30, 6, "manual"),
        ("P-1", "XS"): (5, 1, "manual"),
    }


@pytest.mark.parametrize(
    "body, field",
    [
        ({"reorder_point": -1, "safety_stock": 0}, "reorder_point"),
        ({"reorder_point": "5", "safety_stock": 0}, "reorder_point"),
        ({"reorder_point": 5.5, "safety_stock": 0}, "reorder_point"),
        ({"reorder_point": 10**9, "safety_stock": 0}, "reorder_point"),
        ({"reorder_point": 5, "safety_stock": 9}, "safety_stock"),
        (
            {"reorder_point": 5, "safety_stock": 1, "lead_time_days": 999},
            "lead_time_days",
        ),
        ({"safety_stock": 1}, "reorder_point"),
        ({"reorder_point": 5, "safety_stock": 1, "method": "manual"}, "method"),
    ],
)
def test_put_refuses_bad_numbers_with_field_errors(client, keeper, body, field):
    ProductFactory(sku="P-1")

    response = client.put("/api/v1/stock/rules/P-1", json=body, headers=keeper)

    assert response.status_code == 422
    assert field in response.json["error"]["details"]
    assert rules() == {}


def test_put_refuses_an_unknown_sku_or_warehouse(client, keeper):
    ProductFactory(sku="P-1")
    body = {"reorder_point": 5, "safety_stock": 1}

    sku = client.put("/api/v1/stock/rules/NOPE", json=body, headers=keeper)
    warehouse = client.put(
        "/api/v1/stock/rules/P-1?warehouse=NOPE", json=body, headers=keeper
    )

    assert sku.status_code == 422 and "sku" in sku.json["error"]["details"]
    assert warehouse.status_code == 422
    assert "warehouse" in warehouse.json["error"]["details"]
    assert rules() == {}


def test_finance_may_read_but_not_change_rules(client, finance, low_product):
    read = client.get("/api/v1/stock/rules", headers=finance)
    put = client.put(
        "/api/v1/stock/rules/LOW-1",
        json={"reorder_point": 1, "safety_stock": 0},
        headers=finance,
    )

    assert read.status_code == 200 and put.status_code == 403
    assert rules()[("LOW-1", "MAIN")] == (8, 3, "manual")


def test_delete_removes_a_rule_then_it_is_not_found(client, keeper, low_product):
    first = client.delete("/api/v1/stock/rules/LOW-1?warehouse=MAIN", headers=keeper)
    again = client.delete("/api/v1/stock/rules/LOW-1", headers=keeper)

    assert first.status_code == 204 and rules() == {}
    assert again.status_code == 404 and again.json["error"]["code"] == "not_found"


def sold(product, qty, days_ago):
    main = default_warehouse()
    day = local_midnight(local_today() - dt.timedelta(days=days_ago))
    ledger.post_receipt(product.id, main.id, qty, created_at=day)
    ledger.post_issue(product.id, main.id, qty, created_at=day + dt.timedelta(hours=8))
    db.session.commit()


def test_suggest_previews_then_applies_without_touching_manual_rules(
    client, keeper, low_product
):
    busy = ProductFactory(sku="BUSY-1")
    for days_ago in (1, 4):
        sold(busy, 14, days_ago)
        sold(low_product, 14, days_ago)

    preview = client.post(
        "/api/v1/stock/rules/suggest", json={"days": 7}, headers=keeper
    )
    applied = client.post(
        "/api/v1/stock/rules/suggest",
        json={"warehouse": "MAIN", "days": 7, "apply": True},
        headers=keeper,
    )

    assert preview.status_code == 200
    by_sku = {s["sku"]: s for s in preview.json}
    assert (
        by_sku["LOW-1"]["is_manual"] and by_sku["LOW-1"]["current_reorder_point"] == 8
    )
    assert by_sku["BUSY-1"]["avg_daily_qty"] == "4.00"
    assert not any(s["applied"] for s in preview.json)
    assert {s["sku"]: s["applied"] for s in applied.json} == {
        "BUSY-1": True,
        "LOW-1": False,
    }
    after = rules()
    assert after[("LOW-1", "MAIN")] == (8, 3, "manual")
    assert after[("BUSY-1", "MAIN")][2] == "suggested"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"days": 6}, "days"),
        ({"days": 366}, "days"),
        ({"days": "28"}, "days"),
        ({"apply": "yes"}, "apply"),
        ({"warehouse": "NOPE"}, "warehouse"),
        ({"weeks": 4}, "weeks"),
    ],
)
def test_suggest_refuses_bad_input(client, keeper, body, field):
    response = client.post("/api/v1/stock/rules/suggest", json=body, headers=keeper)

    assert response.status_code == 422
    assert field in response.json["error"]["details"]
    assert rules() == {}


def test_finance_may_preview_suggestions_but_not_apply_them(client, finance):
    preview = client.post("/api/v1/stock/rules/suggest", json={}, headers=finance)
    apply = client.post(
        "/api/v1/stock/rules/suggest", json={"apply": True}, headers=finance
    )

    assert preview.status_code == 200 and preview.json == []
    assert apply.status_code == 403
