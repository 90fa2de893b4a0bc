import datetime as dt
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

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
    merchant_user,
)


def text(response):
    return response.get_data(as_text=True)


def rules():
    db.session.expire_all()
    return {
        r.product.sku: (r.reorder_point, r.safety_stock, r.lead_time_days, r.method)
        for r in db.session.scalars(sa.select(StockRule))
    }


def sold(product, qty, days_ago):
    main = default_warehouse()
    day = local_today() - dt.timedelta(days=days_ago)
    ledger.post_receipt(product.id, main.id, qty, created_at=local_midnight(day))
    ledger.post_issue(
        product.id, main.id, qty, created_at=local_midnight(day) + dt.timedelta(hours=9)
    )
    db.session.commit()


@pytest.fixture
def keeper(login_as):
    user = UserFactory(role="warehouse")
    login_as(user)
    return user


@pytest.fixture
def low_product(app):
    product = ProductFactory(sku="LOW-1", name="艾灸贴 大盒")
    ProductSupplierFactory(product=product, case_qty=6)
    replenishment.set_rule(
        product.id, default_warehouse().id, reorder_point=10, safety_stock=2
    )
    return product


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/stock/replenishment/")

    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["merchant", "sales", "driver"])
def test_roles_without_stock_planning_get_403(client, login_as, role):
    user = merchant_user() if role == "merchant" else UserFactory(role=role)
    login_as(user)

    for path in ("/stock/replenishment/", "/stock/replenishment/suggest",
                 "/stock/replenishment/low-stock.csv"):  # fmt: skip
        assert client.get(path).status_code == 403, path
    assert client.post("/stock/replenishment/rules", data={}).status_code == 403


def test_the_page_lists_low_stock_first_then_the_rules(client, keeper, low_product):
    page = text(client.get("/stock/replenishment/"))

    assert page.index('id="low-stock"') < page.index('id="rules"')
    low = page[page.index("data-low-stock") : page.index('id="rules"')]
    assert "LOW-1" in low and "艾灸贴 大盒" in low
    assert "<strong>12 盒</strong>" in low  # 10 + 2, two cases of 6
    assert 'data-rule="LOW-1"' in page and 'form="rule-' in page


def test_finance_reads_the_page_without_edit_forms(client, login_as, low_product):
    login_as(UserFactory(role="finance"))

    page = text(client.get("/stock/replenishment/"))
    post = client.post(
        "/stock/replenishment/rules",
        data={"sku": "LOW-1", "reorder_point": "1", "safety_stock": "0"},
    )

    assert "LOW-1" in page and 'form="rule-' not in page
    assert post.status_code == 403
    assert rules()["LOW-1"][0] == 10


