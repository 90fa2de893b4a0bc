"""进销存报表 pages: the 进销存 report (month or custom dates, filters, pages of 50,
totals of every row, XLSX/CSV/PDF exports of all rows), stock value at a date, stock by
bin and lot, a SKU's history, the near-expiry report and its banner on the stock list.
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from supplychain.extensions import db
from supplychain.stock import ledger
from supplychain.stock.expiry import local_today
from supplychain.stock.models import StockDocument
from tests.factories import (
    ProductFactory,
    UserFactory,
    last_month_stock_history,
    merchant_user,
)
from tests.support.pdf import pdf_text


@pytest.fixture
def keeper(login_as):
    user = UserFactory(locale="en", role="warehouse")
    login_as(user)
    return user


@pytest.fixture
def history(app):
    return last_month_stock_history()


def html(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_the_hub_links_every_report(client, keeper, history):
    page = html(client, "/stock/reports/")
    for path in ("/stock/reports/movements", "/stock/reports/value",
                 "/stock/reports/places", "/stock/reports/near-expiry"):  # fmt: skip
        assert path in page
    assert "1 lot expires within 60 days" in page


def test_the_movement_report_defaults_to_last_month_with_totals(
    client, keeper, history
):
    page = html(client, "/stock/reports/movements")

    month = history["first"].strftime("%Y-%m")
    assert f'value="{month}"' in page
    assert f"{history['first'].isoformat()} – {history['last'].isoformat()}" in page
    assert "东阿阿胶 阿胶糕" in page and "=1+2 艾灸贴" in page
    assert "200.00" in page  # 100 received at 2.00
    assert "140.00" in page  # closing value of the cake: 70 × 2.00
    assert "Total" in page and "299.90" in page  # receipts 200.00 + 99.90


def test_a_month_before_the_moves_shows_the_opening_of_the_next(
    client, keeper, history
):
    earlier = history["first"] - dt.timedelta(days=1)
    page = html(client, f"/stock/reports/movements?month={earlier:%Y-%m}")
    assert "No stock and no movement in this period." in page
    later = html(
        client,
        f"/stock/reports/movements?from={history['last'] + dt.timedelta(days=1)}"
        f"&to={local_today()}",
    )
    assert "140.00" in later  # the opening now: 70 × 2.00, nothing moved since


def test_search_and_warehouse_filters(client, keeper, history):
    page = html(client, "/stock/reports/movements?q=阿胶&warehouse=main")
    assert "RP-1" in page and "RP-2" not in page
    assert "MAIN" in page


@pytest.mark.parametrize(
    "query, field, message",
    [
        ("from=2026-03-10&to=2026-03-01", "to", "ends before it starts"),
        ("from=2025-01-01&to=2026-01-02", "to", "at most 366 days"),
        ("from=2026-03-01", "to", "Give both dates"),
        ("month=2026-13", "month", "YYYY-MM"),
        ("from=yesterday&to=2026-01-01", "from", "Not a valid date"),
        ("warehouse=NOPE", "warehouse", "no warehouse NOPE"),
    ],
)
def test_bad_filters_show_the_error_next_to_the_field(
    client, keeper, query, field, message
):
    page = html(client, f"/stock/reports/movements?{query}", status=400)
    assert f'id="e-{field}"' in page and message in page


def test_pages_of_fifty_and_the_totals_of_all_rows(client, keeper, history):
    start = dt.datetime.combine(history["first"], dt.time(12), tzinfo=dt.timezone.utc)
    for n in range(53):
        product = ProductFactory(sku=f"PG-{n:03d}")
        ledger.post_receipt(
            product.id, history["main"].id, 1, unit_cost=Decimal("1.00"),
            created_at=start,
        )  # fmt: skip
    db.session.commit()

    first = html(client, "/stock/reports/movements")
    second = html(client, "/stock/reports/movements?page=2")

    assert first.count('class="sku"><a') == 50
    assert second.count('class="sku"><a') == 5
    for page in (first, second):
        assert "all 55 rows" in page
        assert "352.90" in page  # receipts of every row: 200 + 99.90 + 53
    assert "Page 1 of 2" in first


def test_the_xlsx_export_has_every_row_typed_and_the_totals(client, keeper, history):
    response = client.get(
        f"/stock/reports/movements.xlsx?month={history['first']:%Y-%m}"
    )

    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("编码 SKU", "品名 Name", "单位 Unit")
    by_sku = {row[0]: dict(zip(header, row)) for row in rows[1:]}
    cake = by_sku["RP-1"]
    assert cake["采购入库 Receipts 数量 qty"] == 100
    assert cake["采购入库 Receipts 金额 value"] == 200
    assert cake["期末 Closing 金额 value"] == 140
    assert isinstance(cake["期末 Closing 数量 qty"], int)
    assert by_sku["RP-2"]["品名 Name"] == "'=1+2 艾灸贴"  # neutralised, not a formula
    total = by_sku["合计 Total"]
    assert total["盘盈亏调整 Adjustments (net) 数量 qty"] == -1
    assert float(total["采购入库 Receipts 金额 value"]) == pytest.approx(299.90)
    cell = next(c for c in sheet[2] if c.column_letter == "E")
    assert cell.data_type == "n"


def test_the_csv_export_is_utf8_with_bom_and_neutralised(client, keeper, history):
    response = client.get("/stock/reports/movements.csv")

    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    names = {row[0]: row[1] for row in rows[1:]}
    assert names["RP-1"] == "东阿阿胶 阿胶糕"
    assert names["RP-2"] == "'=1+2 艾灸贴"
    assert rows[-1][0] == "合计 Total"


def test_the_pdf_export_shows_the_chinese_names_and_the_period(client, keeper, history):
    response = client.get("/stock/reports/movements.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "东阿阿胶 阿胶糕" in text and "进销存报表" in text
    assert history["first"].isoformat() in text
    assert "合计 Total" in text


def test_an_export_with_bad_filters_goes_back_to_the_page(client, keeper):
    response = client.get("/stock/reports/movements.xlsx?from=2026-03-10&to=2026-03-01")
    assert response.status_code == 303
    assert "/stock/reports/movements?" in response.headers["Location"]
    assert client.get("/stock/reports/movements.doc").status_code == 404


def test_value_at_a_date_with_totals_per_warehouse(client, keeper, history):
    before = history["first"] - dt.timedelta(days=1)
    page = html(client, f"/stock/reports/value?at={history['last']}")
    empty = html(client, f"/stock/reports/value?at={before}")
    future = html(
        client, f"/stock/reports/value?at={local_today() + dt.timedelta(days=1)}", 400
    )

    assert "RP-1" in page and "140.00" in page and "89.91" in page  # 9 × 9.99
    assert "229.91" in page  # all warehouses
    assert "No stock on that day." in empty
    assert "in the future" in future
    export = client.get(f"/stock/reports/value.xlsx?at={history['last']}")
    rows = list(
        load_workbook(io.BytesIO(export.data)).active.iter_rows(values_only=True)
    )
    assert rows[-1][1] == "合计 Total" and float(rows[-1][5]) == pytest.approx(229.91)


def test_stock_by_bin_and_lot_and_its_csv(client, keeper, history):
    page = html(client, "/stock/reports/places?warehouse=MAIN")
    assert "LOT-A" in page and "no bin" in page and "expires soon" in page
    assert "RP-2" not in html(client, "/stock/reports/places?sku=RP-1")
    assert "No stock found." in html(client, "/stock/reports/places?bin=A9")
    export = client.get("/stock/reports/places.csv?sku=RP-1")
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert rows[1][2] == "RP-1" and rows[1][5] == "LOT-A" and rows[1][8] == "30"


def test_history_of_a_sku_from_opening_to_closing(client, keeper, history):
    cake = history["cake"]
    document = StockDocument(
        number="IS-20261001-0001", kind="issue", warehouse_id=history["main"].id
    )
    db.session.add(document)
    db.session.commit()
    ledger.post_issue(
        cake.id, history["main"].id, 5, reason="Issue IS-20261001-0001",
        reference_type="stock_document", reference_id=document.id,
    )  # fmt: skip
    db.session.commit()

    period = f"from={history['first']}&to={local_today()}"
    page = html(client, f"/stock/reports/history/RP-1?{period}")

    assert "Opening balance" in page and "Closing balance" in page
    assert "IS-20261001-0001" in page
    if "stock_documents.show" in client.application.view_functions:
        assert "/stock/documents/IS-20261001-0001" in page
    assert "130.00" in page  # 65 left at 2.00
    assert "Supplier" in page and "Customer" in page
    export = client.get(f"/stock/reports/history/RP-1/export.xlsx?{period}")
    rows = list(
        load_workbook(io.BytesIO(export.data)).active.iter_rows(values_only=True)
    )
    assert rows[1][1] == "期初 Opening" and rows[-1][1] == "期末 Closing"
    assert rows[-1][11] == 65 and isinstance(rows[2][0], dt.datetime)


def test_history_of_an_unknown_sku_is_404_and_bad_dates_are_shown(client, keeper):
    ProductFactory(sku="H-1")
    assert client.get("/stock/reports/history/NOPE").status_code == 404
    page = html(client, "/stock/reports/history/H-1?from=2026-02-01&to=2026-01-01", 400)
    assert 'id="e-to"' in page


def test_near_expiry_page_lists_the_lots_and_says_reserved_is_unknown(
    client, keeper, history
):
    page = html(client, "/stock/reports/near-expiry")
    assert "LOT-A" in page and "Expiring within 60 days" in page
    assert "reserved" in page and "not known" in page
    assert "LOT-A" not in html(client, "/stock/reports/near-expiry?days=29")
    assert 'id="e-days"' in html(client, "/stock/reports/near-expiry?days=-1", 400)
    export = client.get("/stock/reports/near-expiry.xlsx")
    rows = list(
        load_workbook(io.BytesIO(export.data)).active.iter_rows(values_only=True)
    )
    assert rows[1][5] == "LOT-A" and rows[1][8] == 30 and rows[1][9] == 70
    assert isinstance(rows[1][7], dt.datetime)  # a date cell


def test_the_stock_list_has_the_alert_unusable_and_value_columns(
    client, keeper, history
):
    page = html(client, "/stock/")
    assert "1 lot expires within 60 days · 0 expired" in page
    assert "/stock/reports/near-expiry" in page
    assert "Unusable" in page and "¥140.00" in page


def test_the_product_page_shows_cost_days_left_and_links_the_history(
    client, keeper, history
):
    page = html(client, "/stock/products/RP-1")
    assert "¥2.0000" in page and "¥140.00" in page
    assert "expires soon" in page and ">30<" in page
    assert "/stock/reports/history/RP-1" in page


@pytest.mark.parametrize("role", ["buyer", "finance", "admin", "warehouse_manager"])
def test_readers_see_the_reports(client, login_as, role, history):
    login_as(UserFactory(role=role))
    assert client.get("/stock/reports/movements").status_code == 200


@pytest.mark.parametrize("role", ["sales", "driver", "dispatcher"])
def test_other_staff_may_not(client, login_as, role):
    login_as(UserFactory(role=role))
    assert client.get("/stock/reports/movements").status_code == 403
    assert client.get("/stock/reports/near-expiry.csv").status_code == 403


def test_merchants_may_not(client, login_as):
    login_as(merchant_user())
    assert client.get("/stock/reports/").status_code == 403
