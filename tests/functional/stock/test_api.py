import pytest
import sqlalchemy as sa

from supplychain.extensions import db
from supplychain.stock import ledger
from supplychain.stock.models import Bin, Lot, StockLevel, StockMove, Warehouse
from supplychain.stock.queries import default_warehouse
from tests.factories import ProductFactory, UserFactory, WarehouseFactory, merchant_user


def counts():
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (StockMove, StockLevel, Lot, Warehouse, Bin)
    )


@pytest.fixture
def keeper(auth_headers):
    return auth_headers(UserFactory(role="warehouse"))


def test_adjustment_returns_the_move_and_stock_shows_it(client, keeper):
    product = ProductFactory(sku="AJ-001")

    response = client.post(
        "/api/v1/stock/adjustments",
        headers=keeper,
        json={"sku": "AJ-001", "qty": 30, "reason": "期初库存 opening stock"},
    )
    stock = client.get("/api/v1/stock?sku=AJ-001", headers=keeper)

    assert response.status_code == 201, response.json
    move = response.json
    assert (move["sku"], move["qty"], move["delta_qty"], move["warehouse"]) == (
        "AJ-001",
        30,
        30,
        "MAIN",
    )
    assert (move["from_location"], move["to_location"]) == ("adjustment", "MAIN")
    assert move["reason"] == "期初库存 opening stock"
    assert move["created_at"].endswith("+00:00")
    assert stock.status_code == 200
    assert stock.headers["X-Total-Count"] == "1"
    assert stock.json == [
        {
            "sku": product.sku,
            "name": product.name,
            "unit": product.unit,
            "warehouse": "MAIN",
            "on_hand_qty": 30,
            "reserved_qty": 0,
            "available_qty": 30,
        }
    ]


def test_negative_adjustment_writes_off_and_reserved_stock_is_protected(client, keeper):
    product = ProductFactory(sku="AJ-002")
    main = default_warehouse()
    ledger.post_adjustment(product.id, main.id, 10, "opening")
    ledger.reserve(product.id, main.id, 8)
    db.session.commit()

    ok = client.post(
        "/api/v1/stock/adjustments",
        headers=keeper,
        json={"sku": "AJ-002", "qty": -2, "reason": "破损"},
    )
    refused = client.post(
        "/api/v1/stock/adjustments",
        headers=keeper,
        json={"sku": "AJ-002", "qty": -1, "reason": "破损"},
    )

    assert ok.status_code == 201
    assert (ok.json["qty"], ok.json["delta_qty"], ok.json["to_location"]) == (
        2,
        -2,
        "adjustment",
    )
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "insufficient_stock"
    assert refused.json["error"]["details"]["lines"] == [
        {"sku": "AJ-002", "requested_qty": 1, "available_qty": 0}
    ]


def test_adjustment_in_another_warehouse_with_lot_and_expiry(client, keeper):
    ProductFactory(sku="LOT-1", is_lot_tracked=True)
    WarehouseFactory(code="XS")

    response = client.post(
        "/api/v1/stock/adjustments",
        headers=keeper,
        json={
            "sku": "LOT-1",
            "qty": 5,
            "reason": "count",
            "warehouse": "XS",
            "lot": "B2027",
            "expiry_date": "2027-06-30",
        },
    )

    assert response.status_code == 201, response.json
    assert (
        response.json["warehouse"],
        response.json["lot"],
        response.json["expiry_date"],
    ) == ("XS", "B2027", "2027-06-30")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"sku": "NOPE", "qty": 1, "reason": "x"}, "sku"),
        ({"sku": "BAD-1", "qty": 0, "reason": "x"}, "qty"),
        ({"sku": "BAD-1", "qty": "5", "reason": "x"}, "qty"),
        ({"sku": "BAD-1", "qty": 1.5, "reason": "x"}, "qty"),
        ({"sku": "BAD-1", "qty": True, "reason": "x"}, "qty"),
        ({"sku": "BAD-1", "qty": 10**9, "reason": "x"}, "qty"),
        ({"sku": "BAD-1", "qty": 1, "reason": ""}, "reason"),
        ({"sku": "BAD-1", "qty": 1, "reason": "   "}, "reason"),
        ({"sku": "BAD-1", "qty": 1, "reason": "x" * 201}, "reason"),
        ({"sku": "BAD-1", "qty": 1}, "reason"),
        ({"qty": 1, "reason": "x"}, "sku"),
        (
            {"sku": "BAD-1", "qty": 1, "reason": "x", "warehouse": "NOWHERE"},
            "warehouse",
        ),
        (
            {"sku": "BAD-1", "qty": 1, "reason": "x", "expiry_date": "2027-02-30"},
            "expiry_date",
        ),
        ({"sku": "BAD-1", "qty": 1, "reason": "x", "lot": "L1"}, "lot"),
        ({"sku": "BAD-LOT", "qty": 1, "reason": "x"}, "lot"),
        ({"sku": "BAD-1", "qty": 1, "reason": "x", "bin": "A99-1-01-L1"}, "bin"),
        ({"sku": "BAD-1", "qty": 1, "reason": "x", "colour": "red"}, "colour"),
    ],
)
def test_bad_adjustment_is_422_on_the_field_and_writes_nothing(
    client, keeper, body, field
):
    ProductFactory(sku="BAD-1")
    ProductFactory(sku="BAD-LOT", is_lot_tracked=True)
    before = counts()

    response = client.post("/api/v1/stock/adjustments", headers=keeper, json=body)

    assert response.status_code == 422, response.json
    assert response.json["error"]["code"] == "validation_error"
    assert field in response.json["error"]["details"]
    assert counts() == before


