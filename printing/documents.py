"""Printed documents (打印单据): one frozen dataclass per document, every value decided.

The service that builds a document has already chosen every string, ``Decimal``
and date; a renderer only lays them out. Sequences are stored as tuples (lists are
converted) so a document is immutable and hashable. Constructors reject values a
renderer could not print faithfully (a float price, a bar code with non-ASCII
characters) with ``TypeError`` / ``ValueError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from printing.values import check_int, check_text

__all__ = ["BinLabel", "BinLabelDoc", "PriceListLine", "PriceListDoc"]

MAX_LABEL_COLUMNS = 6
MAX_LABEL_ROWS = 20
MAX_BARCODE_LENGTH = 40


def _as_tuple_of(obj: object, field: str, kind: type) -> None:
    items = tuple(getattr(obj, field))
    for item in items:
        if not isinstance(item, kind):
            raise TypeError(
                f"{field} must hold {kind.__name__}, not {type(item).__name__}"
            )
    object.__setattr__(obj, field, items)


# --- bin labels (货位标签) ---------------------------------------------------------------
@dataclass(frozen=True)
class BinLabel:
    """One storage bin: its code (printed big and as a Code128 bar code) and its
    place in the warehouse model (aisle, block, bay, side, level), contracts.md §3."""

    code: str
    warehouse: str
    aisle: int
    block: int
    bay: int
    side: str
    level: int

    def __post_init__(self) -> None:
        check_text("code", self.code)
        if len(self.code) > MAX_BARCODE_LENGTH or not all(
            " " <= ch <= "~" for ch in self.code
        ):
            raise ValueError(
                "bin code must be 1-40 printable ASCII characters (Code128), "
                f"got {self.code!r}"
            )
        check_text("warehouse", self.warehouse)
        check_text("side", self.side, required=False)
        for name in ("aisle", "block", "bay", "level"):
            check_int(name, getattr(self, name), minimum=0)


@dataclass(frozen=True)
class BinLabelDoc:
    """A run of bin labels: ``columns`` x ``rows`` labels per A4 sheet, in order."""

    title: str
    labels: tuple[BinLabel, ...]
    columns: int = 3
    rows: int = 8

    def __post_init__(self) -> None:
        check_text("title", self.title)
        _as_tuple_of(self, "labels", BinLabel)
        check_int("columns", self.columns, minimum=1)
        check_int("rows", self.rows, minimum=1)
        if self.columns > MAX_LABEL_COLUMNS or self.rows > MAX_LABEL_ROWS:
            raise ValueError(
                f"at most {MAX_LABEL_COLUMNS} columns and {MAX_LABEL_ROWS} rows"
            )


# --- price list (价格表) -----------------------------------------------------------------
@dataclass(frozen=True)
class PriceListLine:
    """One product on a price list, at the price of the list's grade."""

    sku: str
    name: str
    name_en: str
    unit: str
    case_qty: int
    price: Decimal
    category: str

    def __post_init__(self) -> None:
        check_text("sku", self.sku)
        check_text("name", self.name)
        check_text("name_en", self.name_en, required=False)
        check_text("unit", self.unit)
        check_text("category", self.category, required=False)
        check_int("case_qty", self.case_qty, minimum=1)
        if not isinstance(self.price, Decimal):
            raise TypeError(f"price must be a Decimal, not {type(self.price).__name__}")
        if not self.price.is_finite():
            raise ValueError(f"price must be finite, got {self.price}")


@dataclass(frozen=True)
class PriceListDoc:
    """A price list for one price grade; lines are printed grouped by category in the
    order the caller gives (categories in order of first appearance)."""

    title: str
    company: str
    grade_name: str
    valid_from: date
    currency: str
    lines: tuple[PriceListLine, ...]
    generated_at: str
    note: str = ""

    def __post_init__(self) -> None:
        for name in ("title", "company", "grade_name", "currency", "generated_at"):
            check_text(name, getattr(self, name))
        check_text("note", self.note, required=False)
        if not isinstance(self.valid_from, date):
            raise TypeError("valid_from must be a date")
        _as_tuple_of(self, "lines", PriceListLine)
