import io
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from supplychain.catalog import services
from supplychain.catalog.models import Product, ProductPrice
from supplychain.catalog.spreadsheets import export_products, import_products
from supplychain.errors import ImportRejected
from supplychain.extensions import db
from tests.factories import CategoryFactory, PriceGradeFactory, ProductFactory


def csv_bytes(text, encoding="utf-8"):
    return text.encode(encoding)


def xlsx_bytes(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def products():
    return {p.sku: p for p in db.session.scalars(sa.select(Product))}


def test_a_csv_creates_new_products_and_updates_known_ones(any_db_app):
    ProductFactory(sku="OLD", name="旧名", price=Decimal("5.00"), case_qty=10)
    data = csv_bytes("sku,name,unit,price\nNEW,阿胶膏,瓶,30.00\nOLD,新名,盒,6.50\n")

    result = import_products(data, "products.csv")

    assert (result.created, result.updated) == (1, 1)
    stored = products()
    assert stored["NEW"].name == "阿胶膏" and stored["NEW"].price == Decimal("30.00")
    assert stored["OLD"].name == "新名" and stored["OLD"].price == Decimal("6.50")
    assert stored["OLD"].case_qty == 10  # a column not in the file stays unchanged


def test_one_bad_row_refuses_the_whole_file_and_lists_every_problem(any_db_app):
    ProductFactory(sku="OLD", price=Decimal("5.00"))
    data = csv_bytes(
        "sku,name,unit,price,case_qty\n"
        "OK1,好的,盒,1.00,1\n"
        "OLD,,,7.00,x\n"
        "BAD,坏的,盒,12.345,0\n"
        "NEW,,盒,,\n"
    )

    with pytest.raises(ImportRejected) as caught:
        import_products(data, "products.csv")

    problems = {(p["row"], p["column"]) for p in caught.value.problems}
    assert problems == {
        (3, "case_qty"),
        (4, "price"),
        (4, "case_qty"),
        (5, "name"),
        (5, "price"),
    }
    db.session.expire_all()
    assert set(products()) == {"OLD"}
    assert products()["OLD"].price == Decimal("5.00")


def test_a_sku_twice_in_one_file_is_a_problem_on_the_second_row(any_db_app):
    data = csv_bytes("sku,name,unit,price\nA1,一,盒,1\nA1,二,盒,2\n")

    with pytest.raises(ImportRejected) as caught:
        import_products(data, "products.csv")

    assert caught.value.problems == [
        {"row": 3, "column": "sku", "message": "SKU 'A1' already appears in row 2."}
    ]
    assert products() == {}


def test_a_gbk_csv_from_excel_imports_chinese_text(any_db_app):
    data = csv_bytes("sku,name,unit,price\r\nLZ-01,灵芝孢子粉,瓶,198.00\r\n", "gbk")

    import_products(data, "灵芝.csv")

    assert products()["LZ-01"].name == "灵芝孢子粉"
    assert products()["LZ-01"].unit == "瓶"


def test_an_xlsx_with_typed_cells_imports_exact_money(any_db_app):
    CategoryFactory(code="HLTH")
    data = xlsx_bytes(
        [
            [
                "sku",
                "name",
                "unit",
                "price",
                "case_qty",
                "category",
                "is_lot_tracked",
                "weight_kg",
            ],
            ["X1", "艾灸贴", "盒", 12.3, 24, "HLTH", True, 0.125],
            ["X2", "阿胶膏", "瓶", "0.10", 1, "", False, None],
        ]
    )

    result = import_products(data, "products.xlsx")

    assert result.created == 2
    stored = products()
    assert stored["X1"].price == Decimal("12.30")
    assert stored["X2"].price == Decimal("0.10")
    assert stored["X1"].weight_kg == Decimal("0.125")
    assert stored["X1"].category.code == "HLTH" and stored["X1"].is_lot_tracked
    assert stored["X2"].category is None


def test_chinese_headers_are_understood(any_db_app):
    data = csv_bytes("商品编码,商品名称,单位,价格,箱规\nA1,艾灸贴,盒,12.50,24\n")

    import_products(data, "products.csv")

    assert products()["A1"].case_qty == 24


def test_unknown_columns_and_grades_refuse_the_file(any_db_app):
    data = csv_bytes("sku,name,unit,prise,price.NOPE\nA1,艾灸贴,盒,1,2\n")

    with pytest.raises(ImportRejected) as caught:
        import_products(data, "products.csv")

    assert {(p["row"], p["column"]) for p in caught.value.problems} == {
        (1, "prise"),
        (1, "price.NOPE"),
    }


def test_a_file_without_a_sku_column_is_refused(any_db_app):
    with pytest.raises(ImportRejected) as caught:
        import_products(csv_bytes("name,unit,price\n艾灸贴,盒,1\n"), "products.csv")

    assert caught.value.problems[0]["column"] == "sku"


def test_an_unknown_category_is_a_row_problem(any_db_app):
    with pytest.raises(ImportRejected) as caught:
        import_products(
            csv_bytes("sku,name,unit,price,category\nA1,x,盒,1,NOPE\n"), "p.csv"
        )

    assert caught.value.problems == [
        {"row": 2, "column": "category", "message": "Unknown category 'NOPE'."}
    ]


def test_grade_price_columns_set_grade_prices(any_db_app):
    PriceGradeFactory(code="RETAIL")
    PriceGradeFactory(code="LEADER")
    data = csv_bytes(
        "sku,name,unit,price,price.RETAIL,price.LEADER\nA1,艾灸贴,盒,12.50,11.00,\n"
    )

    import_products(data, "products.csv")
    import_products(csv_bytes("sku,price.RETAIL\nA1,10.80\n"), "again.csv")

    prices = db.session.scalars(sa.select(ProductPrice.price)).all()
    assert prices == [Decimal("10.80")]


def test_many_problems_are_capped_with_a_summary(any_db_app):
    rows = "".join(f"A{n},x,盒,-1\n" for n in range(150))

    with pytest.raises(ImportRejected) as caught:
        import_products(csv_bytes("sku,name,unit,price\n" + rows), "p.csv")

    assert len(caught.value.problems) == 101
    assert "50 more" in caught.value.problems[-1]["message"]
    assert "150 problem(s)" in caught.value.message


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imports_back_unchanged(any_db_app, fmt):
    grade = PriceGradeFactory(code="RETAIL")
    CategoryFactory(code="HLTH")
    services.create_product(
        "A1", "=艾灸贴", unit="盒", price=Decimal("12.50"), category="HLTH",
        weight_kg=Decimal("0.125"), barcode="6901234567892",
    )  # fmt: skip
    services.create_product(
        "A2", "阿胶膏", unit="瓶", price=Decimal("0.10"), is_stocked=False
    )
    services.set_grade_price("A1", grade.code, Decimal("11.00"))
    before = {
        sku: (p.name, p.price, p.weight_kg, p.barcode, p.is_stocked)
        for sku, p in products().items()
    }

    exported = export_products(fmt)
    result = import_products(exported.data, exported.filename)

    db.session.expire_all()
    after = {
        sku: (p.name, p.price, p.weight_kg, p.barcode, p.is_stocked)
        for sku, p in products().items()
    }
    assert (result.created, result.updated) == (0, 2)
    assert after == before
    assert db.session.scalars(sa.select(ProductPrice.price)).all() == [Decimal("11.00")]


def test_a_csv_export_is_utf8_with_bom_and_neutralises_formulas(any_db_app):
    ProductFactory(sku="A1", name="=SUM(1)")

    data = export_products("csv").data

    assert data.startswith(b"\xef\xbb\xbf")
    assert "'=SUM(1)" in data.decode("utf-8-sig")


def test_an_xlsx_export_has_number_cells_for_prices(any_db_app):
    ProductFactory(sku="A1", price=Decimal("12.50"))

    book = load_workbook(io.BytesIO(export_products("xlsx").data))

    header, row = list(book.active.iter_rows(values_only=True))
    assert row[header.index("price")] == 12.5
    assert row[header.index("sku")] == "A1"
