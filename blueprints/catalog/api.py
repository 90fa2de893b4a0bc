"""商品管理 catalogue JSON API (/api/v1): products with the caller's price, categories,
price grades, grade and merchant prices, suppliers, product import and images.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import wraps
from typing import Any

from flask import abort, request, send_file
from werkzeug.datastructures import FileStorage

from blueprints.api import ApiBlueprint, auth_required, current_api_user, paginate
from blueprints.catalog import schemas as s
from supplychain.catalog import images, queries, services, spreadsheets

api_bp = ApiBlueprint(
    "catalog_api", __name__, url_prefix="/api/v1", description="Catalogue 商品管理"
)

STAFF = ("admin", "sales", "buyer", "warehouse", "dispatcher", "driver", "finance")
PURCHASING = ("admin", "buyer")


class Priced:
    """A product as one caller sees it: the product's attributes, ``price`` replaced."""

    def __init__(self, product: Any, price: Decimal) -> None:
        self._product = product
        self.price = price

    def __getattr__(self, name: str) -> Any:
        return getattr(self._product, name)


def _merchant_id() -> int | None:
    user = current_api_user()
    return user.merchant_id if user.role == "merchant" else None


def _priced(products: Iterable[Any]) -> list[Priced]:
    products = list(products)
    prices = services.prices_for([p.id for p in products], _merchant_id())
    return [Priced(p, prices[p.id].amount) for p in products]


def _visible_product(sku: str) -> Any:
    """Merchants see active products only (an inactive one is 404 for them)."""
    return services.get_product(sku, active_only=_merchant_id() is not None)


def multipart_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """415 unless the body is multipart/form-data (checked before parsing the file)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if request.mimetype != "multipart/form-data":
            abort(415, description="Send the file as multipart/form-data.")
        return view(*args, **kwargs)

    return wrapper


def _upload(files: dict[str, FileStorage], field: str) -> tuple[bytes, str]:
    storage = files[field]
    return storage.read(), storage.filename or ""


# --- products -----------------------------------------------------------------------


@api_bp.route("/products", methods=["GET"])
@auth_required()
@api_bp.arguments(s.ProductQueryArgsSchema, location="query")
@api_bp.response(200, s.ProductSchema(many=True))
def list_products(args: dict[str, Any]) -> Any:
    """Products with the caller's price (merchant users: active ones, their prices)."""
    active = True if _merchant_id() is not None else args.get("active")
    stmt = queries.products_query(
        q=args.get("q"),
        sku=args.get("sku"),
        category=args.get("category"),
        active=active,
    )
    items, headers = paginate(stmt, args["page"], args["per_page"])
    return _priced(items), 200, headers


@api_bp.route("/products", methods=["POST"])
@auth_required("admin")
@api_bp.arguments(s.ProductCreateSchema)
@api_bp.response(201, s.ProductSchema)
def create_product(data: dict[str, Any]) -> Any:
    """Create a product; a taken SKU is a 422 on ``sku``."""
    sku, name = data.pop("sku"), data.pop("name")
    product = services.create_product(sku, name, **data)
    return Priced(product, product.price)


@api_bp.route("/products/<sku>", methods=["GET"])
@auth_required()
@api_bp.response(200, s.ProductSchema)
def get_product(sku: str) -> Any:
    """One product by SKU, with the caller's price."""
    return _priced([_visible_product(sku)])[0]


@api_bp.route("/products/<sku>", methods=["PATCH"])
@auth_required("admin")
@api_bp.arguments(s.ProductUpdateSchema)
@api_bp.response(200, s.ProductSchema)
def update_product(data: dict[str, Any], sku: str) -> Any:
    """Change fields of a product (the SKU itself never changes)."""
    product = services.update_product(sku, data)
    return Priced(product, product.price)


@api_bp.route("/products/import", methods=["POST"])
@auth_required("admin")
@multipart_required
@api_bp.arguments(s.ImportFileSchema, location="files")
@api_bp.response(200, s.ImportResultSchema)
def import_products(files: dict[str, FileStorage]) -> Any:
    """Create or update products from a CSV/XLSX file (multipart ``file``), all or
    nothing; a refused file is a 422 with ``details.rows`` = [{"row", "column",
    "message"}]."""
    data, filename = _upload(files, "file")
    return spreadsheets.import_products(data, filename).as_dict()


@api_bp.route("/products/<sku>/image", methods=["PUT"])
@auth_required("admin")
@multipart_required
@api_bp.arguments(s.ImageFileSchema, location="files")
@api_bp.response(200, s.ProductSchema)
def put_product_image(files: dict[str, FileStorage], sku: str) -> Any:
    """Upload the product image (multipart ``image``: PNG, JPEG or WebP, ≤ 2 MB)."""
    data, _ = _upload(files, "image")
    images.save_product_image(sku, data)
    product = services.get_product(sku)
    return Priced(product, product.price)


@api_bp.route("/products/<sku>/image", methods=["GET"])
@auth_required()
def get_product_image(sku: str) -> Any:
    """The product image (404 when it has none)."""
    stored = images.product_image(sku, active_only=_merchant_id() is not None)
    return send_file(stored.path, mimetype=stored.mimetype, max_age=300)


# --- prices -------------------------------------------------------------------------


