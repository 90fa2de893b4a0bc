"""PDF inspection helpers for tests, built on poppler-utils (pdftotext, pdffonts,
pdfinfo, pdftoppm).

When a poppler tool is missing the calling test is skipped, or fails when the
environment sets SUPPLYCHAIN_REQUIRE_SERVICES=1 (CI), so it never passes silently there.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from html import unescape
from pathlib import Path

import pytest

__all__ = [
    "pdf_text",
    "pdf_words",
    "pdf_fonts",
    "pdf_info",
    "pdf_page_count",
    "pdf_to_png",
    "require_tool",
]


def require_tool(name: str) -> str:
    """Path of a command-line tool; skip the test (or fail in CI) when it is missing."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} (poppler-utils) is not installed"
        if os.environ.get("SUPPLYCHAIN_REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


def _run_on_pdf(tool: str, pdf: bytes, *args: str) -> str:
    executable = require_tool(tool)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        result = subprocess.run(
            [executable, *args, str(source), *(["-"] if tool == "pdftotext" else [])],
            capture_output=True,
            check=True,
            timeout=120,
        )
    return result.stdout.decode("utf-8")


def pdf_text(pdf: bytes, *, layout: bool = False) -> str:
    """The text layer of every page (UTF-8), pages separated by form feeds."""
    flags = ["-layout"] if layout else []
    return _run_on_pdf("pdftotext", pdf, "-enc", "UTF-8", *flags)


def pdf_words(pdf: bytes) -> list[dict]:
    """Every word of the text layer with its page (from 1) and box in points, origin
    top left: ``{"page", "text", "x_min", "y_min", "x_max", "y_max"}``."""
    html = _run_on_pdf("pdftotext", pdf, "-enc", "UTF-8", "-bbox")
    words, page = [], 0
    for match in _BBOX.finditer(html):
        if match.group("page"):
            page += 1
            continue
        words.append(
            {
                "page": page,
                "text": unescape(match.group("text")),
                **{key: float(match.group(key)) for key in _BOX_KEYS},
            }
        )
    return words


_BOX_KEYS = ("x_min", "y_min", "x_max", "y_max")
_BBOX = re.compile(
    r'(?P<page><page\b)|<word xMin="(?P<x_min>[\d.]+)" yMin="(?P<y_min>[\d.]+)" '
    r'xMax="(?P<x_max>[\d.]+)" yMax="(?P<y_max>[\d.]+)">(?P<text>[^<]*)</word>'
)


def pdf_fonts(pdf: bytes) -> list[dict[str, str]]:
    """One dict per font listed by ``pdffonts``: name, type, encoding, emb, sub, uni."""
    lines = _run_on_pdf("pdffonts", pdf).splitlines()
    if len(lines) < 2:
        return []
    # the dashes under the header give the column widths (names may contain spaces)
    spans, start = [], 0
    for dashes in lines[1].split(" "):
        spans.append((start, start + len(dashes)))
        start += len(dashes) + 1
    keys = ("name", "type", "encoding", "emb", "sub", "uni", "object_id")
    return [
        {key: line[a:b].strip() for key, (a, b) in zip(keys, spans)}
        for line in lines[2:]
        if line.strip()
    ]


def pdf_info(pdf: bytes) -> dict[str, str]:
    """What ``pdfinfo`` prints (Title, Author, Pages, Page size, ...) as a dict."""
    info = {}
    for line in _run_on_pdf("pdfinfo", pdf).splitlines():
        key, sep, value = line.partition(":")
        if sep:
            info[key.strip()] = value.strip()
    return info


def pdf_page_count(pdf: bytes) -> int:
    return int(pdf_info(pdf)["Pages"])


def pdf_to_png(pdf: bytes, directory: Path | str, *, dpi: int = 60) -> list[Path]:
    """Rasterise every page to ``directory``/page-N.png; return them in page order."""
    executable = require_tool("pdftoppm")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [executable, "-r", str(dpi), "-png", str(source), str(directory / "page")],
            capture_output=True,
            check=True,
            timeout=300,
        )
    pages = directory.glob("page-*.png")
    return sorted(pages, key=lambda p: int(p.stem.split("-")[-1]))
