"""订单导入 order import from CSV/XLSX: all or nothing, on SQLite and PostgreSQL."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from supplychain.checks import run_checks
from supplychain.errors import ImportRejected
from supplychain.extensions import db
from supplychain.orders.imports import import_orders
from supplychain.orders.models import Order
from supplychain.stock.queries import available_qty, default_warehouse
from tests.factories import MerchantFactory, UserFactory, merchant_user, stocked_product

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone.utc)  # Mon 18:00 Shanghai
TUESDAY = dt.date(2026, 11, 24)


def csv_bytes(*lines, encoding="utf-8"):
    return ("\n".join(lines) + "\n").encode(encoding)


def order_count():
    return db.session.scalar(sa.select(sa.func.count(Order.id)))


def refused(user, data, filename="orders.csv"):
    with pytest.raises(ImportRejected) as error:
        import_orders(user, data, filename, now=NOW)
    return error.value.problems


def test_a_file_for_two_merchants_places_three_orders(any_db_app):
    first, second = stocked_product(50), stocked_product(50)
    a, b = MerchantFactory(), MerchantFactory()
    data = csv_bytes(
        "merchant,sku,qty,delivery_date,note,order_ref",
        f"{a.code},{first.sku},2,,张三,团1",
        f"{a.code},{first.sku},3,,李四,团1",  # same order, same SKU: added up
        f"{a.code},{second.sku},1,,,团1",
        f"{a.code},{second.sku},4,,,团2",
        f"{b.code},{first.sku},1,2026-11-25,,",
    )

    result = import_orders(UserFactory(role="sales"), data, "orders.csv", now=NOW)

    made = [(o.merchant_code, o.delivery_date, o.line_count) for o in result.orders]
    assert made == [
        (a.code, TUESDAY, 2),
        (a.code, TUESDAY, 1),
        (b.code, dt.date(2026, 11, 25), 1),
    ]
    assert result.rows == 5
    assert result.total_amount == Decimal("12.50") * 11
    placed = db.session.get(Order, result.orders[0].id)
    assert {ln.sku: ln.qty for ln in placed.lines} == {first.sku: 5, second.sku: 1}
    assert placed.source == "import" and placed.note == "[团1] 张三; 李四"
    assert available_qty(first.id, default_warehouse().id) == 44
    assert run_checks() == {}


def test_one_bad_row_refuses_the_file_naming_its_row_and_column(any_db_app):
    product = stocked_product(50)
    merchant = MerchantFactory()
    data = csv_bytes(
        "merchant,sku,数量",
        f"{merchant.code},{product.sku},2",
        f"{merchant.code},{product.sku},2.5",
        f"{merchant.code},NOPE,1",
    )

    problems = refused(UserFactory(role="sales"), data)

    assert problems == [
        {"row": 3, "column": "数量", "message": "'2.5' is not a whole number."},
        {"row": 4, "column": "sku", "message": "Unknown SKU 'NOPE'."},
    ]
    assert order_count() == 0
    assert available_qty(product.id, default_warehouse().id) == 50


def test_short_stock_refuses_every_order_and_reserves_nothing(any_db_app):
    plenty, scarce = stocked_product(50), stocked_product(3)
    a, b = MerchantFactory(), MerchantFactory()
    data = csv_bytes(
        "merchant,sku,qty",
        f"{a.code},{plenty.sku},5",
        f"{a.code},{scarce.sku},2",
        f"{b.code},{scarce.sku},2",  # 1 left once a's order holds 2
    )

    problems = refused(UserFactory(role="sales"), data)

    assert [(p["row"], p["column"]) for p in problems] == [(4, "qty")]
    assert "2 wanted, 1 available" in problems[0]["message"]
    assert order_count() == 0
    assert available_qty(plenty.id, default_warehouse().id) == 50
    assert available_qty(scarce.id, default_warehouse().id) == 3
    assert run_checks() == {}


def test_a_credit_refusal_refuses_the_file(any_db_app):
    product = stocked_product(50)
    poor = MerchantFactory(credit_limit=Decimal("20.00"))
    data = csv_bytes("merchant,sku,qty", f"{poor.code},{product.sku},2")

    problems = refused(UserFactory(role="sales"), data)

    assert problems[0]["row"] == 2 and "credit limit" in problems[0]["message"]
    assert order_count() == 0
    assert available_qty(product.id, default_warehouse().id) == 50


def test_a_gbk_csv_with_chinese_headers_is_read(any_db_app):
    product = stocked_product(50)
    merchant = MerchantFactory()
    data = csv_bytes(
        "商户编码,商品编码,数量,备注",
        f"{merchant.code},{product.sku},3,下午送货",
        encoding="gbk",
    )

    result = import_orders(UserFactory(role="sales"), data, "订单.csv", now=NOW)

    [order] = result.orders
    assert db.session.get(Order, order.id).note == "下午送货"


def test_an_xlsx_file_with_number_and_date_cells_is_read(any_db_app):
    product = stocked_product(50)
    merchant = MerchantFactory()
    book = Workbook()
    sheet = book.active
    sheet.append(["merchant", "sku", "qty", "delivery_date"])
    sheet.append([merchant.code, product.sku, 4, dt.datetime(2026, 11, 25)])
    buffer = io.BytesIO()
    book.save(buffer)

    result = import_orders(
        UserFactory(role="sales"), buffer.getvalue(), "orders.xlsx", now=NOW
    )

    [order] = result.orders
    assert order.delivery_date == dt.date(2026, 11, 25) and order.line_count == 1


def test_a_merchant_user_imports_for_its_own_store_only(any_db_app):
    product = stocked_product(50)
    user = merchant_user()
    other = MerchantFactory()

    problems = refused(
        user, csv_bytes("merchant,sku,qty", f"{other.code},{product.sku},1")
    )
    mine = csv_bytes(
        "merchant,sku,qty", f"{user.merchant.code},{product.sku},1", f",{product.sku},1"
    )
    result = import_orders(user, mine, "mine.csv", now=NOW)

    assert problems[0]["row"] == 2 and problems[0]["column"] == "merchant"
    assert "your own store" in problems[0]["message"]
    [order] = result.orders
    assert order.merchant_code == user.merchant.code and order.line_count == 1
    assert db.session.get(Order, order.id).lines[0].qty == 2


def test_dates_that_are_closed_or_not_delivery_days_are_row_problems(any_db_app):
    product = stocked_product(50)
    merchant = MerchantFactory(is_active=True)
    late = dt.datetime(2026, 11, 23, 14, 30, tzinfo=dt.timezone.utc)  # 22:30
    data = csv_bytes(
        "merchant,sku,qty,delivery_date",
        f"{merchant.code},{product.sku},1,2026-11-24",
        f"{merchant.code},{product.sku},1,2026-11-20",
        f"{merchant.code},{product.sku},1,someday",
    )

    with pytest.raises(ImportRejected) as error:
        import_orders(UserFactory(role="sales"), data, "orders.csv", now=late)

    rows = {(p["row"], p["column"]) for p in error.value.problems}
    assert rows == {(2, "delivery_date"), (3, "delivery_date"), (4, "delivery_date")}
    assert "closed at 2026-11-23 22:00" in error.value.problems[0]["message"]
    assert order_count() == 0


def test_summed_quantities_must_respect_the_order_step(any_db_app):
    product = stocked_product(50, min_order_qty=2, order_step=2)
    merchant = MerchantFactory()
    data = csv_bytes(
        "merchant,sku,qty",
        f"{merchant.code},{product.sku},2",
        f"{merchant.code},{product.sku},1",
    )

    problems = refused(UserFactory(role="sales"), data)

    assert [(p["row"], p["column"]) for p in problems] == [(2, "qty"), (3, "qty")]
    assert "rows 2, 3 add up to 3" in problems[0]["message"]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "orders.csv", "The file is empty."),
        (b"sku,qty\nA,1\n", "orders.pdf", "Only .csv and .xlsx files can be imported."),
        (b"sku,qty\n", "orders.csv", "The file has a header but no rows."),
        (b"merchant,sku\nM1,A\n", "orders.csv", "Missing column 'qty'."),
        (b"\xff\xfem\x00", "orders.csv", "The file is neither UTF-8 nor GBK"),
        (b"PK\x03\x04junk", "orders.xlsx", "The file is not a valid XLSX workbook."),
    ],
)
def test_unreadable_files_are_refused_clearly(any_db_app, data, filename, message):
    problems = refused(UserFactory(role="sales"), data, filename)

    assert problems[0]["message"].startswith(message)


def test_more_than_5000_rows_are_refused(any_db_app):
    rows = ["merchant,sku,qty"] + ["M1,A,1"] * 5001

    problems = refused(UserFactory(role="sales"), csv_bytes(*rows))

    assert "more than 5000 rows" in problems[0]["message"]


def test_the_same_file_twice_is_refused_unless_imported_again(any_db_app):
    product = stocked_product(100)
    merchant = MerchantFactory()
    staff = UserFactory(role="sales")
    data = f"merchant,sku,qty\n{merchant.code},{product.sku},2\n".encode()

    first = import_orders(staff, data, "orders.csv")
    with pytest.raises(ImportRejected) as refused:
        import_orders(staff, data, "orders.csv")
    again = import_orders(staff, data, "orders.csv", again=True)

    assert "already imported" in refused.value.problems[0]["message"]
    assert first.orders[0].number in refused.value.problems[0]["message"]
    assert len(again.orders) == 1
    assert db.session.scalar(sa.select(sa.func.count(Order.id))) == 2