@api_bp.route("/products/<sku>/prices", methods=["GET"])
@auth_required(*STAFF)
@api_bp.response(200, s.GradePriceSchema(many=True))
def list_grade_prices(sku: str) -> Any:
    """The product's price for every grade (null = the list price applies)."""
    return queries.grade_prices_of(services.get_product(sku).id)


@api_bp.route("/products/<sku>/prices/<grade>", methods=["PUT"])
@auth_required("admin")
@api_bp.arguments(s.PriceSchema)
@api_bp.response(200, s.GradePriceSchema(many=True))
def put_grade_price(data: dict[str, Any], sku: str, grade: str) -> Any:
    """Set (null: remove) the product's price for one grade; returns all of them."""
    services.set_grade_price(sku, grade, data["price"])
    return queries.grade_prices_of(services.get_product(sku).id)


@api_bp.route("/products/<sku>/merchant-prices/<merchant>", methods=["PUT"])
@auth_required("admin", "sales")
@api_bp.arguments(s.PriceSchema)
@api_bp.response(200, s.MerchantPriceSchema)
def put_merchant_price(data: dict[str, Any], sku: str, merchant: str) -> Any:
    """Set (null: remove) a merchant's own price for the product."""
    services.set_merchant_price(merchant, sku, data["price"])
    return {"merchant": merchant, "sku": sku, "price": data["price"]}


# --- categories and grades ----------------------------------------------------------


@api_bp.route("/categories", methods=["GET"])
@auth_required()
@api_bp.response(200, s.CategorySchema(many=True))
def list_categories() -> Any:
    """Every category, by sort order then code."""
    return queries.categories()


@api_bp.route("/categories", methods=["POST"])
@auth_required("admin")
@api_bp.arguments(s.CategoryCreateSchema)
@api_bp.response(201, s.CategorySchema)
def create_category(data: dict[str, Any]) -> Any:
    """Create a category (``parent``: the code of the category above)."""
    return services.create_category(data.pop("code"), data.pop("name"), **data)


@api_bp.route("/price-grades", methods=["GET"])
@auth_required(*STAFF)
@api_bp.response(200, s.PriceGradeSchema(many=True))
def list_price_grades() -> Any:
    """Every price grade."""
    return queries.price_grades()


@api_bp.route("/price-grades", methods=["POST"])
@auth_required("admin")
@api_bp.arguments(s.PriceGradeCreateSchema)
@api_bp.response(201, s.PriceGradeSchema)
def create_price_grade(data: dict[str, Any]) -> Any:
    """Create a price grade (e.g. RETAIL 门店价, LEADER 团长价, WHOLESALE 批发价)."""
    return services.create_price_grade(data["code"], data["name"])


# --- suppliers ----------------------------------------------------------------------


@api_bp.route("/suppliers", methods=["GET"])
@auth_required(*STAFF)
@api_bp.arguments(s.SupplierQueryArgsSchema, location="query")
@api_bp.response(200, s.SupplierSchema(many=True))
def list_suppliers(args: dict[str, Any]) -> Any:
    """Suppliers by code; ``q`` searches code, name and contact."""
    stmt = queries.suppliers_query(q=args.get("q"), active=args.get("active"))
    items, headers = paginate(stmt, args["page"], args["per_page"])
    return items, 200, headers


@api_bp.route("/suppliers", methods=["POST"])
@auth_required(*PURCHASING)
@api_bp.arguments(s.SupplierCreateSchema)
@api_bp.response(201, s.SupplierSchema)
def create_supplier(data: dict[str, Any]) -> Any:
    """Create a supplier."""
    return services.create_supplier(data.pop("code"), data.pop("name"), **data)


@api_bp.route("/suppliers/<code>", methods=["GET"])
@auth_required(*STAFF)
@api_bp.response(200, s.SupplierSchema)
def get_supplier(code: str) -> Any:
    """One supplier by code."""
    return services.get_supplier(code)


@api_bp.route("/suppliers/<code>", methods=["PATCH"])
@auth_required(*PURCHASING)
@api_bp.arguments(s.SupplierUpdateSchema)
@api_bp.response(200, s.SupplierSchema)
def update_supplier(data: dict[str, Any], code: str) -> Any:
    """Change a supplier (``is_active: false`` deactivates it)."""
    return services.update_supplier(code, data)


@api_bp.route("/products/<sku>/suppliers", methods=["GET"])
@auth_required(*STAFF)
@api_bp.response(200, s.ProductSupplierSchema(many=True))
def list_product_suppliers(sku: str) -> Any:
    """Who delivers the product, preferred supplier first."""
    return queries.suppliers_of(services.get_product(sku).id)


@api_bp.route("/products/<sku>/suppliers", methods=["POST"])
@auth_required(*PURCHASING)
@api_bp.arguments(s.ProductSupplierCreateSchema)
@api_bp.response(200, s.ProductSupplierSchema)
def link_product_supplier(data: dict[str, Any], sku: str) -> Any:
    """Record or update what a supplier delivers of the product (cost, case, MOQ)."""
    return services.link_product_supplier(sku, data.pop("supplier"), **data)


@api_bp.route("/products/<sku>/suppliers/<supplier>", methods=["DELETE"])
@auth_required(*PURCHASING)
@api_bp.response(204)
def unlink_product_supplier(sku: str, supplier: str) -> Any:
    """Stop buying the product from this supplier."""
    services.unlink_product_supplier(sku, supplier)
    return None
