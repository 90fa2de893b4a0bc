import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from supplychain.errors import ImportRejected
from supplychain.tabular import read_table, write_csv, write_xlsx


def _xlsx(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_reads_utf8_csv_with_bom_and_numbers_rows_like_a_spreadsheet():
    data = "\ufeffsku,name\r\nA1,艾灸贴\r\n\r\nA2,阿胶膏\r\n".encode("utf-8")

    table = read_table(data, "p.csv", required=["sku"])

    assert table.columns == ["sku", "name"]
    assert table.rows == [
        (2, {"sku": "A1", "name": "艾灸贴"}),
        (4, {"sku": "A2", "name": "阿胶膏"}),
    ]


def test_reads_gbk_csv_saved_by_excel():
    data = "sku,name\nA1,灵芝孢子粉\n".encode("gbk")

    assert read_table(data, "p.csv").rows[0][1]["name"] == "灵芝孢子粉"


def test_reads_xlsx_with_typed_cells_as_text():
    data = _xlsx(
        [
            ["sku", "price", "date"],
            ["A1", 12.5, dt.datetime(2026, 11, 24)],
            ["A2", 3, None],
        ]
    )

    rows = read_table(data, "p.xlsx").rows

    assert rows[0][1] == {"sku": "A1", "price": "12.5", "date": "2026-11-24"}
    assert rows[1][1]["price"] == "3"


@pytest.mark.parametrize(
    "data, name, fragment",
    [
        (b"", "p.csv", "empty"),
        (b"sku,name\n", "p.csv", "no rows"),
        (b"\xff\xfe\x00\x00garbage\x00", "p.csv", "UTF-8"),
        (b"PK\x03\x04 not really", "p.xlsx", "XLSX"),
        (b"sku\nA\n", "p.pdf", ".csv"),
    ],
)
def test_refuses_bad_files_with_a_clear_message(data, name, fragment):
    with pytest.raises(ImportRejected) as caught:
        read_table(data, name)

    assert fragment in caught.value.problems[0]["message"]


def test_missing_and_duplicate_columns_are_reported_on_row_one():
    with pytest.raises(ImportRejected) as caught:
        read_table(b"name,name\nx,y\n", "p.csv", required=["sku"])

    columns = {(p["row"], p["column"]) for p in caught.value.problems}
    assert columns == {(1, "sku"), (1, "name")}


def test_too_many_rows_is_refused():
    data = ("sku\n" + "".join(f"S{i}\n" for i in range(11))).encode()

    with pytest.raises(ImportRejected):
        read_table(data, "p.csv", max_rows=10)


def test_csv_export_has_bom_and_neutralises_formulas():
    data = write_csv(
        ["sku", "name"], [["=cmd|' /C calc'!A0", "+1"], ["A2", Decimal("1.50")]]
    )

    text = data.decode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    assert "'=cmd" in text and "'+1" in text and "1.50" in text


def test_xlsx_export_keeps_numbers_and_dates_typed():
    data = write_xlsx(
        ["sku", "price", "day"],
        [["A1", Decimal("12.50"), dt.date(2026, 11, 24)]],
        title="产品",
    )

    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "产品"
    assert sheet["B2"].data_type == "n" and float(sheet["B2"].value) == 12.5
    assert sheet["C2"].is_date


def test_our_own_formula_guard_is_undone_on_import():
    data = write_csv(["name"], [["=SUM(A1)"], ["'plain"]])

    rows = read_table(data, "x.csv").rows

    assert [cells["name"] for _, cells in rows] == ["=SUM(A1)", "'plain"]
