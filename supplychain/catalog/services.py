"""商品管理 catalogue use cases: products, categories, price grades, grade and merchant
prices, suppliers, and the price a merchant pays.

Every writing function commits exactly once or raises a DomainError with nothing
written. Images live in ``images.py``, spreadsheets in ``spreadsheets.py``, the price
list in ``price_list.py``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from supplychain.catalog.models import (
    Category,
    MerchantPrice,
    PriceGrade,
    Product,
    ProductPrice,
    ProductSupplier,
    Supplier,
)
from supplychain.catalog.pricing import ResolvedPrice, resolve_price
from supplychain.catalog.values import problems_of
from supplychain.errors import DuplicateKey, NotFound, ValidationFailed
from supplychain.extensions import db
from supplychain.merchants.models import Merchant
from supplychain.merchants.services import get_merchant

PRODUCT_FIELDS = (
    "name", "name_en", "unit", "price", "case_qty", "category", "barcode", "is_stocked",
    "is_lot_tracked", "is_active", "shelf_life_days", "min_order_qty", "order_step",
    "weight_kg", "volume_l", "description",
)  # fmt: skip
CATEGORY_FIELDS = ("name", "name_en", "parent", "sort")
SUPPLIER_FIELDS = ("name", "contact", "phone", "address", "lead_time_days", "is_active")
_NULLABLE_TEXT = {"barcode"}  # "" is stored as NULL so barcode look-ups stay meaningful


# --- look-ups -----------------------------------------------------------------------


def get_product(sku: str, *, active_only: bool = False) -> Product:
    """The product with this SKU; NotFound when unknown (or inactive with
    ``active_only``)."""
    stmt = sa.select(Product).where(Product.sku == sku)
    if active_only:
        stmt = stmt.where(Product.is_active.is_(True))
    product = db.session.scalar(stmt)
    if product is None:
        raise NotFound(f"No product with SKU {sku!r}.")
    return product


def _by_code(model: Any, code: str, what: str) -> Any:
    row = db.session.scalar(sa.select(model).where(model.code == code))
    if row is None:
        raise NotFound(f"No {what} with code {code!r}.")
    return row


def get_category(code: str) -> Category:
    return _by_code(Category, code, "category")


def get_price_grade(code: str) -> PriceGrade:
    return _by_code(PriceGrade, code, "price grade")


def get_supplier(code: str) -> Supplier:
    return _by_code(Supplier, code, "supplier")


def _check(values: Mapping[str, Any]) -> None:
    problems = problems_of(values)
    if problems:
        raise ValidationFailed(problems)


def _commit_or_duplicate(field: str, value: str, exists: sa.Select) -> None:
    """Commit; a unique violation that a concurrent request won becomes DuplicateKey."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if db.session.scalar(exists) is not None:
            raise DuplicateKey(field, value) from None
        raise


# --- products -----------------------------------------------------------------------


def _category_id(code: str | None, field: str = "category") -> int | None:
    if code is None or code == "":
        return None
    category_id = db.session.scalar(sa.select(Category.id).where(Category.code == code))
    if category_id is None:
        raise ValidationFailed({field: [f"Unknown category {code!r}."]})
    return category_id


def apply_product_values(product: Product, values: Mapping[str, Any]) -> None:
    """Copy checked values onto a product (``category`` is a category code). No commit:
    the caller (a service here or the import) owns the transaction."""
    if (
        "category" in values
    ):  # resolved first: an unknown code leaves the product untouched
        product.category_id = _category_id(values["category"])
    for field, value in values.items():
        if field == "category":
            continue
        if field in _NULLABLE_TEXT:
            setattr(product, field, value or None)
        elif field == "description":
            setattr(product, field, value or "")
        else:
            setattr(product, field, value)


