from decimal import Decimal

import pytest

from supplychain.catalog import price_list, services
from supplychain.errors import NotFound
from tests.factories import (
    CategoryFactory,
    MerchantFactory,
    PriceGradeFactory,
    ProductFactory,
)


@pytest.fixture
def catalogue(app):
    grade = PriceGradeFactory(code="LEADER", name="团长价")
    health = CategoryFactory(code="HLTH", name="保健", sort=1)
    ProductFactory(
        sku="A1", name="艾灸贴", price=Decimal("12.50"), category_id=health.id
    )
    ProductFactory(sku="A2", name="阿胶膏", price=Decimal("30.00"))
    ProductFactory(sku="OFF", name="停售", price=Decimal("1.00"), is_active=False)
    services.set_grade_price("A1", "LEADER", Decimal("11.00"))
    return grade


def prices(doc):
    return {line.sku: line.price for line in doc.lines}


def test_the_list_price_list_has_every_active_product(catalogue):
    doc = price_list.build_price_list()

    assert prices(doc) == {"A1": Decimal("12.50"), "A2": Decimal("30.00")}
    assert doc.currency == "CNY"


def test_a_grade_price_list_uses_grade_prices_and_list_prices_elsewhere(catalogue):
    doc = price_list.build_price_list(grade_code="LEADER")

    assert prices(doc) == {"A1": Decimal("11.00"), "A2": Decimal("30.00")}
    assert "团长价" in doc.grade_name


def test_a_merchant_price_list_uses_the_merchants_own_prices(catalogue):
    merchant = MerchantFactory(price_grade_id=catalogue.id)
    services.set_merchant_price(merchant.code, "A2", Decimal("28.00"))

    doc = price_list.build_price_list(merchant_id=merchant.id)

    assert prices(doc) == {"A1": Decimal("11.00"), "A2": Decimal("28.00")}


def test_an_unknown_grade_is_not_found(catalogue):
    with pytest.raises(NotFound):
        price_list.build_price_list(grade_code="NOPE")


def test_the_price_list_renders_to_a_pdf(catalogue):
    pdf = price_list.render_price_list_pdf(grade_code="LEADER")

    assert pdf.startswith(b"%PDF")
