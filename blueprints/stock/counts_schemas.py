"""盘点 stock counts: request and response shapes of the API and the count forms.

Syntax only (types, lengths, ranges, unknown fields); which bins, products and lots
exist, and whether every listed line was counted, is checked by
``supplychain.stock.counts``.
"""

from __future__ import annotations

import re
from typing import Any

import marshmallow as ma

from blueprints.api import PageArgsSchema
from supplychain.stock.counts import (
    MAX_AISLES,
    MAX_BIN_CODES,
    MAX_COUNT_QTY,
    MAX_ENTRIES,
    MAX_FOUND,
    MAX_NOTE,
    FoundItem,
)
from supplychain.stock.locations import MAX_LOT_NO
from supplychain.stock.models import COUNT_KINDS, COUNT_STATUSES

_length = ma.validate.Length
MAX_AISLE = 1000
MONEY = {"places": 2, "as_string": True}


# --- API requests -----------------------------------------------------------------
class CountCreateSchema(ma.Schema):
    """Start a count: ``kind`` full (every active bin) or cycle (``bins`` and/or
    ``aisles``); ``warehouse`` defaults to the main one."""

    class Meta:
        unknown = ma.RAISE

    warehouse = ma.fields.String(load_default=None, validate=_length(min=1, max=20))
    kind = ma.fields.String(
        load_default="full", validate=ma.validate.OneOf(COUNT_KINDS)
    )
    bins = ma.fields.List(
        ma.fields.String(validate=_length(min=1, max=30)),
        load_default=list,
        validate=_length(max=MAX_BIN_CODES),
    )
    aisles = ma.fields.List(
        ma.fields.Integer(
            strict=True, validate=ma.validate.Range(min=1, max=MAX_AISLE)
        ),
        load_default=list,
        validate=_length(max=MAX_AISLES),
    )
    blind = ma.fields.Boolean(load_default=True)
    note = ma.fields.String(load_default="", validate=_length(max=MAX_NOTE))


class CountEntrySchema(ma.Schema):
    """One item counted in a bin: by ``sku`` or ``barcode``, ``lot`` for lot-tracked
    products, ``qty`` counted (0 allowed)."""

    class Meta:
        unknown = ma.RAISE

    sku = ma.fields.String(validate=_length(min=1, max=40))
    barcode = ma.fields.String(validate=_length(min=1, max=64))
    lot = ma.fields.String(load_default=None, validate=_length(min=1, max=MAX_LOT_NO))
    qty = ma.fields.Integer(
        strict=True,
        required=True,
        validate=ma.validate.Range(min=0, max=MAX_COUNT_QTY),
    )

    @ma.validates_schema
    def sku_or_barcode(self, data: dict[str, Any], **_: Any) -> None:
        if ("sku" in data) == ("barcode" in data):
            raise ma.ValidationError("Give the sku or the barcode.", "sku")


class BinCountSchema(ma.Schema):
    """Everything counted in one bin: every listed item (0 when none was found)
    plus what was found that was not listed."""

    class Meta:
        unknown = ma.RAISE

    entries = ma.fields.List(
        ma.fields.Nested(CountEntrySchema),
        required=True,
        validate=_length(max=MAX_ENTRIES),
    )


class CountListArgsSchema(PageArgsSchema):
    q = ma.fields.String(load_default="", validate=_length(max=100))
    status = ma.fields.String(
        load_default=None, validate=ma.validate.OneOf(COUNT_STATUSES)
    )
    warehouse = ma.fields.String(load_default=None, validate=_length(min=1, max=20))


