import pytest
from reportlab.graphics.barcode.code128 import Code128

from printing.labels import (
    BAR_WIDTH_MAX,
    QUIET_MODULES,
    barcode_bar_width,
    location_lines,
    render_bin_labels,
)
from tests.support.pdf import pdf_fonts, pdf_info, pdf_page_count, pdf_text
from tests.unit.printing.samples import bin_label, bin_label_doc, bin_labels


@pytest.fixture(scope="module")
def sheet_pdf():
    return render_bin_labels(bin_label_doc(bin_labels(30)))


def test_renders_a_pdf_with_only_the_embedded_cjk_font(sheet_pdf):
    fonts = pdf_fonts(sheet_pdf)

    assert sheet_pdf.startswith(b"%PDF-")
    assert fonts and all(font["emb"] == "yes" for font in fonts), fonts
    assert all("WenQuanYiMicroHei" in font["name"] for font in fonts), fonts


def test_each_label_shows_code_warehouse_and_place(sheet_pdf):
    text = pdf_text(sheet_pdf)

    assert text.count("杭州余杭中心仓 Yuhang DC") == 30
    assert "A01-0-01-L1" in text and "A01-1-10-R2" in text
    assert "通道 1 · 区段 0 · 货位 1 · L 面 · 第 1 层" in text
    assert "Aisle 1 · Block 0 · Bay 1 · Side L · Level 1" in text


def test_sets_title_metadata(sheet_pdf):
    info = pdf_info(sheet_pdf)

    assert info["Title"] == "货位标签 Bin labels · 余杭中心仓"
    assert info["Author"]


@pytest.mark.parametrize(
    ("count", "columns", "rows", "pages"),
    [(24, 3, 8, 1), (25, 3, 8, 2), (48, 3, 8, 2), (11, 2, 5, 2), (1, 1, 1, 1)],
)
def test_starts_a_new_sheet_when_the_grid_is_full(count, columns, rows, pages):
    doc = bin_label_doc(bin_labels(count), columns=columns, rows=rows)

    pdf = render_bin_labels(doc)

    assert pdf_page_count(pdf) == pages
    assert pdf_text(pdf).count("Yuhang DC") == count


def test_labels_fill_the_sheet_left_to_right_then_top_to_bottom():
    labels = tuple(bin_label(code=f"CODE-{i}") for i in range(1, 7))

    rows = pdf_text(render_bin_labels(bin_label_doc(labels)), layout=True).splitlines()

    code_rows = [row for row in rows if "CODE-" in row]
    assert code_rows[0].split() == ["CODE-1", "CODE-2", "CODE-3"]
    assert code_rows[1].split() == ["CODE-4", "CODE-5", "CODE-6"]


def test_long_codes_and_warehouse_names_still_fit_one_label():
    label = bin_label(
        code="HZ-YH-COLD-A12-B3-BAY120-LEFT-LEVEL5-X01",
        warehouse="杭州余杭中心仓（冷链保健品专用库区，二号楼三层东侧）",
    )

    pdf = render_bin_labels(bin_label_doc((label,)))

    text = pdf_text(pdf)
    assert pdf_page_count(pdf) == 1
    assert "HZ-YH-COLD-A12-B3-BAY120-LEFT-LEVEL5-X01" in text
    assert "杭州余杭中心仓" in text


def test_an_empty_run_prints_one_page_saying_so():
    pdf = render_bin_labels(bin_label_doc(()))

    assert pdf_page_count(pdf) == 1
    assert "No bin labels to print." in pdf_text(pdf)


def test_barcode_module_is_capped_and_shrinks_to_fit_long_codes():
    assert barcode_bar_width("A01", 500) == BAR_WIDTH_MAX
    width = barcode_bar_width("X" * 40, 170)
    assert width < BAR_WIDTH_MAX
    # modules of the symbol at width 1.0 plus both quiet zones fill exactly the space
    modules = Code128("X" * 40, barWidth=1.0, quiet=0).width
    assert width * (modules + 2 * QUIET_MODULES) == pytest.approx(170)


def test_location_lines_leave_out_an_empty_side():
    zh, en = location_lines(bin_label(side=""))

    assert zh == "通道 3 · 区段 1 · 货位 7 · 第 2 层"
    assert en == "Aisle 3 · Block 1 · Bay 7 · Level 2"


def test_rendering_the_same_labels_twice_gives_identical_bytes(sheet_pdf):
    assert render_bin_labels(bin_label_doc(bin_labels(30))) == sheet_pdf