def test_malformed_json_is_400_and_writes_nothing(client, keeper):
    before = counts()

    response = client.post(
        "/api/v1/stock/adjustments",
        headers=keeper | {"Content-Type": "application/json"},
        data="{not json",
    )

    assert response.status_code == 400
    assert counts() == before


@pytest.mark.parametrize("role", ["sales", "buyer", "finance", "driver", "merchant"])
def test_only_admin_and_warehouse_may_adjust(client, auth_headers, role):
    ProductFactory(sku="ROLE-1")
    user = merchant_user() if role == "merchant" else UserFactory(role=role)

    response = client.post(
        "/api/v1/stock/adjustments",
        headers=auth_headers(user),
        json={"sku": "ROLE-1", "qty": 1, "reason": "x"},
    )

    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    "method, path",
    [
        ("post", "/api/v1/stock/adjustments"),
        ("get", "/api/v1/stock"),
        ("get", "/api/v1/stock/moves"),
        ("get", "/api/v1/warehouses"),
        ("post", "/api/v1/warehouses"),
        ("get", "/api/v1/warehouses/MAIN/bins"),
    ],
)
def test_every_endpoint_needs_a_token(client, method, path):
    response = getattr(client, method)(path, json={})

    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


def test_merchants_do_not_see_stock_levels(client, auth_headers):
    response = client.get("/api/v1/stock", headers=auth_headers(merchant_user()))

    assert response.status_code == 403


def test_stock_lists_every_active_product_and_warehouse_with_paging(client, keeper):
    for n in range(3):
        ProductFactory(sku=f"PG-{n}")
    WarehouseFactory(code="XS")

    first = client.get("/api/v1/stock?q=PG-&per_page=4", headers=keeper)
    second = client.get("/api/v1/stock?q=PG-&per_page=4&page=2", headers=keeper)
    only_xs = client.get("/api/v1/stock?q=PG-&warehouse=XS", headers=keeper)

    assert first.headers["X-Total-Count"] == "6"
    assert [(r["sku"], r["warehouse"]) for r in first.json + second.json] == [
        ("PG-0", "MAIN"),
        ("PG-0", "XS"),
        ("PG-1", "MAIN"),
        ("PG-1", "XS"),
        ("PG-2", "MAIN"),
        ("PG-2", "XS"),
    ]
    assert {r["warehouse"] for r in only_xs.json} == {"XS"}
    assert all(r["available_qty"] == 0 for r in first.json)


@pytest.mark.parametrize("query", ["per_page=0", "per_page=201", "page=0", "page=x"])
def test_bad_paging_is_422(client, keeper, query):
    assert client.get(f"/api/v1/stock?{query}", headers=keeper).status_code == 422


def test_moves_are_listed_newest_first_for_a_sku(client, keeper):
    product = ProductFactory(sku="MV-1")
    main = default_warehouse()
    ledger.post_receipt(
        product.id, main.id, 9, reference_type="purchase_order", reference_id=3
    )
    ledger.post_adjustment(product.id, main.id, -1, "破损")
    db.session.commit()

    response = client.get("/api/v1/stock/moves?sku=MV-1", headers=keeper)

    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "2"
    assert [(m["delta_qty"], m["reason"]) for m in response.json] == [
        (-1, "破损"),
        (9, "Receipt"),
    ]
    assert response.json[1]["reference_type"] == "purchase_order"


def test_admin_creates_a_warehouse_with_a_layout_and_lists_it(client, auth_headers):
    admin = auth_headers(UserFactory(role="admin"))
    layout = {
        "n_aisles": 12,
        "n_cross_aisles": 3,
        "bays_per_block": 20,
        "aisle_spacing": 3.0,
        "bay_length": 1.2,
        "cross_to_first_bay": 1.5,
        "depot_aisle": 5.5,
        "depot_offset": 2.0,
    }

    created = client.post(
        "/api/v1/warehouses",
        headers=admin,
        json={
            "code": "xs",
            "name": "萧山仓",
            "address": "杭州市萧山区",
            "lat": 30.18,
            "lon": 120.26,
            "layout": layout,
        },
    )
    flat = client.post(
        "/api/v1/warehouses",
        headers=admin,
        json={"code": "YH", "name": "余杭仓", "n_aisles": 4},
    )
    listed = client.get("/api/v1/warehouses", headers=admin)

    assert created.status_code == 201, created.json
    assert (created.json["code"], created.json["layout"]) == ("XS", layout)
    assert flat.status_code == 201, flat.json
    assert flat.json["layout"]["n_aisles"] == 4
    assert [w["code"] for w in listed.json] == ["MAIN", "XS", "YH"]
    assert listed.json[0]["is_default"] is True