# --- API responses ----------------------------------------------------------------
class CountSummarySchema(ma.Schema):
    number = ma.fields.String()
    warehouse = ma.fields.String()
    kind = ma.fields.String()
    scope = ma.fields.String()
    status = ma.fields.String()
    blind = ma.fields.Boolean()
    note = ma.fields.String()
    counted_bins = ma.fields.Integer()
    total_bins = ma.fields.Integer()
    created_by = ma.fields.String(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    approved_by = ma.fields.String(allow_none=True)
    approved_at = ma.fields.AwareDateTime(allow_none=True)
    variance_value = ma.fields.Decimal(allow_none=True, **MONEY)


class CountLineSchema(ma.Schema):
    """A line of a bin. ``snapshot_qty``, ``expected_qty``, ``variance_qty`` and
    ``variance_value`` are left out of blind counts for everyone but managers until
    the count is approved; ``expected_qty`` is null while the bin is not counted."""

    sku = ma.fields.String()
    name = ma.fields.String()
    unit = ma.fields.String()
    lot = ma.fields.String(allow_none=True)
    expiry_date = ma.fields.Date(allow_none=True)
    is_added = ma.fields.Boolean()
    counted_qty = ma.fields.Integer(allow_none=True)
    snapshot_qty = ma.fields.Integer()
    expected_qty = ma.fields.Integer(allow_none=True)
    variance_qty = ma.fields.Integer(allow_none=True)
    variance_value = ma.fields.Decimal(allow_none=True, **MONEY)


class CountBinSchema(ma.Schema):
    code = ma.fields.String()
    status = ma.fields.String()
    counted_at = ma.fields.AwareDateTime(allow_none=True)
    counted_by = ma.fields.String(allow_none=True)
    lines = ma.fields.List(ma.fields.Nested(CountLineSchema))


class UnbinnedSchema(ma.Schema):
    sku = ma.fields.String()
    name = ma.fields.String()
    lot = ma.fields.String(allow_none=True)
    qty = ma.fields.Integer()


class CountDetailSchema(CountSummarySchema):
    """A count with its bins and lines, and the stock outside any bin (which the
    count cannot cover)."""

    bins = ma.fields.List(ma.fields.Nested(CountBinSchema))
    unbinned = ma.fields.List(ma.fields.Nested(UnbinnedSchema))


# --- forms ------------------------------------------------------------------------
_AISLE_PART = re.compile(r"^(\d{1,4})(?:-(\d{1,4}))?$")


def _split(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,;，；、]+", text or "") if part]


class CountStartFormSchema(ma.Schema):
    """The start form: bins typed or scanned (spaces, commas or new lines between
    codes), aisles as ``1, 3, 5-7``."""

    warehouse = ma.fields.String(required=True, validate=_length(min=1, max=20))
    kind = ma.fields.String(
        load_default="full", validate=ma.validate.OneOf(COUNT_KINDS)
    )
    bins = ma.fields.String(load_default="", validate=_length(max=MAX_BIN_CODES * 31))
    aisles = ma.fields.String(load_default="", validate=_length(max=1000))
    blind = ma.fields.Boolean(load_default=False)
    note = ma.fields.String(load_default="", validate=_length(max=MAX_NOTE))

    @ma.post_load
    def lists(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["bins"] = _split(data["bins"])
        if len(data["bins"]) > MAX_BIN_CODES:
            raise ma.ValidationError(f"At most {MAX_BIN_CODES} bin codes.", "bins")
        aisles: list[int] = []
        for part in _split(data["aisles"]):
            match = _AISLE_PART.match(part)
            low = int(match.group(1)) if match else 0
            high = int(match.group(2) or low) if match else 0
            if not match or not 1 <= low <= high <= MAX_AISLE:
                raise ma.ValidationError(
                    "Give aisle numbers like 1, 3 or 5-7.", "aisles"
                )
            aisles.extend(range(low, high + 1))
        if len(set(aisles)) > MAX_AISLES:
            raise ma.ValidationError(f"At most {MAX_AISLES} aisles.", "aisles")
        data["aisles"] = sorted(set(aisles))
        return data


_LINE = re.compile(r"^line_(\d{1,12})$")
_FOUND = re.compile(r"^found_(\d{1,3})_(code|lot|qty)$")
_WHOLE = re.compile(r"^[+-]?\d{1,12}$")


def _number(text: str) -> Any:
    """A whole number typed on a phone (full-width digits too), else the text (the
    service refuses it next to its field)."""
    text = text.strip().translate({0xFF10 + i: ord("0") + i for i in range(10)})
    return int(text) if _WHOLE.match(text) else text


class BinCountFormSchema(ma.Schema):
    """The bin count page: ``line_<id>`` inputs for the listed lines and
    ``found_<i>_code`` / ``_lot`` / ``_qty`` rows for items found here. Loads to
    ``{"entries": {line id: qty}, "found": [FoundItem]}``; a found row left empty is
    ignored."""

    entries = ma.fields.Dict(keys=ma.fields.Integer(), values=ma.fields.Raw())
    found = ma.fields.List(ma.fields.Raw())

    @ma.pre_load
    def group(self, form: Any, **_: Any) -> dict[str, Any]:
        entries: dict[int, Any] = {}
        rows: dict[int, dict[str, str]] = {}
        for key, value in form.items():
            value = value if isinstance(value, str) else ""
            line = _LINE.match(key)
            found = _FOUND.match(key)
            if line and value.strip():
                entries[int(line.group(1))] = _number(value)
            elif found and int(found.group(1)) < MAX_FOUND:
                rows.setdefault(int(found.group(1)), {})[found.group(2)] = value
        found_items = []
        for index in sorted(rows):
            row = {k: v.strip() for k, v in rows[index].items()}
            if not any(row.values()):
                continue
            found_items.append(
                FoundItem(
                    row.get("code", ""),
                    _number(row["qty"]) if row.get("qty") else None,
                    lot=row.get("lot") or None,
                )
            )
        return {"entries": entries, "found": found_items}