def create_product(
    sku: str,
    name: str,
    *,
    unit: str,
    price: Decimal,
    case_qty: int = 1,
    category: str | None = None,
    barcode: str | None = None,
    is_stocked: bool = True,
    is_lot_tracked: bool = False,
    name_en: str = "",
    shelf_life_days: int | None = None,
    min_order_qty: int = 1,
    order_step: int = 1,
    weight_kg: Decimal | None = None,
    volume_l: Decimal | None = None,
    description: str = "",
) -> Product:
    """Add a product. Raises DuplicateKey on a taken SKU, ValidationFailed on an unknown
    category or a value outside the limits of ``values.py``."""
    values = {k: v for k, v in locals().items() if k in PRODUCT_FIELDS}
    _check({"sku": sku} | values)
    exists = sa.select(Product.id).where(Product.sku == sku)
    if db.session.scalar(exists) is not None:
        raise DuplicateKey("sku", sku)
    product = Product(sku=sku)
    apply_product_values(product, values)
    db.session.add(product)
    _commit_or_duplicate("sku", sku, exists)
    return product


def update_product(sku: str, changes: Mapping[str, Any]) -> Product:
    """Change some fields of a product (names as in PRODUCT_FIELDS; the SKU never
    changes)."""
    unknown = sorted(set(changes) - set(PRODUCT_FIELDS))
    if unknown:
        raise ValidationFailed({field: ["Unknown field."] for field in unknown})
    _check(changes)
    product = get_product(sku)
    apply_product_values(product, changes)
    db.session.commit()
    return product


def set_product_active(sku: str, active: bool) -> Product:
    """Deactivate (hidden from merchants, no new orders) or reactivate a product.
    Products are never deleted: orders, stock moves and invoices refer to them."""
    return update_product(sku, {"is_active": active})


# --- categories ---------------------------------------------------------------------


def create_category(
    code: str, name: str, *, name_en: str = "", parent: str | None = None, sort: int = 0
) -> Category:
    _check({"code": code, "name": name, "name_en": name_en, "sort": sort})
    exists = sa.select(Category.id).where(Category.code == code)
    if db.session.scalar(exists) is not None:
        raise DuplicateKey("code", code)
    category = Category(
        code=code, name=name, name_en=name_en, sort=sort,
        parent_id=_category_id(parent, "parent"),
    )  # fmt: skip
    db.session.add(category)
    _commit_or_duplicate("code", code, exists)
    return category


def update_category(code: str, changes: Mapping[str, Any]) -> Category:
    """Rename, re-sort or move a category; a category cannot sit under itself or a
    child."""
    unknown = sorted(set(changes) - set(CATEGORY_FIELDS))
    if unknown:
        raise ValidationFailed({field: ["Unknown field."] for field in unknown})
    _check({k: v for k, v in changes.items() if k != "parent"})
    category = get_category(code)
    if "parent" in changes:
        parent_id = _category_id(changes["parent"], "parent")
        if parent_id is not None and category.id in _ancestor_ids(parent_id):
            raise ValidationFailed({"parent": ["A category cannot sit under itself."]})
        category.parent_id = parent_id
    for field, value in changes.items():
        if field != "parent":
            setattr(category, field, value)
    db.session.commit()
    return category


def _ancestor_ids(category_id: int) -> set[int]:
    """The category and every category above it."""
    seen: set[int] = set()
    current: int | None = category_id
    while current is not None and current not in seen:
        seen.add(current)
        current = db.session.scalar(
            sa.select(Category.parent_id).where(Category.id == current)
        )
    return seen


# --- price grades and prices --------------------------------------------------------


def create_price_grade(code: str, name: str) -> PriceGrade:
    _check({"code": code, "name": name})
    exists = sa.select(PriceGrade.id).where(PriceGrade.code == code)
    if db.session.scalar(exists) is not None:
        raise DuplicateKey("code", code)
    grade = PriceGrade(code=code, name=name)
    db.session.add(grade)
    _commit_or_duplicate("code", code, exists)
    return grade


def rename_price_grade(code: str, name: str) -> PriceGrade:
    _check({"name": name})
    grade = get_price_grade(code)
    grade.name = name
    db.session.commit()
    return grade


