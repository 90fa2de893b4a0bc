"""盘点 stock counts JSON API: start, list, read (blind: no expected quantities unless
the caller is a manager), count a bin, approve, cancel — roles, tenancy and errors in
the one error shape, nothing written on refusal."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from supplychain.extensions import db
from supplychain.stock import ledger
from supplychain.stock.models import Bin, StockCount, StockCountLine, StockMove
from supplychain.stock.queries import default_warehouse
from tests.factories import ProductFactory, UserFactory, WarehouseFactory, merchant_user

URL = "/api/v1/stock/counts"


def rows():
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (StockMove, StockCount, StockCountLine)
    )


def make_bin(warehouse=None, bay=1):
    bin_ = Bin(
        warehouse_id=(warehouse or default_warehouse()).id,
        aisle=1,
        block=1,
        bay=bay,
        side="L",
        level=1,
        code=f"A01-1-{bay:02d}-L1",
    )
    db.session.add(bin_)
    db.session.commit()
    return bin_


@pytest.fixture
def stock(app):
    """Bin A01-1-01-L1 with 8 of CT-1 (lot-tracked CT-2: lot L1, 2 of them); bin
    A01-1-02-L1 empty."""
    first, second = make_bin(bay=1), make_bin(bay=2)
    plain = ProductFactory(sku="CT-1", name="艾灸贴")
    lotted = ProductFactory(sku="CT-2", name="阿胶膏", is_lot_tracked=True)
    main = default_warehouse()
    ledger.post_receipt(plain.id, main.id, 8, bin_id=first.id, unit_cost=Decimal("3"))
    ledger.post_receipt(
        lotted.id, main.id, 2, bin_id=first.id, lot="L1", unit_cost=Decimal("5")
    )
    db.session.commit()
    return first, second, plain, lotted


@pytest.fixture
def counter(auth_headers):
    return auth_headers(UserFactory(role="warehouse"))


@pytest.fixture
def manager(auth_headers):
    return auth_headers(UserFactory(role="warehouse_manager"))


def start(client, headers, **body):
    response = client.post(URL, headers=headers, json=body)
    assert response.status_code == 201, response.json
    return response.json


def count_first_bin(client, headers, number, plain_qty=8, lot_qty=2, extra=()):
    return client.put(
        f"{URL}/{number}/bins/A01-1-01-L1",
        headers=headers,
        json={
            "entries": [
                {"sku": "CT-1", "qty": plain_qty},
                {"sku": "CT-2", "lot": "L1", "qty": lot_qty},
                *extra,
            ]
        },
    )


# --- starting and reading -------------------------------------------------------------
def test_a_started_count_lists_its_bins_without_expected_quantities_for_counters(
    client, counter, manager, stock
):
    body = start(client, counter, kind="cycle", bins=["a01-1-01-l1"], note="周盘")

    assert body["number"].startswith("PD-") and body["status"] == "counting"
    assert (body["kind"], body["blind"], body["note"]) == ("cycle", True, "周盘")
    assert (body["counted_bins"], body["total_bins"]) == (0, 1)
    [bin_] = body["bins"]
    assert bin_["code"] == "A01-1-01-L1" and bin_["status"] == "pending"
    assert {line["sku"]: line.get("lot") for line in bin_["lines"]} == {
        "CT-1": None,
        "CT-2": "L1",
    }
    for line in bin_["lines"]:
        assert not {"snapshot_qty", "expected_qty", "variance_qty"} & set(line)
    seen = client.get(f"{URL}/{body['number']}", headers=manager).json
    assert {line["sku"]: line["snapshot_qty"] for line in seen["bins"][0]["lines"]} == {
        "CT-1": 8,
        "CT-2": 2,
    }


def test_a_count_that_is_not_blind_shows_the_ledger_to_counters(client, counter, stock):
    body = start(client, counter, kind="full", blind=False)

    lines = [line for b in body["bins"] for line in b["lines"]]
    assert {line["sku"]: line["snapshot_qty"] for line in lines} == {
        "CT-1": 8,
        "CT-2": 2,
    }


def test_counts_are_listed_with_progress_and_filtered(client, counter, stock):
    first = start(client, counter, kind="cycle", bins=["A01-1-01-L1"])
    start(client, counter, kind="cycle", bins=["A01-1-02-L1"])

    listed = client.get(f"{URL}?per_page=1", headers=counter)
    found = client.get(f"{URL}?q={first['number']}", headers=counter)
    approved = client.get(f"{URL}?status=approved", headers=counter)

    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == "2"
    assert len(listed.json) == 1
    assert [c["number"] for c in found.json] == [first["number"]]
    assert approved.json == [] and approved.headers["X-Total-Count"] == "0"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "weekly"}, "kind"),
        ({"kind": "cycle", "bins": "A01-1-01-L1"}, "bins"),
        ({"kind": "cycle", "aisles": ["1"]}, "aisles"),
        ({"kind": "cycle", "aisles": [0]}, "aisles"),
        ({"kind": "cycle", "bins": ["Z99-1-01-L1"]}, "bins"),
        ({"kind": "cycle"}, "bins"),
        ({"kind": "full", "aisles": [1]}, "bins"),
        ({"blind": "maybe"}, "blind"),
        ({"note": "x" * 501}, "note"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_start_requests_are_422_on_their_field_and_write_nothing(
    client, counter, stock, body, field
):
    before = rows()

    response = client.post(URL, headers=counter, json=body)

    assert response.status_code == 422, response.json
    assert response.json["error"]["code"] == "validation_error"
    assert field in response.json["error"]["details"]
    assert rows() == before


def test_an_unknown_warehouse_is_404_and_a_busy_bin_409(client, counter, stock):
    start(client, counter, kind="cycle", bins=["A01-1-01-L1"])
    before = rows()

    unknown = client.post(URL, headers=counter, json={"warehouse": "NOPE"})
    busy = client.post(URL, headers=counter, json={"kind": "full"})

    assert unknown.status_code == 404
    assert busy.status_code == 409
    assert busy.json["error"]["details"] == {"bins": ["A01-1-01-L1"]}
    assert rows() == before


# --- counting a bin -------------------------------------------------------------------
def test_counting_a_bin_records_listed_and_found_items(client, counter, stock):
    number = start(client, counter, kind="full")["number"]
    ProductFactory(sku="CT-3", barcode="6900000000003")

    response = count_first_bin(
        client, counter, number, extra=[{"barcode": "6900000000003", "qty": 4}]
    )

    assert response.status_code == 200, response.json
    assert response.json["status"] == "counted" and response.json["counted_by"]
    assert {
        (line["sku"], line["counted_qty"], line["is_added"])
        for line in response.json["lines"]
    } == {("CT-1", 8, False), ("CT-2", 2, False), ("CT-3", 4, True)}
    assert "expected_qty" not in response.json["lines"][0]


@pytest.mark.parametrize(
    "entries, field",
    [
        ([{"sku": "CT-1", "qty": 8}], "entries"),  # CT-2 L1 left out
        ([{"sku": "CT-1", "qty": -1}], "entries"),
        ([{"sku": "CT-1", "qty": "8"}], "entries"),
        ([{"sku": "CT-1", "qty": 2.5}], "entries"),
        ([{"sku": "CT-1", "qty": 10**9}], "entries"),
        ([{"qty": 1}], "entries"),
        ([{"sku": "CT-1", "barcode": "1", "qty": 1}], "entries"),
    ],
)
def test_bad_bin_counts_are_422_and_write_nothing(
    client, counter, stock, entries, field
):
    number = start(client, counter, kind="full")["number"]
    before = rows()

    response = client.put(
        f"{URL}/{number}/bins/A01-1-01-L1", headers=counter, json={"entries": entries}
    )

    assert response.status_code == 422, response.json
    assert field in response.json["error"]["details"]
    assert rows() == before
    assert client.get(f"{URL}/{number}", headers=counter).json["counted_bins"] == 0


def test_unknown_skus_and_lots_of_another_product_are_named_per_entry(
    client, counter, stock
):
    other = ProductFactory(sku="CT-9", is_lot_tracked=True)
    ledger.post_receipt(other.id, default_warehouse().id, 1, lot="OTHER-LOT")
    db.session.commit()
    number = start(client, counter, kind="full")["number"]

    response = count_first_bin(
        client,
        counter,
        number,
        extra=[
            {"sku": "NOPE", "qty": 1},
            {"sku": "CT-2", "lot": "OTHER-LOT", "qty": 1},
        ],
    )

    details = response.json["error"]["details"]
    assert response.status_code == 422
    assert "NOPE" in details["entries.2.sku"][0]
    assert "CT-9" in details["entries.3.lot"][0]


def test_a_bin_outside_the_count_or_of_another_warehouse_is_404(client, counter, stock):
    make_bin(WarehouseFactory(code="W9"), bay=7)
    number = start(client, counter, kind="cycle", bins=["A01-1-01-L1"])["number"]

    other = client.put(
        f"{URL}/{number}/bins/A01-1-07-L1", headers=counter, json={"entries": []}
    )
    outside = client.put(
        f"{URL}/{number}/bins/A01-1-02-L1", headers=counter, json={"entries": []}
    )
    unknown = client.get(f"{URL}/PD-20990101-0001", headers=counter)

    assert (other.status_code, outside.status_code, unknown.status_code) == (
        404,
        404,
        404,
    )
    assert unknown.json["error"]["code"] == "not_found"


# --- approving ------------------------------------------------------------------------
def test_a_manager_approves_and_the_variance_is_posted_once(
    client, counter, manager, stock
):
    number = start(client, counter, kind="full")["number"]
    count_first_bin(client, counter, number, plain_qty=6, lot_qty=3)
    client.put(
        f"{URL}/{number}/bins/A01-1-02-L1", headers=counter, json={"entries": []}
    )

    refused = client.post(f"{URL}/{number}/approve", headers=counter)
    approved = client.post(f"{URL}/{number}/approve", headers=manager)
    before = rows()
    again = client.post(f"{URL}/{number}/approve", headers=manager)

    assert refused.status_code == 403
    assert approved.status_code == 200, approved.json
    body = approved.json
    assert body["status"] == "approved" and body["approved_by"]
    lines = {line["sku"]: line for b in body["bins"] for line in b["lines"]}
    assert (lines["CT-1"]["expected_qty"], lines["CT-1"]["variance_qty"]) == (8, -2)
    assert lines["CT-1"]["variance_value"] == "-6.00"
    assert (lines["CT-2"]["variance_qty"], lines["CT-2"]["variance_value"]) == (
        1,
        "5.00",
    )
    assert body["variance_value"] == "-1.00"
    assert (
        again.status_code == 409
        and "already approved" in again.json["error"]["message"]
    )
    assert rows() == before
    moves = client.get(
        "/api/v1/stock/moves?reference_type=stock_count", headers=manager
    ).json
    assert sorted(m["delta_qty"] for m in moves) == [-2, 1]
    # once approved, the ledger's quantities are no secret
    seen = client.get(f"{URL}/{number}", headers=counter).json
    assert "expected_qty" in seen["bins"][0]["lines"][0]


def test_approving_with_bins_not_counted_is_409(client, counter, manager, stock):
    number = start(client, counter, kind="full")["number"]
    count_first_bin(client, counter, number)

    response = client.post(f"{URL}/{number}/approve", headers=manager)

    assert response.status_code == 409
    assert response.json["error"]["details"] == {"bins": ["A01-1-02-L1"]}


def test_a_write_off_of_reserved_stock_is_409_with_the_lines_and_nothing_posted(
    client, counter, manager, stock
):
    first, second, plain, _ = stock
    ledger.reserve(plain.id, default_warehouse().id, 8)
    db.session.commit()
    number = start(client, counter, kind="cycle", bins=[first.code])["number"]
    count_first_bin(client, counter, number, plain_qty=5)
    before = rows()

    response = client.post(f"{URL}/{number}/approve", headers=manager)

    assert response.status_code == 409
    assert response.json["error"]["code"] == "insufficient_stock"
    assert response.json["error"]["details"]["lines"] == [
        {
            "bin": first.code,
            "sku": "CT-1",
            "lot": None,
            "requested_qty": 3,
            "available_qty": 0,
        }
    ]
    assert rows() == before
    assert client.get(f"{URL}/{number}", headers=manager).json["status"] == "counting"


def test_cancel_and_reset_are_for_managers(client, counter, manager, stock):
    number = start(client, counter, kind="full")["number"]
    count_first_bin(client, counter, number)

    refused = client.post(f"{URL}/{number}/cancel", headers=counter)
    reset = client.post(f"{URL}/{number}/bins/A01-1-01-L1/reset", headers=manager)
    cancelled = client.post(f"{URL}/{number}/cancel", headers=manager)
    recorded = count_first_bin(client, counter, number)

    assert refused.status_code == 403
    assert reset.status_code == 200 and reset.json["status"] == "pending"
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert recorded.status_code == 409


# --- roles and the document -----------------------------------------------------------
def test_merchants_are_403_and_anonymous_401(client, auth_headers, counter, stock):
    number = start(client, counter, kind="full")["number"]
    merchant = auth_headers(merchant_user())

    for method, url in [
        ("get", URL),
        ("post", URL),
        ("get", f"{URL}/{number}"),
        ("put", f"{URL}/{number}/bins/A01-1-01-L1"),
        ("post", f"{URL}/{number}/approve"),
    ]:
        response = getattr(client, method)(url, headers=merchant, json={})
        assert response.status_code == 403, url
        assert response.json["error"]["code"] == "forbidden"
    assert client.get(URL).status_code == 401


def test_buyers_and_finance_read_counts_but_do_not_count(
    client, auth_headers, counter, stock
):
    number = start(client, counter, kind="full")["number"]
    finance = auth_headers(UserFactory(role="finance"))

    assert client.get(f"{URL}/{number}", headers=finance).status_code == 200
    assert client.post(URL, headers=finance, json={}).status_code == 403
    assert count_first_bin(client, finance, number).status_code == 403


def test_the_count_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]

    assert {"get", "post"} <= set(paths["/api/v1/stock/counts"])
    assert "put" in paths["/api/v1/stock/counts/{number}/bins/{bin_code}"]
    assert "post" in paths["/api/v1/stock/counts/{number}/approve"]