def test_a_buyer_sets_a_new_rule_from_the_form(client, login_as):
    login_as(UserFactory(role="buyer"))
    ProductFactory(sku="NEW-1")

    response = client.post(
        "/stock/replenishment/rules",
        data={
            "sku": "NEW-1",
            "warehouse": "MAIN",
            "reorder_point": "40",
            "safety_stock": "8",
            "lead_time_days": "",
            "f_q": "NEW",
        },
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/stock/replenishment/?q=NEW")
    assert rules() == {"NEW-1": (40, 8, None, "manual")}
    assert "Reorder rule saved: NEW-1 in MAIN." in text(
        client.get("/stock/replenishment/")
    )


def test_an_inline_row_edit_saves_the_row(client, keeper, low_product):
    rule_id = replenishment.get_rule(low_product.id, default_warehouse().id).id

    response = client.post(
        "/stock/replenishment/rules",
        data={
            "row": str(rule_id),
            "sku": "LOW-1",
            "warehouse": "MAIN",
            "reorder_point": "15",
            "safety_stock": "3",
            "lead_time_days": "2",
        },
    )

    assert response.status_code == 302
    assert rules()["LOW-1"] == (15, 3, 2, "manual")


@pytest.mark.parametrize(
    "field, value",
    [
        ("reorder_point", "-5"),
        ("reorder_point", "abc"),
        ("reorder_point", "2.5"),
        ("reorder_point", "99999999"),
        ("safety_stock", "11"),
        ("lead_time_days", "-1"),
    ],
)
def test_a_bad_inline_value_is_shown_in_its_row_and_nothing_is_written(
    client, keeper, low_product, field, value
):
    rule_id = replenishment.get_rule(low_product.id, default_warehouse().id).id
    data = {"row": str(rule_id), "sku": "LOW-1", "warehouse": "MAIN",
            "reorder_point": "10", "safety_stock": "2"} | {field: value}  # fmt: skip

    response = client.post("/stock/replenishment/rules", data=data)

    assert response.status_code == 400
    assert f'id="e-r{rule_id}-{field}"' in text(response)
    assert f'value="{value}"' in text(response)  # what was typed stays in the row
    assert rules()["LOW-1"] == (10, 2, None, "manual")


def test_an_unknown_sku_or_warehouse_is_a_field_error_of_the_new_rule_form(
    client, keeper
):
    response = client.post(
        "/stock/replenishment/rules",
        data={"sku": "NOPE", "warehouse": "XX", "reorder_point": "1",
              "safety_stock": "0"},  # fmt: skip
    )

    page = text(response)
    assert response.status_code == 400
    assert 'id="e-sku"' in page and "Unknown SKU" in page
    assert 'id="e-warehouse"' in page
    assert rules() == {}


def test_a_rule_is_deleted(client, keeper, low_product):
    response = client.post(
        "/stock/replenishment/rules/delete", data={"sku": "LOW-1", "warehouse": "MAIN"}
    )

    assert response.status_code == 302 and rules() == {}


def test_the_suggestion_preview_writes_nothing_and_apply_keeps_manual_rules(
    client, keeper, low_product
):
    busy = ProductFactory(sku="BUSY-1")
    for days_ago in (1, 2, 3):
        sold(busy, 20, days_ago)
        sold(low_product, 20, days_ago)

    preview = client.get("/stock/replenishment/suggest?warehouse=MAIN&days=7")
    before = rules()
    applied = client.post(
        "/stock/replenishment/suggest", data={"warehouse": "MAIN", "days": "7"}
    )

    assert preview.status_code == 200
    assert 'data-sku="BUSY-1"' in text(preview) and "kept" in text(preview)
    assert "Apply 1 suggestions" in text(preview)
    assert "(95% service level)" in text(preview)
    assert before == {"LOW-1": (10, 2, None, "manual")}
    assert applied.status_code == 302
    after = rules()
    assert after["LOW-1"] == (10, 2, None, "manual")
    assert after["BUSY-1"][3] == "suggested" and after["BUSY-1"][0] > 0


@pytest.mark.parametrize("days", ["3", "400", "x"])
def test_suggesting_from_too_few_or_too_many_days_is_a_field_error(
    client, keeper, days
):
    response = client.get(f"/stock/replenishment/suggest?days={days}")

    assert response.status_code == 400 and 'id="e-days"' in text(response)


def test_finance_previews_suggestions_but_may_not_apply_them(client, login_as):
    login_as(UserFactory(role="finance"))

    assert client.get("/stock/replenishment/suggest").status_code == 200
    assert (
        client.post("/stock/replenishment/suggest", data={"days": "28"}).status_code
        == 403
    )


def test_the_low_stock_list_exports_as_csv_and_xlsx(client, keeper, low_product):
    csv = client.get("/stock/replenishment/low-stock.csv?warehouse=MAIN")
    xlsx = client.get("/stock/replenishment/low-stock.xlsx")

    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert csv.data.startswith(b"\xef\xbb\xbf")
    assert "艾灸贴 大盒" in csv.data.decode("utf-8")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]]))
    assert (row["sku"], row["suggested_qty"], row["reorder_point"]) == ("LOW-1", 12, 10)
    assert client.get("/stock/replenishment/low-stock.pdf").status_code == 404