def _set_grade_price(
    product: Product, grade: PriceGrade, price: Decimal | None
) -> None:
    row = db.session.scalar(
        sa.select(ProductPrice).where(
            ProductPrice.product_id == product.id,
            ProductPrice.price_grade_id == grade.id,
        )
    )
    if price is None:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(
            ProductPrice(product_id=product.id, price_grade_id=grade.id, price=price)
        )
    elif row.price != price:
        row.price = price


def _check_prices(prices: Mapping[str, Decimal | None]) -> None:
    problems = {
        key: messages["price"]
        for key, value in prices.items()
        if value is not None and (messages := problems_of({"price": value}))
    }
    if problems:
        raise ValidationFailed(problems)


def set_grade_price(sku: str, grade_code: str, price: Decimal | None) -> None:
    """Set (or with None remove) the price of one product for one grade."""
    _check_prices({"price": price})
    _set_grade_price(get_product(sku), get_price_grade(grade_code), price)
    db.session.commit()


def set_product_grade_prices(sku: str, prices: Mapping[str, Decimal | None]) -> None:
    """Set the prices of one product for several grades (grade code → price or None)."""
    _check_prices(prices)
    product = get_product(sku)
    grades = {
        code: get_price_grade(code) for code in prices
    }  # all found before any write
    for grade_code, price in prices.items():
        _set_grade_price(product, grades[grade_code], price)
    db.session.commit()


def set_grade_prices(grade_code: str, prices: Mapping[str, Decimal | None]) -> None:
    """Set one grade's prices for several products (SKU → price or None), all or
    nothing."""
    _check_prices(prices)
    grade = get_price_grade(grade_code)
    products = {sku: get_product(sku) for sku in prices}  # all found before any write
    for sku, price in prices.items():
        _set_grade_price(products[sku], grade, price)
    db.session.commit()


def set_merchant_price(merchant_code: str, sku: str, price: Decimal | None) -> None:
    """Set (or with None remove) a merchant's own price for a product."""
    _check_prices({"price": price})
    merchant, product = get_merchant(merchant_code), get_product(sku)
    row = db.session.scalar(
        sa.select(MerchantPrice).where(
            MerchantPrice.merchant_id == merchant.id,
            MerchantPrice.product_id == product.id,
        )
    )
    if price is None:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(
            MerchantPrice(merchant_id=merchant.id, product_id=product.id, price=price)
        )
    else:
        row.price = price
    db.session.commit()


def prices_for(
    product_ids: Iterable[int], merchant_id: int | None
) -> dict[int, ResolvedPrice]:
    """The price ``merchant_id`` pays for each product (merchant > grade > list price).
    ``merchant_id`` None (staff) gets list prices. Unknown product ids are left out."""
    ids = list(set(product_ids))
    if not ids:
        return {}
    list_prices = dict(
        db.session.execute(
            sa.select(Product.id, Product.price).where(Product.id.in_(ids))
        ).all()
    )
    if merchant_id is None:
        return {pid: resolve_price(price) for pid, price in list_prices.items()}
    grade_id = db.session.scalar(
        sa.select(Merchant.price_grade_id).where(Merchant.id == merchant_id)
    )
    return _resolve(list_prices, merchant_id, grade_id)


def prices_for_products(
    products: Iterable[Product], merchant: Merchant
) -> dict[int, ResolvedPrice]:
    """``prices_for`` for products and a merchant already loaded (two queries fewer:
    the ordering hot path)."""
    return _resolve(
        {p.id: p.price for p in products}, merchant.id, merchant.price_grade_id
    )


