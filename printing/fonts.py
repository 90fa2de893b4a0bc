"""CJK font registration (中文字体): the vendored WenQuanYi Micro Hei, registered once.

Every printed document uses this one embedded TrueType font for Chinese and Latin
text, so a PDF reads the same on a machine with no fonts installed. ReportLab's
built-in CID fonts (STSong-Light, ...) are never used: they are not embedded.
"""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

__all__ = ["FONT_NAME", "BOLD_FONT_NAME", "FONT_PATH", "register_fonts"]

FONT_PATH = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"
FONT_NAME = "WQY"
# Micro Hei has no bold face and ReportLab cannot embolden a TrueType font, so "bold"
# (<b> in paragraphs, the bold table header) maps to the same face: one embedded subset.
# Emphasis in our layouts comes from size and colour instead.
BOLD_FONT_NAME = FONT_NAME
_SUBFONT_INDEX = 0  # 0 = "WenQuanYi Micro Hei" (proportional); 1 is the Mono face

_lock = threading.Lock()
_registered = False


def register_fonts() -> str:
    """Register the CJK font with ReportLab (idempotent, thread-safe); return its name.

    :raise FileNotFoundError: the vendored font file is missing (broken install).
    """
    global _registered
    if _registered:
        return FONT_NAME
    with _lock:
        if not _registered:
            if not FONT_PATH.is_file():
                raise FileNotFoundError(f"vendored CJK font missing: {FONT_PATH}")
            font = TTFont(FONT_NAME, str(FONT_PATH), subfontIndex=_SUBFONT_INDEX)
            pdfmetrics.registerFont(font)
            for bold in (0, 1):
                for italic in (0, 1):
                    addMapping(FONT_NAME, bold, italic, FONT_NAME)
            _registered = True
    return FONT_NAME
