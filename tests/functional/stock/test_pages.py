import datetime as dt

import pytest
import sqlalchemy as sa

from supplychain.extensions import db
from supplychain.stock import ledger, services
from supplychain.stock.models import Bin, StockMove, Warehouse
from supplychain.stock.queries import default_warehouse
from tests.factories import ProductFactory, UserFactory, merchant_user


def moves():
    return db.session.scalar(sa.select(sa.func.count(StockMove.id)))


@pytest.fixture
def keeper(login_as):
    user = UserFactory(locale="en", role="warehouse")
    login_as(user)
    return user


def test_stock_list_searches_and_highlights_what_is_not_available(client, keeper):
    plenty = ProductFactory(sku="PL-1", name="艾灸贴 大盒")
    ProductFactory(sku="PL-2", name="阿胶膏")
    ledger.post_adjustment(plenty.id, default_warehouse().id, 12, "opening")
    db.session.commit()

    page = client.get("/stock/?q=PL-").get_data(as_text=True)
    one = client.get("/stock/?q=阿胶").get_data(as_text=True)
    short = client.get("/stock/?q=PL-&short=1").get_data(as_text=True)

    assert "艾灸贴 大盒" in page and "阿胶膏" in page
    assert page.count('class="badge bad"') == 1  # PL-2 has nothing available
    assert "PL-1" not in one
    assert "PL-2" in short and "PL-1" not in short


def test_stock_list_filters_by_warehouse(client, keeper):
    ProductFactory(sku="WF-1")
    services.create_warehouse("XS", "萧山仓")

    html = client.get("/stock/?warehouse=XS").get_data(as_text=True)

    assert "XS" in html and '<td data-label="Warehouse">MAIN</td>' not in html


def test_product_page_shows_lots_with_expiry_and_recent_moves(client, keeper):
    product = ProductFactory(sku="LT-1", is_lot_tracked=True)
    main = default_warehouse()
    ledger.post_receipt(
        product.id, main.id, 6, lot="B-2027", expiry_date=dt.date(2027, 6, 30)
    )
    ledger.post_adjustment(product.id, main.id, -1, "破损报废", lot="B-2027")
    db.session.commit()

    html = client.get("/stock/products/LT-1").get_data(as_text=True)

    assert "B-2027" in html and "2027-06-30" in html
    assert "破损报废" in html and "Receipt" in html


def test_unknown_product_page_is_404(client, keeper):
    assert client.get("/stock/products/NOPE").status_code == 404


def test_adjustment_form_books_the_move_and_redirects_to_the_product(client, keeper):
    ProductFactory(sku="FM-1")

    response = client.post(
        "/stock/adjustments/new",
        data={"sku": "FM-1", "warehouse": "MAIN", "qty": "7", "reason": "盘盈"},
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/stock/products/FM-1")
    move = db.session.scalars(sa.select(StockMove)).one()
    assert (move.qty, move.user_id) == (7, keeper.id)


@pytest.mark.parametrize(
    "form, field",
    [
        ({"sku": "FM-2", "qty": "0", "reason": "x"}, "qty"),
        ({"sku": "FM-2", "qty": "2.5", "reason": "x"}, "qty"),
        ({"sku": "FM-2", "qty": "abc", "reason": "x"}, "qty"),
        ({"sku": "FM-2", "qty": "1", "reason": ""}, "reason"),
        ({"sku": "NOPE", "qty": "1", "reason": "x"}, "sku"),
        ({"sku": "FM-2", "qty": "1", "reason": "x", "warehouse": "ZZ"}, "warehouse"),
        ({"sku": "FM-2", "qty": "-1", "reason": "x"}, "qty"),
        (
            {"sku": "FM-2", "qty": "1", "reason": "x", "expiry_date": "31/12/2027"},
            "expiry_date",
        ),
    ],
)
def test_bad_adjustment_form_shows_the_error_next_to_the_field(
    client, keeper, form, field
):
    ProductFactory(sku="FM-2")

    response = client.post("/stock/adjustments/new", data=form)

    assert response.status_code == 400
    assert f'id="e-{field}"' in response.get_data(as_text=True)
    assert moves() == 0


def test_adjustment_form_is_prefilled_with_the_sku(client, keeper):
    html = client.get("/stock/adjustments/new?sku=PRE-1").get_data(as_text=True)

    assert 'value="PRE-1"' in html


@pytest.mark.parametrize(
    "role, path, status",
    [
        ("sales", "/stock/", 200),
        ("buyer", "/stock/", 200),
        ("finance", "/stock/", 403),
        ("merchant", "/stock/", 403),
        ("sales", "/stock/adjustments/new", 403),
        ("sales", "/stock/warehouses", 403),
        ("merchant", "/stock/warehouses/MAIN", 403),
        ("warehouse", "/stock/warehouses", 200),
        ("warehouse", "/stock/warehouses/MAIN", 200),
    ],
)
def test_pages_are_open_to_their_roles_only(client, login_as, role, path, status):
    login_as(
        merchant_user(locale="en")
        if role == "merchant"
        else UserFactory(locale="en", role=role)
    )

    assert client.get(path).status_code == status


def test_pages_need_a_login(client):
    response = client.get("/stock/")

    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_admin_creates_a_warehouse_through_the_form(client, login_as):
    login_as(UserFactory(locale="en", role="admin"))
    form = {
        "code": "xs",
        "name": "萧山仓",
        "n_aisles": "6",
        "n_cross_aisles": "3",
        "bays_per_block": "10",
        "aisle_spacing": "3",
        "bay_length": "1.2",
        "cross_to_first_bay": "1.5",
        "depot_aisle": "2.5",
        "depot_offset": "2",
    }

    response = client.post("/stock/warehouses", data=form)

    assert response.status_code == 302
    created = db.session.scalar(sa.select(Warehouse).where(Warehouse.code == "XS"))
    assert (created.n_aisles, created.depot_aisle, created.is_default) == (
        6,
        2.5,
        False,
    )


@pytest.mark.parametrize(
    "change, field",
    [
        ({"code": ""}, "code"),
        ({"code": "MAIN"}, "code"),
        ({"n_aisles": "0"}, "n_aisles"),
        ({"aisle_spacing": "wide"}, "aisle_spacing"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_warehouse_form_shows_field_errors_and_creates_nothing(
    client, login_as, change, field
):
    login_as(UserFactory(locale="en", role="admin"))
    form = {
        "code": "NW",
        "name": "新仓",
        "n_aisles": "2",
        "n_cross_aisles": "2",
        "bays_per_block": "5",
        "aisle_spacing": "3",
        "bay_length": "1",
        "cross_to_first_bay": "1",
        "depot_aisle": "0",
        "depot_offset": "1",
    } | change

    response = client.post("/stock/warehouses", data=form)

    assert response.status_code == 400
    assert f'id="e-{field}"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Warehouse.id))) == 1


def test_warehouse_staff_cannot_create_warehouses(client, keeper):
    response = client.post("/stock/warehouses", data={"code": "NO", "name": "x"})

    assert response.status_code == 403


def test_warehouse_page_draws_the_layout_and_generates_bins(client, keeper):
    main = default_warehouse()
    main.n_aisles, main.bays_per_block = 2, 3
    db.session.commit()

    before = client.get("/stock/warehouses/MAIN").get_data(as_text=True)
    response = client.post(
        "/stock/warehouses/MAIN/bins", data={"levels": "2", "sides": ["L", "R"]}
    )
    after = client.get("/stock/warehouses/MAIN?aisle=2").get_data(as_text=True)

    assert "<svg" in before and 'class="depot"' in before
    assert (
        before.count('class="aisle"') == 2 and before.count('class="cross-aisle"') == 2
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Bin.id))) == 2 * 3 * 2 * 2
    assert "A02-1-03-R2" in after and "A01-1-01-L1" not in after
    assert after.count('class="bay has-bins"') == 2 * 3 * 2


def test_bad_bin_generation_is_flashed_and_creates_nothing(client, keeper):
    response = client.post(
        "/stock/warehouses/MAIN/bins", data={"levels": "99"}, follow_redirects=True
    )

    assert "from 1 to 9" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Bin.id))) == 0


