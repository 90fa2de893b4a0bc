"""商品导入导出 product import and export as CSV or XLSX (via ``supplychain.tabular``).

Import creates or updates products by SKU, all or nothing: every row is checked first
and any problem refuses the whole file with ``ImportRejected([{"row", "column",
"message"}])``; otherwise all rows are written in one commit. An empty cell means "not
given": the default for a new product, unchanged for an existing one. Columns
``price.<GRADE>`` set grade prices. Headers may be the English field names (as exported)
or the Chinese ones in ``ALIASES``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from supplychain import tabular
from supplychain.catalog import queries
from supplychain.catalog.models import Category, PriceGrade, Product, ProductPrice
from supplychain.catalog.services import apply_product_values
from supplychain.catalog.values import (
    ParseError,
    key_problem,
    parse_bool,
    parse_decimal,
    parse_int,
    value_problem,
)
from supplychain.errors import ImportRejected, ValidationFailed
from supplychain.extensions import db

COLUMNS = (
    "sku", "name", "name_en", "unit", "price", "case_qty", "category", "barcode",
    "is_stocked", "is_lot_tracked", "is_active", "min_order_qty", "order_step",
    "shelf_life_days", "weight_kg", "volume_l", "description",
)  # fmt: skip
GRADE_PREFIX = "price."
ALIASES = {
    "商品编码": "sku", "编码": "sku", "商品名称": "name", "名称": "name", "英文名称": "name_en",
    "单位": "unit", "价格": "price", "标价": "price", "箱规": "case_qty", "分类": "category",
    "条码": "barcode", "库存商品": "is_stocked", "批次管理": "is_lot_tracked", "启用": "is_active",
    "起订量": "min_order_qty", "递增量": "order_step", "保质期天数": "shelf_life_days",
    "重量kg": "weight_kg", "体积l": "volume_l", "描述": "description",
}  # fmt: skip
_PARSERS: dict[str, Callable[[str], Any]] = {
    "price": parse_decimal, "weight_kg": parse_decimal, "volume_l": parse_decimal,
    "case_qty": parse_int, "min_order_qty": parse_int, "order_step": parse_int,
    "shelf_life_days": parse_int, "is_stocked": parse_bool,
    "is_lot_tracked": parse_bool, "is_active": parse_bool,
}  # fmt: skip
NEW_PRODUCT_NEEDS = ("name", "unit", "price")
MAX_PROBLEMS = 100  # the job runner keeps 20,000 characters of an error
Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class Export:
    data: bytes
    filename: str
    mimetype: str


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


# --- export -------------------------------------------------------------------------


def _export_rows() -> tuple[list[str], list[list[Any]]]:
    grade_codes, grade_prices = queries.grade_price_table()
    header = list(COLUMNS) + [GRADE_PREFIX + code for code in grade_codes]
    rows = []
    for product in db.session.scalars(queries.all_products()):
        row = [getattr(product, column) for column in COLUMNS if column != "category"]
        row.insert(
            COLUMNS.index("category"), product.category.code if product.category else ""
        )
        prices = grade_prices.get(product.id, {})
        rows.append(row + [prices.get(code) for code in grade_codes])
    return header, rows


def export_products(fmt: str) -> Export:
    """Every product with its grade prices, as ``csv`` (UTF-8 with BOM) or ``xlsx``; the
    file imports back unchanged."""
    header, rows = _export_rows()
    if fmt == "csv":
        return Export(tabular.write_csv(header, rows), "products.csv", "text/csv")
    if fmt == "xlsx":
        data = tabular.write_xlsx(header, rows, title="products")
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Export(data, "products.xlsx", mimetype)
    raise ValidationFailed({"format": ["Choose csv or xlsx."]})


# --- import -------------------------------------------------------------------------


@dataclass
class _Plan:
    """What one good row will do."""

    row: int
    sku: str
    values: dict[str, Any]
    grade_prices: dict[str, Any]


def _text(cell: str) -> str:
    """Plain text cells (read_table already undid the export's formula guard)."""
    return cell


def _header_map(
    columns: list[str], grade_codes: set[str]
) -> tuple[dict[str, str], list[dict]]:
    """File column → field name ("price.X" kept for grade columns), plus header
    problems."""
    mapping: dict[str, str] = {}
    problems = []
    for column in columns:
        lowered = column.strip().lower()
        field = ALIASES.get(column.strip()) or ALIASES.get(lowered) or lowered
        if field.startswith(GRADE_PREFIX):
            code = column.strip()[len(GRADE_PREFIX) :]
            if code not in grade_codes:
                problems.append(
                    {
                        "row": 1,
                        "column": column,
                        "message": f"Unknown price grade '{code[:40]}'.",
                    }
                )
                continue
            field = GRADE_PREFIX + code
        elif field not in COLUMNS:
            problems.append(
                {
                    "row": 1,
                    "column": column,
                    "message": f"Unknown column '{column[:40]}'.",
                }
            )
            continue
        if field in mapping.values():
            problems.append(
                {
                    "row": 1,
                    "column": column,
                    "message": f"Column '{field}' appears twice.",
                }
            )
            continue
        mapping[column] = field
    if "sku" not in mapping.values():
        problems.append({"row": 1, "column": "sku", "message": "Missing column 'sku'."})
    return mapping, problems


def _parse_cell(field: str, text: str, ctx: dict[str, Any]) -> tuple[Any, str | None]:
    """(value, None) or (None, the problem) for one non-empty cell."""
    is_grade = field.startswith(GRADE_PREFIX)
    parser = parse_decimal if is_grade else _PARSERS.get(field, _text)
    try:
        value = parser(text)
    except ParseError as error:
        return None, str(error)
    problem = value_problem("price" if is_grade else field, value)
    if problem is None and field == "category" and value not in ctx["categories"]:
        problem = f"Unknown category '{value[:40]}'."
    return value, problem


def _sku_problem(sku: str, number: int, seen: dict[str, int]) -> str | None:
    if (message := key_problem(sku)) is not None:
        return message
    if sku in seen:
        return f"SKU '{sku}' already appears in row {seen[sku]}."
    seen[sku] = number
    return None


def _parse_row(
    number: int, cells: dict[str, str], mapping: dict[str, str], ctx: dict[str, Any]
) -> tuple[_Plan | None, list[dict]]:
    """The plan for one row, or its problems (row number, the file's column name)."""
    column_of = {field: column for column, field in mapping.items()}
    failed: dict[str, str] = {}  # field → message
    sku = cells.get(column_of["sku"], "")
    if (message := _sku_problem(sku, number, ctx["seen"])) is not None:
        failed["sku"] = message
    values: dict[str, Any] = {}
    for column, field in mapping.items():
        text = cells.get(column, "")
        if field != "sku" and text != "":
            value, message = _parse_cell(field, text, ctx)
            if message is None:
                values[field] = value
            else:
                failed[field] = message
    if sku and sku not in ctx["existing"]:
        for field in NEW_PRODUCT_NEEDS:
            if field not in values and field not in failed:
                failed[field] = "Required for a new product."
    problems = [
        {"row": number, "column": column_of.get(field, field), "message": message}
        for field, message in failed.items()
    ]
    if problems:
        return None, problems
    grade_prices = {
        field[len(GRADE_PREFIX) :]: values.pop(field)
        for field in list(values)
        if field.startswith(GRADE_PREFIX)
    }
    return _Plan(number, sku, values, grade_prices), []


def _existing_products(skus: list[str]) -> dict[str, Product]:
    found: dict[str, Product] = {}
    for start in range(0, len(skus), 500):
        chunk = skus[start : start + 500]
        found.update(
            {
                p.sku: p
                for p in db.session.scalars(
                    sa.select(Product).where(Product.sku.in_(chunk))
                )
            }
        )
    return found


def _write(plans: list[_Plan], ctx: dict[str, Any], progress: Progress) -> ImportResult:
    created = updated = 0
    products: list[tuple[_Plan, Product]] = []
    for index, plan in enumerate(plans, start=1):
        product = ctx["existing"].get(plan.sku)
        if product is None:
            product = Product(sku=plan.sku)
            db.session.add(product)
            created += 1
        else:
            updated += 1
        category = plan.values.pop("category", None)
        if category is not None:
            product.category_id = ctx["categories"][category]
        apply_product_values(product, plan.values)
        products.append((plan, product))
        if index % 500 == 0:
            progress(
                50 + 40 * index // len(plans), f"{index} of {len(plans)} rows written"
            )
    db.session.flush()  # product ids for the grade prices
    _write_grade_prices(products, ctx["grades"])
    db.session.commit()
    return ImportResult(created, updated)


def _write_grade_prices(
    products: list[tuple[_Plan, Product]], grades: dict[str, int]
) -> None:
    ids = [product.id for plan, product in products if plan.grade_prices]
    current: dict[tuple[int, int], ProductPrice] = {}
    for start in range(0, len(ids), 500):
        stmt = sa.select(ProductPrice).where(
            ProductPrice.product_id.in_(ids[start : start + 500])
        )
        current.update(
            {(pp.product_id, pp.price_grade_id): pp for pp in db.session.scalars(stmt)}
        )
    for plan, product in products:
        for code, price in plan.grade_prices.items():
            row = current.get((product.id, grades[code]))
            if row is None:
                db.session.add(
                    ProductPrice(
                        product_id=product.id, price_grade_id=grades[code], price=price
                    )
                )
            elif row.price != price:
                row.price = price


def _capped(problems: list[dict]) -> list[dict]:
    """At most MAX_PROBLEMS entries, so a wholly wrong file gives a readable answer."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    rest = len(problems) - MAX_PROBLEMS
    return problems[:MAX_PROBLEMS] + [
        {
            "row": problems[MAX_PROBLEMS]["row"],
            "column": "",
            "message": f"…and {rest} more problems.",
        }
    ]


def import_products(
    data: bytes, filename: str, *, progress: Progress | None = None
) -> ImportResult:
    """Create or update products from a CSV/XLSX file, all or nothing. Raises
    ImportRejected listing every problem (row 1 = the header) with nothing written."""
    report = progress or (lambda percent, message: None)
    table = tabular.read_table(data, filename)
    grades = dict(db.session.execute(sa.select(PriceGrade.code, PriceGrade.id)).all())
    mapping, problems = _header_map(table.columns, set(grades))
    if problems:
        raise ImportRejected(_capped(problems))
    report(10, f"{len(table.rows)} rows read")
    sku_column = next(column for column, field in mapping.items() if field == "sku")
    ctx: dict[str, Any] = {
        "seen": {},
        "grades": grades,
        "categories": dict(
            db.session.execute(sa.select(Category.code, Category.id)).all()
        ),
        "existing": _existing_products(
            [cells.get(sku_column, "") for _, cells in table.rows]
        ),
    }
    plans = []
    for index, (number, cells) in enumerate(table.rows, start=1):
        plan, row_problems = _parse_row(number, cells, mapping, ctx)
        problems += row_problems
        if plan is not None:
            plans.append(plan)
        if index % 1000 == 0:
            report(
                10 + 40 * index // len(table.rows),
                f"{index} of {len(table.rows)} rows checked",
            )
    if problems:
        db.session.rollback()
        message = (
            f"The file was refused: {len(problems)} problem(s); nothing was imported."
        )
        raise ImportRejected(_capped(problems), message)
    result = _write(plans, ctx, report)
    report(100, f"{result.created} created, {result.updated} updated")
    return result
