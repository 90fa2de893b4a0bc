"""周期送 and 订单导入 pages: standing orders (list, new, edit, pause, delete, notices)
and the order import (upload, result, problems, templates), with roles and tenancy."""

import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from supplychain.extensions import db
from supplychain.orders import standing
from supplychain.orders.models import Order, StandingOrder
from tests.factories import MerchantFactory, UserFactory, merchant_user, stocked_product

EVERY_DAY = ["1", "2", "3", "4", "5", "6", "7"]


def standing_form(product, qty="2", **extra):
    data = {
        "name": "周期送 A",
        "weekdays": EVERY_DAY,
        "sku-0": product.sku,
        "qty-0": qty,
    }
    return data | extra


def make_standing(user, product, qty=2, **kwargs):
    return standing.create_standing_order(
        user, weekdays="1234567", lines=[{"sku": product.sku, "qty": qty}], **kwargs
    )


def test_a_merchant_creates_a_standing_order_and_sees_it_listed(client, login_as):
    product = stocked_product(10)
    user = merchant_user()
    login_as(user)

    response = client.post("/standing-orders/new", data=standing_form(product))

    assert response.status_code == 302
    record = db.session.scalar(sa.select(StandingOrder))
    assert response.headers["Location"].endswith(f"/standing-orders/{record.id}")
    assert record.merchant_id == user.merchant_id and record.weekdays == "1234567"
    page = client.get("/standing-orders/").get_data(as_text=True)
    assert "周期送 A" in page and f"{product.name} × 2" in page


def test_a_bad_line_is_shown_next_to_its_row_and_nothing_is_saved(client, login_as):
    product = stocked_product(10)
    login_as(merchant_user())

    response = client.post(
        "/standing-orders/new",
        data=standing_form(product, qty="1.5") | {"sku-1": "NOPE", "qty-1": "1"},
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The quantity must be a whole number." in page
    assert "Unknown SKU &#39;NOPE&#39;." in page
    assert db.session.scalar(sa.select(sa.func.count(StandingOrder.id))) == 0


def test_no_weekday_and_a_bad_date_are_field_errors(client, login_as):
    product = stocked_product(10)
    login_as(merchant_user())

    no_days = client.post(
        "/standing-orders/new", data=standing_form(product) | {"weekdays": []}
    )
    bad_date = client.post(
        "/standing-orders/new", data=standing_form(product, end_date="soon")
    )

    assert no_days.status_code == 422
    assert "Choose at least one weekday." in no_days.get_data(as_text=True)
    assert bad_date.status_code == 422
    assert "Enter a date as YYYY-MM-DD." in bad_date.get_data(as_text=True)


def test_editing_pausing_resuming_and_deleting(client, login_as):
    first, second = stocked_product(10), stocked_product(10)
    user = merchant_user()
    record = make_standing(user, first)
    login_as(user)
    url = f"/standing-orders/{record.id}"

    assert client.get(url).status_code == 200
    edited = client.post(
        url, data={"name": "改", "weekdays": ["2", "5"], "sku-0": "", "qty-0": "",
                   "sku-1": second.sku, "qty-1": "3"},
    )  # fmt: skip
    paused = client.post(f"{url}/pause", data={"back": "edit"})
    db.session.expire_all()
    assert edited.status_code == 302 and paused.headers["Location"].endswith(url)
    assert record.name == "改" and record.weekdays == "25" and not record.is_active
    assert [(line.product_id, line.qty) for line in record.lines] == [(second.id, 3)]

    client.post(f"{url}/resume")
    db.session.expire_all()
    assert record.is_active
    unconfirmed = client.post(f"{url}/delete", follow_redirects=True)
    assert "Yes, delete it" in unconfirmed.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(StandingOrder.id))) == 1
    deleted = client.post(f"{url}/delete", data={"confirm": "yes"})
    assert deleted.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(StandingOrder.id))) == 0


def test_another_merchants_standing_order_is_404_on_every_route(client, login_as):
    product = stocked_product(10)
    record = make_standing(merchant_user(), product)
    login_as(merchant_user())
    url = f"/standing-orders/{record.id}"

    assert client.get(url).status_code == 404
    for action in ("", "/pause", "/resume", "/delete"):
        assert client.post(url + action, data=standing_form(product)).status_code == 404
    db.session.expire_all()
    assert record.is_active and record.name == ""


def test_a_skipped_run_is_a_notice_on_the_list(client, login_as):
    product = stocked_product(1)
    user = merchant_user()
    make_standing(user, product, qty=5)
    standing.generate_due()
    login_as(user)

    page = client.get("/standing-orders/").get_data(as_text=True)

    assert "Not placed: not enough stock." in page
    assert f"{product.sku} {product.name}: 5 wanted, 1 available" in page


def test_sales_staff_create_for_a_named_merchant_and_must_name_one(client, login_as):
    product = stocked_product(10)
    merchant = MerchantFactory()
    login_as(UserFactory(role="sales"))

    missing = client.post("/standing-orders/new", data=standing_form(product))
    created = client.post(
        "/standing-orders/new", data=standing_form(product, merchant=merchant.code)
    )

    assert missing.status_code == 422
    assert "Choose the merchant this order is for." in missing.get_data(as_text=True)
    assert created.status_code == 302
    assert db.session.scalar(sa.select(StandingOrder.merchant_id)) == merchant.id


@pytest.mark.parametrize("path", ["/standing-orders/", "/orders/import/"])
def test_other_roles_are_refused_and_anonymous_users_sent_to_login(
    client, login_as, path
):
    assert client.get(path).status_code == 302
    login_as(UserFactory(role="warehouse"))
    assert client.get(path).status_code == 403


# --- import ---------------------------------------------------------------------------


def upload(client, text, filename="orders.csv"):
    return client.post(
        "/orders/import/",
        data={"file": (io.BytesIO(text.encode("utf-8")), filename)},
        content_type="multipart/form-data",
    )


def test_an_imported_file_shows_the_orders_placed_with_links(client, login_as):
    product = stocked_product(10)
    merchant = MerchantFactory()
    login_as(UserFactory(role="sales"))

    response = upload(client, f"merchant,sku,qty\n{merchant.code},{product.sku},2\n")

    assert response.status_code == 200
    number = db.session.scalar(sa.select(Order.number))
    page = response.get_data(as_text=True)
    assert f'href="/orders/{number}"' in page and merchant.code in page


def test_a_refused_file_lists_its_rows_and_columns_and_places_nothing(client, login_as):
    product = stocked_product(10)
    login_as(merchant_user())

    response = upload(client, f"sku,数量\n{product.sku},2\n{product.sku},-1\n")

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "data-problems" in page and "数量" in page
    assert "The quantity must be at least 1." in page
    assert db.session.scalar(sa.select(sa.func.count(Order.id))) == 0


def test_uploading_without_a_file_is_a_field_error(client, login_as):
    login_as(merchant_user())

    response = client.post(
        "/orders/import/", data={}, content_type="multipart/form-data"
    )

    assert response.status_code == 422
    assert "Choose a file." in response.get_data(as_text=True)


def test_the_templates_download_with_the_columns(client, login_as):
    login_as(merchant_user())

    csv_file = client.get("/orders/import/template.csv")
    xlsx_file = client.get("/orders/import/template.xlsx")

    assert csv_file.data.decode("utf-8-sig").strip() == (
        "merchant,sku,qty,delivery_date,note,order_ref"
    )
    sheet = load_workbook(io.BytesIO(xlsx_file.data)).active
    assert [c.value for c in sheet[1]][:3] == ["merchant", "sku", "qty"]
    assert client.get("/orders/import/template.pdf").status_code == 404