def test_admin_edits_the_layout(client, login_as):
    login_as(UserFactory(locale="en", role="admin"))
    form = {
        "name": "主仓",
        "n_aisles": "4",
        "n_cross_aisles": "2",
        "bays_per_block": "8",
        "aisle_spacing": "3",
        "bay_length": "1",
        "cross_to_first_bay": "1",
        "depot_aisle": "0",
        "depot_offset": "1",
        "is_default": "on",
        "is_active": "on",
    }

    response = client.post("/stock/warehouses/MAIN", data=form)

    assert response.status_code == 302
    assert (default_warehouse().n_aisles, default_warehouse().name) == (4, "主仓")


def test_bin_labels_download_as_pdf_for_all_bins_or_one_aisle(client, keeper):
    main = default_warehouse()
    main.n_aisles, main.bays_per_block = 2, 2
    db.session.commit()
    services.generate_bins(main.id)

    everything = client.get("/stock/warehouses/MAIN/labels.pdf")
    one_aisle = client.get("/stock/warehouses/MAIN/labels.pdf?aisle=1")

    assert everything.status_code == 200
    assert everything.mimetype == "application/pdf"
    assert everything.data.startswith(b"%PDF")
    assert (
        'filename="bin-labels-MAIN-A01.pdf"' in one_aisle.headers["Content-Disposition"]
    )


def test_bin_labels_without_bins_explain_what_to_do(client, keeper):
    response = client.get("/stock/warehouses/MAIN/labels.pdf", follow_redirects=True)

    assert "generate the bins first" in response.get_data(as_text=True)


def test_product_page_flags_expired_and_soon_expiring_lots(client, keeper):
    product = ProductFactory(sku="EX-1", is_lot_tracked=True)
    main = default_warehouse()
    today = dt.date.today()
    ledger.post_receipt(
        product.id, main.id, 1, lot="OLD", expiry_date=today - dt.timedelta(days=2)
    )
    ledger.post_receipt(
        product.id, main.id, 1, lot="SOON", expiry_date=today + dt.timedelta(days=9)
    )
    ledger.post_receipt(
        product.id, main.id, 1, lot="FINE", expiry_date=today + dt.timedelta(days=300)
    )
    db.session.commit()

    html = client.get("/stock/products/EX-1").get_data(as_text=True)

    assert html.count('class="badge bad">expired') == 1
    assert html.count('class="badge warn">expires soon') == 1


def test_warehouses_with_coordinates_appear_on_the_merchant_map(client, login_as):
    login_as(UserFactory(locale="en", role="sales"))
    services.create_warehouse("XS", "萧山仓", lat=30.18, lon=120.26)

    html = client.get("/merchants/map").get_data(as_text=True)

    assert "XS 萧山仓" in html
