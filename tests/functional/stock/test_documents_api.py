from decimal import Decimal

import pytest
import sqlalchemy as sa

from supplychain.extensions import db
from supplychain.stock import documents, ledger
from supplychain.stock.models import StockDocument, StockMove
from supplychain.stock.queries import default_warehouse
from tests.factories import (
    ProductFactory,
    SupplierFactory,
    UserFactory,
    WarehouseFactory,
    merchant_user,
)

URL = "/api/v1/stock/documents"


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def keeper_user(app):
    return UserFactory(role="warehouse")


@pytest.fixture
def keeper(keeper_user, auth_headers):
    return auth_headers(keeper_user)


@pytest.fixture
def stocked(app):
    product = ProductFactory(sku="API-1", name="同仁堂 枸杞子 250g")
    ledger.post_receipt(
        product.id, default_warehouse().id, 10, unit_cost=Decimal("3.00")
    )
    db.session.commit()
    return product


def test_a_receipt_is_201_with_its_lines_values_and_moves(client, keeper, stocked):
    supplier = SupplierFactory(code="S-TRT")

    response = client.post(
        URL,
        headers=keeper,
        json={
            "kind": "receipt",
            "supplier": "S-TRT",
            "external_ref": "DN-9",
            "lines": [{"sku": "API-1", "qty": 4, "unit_cost": "2.75"}],
        },
    )

    assert response.status_code == 201, response.json
    body = response.json
    assert body["number"].startswith("RC-") and body["status"] == "posted"
    assert (body["warehouse"], body["supplier"], body["external_ref"]) == (
        "MAIN",
        supplier.code,
        "DN-9",
    )
    assert body["total_value"] == "11.00"
    [line] = body["lines"]
    assert (line["sku"], line["qty"], line["unit_cost"], line["value"]) == (
        "API-1",
        4,
        "2.75",
        "11.00",
    )
    [move] = body["moves"]
    assert (move["from_location"], move["to_location"], move["qty"]) == (
        "supplier",
        "MAIN",
        4,
    )
    assert move["reason"] == f"Receipt {body['number']}"
    assert move["reference_type"] == "stock_document"
    assert move["reference_id"] == body["id"]


def test_the_same_idempotency_key_returns_the_same_document(client, keeper, stocked):
    headers = keeper | {"Idempotency-Key": "9b2f6c1e-receipt"}
    body = {"kind": "receipt", "lines": [{"sku": "API-1", "qty": 1}]}

    first = client.post(URL, headers=headers, json=body)
    again = client.post(URL, headers=headers, json=body)
    by_field = client.post(
        URL, headers=keeper, json=body | {"client_token": "9b2f6c1e-receipt"}
    )

    assert first.status_code == again.status_code == 201
    assert first.json["id"] == again.json["id"] == by_field.json["id"]
    assert count(StockDocument) == 1