def _resolve(
    list_prices: dict[int, Decimal], merchant_id: int, grade_id: int | None
) -> dict[int, ResolvedPrice]:
    ids = list(list_prices)
    if not ids:
        return {}
    merchant_prices = dict(
        db.session.execute(
            sa.select(MerchantPrice.product_id, MerchantPrice.price).where(
                MerchantPrice.merchant_id == merchant_id,
                MerchantPrice.product_id.in_(ids),
            )
        ).all()
    )
    grade_prices: dict[int, Decimal] = {}
    if grade_id is not None:
        grade_prices = dict(
            db.session.execute(
                sa.select(ProductPrice.product_id, ProductPrice.price).where(
                    ProductPrice.price_grade_id == grade_id,
                    ProductPrice.product_id.in_(ids),
                )
            ).all()
        )
    return {
        pid: resolve_price(
            price,
            grade_price=grade_prices.get(pid),
            merchant_price=merchant_prices.get(pid),
        )
        for pid, price in list_prices.items()
    }


def price_for(product_id: int, merchant_id: int | None) -> Decimal:
    """The unit price ``merchant_id`` pays for the product; NotFound for an unknown
    product."""
    resolved = prices_for([product_id], merchant_id).get(product_id)
    if resolved is None:
        raise NotFound(f"No product with id {product_id}.")
    return resolved.amount


# --- suppliers ----------------------------------------------------------------------


def create_supplier(
    code: str,
    name: str,
    *,
    contact: str = "",
    phone: str = "",
    address: str = "",
    lead_time_days: int = 1,
) -> Supplier:
    values = {"contact": contact, "phone": phone, "address": address}
    _check({"code": code, "name": name, "lead_time_days": lead_time_days} | values)
    exists = sa.select(Supplier.id).where(Supplier.code == code)
    if db.session.scalar(exists) is not None:
        raise DuplicateKey("code", code)
    supplier = Supplier(code=code, name=name, lead_time_days=lead_time_days, **values)
    db.session.add(supplier)
    _commit_or_duplicate("code", code, exists)
    return supplier


def update_supplier(code: str, changes: Mapping[str, Any]) -> Supplier:
    unknown = sorted(set(changes) - set(SUPPLIER_FIELDS))
    if unknown:
        raise ValidationFailed({field: ["Unknown field."] for field in unknown})
    _check(changes)
    supplier = get_supplier(code)
    for field, value in changes.items():
        setattr(supplier, field, value)
    db.session.commit()
    return supplier


def link_product_supplier(
    sku: str,
    supplier_code: str,
    *,
    cost_price: Decimal,
    supplier_sku: str = "",
    case_qty: int = 1,
    moq: int = 1,
    lead_time_days: int | None = None,
    is_preferred: bool = False,
) -> ProductSupplier:
    """Record (or update) what a supplier delivers of a product. The first supplier of a
    product becomes its preferred one; marking another preferred unmarks the previous.
    """
    values = {
        "cost_price": cost_price, "supplier_sku": supplier_sku, "case_qty": case_qty,
        "moq": moq, "lead_time_days": lead_time_days,
    }  # fmt: skip
    _check(values)
    product, supplier = get_product(sku), get_supplier(supplier_code)
    links = list(
        db.session.scalars(
            sa.select(ProductSupplier).where(ProductSupplier.product_id == product.id)
        )
    )
    link = next((ln for ln in links if ln.supplier_id == supplier.id), None)
    if link is None:
        link = ProductSupplier(
            product_id=product.id, supplier_id=supplier.id, is_preferred=False
        )
        db.session.add(link)
    for field, value in values.items():
        setattr(link, field, value)
    others = [ln for ln in links if ln is not link]
    if is_preferred:
        for other in others:
            other.is_preferred = False
        db.session.flush()  # a partial unique index: one preferred row per product
    link.is_preferred = is_preferred or not any(ln.is_preferred for ln in others)
    db.session.commit()
    return link


def unlink_product_supplier(sku: str, supplier_code: str) -> None:
    product, supplier = get_product(sku), get_supplier(supplier_code)
    link = db.session.scalar(
        sa.select(ProductSupplier).where(
            ProductSupplier.product_id == product.id,
            ProductSupplier.supplier_id == supplier.id,
        )
    )
    if link is None:
        raise NotFound(f"Supplier {supplier_code!r} does not deliver {sku!r}.")
    db.session.delete(link)
    db.session.commit()
