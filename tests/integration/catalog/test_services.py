from decimal import Decimal

import pytest
import sqlalchemy as sa

from supplychain.audit.models import AuditLog
from supplychain.catalog import services
from supplychain.catalog.models import (
    Category,
    MerchantPrice,
    Product,
    ProductPrice,
    ProductSupplier,
)
from supplychain.errors import DuplicateKey, NotFound, ValidationFailed
from supplychain.extensions import db
from tests.factories import (
    CategoryFactory,
    MerchantFactory,
    PriceGradeFactory,
    ProductFactory,
    SupplierFactory,
)


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_creating_a_product_stores_every_field_exactly(any_db_app):
    CategoryFactory(code="HLTH")

    product = services.create_product(
        "AJ-001",
        "艾灸贴",
        unit="盒",
        price=Decimal("12.50"),
        case_qty=24,
        category="HLTH",
        barcode="6901234567892",
        name_en="Moxa patch",
        shelf_life_days=720,
        min_order_qty=6,
        order_step=6,
        weight_kg=Decimal("0.125"),
        volume_l=Decimal("0.300"),
        is_lot_tracked=True,
    )

    db.session.expire_all()
    stored = db.session.get(Product, product.id)
    assert stored.price == Decimal("12.50")
    assert stored.weight_kg == Decimal("0.125")
    assert stored.volume_l == Decimal("0.300")
    assert stored.category.code == "HLTH"
    assert (stored.case_qty, stored.min_order_qty, stored.order_step) == (24, 6, 6)
    assert stored.is_stocked and stored.is_lot_tracked and stored.is_active


def test_money_survives_the_database_to_the_cent(any_db_app):
    amounts = ["0.01", "0.10", "19.99", "999999.99", "1000000.00", "0.00"]
    for n, amount in enumerate(amounts):
        services.create_product(f"M{n}", "钱", unit="个", price=Decimal(amount))

    db.session.expire_all()
    stored = db.session.scalars(sa.select(Product.price).order_by(Product.sku)).all()
    assert [str(p) for p in stored] == amounts
    assert all(isinstance(p, Decimal) for p in stored)


def test_a_taken_sku_is_refused_on_the_sku_field(any_db_app):
    ProductFactory(sku="AJ-001")

    with pytest.raises(DuplicateKey) as caught:
        services.create_product("AJ-001", "重复", unit="盒", price=Decimal("1"))

    assert list(caught.value.errors) == ["sku"]
    assert count(Product) == 1


def test_an_unknown_category_is_refused_and_nothing_is_written(any_db_app):
    with pytest.raises(ValidationFailed) as caught:
        services.create_product(
            "X1", "x", unit="盒", price=Decimal("1"), category="NOPE"
        )

    assert "category" in caught.value.errors
    assert count(Product) == 0


@pytest.mark.parametrize(
    "field, value",
    [
        ("price", Decimal("-0.01")),
        ("price", Decimal("1.001")),
        ("case_qty", 0),
        ("unit", ""),
        ("unit", "x" * 201),
        ("min_order_qty", 0),
        ("weight_kg", Decimal("-1")),
    ],
)
def test_values_outside_the_limits_are_refused_with_nothing_written(
    any_db_app, field, value
):
    kwargs = {"unit": "盒", "price": Decimal("1.00")} | {field: value}

    with pytest.raises(ValidationFailed) as caught:
        services.create_product("X1", "名称", **kwargs)

    assert field in caught.value.errors
    assert count(Product) == 0


def test_creating_a_product_writes_an_audit_row(any_db_app):
    product = services.create_product("A1", "艾灸贴", unit="盒", price=Decimal("1.00"))

    rows = db.session.scalars(
        sa.select(AuditLog).where(
            AuditLog.entity == "products", AuditLog.entity_id == str(product.id)
        )
    ).all()
    assert [r.action for r in rows] == ["create"]


def test_updating_changes_only_the_given_fields(any_db_app):
    ProductFactory(sku="A1", name="旧名", price=Decimal("5.00"), barcode="123")

    services.update_product("A1", {"name": "新名", "barcode": ""})

    db.session.expire_all()
    product = services.get_product("A1")
    assert (product.name, product.price, product.barcode) == (
        "新名",
        Decimal("5.00"),
        None,
    )


def test_updating_refuses_unknown_fields(any_db_app):
    ProductFactory(sku="A1")

    with pytest.raises(ValidationFailed) as caught:
        services.update_product("A1", {"sku": "B2"})

    assert "sku" in caught.value.errors


def test_updating_an_unknown_sku_is_not_found(any_db_app):
    with pytest.raises(NotFound):
        services.update_product("NOPE", {"name": "x"})


def test_a_deactivated_product_is_hidden_from_active_only_lookups(any_db_app):
    ProductFactory(sku="A1")

    services.set_product_active("A1", False)

    assert services.get_product("A1").is_active is False
    with pytest.raises(NotFound):
        services.get_product("A1", active_only=True)


def test_price_for_follows_merchant_then_grade_then_list_price(any_db_app):
    grade = PriceGradeFactory(code="LEADER")
    product = ProductFactory(price=Decimal("12.50"))
    plain = MerchantFactory()
    graded = MerchantFactory(price_grade_id=grade.id)
    special = MerchantFactory(price_grade_id=grade.id)
    services.set_grade_price(product.sku, "LEADER", Decimal("11.00"))
    services.set_merchant_price(special.code, product.sku, Decimal("10.20"))

    assert services.price_for(product.id, plain.id) == Decimal("12.50")
    assert services.price_for(product.id, graded.id) == Decimal("11.00")
    assert services.price_for(product.id, special.id) == Decimal("10.20")
    assert services.price_for(product.id, None) == Decimal("12.50")