def test_an_issue_short_of_stock_is_409_with_the_line_and_what_is_available(
    client, keeper, stocked
):
    moves = count(StockMove)

    response = client.post(
        URL,
        headers=keeper,
        json={"kind": "issue", "lines": [{"sku": "API-1", "qty": 11}]},
    )

    assert response.status_code == 409
    error = response.json["error"]
    assert error["code"] == "insufficient_stock"
    assert error["details"]["lines"] == [
        {"sku": "API-1", "requested_qty": 11, "available_qty": 10, "line": 0}
    ]
    assert error["details"]["errors"] == {"lines.0.qty": ["Only 10 available here."]}
    assert count(StockMove) == moves


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "receipt", "lines": [{"sku": "API-1", "qty": "4"}]}, "lines"),
        (
            {"kind": "receipt", "lines": [{"sku": "API-1", "qty": 1, "colour": 1}]},
            "lines",
        ),
        ({"kind": "receipt", "lines": []}, "lines"),
        ({"kind": "receipt", "lines": [{"sku": "API-1", "qty": 1}] * 201}, "lines"),
        ({"kind": "gift", "lines": [{"sku": "API-1", "qty": 1}]}, "kind"),
        ({"kind": "receipt", "lines": [{"sku": "NOPE", "qty": 1}]}, "lines.0.sku"),
        ({"kind": "receipt", "lines": [{"sku": "API-1", "qty": 0}]}, "lines.0.qty"),
        (
            {"kind": "receipt", "lines": [{"sku": "API-1", "qty": 1, "bin": "Z-1"}]},
            "lines.0.bin",
        ),
        (
            {
                "kind": "receipt",
                "supplier_id": 999,
                "lines": [{"sku": "API-1", "qty": 1}],
            },
            "supplier",
        ),
        (
            {
                "kind": "issue",
                "merchant": "NOPE",
                "lines": [{"sku": "API-1", "qty": 1}],
            },
            "merchant",
        ),
        (
            {
                "kind": "transfer",
                "to_warehouse": "MAIN",
                "lines": [{"sku": "API-1", "qty": 1}],
            },
            "to_warehouse",
        ),
        (
            {
                "kind": "move",
                "to_warehouse": "XS",
                "lines": [{"sku": "API-1", "qty": 1}],
            },
            "to_warehouse",
        ),
        ({"kind": "adjustment", "lines": [{"sku": "API-1", "qty": -1}]}, "reason_code"),
        (
            {"kind": "receipt", "extra": True, "lines": [{"sku": "API-1", "qty": 1}]},
            "extra",
        ),
    ],
)
def test_bad_bodies_are_422_on_their_field_and_write_nothing(
    client, keeper, stocked, body, field
):
    moves = count(StockMove)

    response = client.post(URL, headers=keeper, json=body)

    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert error["code"] == "validation_error"
    assert field in error["details"], error["details"]
    assert (count(StockMove), count(StockDocument)) == (moves, 0)


def test_documents_are_listed_with_a_total_and_found_by_kind_and_sku(
    client, keeper, keeper_user, stocked
):
    ProductFactory(sku="API-2")
    documents.receive_goods([{"sku": "API-2", "qty": 1}], user_id=keeper_user.id)
    issue = documents.issue_goods([{"sku": "API-1", "qty": 2}], user_id=keeper_user.id)

    everything = client.get(URL, headers=keeper)
    issues = client.get(f"{URL}?kind=issue", headers=keeper)
    by_sku = client.get(f"{URL}?q=API-2&per_page=1", headers=keeper)
    bad = client.get(f"{URL}?kind=gift", headers=keeper)

    assert everything.headers["X-Total-Count"] == "2"
    assert [d["number"] for d in issues.json] == [issue.number]
    assert issues.json[0]["total_value"] == "6.00"
    assert by_sku.headers["X-Total-Count"] == "1" and len(by_sku.json) == 1
    assert bad.status_code == 422


def test_one_document_is_read_by_its_number_and_an_unknown_one_is_404(
    client, keeper, keeper_user, stocked
):
    doc = documents.issue_goods([{"sku": "API-1", "qty": 2}], user_id=keeper_user.id)

    found = client.get(f"{URL}/{doc.number}", headers=keeper)
    missing = client.get(f"{URL}/IS-20990101-0001", headers=keeper)

    assert found.status_code == 200
    assert found.json["lines"][0]["signed_qty"] == 2
    assert found.json["moves"][0]["to_location"] == "customer"
    assert missing.status_code == 404
    assert missing.json["error"]["code"] == "not_found"


