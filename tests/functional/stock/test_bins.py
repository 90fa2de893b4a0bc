import pytest

from supplychain.extensions import db
from supplychain.stock import ledger
from supplychain.stock.models import Bin
from supplychain.stock.queries import available_qty, default_warehouse
from tests.factories import ProductFactory, UserFactory


def make_bin(aisle):
    bin_ = Bin(
        warehouse_id=default_warehouse().id,
        aisle=aisle,
        block=1,
        bay=1,
        side="L",
        level=1,
        code=f"A{aisle:02d}-1-01-L1",
    )
    db.session.add(bin_)
    db.session.commit()
    return bin_


def quarantined(bin_):
    db.session.expire_all()
    return db.session.get(Bin, bin_.id).is_quarantine


@pytest.fixture
def promised(app):
    """A bin holding 6 of a product of which 5 (of 10 in the warehouse) are
    reserved: quarantining the bin would leave −1 available."""
    product = ProductFactory(sku="PR-1")
    bin_ = make_bin(1)
    main = default_warehouse()
    ledger.post_receipt(product.id, main.id, 6, bin_id=bin_.id)
    ledger.post_receipt(product.id, main.id, 4)
    ledger.reserve(product.id, main.id, 5)
    db.session.commit()
    return bin_


@pytest.fixture
def keeper(login_as):
    user = UserFactory(role="warehouse")
    login_as(user)
    return user


# --- the warehouse page ---------------------------------------------------------------
def test_the_bins_table_toggles_quarantine_and_returns_to_the_same_list(client, keeper):
    bin_ = make_bin(2)
    back = "/stock/warehouses/MAIN?aisle=2&page=1"

    page = client.get("/stock/warehouses/MAIN").get_data(as_text=True)
    on = client.post(
        "/stock/bins/MAIN/A02-1-01-L1/quarantine",
        data={"is_quarantine": "1", "next": back},
    )
    shown = client.get("/stock/warehouses/MAIN").get_data(as_text=True)

    assert 'data-bin="A02-1-01-L1"' in page and ">Quarantine</button>" in page
    assert on.status_code == 302 and on.headers["Location"].endswith(back)
    assert quarantined(bin_)
    assert 'class="badge warn">quarantine' in shown and ">Release</button>" in shown
    off = client.post(
        "/stock/bins/MAIN/A02-1-01-L1/quarantine", data={"is_quarantine": "0"}
    )
    assert off.headers["Location"].endswith("/stock/warehouses/MAIN")
    assert not quarantined(bin_)


def test_the_page_never_redirects_off_the_warehouse(client, keeper):
    make_bin(3)

    response = client.post(
        "/stock/bins/MAIN/A03-1-01-L1/quarantine",
        data={
            "is_quarantine": "1",
            "next": "https://evil.example/stock/warehouses/MAIN",
        },
    )

    assert response.headers["Location"].endswith("/stock/warehouses/MAIN")


def test_a_refused_quarantine_is_flashed_and_nothing_changes(client, keeper, promised):
    response = client.post(
        "/stock/bins/MAIN/A01-1-01-L1/quarantine",
        data={"is_quarantine": "1"},
        headers={"Referer": "/stock/warehouses/MAIN"},
        follow_redirects=True,
    )

    page = response.get_data(as_text=True)
    assert "cannot go into quarantine" in page and "PR-1" in page
    assert not quarantined(promised)


def test_only_warehouse_staff_toggle_quarantine_and_unknown_bins_are_404(
    client, login_as
):
    bin_ = make_bin(4)
    login_as(UserFactory(role="buyer"))

    refused = client.post(
        "/stock/bins/MAIN/A04-1-01-L1/quarantine", data={"is_quarantine": "1"}
    )
    login_as(UserFactory(role="warehouse_manager"))
    unknown = client.post(
        "/stock/bins/MAIN/NOPE/quarantine", data={"is_quarantine": "1"}
    )

    assert refused.status_code == 403 and not quarantined(bin_)
    assert unknown.status_code == 404


# --- the API --------------------------------------------------------------------------
@pytest.fixture
def keeper_api(app, auth_headers):
    return auth_headers(UserFactory(role="warehouse"))


def test_patch_quarantines_a_bin_and_its_stock_is_no_longer_available(
    client, keeper_api
):
    product = ProductFactory()
    bin_ = make_bin(5)
    ledger.post_receipt(product.id, default_warehouse().id, 3, bin_id=bin_.id)
    db.session.commit()

    response = client.patch(
        "/api/v1/warehouses/MAIN/bins/a05-1-01-l1",
        json={"is_quarantine": True},
        headers=keeper_api,
    )

    assert response.status_code == 200
    assert response.json["is_quarantine"] is True
    assert (response.json["code"], response.json["warehouse"]) == (
        "A05-1-01-L1",
        "MAIN",
    )
    assert available_qty(product.id, default_warehouse().id) == 0


def test_patch_refuses_to_quarantine_promised_stock_with_409(
    client, keeper_api, promised
):
    response = client.patch(
        "/api/v1/warehouses/MAIN/bins/A01-1-01-L1",
        json={"is_quarantine": True},
        headers=keeper_api,
    )

    assert response.status_code == 409
    assert response.json["error"]["details"]["lines"] == [
        {"sku": "PR-1", "bin_qty": 6, "available_qty": 5}
    ]
    assert not quarantined(promised)


def test_patch_refuses_to_deactivate_a_bin_with_stock(client, keeper_api, promised):
    response = client.patch(
        "/api/v1/warehouses/MAIN/bins/A01-1-01-L1",
        json={"is_active": False},
        headers=keeper_api,
    )

    assert response.status_code == 422
    assert "is_active" in response.json["error"]["details"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "_schema"),
        ({"is_quarantine": "yes"}, "is_quarantine"),
        ({"is_quarantine": 1}, "is_quarantine"),
        ({"is_active": None}, "is_active"),
        ({"is_quarantine": True, "code": "X"}, "code"),
    ],
)
def test_patch_refuses_bad_bodies(client, keeper_api, body, field):
    bin_ = make_bin(6)

    response = client.patch(
        "/api/v1/warehouses/MAIN/bins/A06-1-01-L1", json=body, headers=keeper_api
    )

    assert response.status_code == 422
    assert field in response.json["error"]["details"]
    assert not quarantined(bin_)


def test_patch_needs_the_warehouse_role_and_a_known_bin(client, auth_headers):
    make_bin(7)
    buyer = auth_headers(UserFactory(role="buyer"))
    keeper = auth_headers(UserFactory(role="warehouse"))
    body = {"is_quarantine": True}

    refused = client.patch(
        "/api/v1/warehouses/MAIN/bins/A07-1-01-L1", json=body, headers=buyer
    )
    no_bin = client.patch(
        "/api/v1/warehouses/MAIN/bins/NOPE", json=body, headers=keeper
    )
    no_wh = client.patch(
        "/api/v1/warehouses/NOPE/bins/A07-1-01-L1", json=body, headers=keeper
    )

    assert refused.status_code == 403
    assert no_bin.status_code == 404 and no_wh.status_code == 404
