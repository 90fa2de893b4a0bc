from concurrent.futures import ThreadPoolExecutor

from reportlab.lib.fonts import tt2ps
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from printing import fonts
from printing.fonts import FONT_NAME, FONT_PATH, register_fonts


def test_font_and_its_licence_are_vendored_inside_the_package():
    folder = FONT_PATH.parent

    assert FONT_PATH.is_file() and FONT_PATH.stat().st_size > 1_000_000
    licence = (folder / "LICENSE-wqy-microhei.txt").read_text(encoding="utf-8")
    assert "Apache License" in licence and "WenQuanYi" in licence
    assert "Apache" in (folder / "README.md").read_text(encoding="utf-8")


def test_registers_the_vendored_truetype_font_under_one_name():
    name = register_fonts()

    font = pdfmetrics.getFont(name)
    assert name == FONT_NAME == "WQY"
    assert isinstance(font, TTFont)  # embedded TrueType, not a built-in CID font
    assert font.face.name == b"WenQuanYiMicroHei"


def test_bold_and_italic_map_to_the_same_embedded_face():
    register_fonts()

    assert {tt2ps(FONT_NAME, bold, italic) for bold in (0, 1) for italic in (0, 1)} == {
        FONT_NAME
    }


def test_registering_from_many_threads_registers_one_font_object():
    register_fonts()
    before = pdfmetrics.getFont(FONT_NAME)

    with ThreadPoolExecutor(max_workers=8) as pool:
        names = list(pool.map(lambda _: register_fonts(), range(32)))

    assert set(names) == {FONT_NAME}
    assert pdfmetrics.getFont(FONT_NAME) is before
    assert fonts._registered is True
