"""商品管理 catalogue read side: the selects behind lists (pages and API) and detail views.

Functions return ``sa.Select`` statements for paging (``paging.page_of`` /
``api.paginate``) or plain rows; none of them writes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from supplychain.catalog.models import (
    Category,
    MerchantPrice,
    PriceGrade,
    Product,
    ProductPrice,
    ProductSupplier,
    Supplier,
)
from supplychain.extensions import db
from supplychain.paging import like_pattern
from supplychain.merchants.models import Merchant


def products_query(
    *,
    q: str | None = None,
    sku: str | None = None,
    category: str | None = None,
    active: bool | None = None,
) -> sa.Select:
    """Products ordered by SKU. ``q`` matches SKU, name, English name or barcode
    (contains, case-insensitive); ``sku`` is exact; ``category`` (a code) includes its
    sub-categories (an unknown code matches nothing); ``active`` None = both."""
    stmt = (
        sa.select(Product).options(selectinload(Product.category)).order_by(Product.sku)
    )
    if sku:
        stmt = stmt.where(Product.sku == sku)
    if q and q.strip():
        pattern = like_pattern(q.strip().lower())
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(Product.sku).like(pattern, escape="\\"),
                sa.func.lower(Product.name).like(pattern, escape="\\"),
                sa.func.lower(Product.name_en).like(pattern, escape="\\"),
                Product.barcode.like(pattern, escape="\\"),
            )
        )
    if category:
        stmt = stmt.where(Product.category_id.in_(category_ids_under(category)))
    if active is not None:
        stmt = stmt.where(Product.is_active.is_(active))
    return stmt


def category_ids_under(code: str) -> list[int]:
    """The category with this code and all its descendants ([] for an unknown code)."""
    rows = db.session.execute(
        sa.select(Category.id, Category.parent_id, Category.code)
    ).all()
    children: dict[int | None, list[int]] = {}
    for cid, parent_id, _ in rows:
        children.setdefault(parent_id, []).append(cid)
    found: list[int] = []
    stack = [cid for cid, _, c in rows if c == code]
    while stack:
        cid = stack.pop()
        if cid not in found:
            found.append(cid)
            stack.extend(children.get(cid, []))
    return found


def all_products() -> sa.Select:
    """Every product, by SKU, category loaded (exports)."""
    return products_query()


def categories() -> list[Category]:
    """All categories, parents loaded, by sort then code."""
    stmt = sa.select(Category).options(selectinload(Category.parent))
    return list(db.session.scalars(stmt.order_by(Category.sort, Category.code)))


def category_choices() -> list[tuple[str, str]]:
    """(code, "code · name") pairs for select boxes."""
    return [(c.code, f"{c.code} · {c.name}") for c in categories()]


def product_counts_by_category() -> dict[int, int]:
    rows = db.session.execute(
        sa.select(Product.category_id, sa.func.count(Product.id)).group_by(
            Product.category_id
        )
    )
    return {cid: n for cid, n in rows if cid is not None}


def price_grades() -> list[PriceGrade]:
    return list(db.session.scalars(sa.select(PriceGrade).order_by(PriceGrade.code)))


def price_grade_choices() -> list[tuple[str, str]]:
    return [(g.code, f"{g.code} · {g.name}") for g in price_grades()]


def suppliers_query(*, q: str | None = None, active: bool | None = None) -> sa.Select:
    stmt = sa.select(Supplier).order_by(Supplier.code)
    if q and q.strip():
        pattern = like_pattern(q.strip().lower())
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(Supplier.code).like(pattern, escape="\\"),
                sa.func.lower(Supplier.name).like(pattern, escape="\\"),
                sa.func.lower(Supplier.contact).like(pattern, escape="\\"),
            )
        )
    if active is not None:
        stmt = stmt.where(Supplier.is_active.is_(active))
    return stmt


def supplier_choices() -> list[tuple[str, str]]:
    return [
        (s.code, f"{s.code} · {s.name}")
        for s in db.session.scalars(suppliers_query(active=True))
    ]


@dataclass(frozen=True)
class GradePriceRow:
    grade_code: str
    grade_name: str
    price: Decimal | None


def grade_prices_of(product_id: int) -> list[GradePriceRow]:
    """Every grade with this product's price for it (None = the list price applies)."""
    stmt = (
        sa.select(PriceGrade.code, PriceGrade.name, ProductPrice.price)
        .outerjoin(
            ProductPrice,
            sa.and_(
                ProductPrice.price_grade_id == PriceGrade.id,
                ProductPrice.product_id == product_id,
            ),
        )
        .order_by(PriceGrade.code)
    )
    return [GradePriceRow(*row) for row in db.session.execute(stmt)]


def suppliers_of(product_id: int) -> list[ProductSupplier]:
    """The product's suppliers, preferred first."""
    stmt = (
        sa.select(ProductSupplier)
        .join(Supplier)
        .options(selectinload(ProductSupplier.supplier))
        .where(ProductSupplier.product_id == product_id)
        .order_by(ProductSupplier.is_preferred.desc(), Supplier.code)
    )
    return list(db.session.scalars(stmt))


def products_of_supplier(supplier_id: int) -> list[ProductSupplier]:
    stmt = (
        sa.select(ProductSupplier)
        .join(Product)
        .options(selectinload(ProductSupplier.product))
        .where(ProductSupplier.supplier_id == supplier_id)
        .order_by(Product.sku)
    )
    return list(db.session.scalars(stmt))


def merchant_prices_of(product_id: int) -> list[tuple[str, str, Decimal]]:
    """(merchant code, merchant name, price) of every merchant with its own price."""
    stmt = (
        sa.select(Merchant.code, Merchant.name, MerchantPrice.price)
        .join(MerchantPrice, MerchantPrice.merchant_id == Merchant.id)
        .where(MerchantPrice.product_id == product_id)
        .order_by(Merchant.code)
    )
    return [tuple(row) for row in db.session.execute(stmt)]  # type: ignore[misc]


def grade_price_map(grade_id: int, product_ids: list[int]) -> dict[int, Decimal]:
    """product id → this grade's price, for the products given (a page of the grade
    screen)."""
    if not product_ids:
        return {}
    stmt = sa.select(ProductPrice.product_id, ProductPrice.price).where(
        ProductPrice.price_grade_id == grade_id,
        ProductPrice.product_id.in_(product_ids),
    )
    return dict(db.session.execute(stmt).all())  # type: ignore[arg-type]


def grade_price_table() -> tuple[list[str], dict[int, dict[str, Decimal]]]:
    """Grade codes and product id → {grade code → price}, for exports."""
    codes = [g.code for g in price_grades()]
    stmt = sa.select(ProductPrice.product_id, PriceGrade.code, ProductPrice.price).join(
        PriceGrade
    )
    table: dict[int, dict[str, Decimal]] = {}
    for product_id, code, price in db.session.execute(stmt):
        table.setdefault(product_id, {})[code] = price
    return codes, table