def test_a_transfer_is_received_partly_then_written_off(
    client, keeper, keeper_user, stocked
):
    WarehouseFactory(code="XS")
    sent = client.post(
        URL,
        headers=keeper,
        json={
            "kind": "transfer",
            "to_warehouse": "XS",
            "lines": [{"sku": "API-1", "qty": 5}],
        },
    )
    number = sent.json["number"]

    partly = client.post(
        f"{URL}/{number}/receive",
        headers=keeper,
        json={"lines": [{"line_no": 1, "qty": 3}]},
    )
    too_many = client.post(
        f"{URL}/{number}/receive",
        headers=keeper,
        json={"lines": [{"line_no": 1, "qty": 3}]},
    )
    unclear = client.post(
        f"{URL}/{number}/receive", headers=keeper, json={"write_off_missing": True}
    )
    closed = client.post(
        f"{URL}/{number}/receive",
        headers=keeper,
        json={"lines": [], "write_off_missing": True},
    )
    twice = client.post(f"{URL}/{number}/receive", headers=keeper, json={})

    assert sent.json["status"] == "in_transit"
    assert partly.status_code == 200
    assert partly.json["lines"][0]["in_transit_qty"] == 2
    assert too_many.status_code == 422
    assert "lines.0.qty" in too_many.json["error"]["details"]
    assert unclear.status_code == 422  # what arrived must be said to write off
    assert closed.json["status"] == "received"
    assert closed.json["lines"][0]["lost_qty"] == 2
    assert closed.json["received_by"] == keeper_user.username
    assert twice.status_code == 409


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_posted_document_is_never_edited(
    client, keeper, keeper_user, stocked, method
):
    doc = documents.issue_goods([{"sku": "API-1", "qty": 1}], user_id=keeper_user.id)

    response = getattr(client, method)(
        f"{URL}/{doc.number}", headers=keeper, json={"lines": []}
    )

    assert response.status_code == 405
    error = response.json["error"]
    assert error["code"] == "method_not_allowed"
    assert "never edited" in error["message"]
    assert response.headers["Allow"] == "GET"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_posted_move_is_never_edited(client, keeper, stocked, method):
    move_id = db.session.scalar(sa.select(StockMove.id))

    response = getattr(client, method)(
        f"/api/v1/stock/moves/{move_id}", headers=keeper, json={"qty": 1}
    )

    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"
    assert "never edited" in response.json["error"]["message"]
    assert db.session.get(StockMove, move_id).qty == 10


def test_one_move_is_read_by_its_id(client, keeper, stocked):
    move_id = db.session.scalar(sa.select(StockMove.id))

    found = client.get(f"/api/v1/stock/moves/{move_id}", headers=keeper)
    missing = client.get("/api/v1/stock/moves/99999999999", headers=keeper)

    assert (found.status_code, found.json["sku"], found.json["qty"]) == (
        200,
        "API-1",
        10,
    )
    assert missing.status_code == 404


@pytest.mark.parametrize(
    "method, path",
    [
        ("post", URL),
        ("get", URL),
        ("get", f"{URL}/RC-20990101-0001"),
        ("put", f"{URL}/RC-20990101-0001"),
        ("post", f"{URL}/TR-20990101-0001/receive"),
        ("get", "/api/v1/stock/moves/1"),
        ("delete", "/api/v1/stock/moves/1"),
    ],
)
def test_a_merchant_user_is_forbidden_and_nobody_without_a_token_gets_in(
    client, auth_headers, stocked, method, path
):
    headers = auth_headers(merchant_user())
    body = {"kind": "receipt", "lines": [{"sku": "API-1", "qty": 1}]}

    forbidden = getattr(client, method)(path, headers=headers, json=body)
    anonymous = getattr(client, method)(path, json=body)

    assert forbidden.status_code == 403
    assert forbidden.json["error"]["code"] == "forbidden"
    assert anonymous.status_code == 401
    assert count(StockDocument) == 0


def test_a_buyer_reads_documents_but_does_not_post_them(client, auth_headers, stocked):
    headers = auth_headers(UserFactory(role="buyer"))

    assert client.get(URL, headers=headers).status_code == 200
    assert (
        client.post(
            URL,
            headers=headers,
            json={"kind": "receipt", "lines": [{"sku": "API-1", "qty": 1}]},
        ).status_code
        == 403
    )


def test_the_openapi_document_lists_the_document_and_move_routes(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]

    assert set(paths[URL]) >= {"get", "post"}
    assert set(paths[URL + "/{number}"]) >= {"get", "put", "patch", "delete"}
    assert "post" in paths[URL + "/{number}/receive"]
    assert set(paths["/api/v1/stock/moves/{move_id}"]) >= {
        "get",
        "put",
        "patch",
        "delete",
    }
    parameters = paths[URL]["post"]["parameters"]
    assert any(p["name"] == "Idempotency-Key" for p in parameters)