def test_price_for_an_unknown_product_is_not_found(any_db_app):
    with pytest.raises(NotFound):
        services.price_for(999, None)


def test_setting_a_price_to_none_removes_it(any_db_app):
    grade = PriceGradeFactory(code="RETAIL")
    merchant = MerchantFactory()
    product = ProductFactory()
    services.set_grade_price(product.sku, grade.code, Decimal("9.00"))
    services.set_merchant_price(merchant.code, product.sku, Decimal("8.00"))

    services.set_grade_price(product.sku, grade.code, None)
    services.set_merchant_price(merchant.code, product.sku, None)

    assert count(ProductPrice) == 0
    assert count(MerchantPrice) == 0


def test_setting_a_price_twice_keeps_one_row(any_db_app):
    grade = PriceGradeFactory(code="RETAIL")
    product = ProductFactory()

    services.set_grade_price(product.sku, grade.code, Decimal("9.00"))
    services.set_grade_price(product.sku, grade.code, Decimal("9.50"))

    assert db.session.scalars(sa.select(ProductPrice.price)).all() == [Decimal("9.50")]


def test_grade_prices_for_many_products_are_all_or_nothing(any_db_app):
    PriceGradeFactory(code="RETAIL")
    ProductFactory(sku="A1")

    with pytest.raises(NotFound):
        services.set_grade_prices(
            "RETAIL", {"A1": Decimal("1.00"), "NOPE": Decimal("2.00")}
        )

    assert count(ProductPrice) == 0


def test_a_negative_grade_price_is_refused(any_db_app):
    PriceGradeFactory(code="RETAIL")
    ProductFactory(sku="A1")

    with pytest.raises(ValidationFailed) as caught:
        services.set_product_grade_prices("A1", {"RETAIL": Decimal("-1")})

    assert "RETAIL" in caught.value.errors


def test_merchant_price_for_an_unknown_merchant_is_not_found(any_db_app):
    ProductFactory(sku="A1")

    with pytest.raises(NotFound):
        services.set_merchant_price("NOPE", "A1", Decimal("1.00"))


def test_categories_nest_and_refuse_cycles(any_db_app):
    services.create_category("HEALTH", "保健")
    services.create_category("MOXA", "艾灸", parent="HEALTH")
    services.create_category("PATCH", "贴", parent="MOXA")

    with pytest.raises(ValidationFailed) as caught:
        services.update_category("HEALTH", {"parent": "PATCH"})

    assert "parent" in caught.value.errors
    assert services.get_category("HEALTH").parent_id is None


def test_a_duplicate_category_code_is_refused(any_db_app):
    services.create_category("HEALTH", "保健")

    with pytest.raises(DuplicateKey):
        services.create_category("HEALTH", "again")

    assert count(Category) == 1


def test_price_grades_are_created_and_renamed(any_db_app):
    services.create_price_grade("LEADER", "团长价")

    services.rename_price_grade("LEADER", "社群团长价")

    assert services.get_price_grade("LEADER").name == "社群团长价"
    with pytest.raises(DuplicateKey):
        services.create_price_grade("LEADER", "x")


def test_suppliers_are_created_updated_and_deactivated(any_db_app):
    services.create_supplier(
        "HZ01", "杭州艾草厂", contact="王经理", phone="0571-1234", lead_time_days=2
    )

    services.update_supplier("HZ01", {"is_active": False, "lead_time_days": 3})

    supplier = services.get_supplier("HZ01")
    assert (supplier.is_active, supplier.lead_time_days, supplier.contact) == (
        False,
        3,
        "王经理",
    )
    with pytest.raises(DuplicateKey):
        services.create_supplier("HZ01", "again")


def test_the_first_supplier_of_a_product_becomes_preferred(any_db_app):
    product = ProductFactory()
    supplier = SupplierFactory()

    link = services.link_product_supplier(
        product.sku, supplier.code, cost_price=Decimal("8.00")
    )

    assert link.is_preferred


def test_marking_another_supplier_preferred_unmarks_the_previous_one(any_db_app):
    product = ProductFactory()
    first, second = SupplierFactory(), SupplierFactory()
    services.link_product_supplier(product.sku, first.code, cost_price=Decimal("8.00"))

    services.link_product_supplier(
        product.sku,
        second.code,
        cost_price=Decimal("7.50"),
        case_qty=12,
        moq=24,
        is_preferred=True,
    )

    preferred = db.session.scalars(
        sa.select(ProductSupplier.supplier_id).where(
            ProductSupplier.is_preferred.is_(True)
        )
    ).all()
    assert preferred == [second.id]


def test_linking_the_same_supplier_again_updates_the_link(any_db_app):
    product, supplier = ProductFactory(), SupplierFactory()
    services.link_product_supplier(
        product.sku, supplier.code, cost_price=Decimal("8.00")
    )

    services.link_product_supplier(
        product.sku, supplier.code, cost_price=Decimal("7.00"), moq=10
    )

    links = db.session.scalars(sa.select(ProductSupplier)).all()
    assert [(ln.cost_price, ln.moq) for ln in links] == [(Decimal("7.00"), 10)]


def test_unlinking_a_supplier_removes_the_link(any_db_app):
    product, supplier = ProductFactory(), SupplierFactory()
    services.link_product_supplier(
        product.sku, supplier.code, cost_price=Decimal("8.00")
    )

    services.unlink_product_supplier(product.sku, supplier.code)

    assert count(ProductSupplier) == 0
    with pytest.raises(NotFound):
        services.unlink_product_supplier(product.sku, supplier.code)
