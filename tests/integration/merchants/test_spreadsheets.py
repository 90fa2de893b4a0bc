import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from supplychain.errors import ImportRejected
from supplychain.extensions import db
from supplychain.merchants.models import Merchant
from supplychain.merchants.spreadsheets import (
    COLUMNS,
    export_merchants,
    import_merchants,
)
from tests.factories import MerchantFactory, PriceGradeFactory

pytestmark = pytest.mark.usefixtures("any_db_app")

HEADER = (
    "code,name,address,lat,lon,kind,district,credit_limit,delivery_window,price_grade"
)


def _csv(*rows, header=HEADER):
    return ("\n".join((header,) + rows) + "\n").encode("utf-8")


def _xlsx(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _merchants():
    return {m.code: m for m in db.session.scalars(sa.select(Merchant))}


def _problems(data, filename="m.csv"):
    with pytest.raises(ImportRejected) as caught:
        import_merchants(data, filename)
    return caught.value.problems


def test_imports_new_merchants_from_utf8_csv():
    PriceGradeFactory(code="RETAIL")
    data = _csv(
        "HZ001,西湖店,文三路 1 号,30.2741,120.1551,store,西湖区,5000,07:00-10:00,RETAIL",
        "HZ002,拱墅团长,莫干山路 2 号,30.30,120.14,团长,拱墅区,,,",
    )

    result = import_merchants(data, "merchants.csv")

    assert (result.created, result.updated) == (2, 0)
    merchants = _merchants()
    assert merchants["HZ001"].credit_limit == Decimal("5000.00")
    assert merchants["HZ001"].delivery_window == (dt.time(7), dt.time(10))
    assert merchants["HZ001"].price_grade.code == "RETAIL"
    assert merchants["HZ002"].kind == "group_leader"
    assert merchants["HZ002"].credit_limit is None


def test_imports_a_gbk_csv_with_chinese_headers_as_excel_saves_it():
    data = "编码,名称,地址,纬度,经度,类型,区\r\nHZ010,上城批发部,解放路 5 号,30.25,120.17,批发,上城区\r\n".encode(
        "gbk"
    )

    result = import_merchants(data, "商户.csv")

    assert result.created == 1
    merchant = _merchants()["HZ010"]
    assert (merchant.name, merchant.kind, merchant.district) == (
        "上城批发部",
        "wholesale",
        "上城区",
    )


def test_imports_xlsx_with_typed_number_cells():
    data = _xlsx(
        [
            [
                "code",
                "name",
                "address",
                "lat",
                "lon",
                "credit_limit",
                "payment_terms_days",
            ],
            ["HZ020", "滨江店", "江南大道 8 号", 30.2084, 120.2126, 1200.5, 30],
        ]
    )

    import_merchants(data, "m.xlsx")

    merchant = _merchants()["HZ020"]
    assert merchant.lat == pytest.approx(30.2084)
    assert merchant.credit_limit == Decimal("1200.50")
    assert merchant.payment_terms_days == 30


def test_one_bad_row_rejects_the_whole_file_with_row_and_column():
    data = _csv(
        "HZ001,西湖店,文三路 1 号,30.27,120.15,store,,,,",
        "HZ002,坏店,某路,95,120.15,store,,-5,10:00-07:00,NOPE",
        "HZ 003,空格店,某路,30.1,120.1,shop,,,,",
    )

    problems = _problems(data)

    assert _merchants() == {}
    found = {(p["row"], p["column"]) for p in problems}
    assert {
        (3, "lat"),
        (3, "credit_limit"),
        (3, "delivery_window"),
        (3, "price_grade"),
    } <= found
    assert {(4, "code"), (4, "kind")} <= found
    assert not any(p["row"] == 2 for p in problems)


def test_new_merchants_need_name_and_coordinates():
    problems = _problems(_csv("HZ001,,文三路,,,,,,,"))

    assert {p["column"] for p in problems} >= {"name", "lat", "lon"}


def test_duplicate_codes_in_one_file_are_refused():
    problems = _problems(_csv("HZ001,a,x,30,120,,,,,", "HZ001,b,y,30,120,,,,,"))

    assert problems == [
        {"row": 3, "column": "code", "message": "Code 'HZ001' is already on row 2."}
    ]


def test_unknown_and_missing_columns_are_named():
    problems = _problems(b"name,colour\nx,red\n")

    assert {p["column"] for p in problems} == {"colour", "code"}
    assert all(p["row"] == 1 for p in problems)


def test_existing_codes_are_updated_with_only_the_columns_in_the_file():
    MerchantFactory(
        code="HZ001", name="旧名", district="西湖区", credit_limit=Decimal("100")
    )

    result = import_merchants("code,name,credit_limit\nHZ001,新名,\n".encode(), "m.csv")

    assert (result.created, result.updated) == (0, 1)
    merchant = _merchants()["HZ001"]
    assert merchant.name == "新名"
    assert merchant.district == "西湖区"  # not in the file: kept
    assert merchant.credit_limit is None  # blank: unlimited


def test_malformed_xlsx_is_refused_and_nothing_written():
    for data in (
        b"PK\x03\x04 not really a zip",
        _zip_without_workbook(),
        b"plain text",
    ):
        problems = _problems(data, "m.xlsx")

        assert problems[0]["message"]
    assert _merchants() == {}


def _zip_without_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    return buffer.getvalue()


def test_undecodable_and_empty_files_are_refused():
    assert _problems(b"")[0]["message"]
    assert _problems(b"\xff\xfe\x00\x00garbage\x81\x00", "m.csv")[0]["message"]
    assert _problems(b"code,name\n", "m.csv")[0]["message"]
    assert _problems(b"code\nHZ1\n", "m.pdf")[0]["message"]


def test_csv_export_is_utf8_with_bom_and_neutralises_formulas():
    MerchantFactory(code="HZ001", name='=HYPERLINK("x")', phone="+86 138 0000 0000")

    exported = export_merchants("csv")

    assert exported.data.startswith(b"\xef\xbb\xbf")
    text = exported.data.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(COLUMNS)
    assert "'=HYPERLINK" in text and "'+86 138" in text


def test_xlsx_export_has_typed_cells():
    MerchantFactory(
        code="HZ001", credit_limit=Decimal("5000.00"), payment_terms_days=30
    )

    exported = export_merchants("xlsx")

    sheet = load_workbook(io.BytesIO(exported.data)).active
    row = dict(zip([c.value for c in sheet[1]], [c.value for c in sheet[2]]))
    assert row["code"] == "HZ001"
    assert row["credit_limit"] == 5000 and not isinstance(row["credit_limit"], str)
    assert isinstance(row["lat"], float)
    assert row["payment_terms_days"] == 30
    assert row["is_active"] is True


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imports_back_unchanged(fmt):
    PriceGradeFactory(code="WHOLESALE")
    import_merchants(
        _csv(
            "HZ001,西湖店,文三路,30.2741,120.1551,wholesale,西湖区,1234.56,06:30-09:00,"
            "WHOLESALE",
            "HZ002,-负号店,某路,30.1,120.1,store,,,,",
        ),
        "m.csv",
    )
    db.session.execute(
        sa.update(Merchant).where(Merchant.code == "HZ002").values(phone="+86 571 1234")
    )
    db.session.commit()
    before = {code: _snapshot(m) for code, m in _merchants().items()}

    exported = export_merchants(fmt)
    result = import_merchants(exported.data, exported.filename)

    db.session.expire_all()
    assert (result.created, result.updated) == (0, 2)
    assert {code: _snapshot(m) for code, m in _merchants().items()} == before


def _snapshot(m):
    return (
        m.name,
        m.kind,
        m.district,
        m.address,
        m.lat,
        m.lon,
        m.price_grade_id,
        m.credit_limit,
        m.delivery_window,
        m.payment_terms_days,
        m.phone,
        m.is_active,
    )
