"""价格表 price list PDF: every active product at one grade's prices, a merchant's own
prices, or list prices, grouped by category. Builds a ``PriceListDoc`` and renders it.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from printing.documents import PriceListDoc, PriceListLine
from printing.price_list import render_price_list
from supplychain.catalog.models import Category, PriceGrade, Product
from supplychain.catalog.pricing import resolve_price
from supplychain.catalog.queries import grade_price_map
from supplychain.catalog.services import get_price_grade, prices_for
from supplychain.errors import NotFound
from supplychain.extensions import db
from supplychain.merchants.models import Merchant

DEFAULT_COMPANY = "配送中心 Distribution centre"


def _active_products() -> list[Product]:
    stmt = (
        sa.select(Product)
        .outerjoin(Category, Product.category_id == Category.id)
        .options(selectinload(Product.category))
        .where(Product.is_active.is_(True))
        .order_by(Category.sort.is_(None), Category.sort, Category.code, Product.sku)
    )
    return list(db.session.scalars(stmt))


def _line(product: Product, price: object) -> PriceListLine:
    category = product.category
    return PriceListLine(
        sku=product.sku,
        name=product.name,
        name_en=product.name_en or "",
        unit=product.unit,
        case_qty=product.case_qty,
        price=price,  # type: ignore[arg-type]
        category=f"{category.name} {category.name_en}".strip() if category else "",
    )


def build_price_list(
    *, grade_code: str | None = None, merchant_id: int | None = None
) -> PriceListDoc:
    """The price list document: a merchant's prices (merchant > grade > list), else one
    grade's prices (list price where the grade has none), else list prices.
    Raises NotFound for an unknown grade or merchant."""
    products = _active_products()
    ids = [p.id for p in products]
    if merchant_id is not None:
        merchant = db.session.get(Merchant, merchant_id)
        if merchant is None:
            raise NotFound(f"No merchant with id {merchant_id}.")
        resolved = prices_for(ids, merchant_id)
        prices = {pid: r.amount for pid, r in resolved.items()}
        heading = f"{merchant.name} 专属价 Prices for {merchant.code}"
    elif grade_code:
        grade: PriceGrade = get_price_grade(grade_code)
        grade_prices = grade_price_map(grade.id, ids)
        prices = {
            p.id: resolve_price(p.price, grade_price=grade_prices.get(p.id)).amount
            for p in products
        }
        heading = f"{grade.name} ({grade.code})"
    else:
        prices = {p.id: p.price for p in products}
        heading = "标价 List price"
    now = dt.datetime.now(ZoneInfo(current_app.config["TIMEZONE"]))
    return PriceListDoc(
        title="价格表 Price list",
        company=current_app.config.get("COMPANY_NAME") or DEFAULT_COMPANY,
        grade_name=heading,
        valid_from=now.date(),
        currency="CNY",
        lines=tuple(_line(p, prices[p.id]) for p in products),
        generated_at=now.strftime("%Y-%m-%d %H:%M"),
    )


def render_price_list_pdf(
    *, grade_code: str | None = None, merchant_id: int | None = None
) -> bytes:
    """The price list as PDF bytes (see build_price_list)."""
    return render_price_list(
        build_price_list(grade_code=grade_code, merchant_id=merchant_id)
    )