@pytest.mark.parametrize(
    "body, field",
    [
        ({"code": "MAIN", "name": "again"}, "code"),
        ({"code": "has space", "name": "x"}, "code"),
        ({"code": "X" * 21, "name": "x"}, "code"),
        ({"code": "OK", "name": ""}, "name"),
        ({"code": "OK"}, "name"),
        ({"code": "OK", "name": "x", "lat": 91}, "lat"),
        ({"code": "OK", "name": "x", "layout": {"n_aisles": 0}}, "layout"),
        ({"code": "OK", "name": "x", "layout": {"n_cross_aisles": 1}}, "layout"),
        ({"code": "OK", "name": "x", "layout": {"aisle_spacing": -1}}, "layout"),
        ({"code": "OK", "name": "x", "layout": {"shelves": 3}}, "layout"),
        (
            {"code": "OK", "name": "x", "layout": {"n_aisles": 4, "depot_aisle": 9}},
            "depot_aisle",
        ),
    ],
)
def test_bad_warehouse_is_422_and_writes_nothing(client, auth_headers, body, field):
    admin = auth_headers(UserFactory(role="admin"))
    before = counts()

    response = client.post("/api/v1/warehouses", headers=admin, json=body)

    assert response.status_code == 422, response.json
    assert field in response.json["error"]["details"]
    assert counts() == before


def test_only_admin_creates_warehouses(client, keeper):
    response = client.post(
        "/api/v1/warehouses", headers=keeper, json={"code": "NO", "name": "x"}
    )

    assert response.status_code == 403


def test_bins_are_generated_idempotently_and_listed_with_their_optimizer_position(
    client, auth_headers
):
    admin = auth_headers(UserFactory(role="admin"))
    client.post(
        "/api/v1/warehouses",
        headers=admin,
        json={
            "code": "SM",
            "name": "小仓",
            "layout": {"n_aisles": 2, "n_cross_aisles": 3, "bays_per_block": 3},
        },
    )

    first = client.post("/api/v1/warehouses/SM/bins", headers=admin, json={"levels": 2})
    again = client.post("/api/v1/warehouses/SM/bins", headers=admin, json={"levels": 2})
    listed = client.get("/api/v1/warehouses/SM/bins?aisle=2&per_page=3", headers=admin)

    assert first.json == {"created": 2 * 2 * 3 * 2 * 2, "deactivated": 0, "total": 48}
    assert again.json == {"created": 0, "deactivated": 0, "total": 48}
    assert listed.headers["X-Total-Count"] == "24"
    assert listed.json[0] == {
        "code": "A02-1-01-L1",
        "aisle": 2,
        "block": 1,
        "bay": 1,
        "side": "L",
        "level": 1,
        "is_active": True,
        "is_quarantine": False,
        "layout_position": [1, 0, 0, "L"],
    }


def test_shrinking_the_layout_deactivates_bins_outside_it(client, auth_headers):
    admin = auth_headers(UserFactory(role="admin"))
    client.post(
        "/api/v1/warehouses",
        headers=admin,
        json={
            "code": "SH",
            "name": "x",
            "layout": {"n_aisles": 3, "bays_per_block": 2},
        },
    )
    client.post("/api/v1/warehouses/SH/bins", headers=admin, json={})

    patched = client.patch(
        "/api/v1/warehouses/SH", headers=admin, json={"layout": {"n_aisles": 2}}
    )
    result = client.post("/api/v1/warehouses/SH/bins", headers=admin, json={})

    assert patched.status_code == 200 and patched.json["layout"]["n_aisles"] == 2
    assert result.json == {"created": 0, "deactivated": 4, "total": 12}


def test_unknown_warehouse_is_404(client, keeper):
    response = client.get("/api/v1/warehouses/NOPE/bins", headers=keeper)

    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_the_default_warehouse_cannot_be_deactivated(client, auth_headers):
    admin = auth_headers(UserFactory(role="admin"))

    response = client.patch(
        "/api/v1/warehouses/MAIN", headers=admin, json={"is_active": False}
    )

    assert response.status_code == 422
    assert "is_default" in response.json["error"]["details"]


def test_making_another_warehouse_default_moves_the_flag(client, auth_headers):
    admin = auth_headers(UserFactory(role="admin"))
    client.post(
        "/api/v1/warehouses", headers=admin, json={"code": "NEW", "name": "新仓"}
    )

    response = client.patch(
        "/api/v1/warehouses/NEW", headers=admin, json={"is_default": True}
    )

    assert response.status_code == 200
    defaults = db.session.scalars(
        sa.select(Warehouse.code).where(Warehouse.is_default)
    ).all()
    assert defaults == ["NEW"]
