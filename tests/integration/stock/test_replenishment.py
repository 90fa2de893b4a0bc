import datetime as dt

import pytest
import sqlalchemy as sa

from supplychain.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from supplychain.extensions import db
from supplychain.stock import ledger, replenishment, services
from supplychain.stock.expiry import local_today
from supplychain.stock.models import Bin, StockRule
from supplychain.stock.queries import available_qty, default_warehouse
from supplychain.stock.reports import local_midnight
from tests.factories import (
    ProductFactory,
    ProductSupplierFactory,
    SupplierFactory,
    UserFactory,
    WarehouseFactory,
    merchant_user,
)


@pytest.fixture(autouse=True)
def app(any_db_app):
    return any_db_app


@pytest.fixture
def main(app):
    return default_warehouse()


@pytest.fixture
def keeper(app):
    return UserFactory(role="warehouse")


def noon(days_ago: int) -> dt.datetime:
    return local_midnight(local_today() - dt.timedelta(days=days_ago)) + dt.timedelta(
        hours=12
    )


def receive(product, qty, warehouse, **kwargs):
    move = ledger.post_receipt(
        product.id, warehouse.id, qty, created_at=noon(60), **kwargs
    )
    db.session.commit()
    return move


def issue(product, qty, days_ago, warehouse):
    ledger.post_issue(product.id, warehouse.id, qty, created_at=noon(days_ago))
    db.session.commit()


def customer_return(product, qty, days_ago, warehouse):
    ledger.post_receipt(
        product.id,
        warehouse.id,
        qty,
        from_usage="customer",
        reason="Return",
        created_at=noon(days_ago),
    )
    db.session.commit()


def make_bin(warehouse, aisle, *, code=None):
    bin_ = Bin(
        warehouse_id=warehouse.id,
        aisle=aisle,
        block=1,
        bay=1,
        side="L",
        level=1,
        code=code or f"A{aisle:02d}-1-01-L1",
    )
    db.session.add(bin_)
    db.session.commit()
    return bin_


def rule_count():
    return db.session.scalar(sa.select(sa.func.count(StockRule.id)))


# --- demand ---------------------------------------------------------------------------
def test_demand_is_issued_minus_returned_per_local_day_of_the_window(main):
    product = ProductFactory()
    other = WarehouseFactory()
    receive(product, 100, main)
    receive(product, 100, other)
    issue(product, 5, 1, main)
    issue(product, 3, 1, main)
    customer_return(product, 2, 1, main)
    issue(product, 7, 3, main)
    issue(product, 9, 3, other)  # another warehouse
    issue(product, 11, 0, main)  # today is not complete yet
    issue(product, 13, 29, main)  # before the window

    history = replenishment.demand_history(main.id, days=28)

    daily = history[product.id]
    assert len(daily) == 28
    assert daily[-1] == 5 + 3 - 2 and daily[-3] == 7
    assert sum(daily) == 13


def test_demand_counts_moves_at_the_edges_of_local_days(main):
    product = ProductFactory()
    receive(product, 100, main)
    yesterday = local_today() - dt.timedelta(days=1)
    ledger.post_issue(product.id, main.id, 2, created_at=local_midnight(yesterday))
    ledger.post_issue(
        product.id,
        main.id,
        3,
        created_at=local_midnight(local_today()) - dt.timedelta(microseconds=1),
    )
    ledger.post_issue(
        product.id,
        main.id,
        4,
        created_at=local_midnight(yesterday) - dt.timedelta(seconds=1),
    )
    db.session.commit()

    daily = replenishment.demand_history(main.id, days=7)[product.id]

    assert daily[-1] == 5 and daily[-2] == 4


# --- suggestions ----------------------------------------------------------------------
def test_suggestions_use_the_preferred_suppliers_lead_time_and_write_nothing(main):
    product = ProductFactory(sku="SG-1")
    ProductSupplierFactory(product=product, supplier=SupplierFactory(lead_time_days=4))
    receive(product, 1000, main)
    for days_ago in range(1, 29, 2):
        issue(product, 10, days_ago, main)  # 10 every other day: mean 5, σ 5

    suggestions = replenishment.suggest_rules(main.id, days=28)

    [s] = suggestions
    assert (s.sku, s.lead_time_days, s.total_qty) == ("SG-1", 4, 140)
    assert (s.safety_stock, s.reorder_point) == (17, 20 + 17)
    assert str(s.avg_daily_qty) == "5.00" and str(s.std_daily_qty) == "5.00"
    assert s.current_method is None and not s.applied
    assert rule_count() == 0


def test_the_products_own_lead_time_with_its_supplier_comes_first(main):
    product = ProductFactory()
    ProductSupplierFactory(
        product=product, supplier=SupplierFactory(lead_time_days=9), lead_time_days=2
    )
    receive(product, 100, main)
    issue(product, 7, 1, main)

    [s] = replenishment.suggest_rules(main.id, days=7)

    assert s.lead_time_days == 2


def test_applying_writes_suggested_rules_and_never_touches_a_manual_one(main, keeper):
    manual, auto = ProductFactory(sku="MAN-1"), ProductFactory(sku="AUT-1")
    for product in (manual, auto):
        receive(product, 100, main)
        issue(product, 14, 2, main)
    replenishment.set_rule(
        manual.id, main.id, reorder_point=3, safety_stock=1, user=keeper
    )

    suggestions = replenishment.suggest_rules(main.id, days=7, apply=True, user=keeper)

    by_sku = {s.sku: s for s in suggestions}
    assert by_sku["MAN-1"].is_manual and not by_sku["MAN-1"].applied
    assert by_sku["AUT-1"].applied
    rules = {r.product.sku: r for r in db.session.scalars(sa.select(StockRule))}
    assert (rules["MAN-1"].method, rules["MAN-1"].reorder_point) == ("manual", 3)
    assert rules["AUT-1"].method == "suggested"
    assert rules["AUT-1"].reorder_point == by_sku["AUT-1"].reorder_point > 0
    assert rules["AUT-1"].updated_by_id == keeper.id


def test_a_suggested_rule_follows_demand_when_applied_again(main):
    product = ProductFactory()
    receive(product, 500, main)
    issue(product, 7, 1, main)
    replenishment.suggest_rules(main.id, days=7, apply=True)
    first = replenishment.get_rule(product.id, main.id).reorder_point
    issue(product, 70, 2, main)

    [again] = replenishment.suggest_rules(main.id, days=7, apply=True)

    assert again.applied
    assert replenishment.get_rule(product.id, main.id).reorder_point > first


def test_products_without_demand_get_no_rule(main):
    ProductFactory()

    assert replenishment.suggest_rules(main.id, days=28, apply=True) == []
    assert rule_count() == 0


@pytest.mark.parametrize("days", [6, 366, 0, -1, 2.5, "28", True])
def test_days_outside_7_to_365_are_refused(main, days):
    with pytest.raises(ValidationFailed) as error:
        replenishment.suggest_rules(main.id, days=days, apply=True)

    assert "days" in error.value.errors
    assert rule_count() == 0


def test_a_merchant_user_may_not_see_or_apply_suggestions(main):
    user = merchant_user()

    with pytest.raises(PermissionDenied):
        replenishment.suggest_rules(main.id, user=user)


def test_finance_may_preview_but_not_apply(main):
    finance = UserFactory(role="finance")

    assert replenishment.suggest_rules(main.id, user=finance) == []
    with pytest.raises(PermissionDenied):
        replenishment.suggest_rules(main.id, apply=True, user=finance)


# --- manual rules ---------------------------------------------------------------------
def test_set_rule_creates_then_replaces_a_manual_rule(main, keeper):
    product = ProductFactory()

    replenishment.set_rule(
        product.id, main.id, reorder_point=20, safety_stock=5, user=keeper
    )
    rule = replenishment.set_rule(
        product.id,
        main.id,
        reorder_point=30,
        safety_stock=8,
        lead_time_days=2,
        user=keeper,
    )

    assert rule_count() == 1
    assert (rule.reorder_point, rule.safety_stock, rule.lead_time_days) == (30, 8, 2)
    assert (rule.method, rule.updated_by_id) == ("manual", keeper.id)


@pytest.mark.parametrize(
    "values, field",
    [
        ({"reorder_point": -1, "safety_stock": 0}, "reorder_point"),
        ({"reorder_point": 5, "safety_stock": -2}, "safety_stock"),
        ({"reorder_point": 2.5, "safety_stock": 0}, "reorder_point"),
        ({"reorder_point": "5", "safety_stock": 0}, "reorder_point"),
        ({"reorder_point": True, "safety_stock": 0}, "reorder_point"),
        ({"reorder_point": 10**7, "safety_stock": 0}, "reorder_point"),
        ({"reorder_point": 5, "safety_stock": 6}, "safety_stock"),
        (
            {"reorder_point": 5, "safety_stock": 1, "lead_time_days": -1},
            "lead_time_days",
        ),
        (
            {"reorder_point": 5, "safety_stock": 1, "lead_time_days": 400},
            "lead_time_days",
        ),
    ],
)
def test_bad_rule_numbers_are_refused_and_nothing_is_written(
    main, keeper, values, field
):
    product = ProductFactory()

    with pytest.raises(ValidationFailed) as error:
        replenishment.set_rule(product.id, main.id, user=keeper, **values)

    assert field in error.value.errors
    assert rule_count() == 0


def test_unknown_sku_and_warehouse_are_field_errors(keeper):
    with pytest.raises(ValidationFailed) as error:
        replenishment.set_rule_for_sku(
            "NOPE", "NOWHERE", reorder_point=1, safety_stock=0, user=keeper
        )

    assert set(error.value.errors) == {"sku", "warehouse"}
    assert rule_count() == 0


def test_products_bought_to_order_or_no_longer_sold_get_no_rule(main, keeper):
    to_order = ProductFactory(is_stocked=False)
    retired = ProductFactory(is_active=False)

    for product in (to_order, retired):
        with pytest.raises(ValidationFailed) as error:
            replenishment.set_rule(
                product.id, main.id, reorder_point=1, safety_stock=0, user=keeper
            )
        assert "sku" in error.value.errors
    assert rule_count() == 0


def test_a_merchant_user_may_not_set_or_delete_rules(main):
    product = ProductFactory()
    user = merchant_user()

    with pytest.raises(PermissionDenied):
        replenishment.set_rule(
            product.id, main.id, reorder_point=1, safety_stock=0, user=user
        )
    with pytest.raises(PermissionDenied):
        replenishment.delete_rule(product.id, main.id, user=user)
    assert rule_count() == 0


def test_delete_rule_removes_it_and_a_missing_rule_is_not_found(main, keeper):
    product = ProductFactory()
    replenishment.set_rule(
        product.id, main.id, reorder_point=1, safety_stock=0, user=keeper
    )

    replenishment.delete_rule_for_sku(product.sku, "MAIN", user=keeper)

    assert rule_count() == 0
    with pytest.raises(NotFound):
        replenishment.delete_rule(product.id, main.id, user=keeper)


# --- low stock ------------------------------------------------------------------------
@pytest.fixture
def inbound():
    promised: dict[int, int] = {}

    def provider(product_ids, warehouse_id):
        return {pid: promised[pid] for pid in product_ids if pid in promised}

    replenishment.register_inbound_provider(provider)
    replenishment.register_inbound_provider(provider)  # counted once
    yield promised
    replenishment.unregister_inbound_provider(provider)


def test_low_stock_counts_available_and_inbound_and_rounds_to_the_supplier(
    main, keeper, inbound
):
    product = ProductFactory(sku="LOW-1")
    link = ProductSupplierFactory(product=product, case_qty=10, moq=1)
    receive(product, 12, main)
    ledger.reserve(product.id, main.id, 2)
    db.session.commit()
    replenishment.set_rule(
        product.id, main.id, reorder_point=20, safety_stock=5, user=keeper
    )
    inbound[product.id] = 3

    [row] = replenishment.low_stock(main.id)

    assert (row.on_hand_qty, row.reserved_qty, row.available_qty) == (12, 2, 10)
    assert (row.inbound_qty, row.shortfall_qty) == (3, 7)
    assert row.suggested_qty == 20  # 7 + 5 = 12 → two cases of 10
    assert (row.supplier_code, row.case_qty) == (link.supplier.code, 10)


def test_low_stock_leaves_out_products_above_their_reorder_point(main, keeper, inbound):
    product = ProductFactory()
    receive(product, 15, main)
    replenishment.set_rule(
        product.id, main.id, reorder_point=20, safety_stock=5, user=keeper
    )
    inbound[product.id] = 6

    assert replenishment.low_stock() == []
    inbound[product.id] = 5
    assert [r.inbound_qty for r in replenishment.low_stock()] == [5]


def test_expired_and_quarantined_stock_is_not_available_for_low_stock(main, keeper):
    product = ProductFactory(is_lot_tracked=True)
    quarantine = make_bin(main, 1)
    receive(product, 8, main, lot="OLD", expiry_date=local_today() - dt.timedelta(1))
    receive(product, 5, main, lot="GOOD", bin_id=quarantine.id)
    receive(product, 4, main, lot="GOOD")
    services.set_bin_quarantine(quarantine.id, True, user=keeper)
    replenishment.set_rule(
        product.id, main.id, reorder_point=10, safety_stock=0, user=keeper
    )

    [row] = replenishment.low_stock()

    assert (row.on_hand_qty, row.unusable_qty, row.available_qty) == (17, 13, 4)
    assert (row.shortfall_qty, row.suggested_qty) == (6, 6)


def test_low_stock_without_a_preferred_supplier_orders_the_need(main, keeper):
    product = ProductFactory()
    replenishment.set_rule(
        product.id, main.id, reorder_point=4, safety_stock=1, user=keeper
    )

    [row] = replenishment.low_stock(main.id)

    assert (row.supplier_code, row.lead_time_days, row.suggested_qty) == (None, 1, 5)


def test_an_all_zero_rule_with_nothing_available_orders_nothing(main, keeper):
    product = ProductFactory()
    replenishment.set_rule(
        product.id, main.id, reorder_point=0, safety_stock=0, user=keeper
    )

    assert replenishment.low_stock() == []


def test_low_stock_filters_by_warehouse(main, keeper):
    other = WarehouseFactory()
    product = ProductFactory()
    for warehouse in (main, other):
        replenishment.set_rule(
            product.id, warehouse.id, reorder_point=3, safety_stock=1, user=keeper
        )

    assert [r.warehouse for r in replenishment.low_stock(other.id)] == [other.code]
    assert len(replenishment.low_stock()) == 2


def test_the_low_stock_export_is_csv_with_bom_or_typed_xlsx(main, keeper):
    product = ProductFactory(sku="=EXP", name="阿胶膏")
    replenishment.set_rule(
        product.id, main.id, reorder_point=3, safety_stock=1, user=keeper
    )

    csv = replenishment.export_low_stock("csv")
    xlsx = replenishment.export_low_stock("xlsx")

    text = csv.data.decode("utf-8")
    assert text.startswith("\ufeffwarehouse,sku,name")
    assert "'=EXP" in text and "阿胶膏" in text
    assert xlsx.data[:2] == b"PK" and xlsx.filename.endswith(".xlsx")
    with pytest.raises(ValidationFailed):
        replenishment.export_low_stock("pdf")


# --- quarantine bins ------------------------------------------------------------------
def test_quarantining_a_bin_whose_stock_is_promised_is_refused(main, keeper):
    product = ProductFactory(sku="Q-1")
    bin_ = make_bin(main, 2)
    receive(product, 6, main, bin_id=bin_.id)
    receive(product, 4, main)
    ledger.reserve(product.id, main.id, 5)
    db.session.commit()

    with pytest.raises(Conflict) as error:
        services.set_bin_quarantine(bin_.id, True, user=keeper)

    assert "Q-1" in error.value.message
    assert error.value.details["lines"] == [
        {"sku": "Q-1", "bin_qty": 6, "available_qty": 5}
    ]
    db.session.expire_all()
    assert db.session.get(Bin, bin_.id).is_quarantine is False
    assert available_qty(product.id, main.id) == 5


def test_quarantining_a_bin_whose_stock_is_free_makes_it_unavailable(main, keeper):
    product = ProductFactory()
    bin_ = make_bin(main, 3)
    receive(product, 6, main, bin_id=bin_.id)
    receive(product, 4, main)
    ledger.reserve(product.id, main.id, 4)
    db.session.commit()

    services.set_bin_quarantine(bin_.id, True, user=keeper)
    quarantined = available_qty(product.id, main.id)
    services.set_bin_quarantine(bin_.id, False, user=keeper)

    assert quarantined == 0
    assert available_qty(product.id, main.id) == 6


def test_an_expired_lot_in_the_bin_does_not_block_quarantine(main, keeper):
    product = ProductFactory(is_lot_tracked=True)
    bin_ = make_bin(main, 4)
    receive(
        product,
        5,
        main,
        lot="OLD",
        expiry_date=local_today() - dt.timedelta(1),
        bin_id=bin_.id,
    )
    receive(product, 3, main, lot="NEW")
    ledger.reserve(product.id, main.id, 3)
    db.session.commit()

    services.set_bin_quarantine(bin_.id, True, user=keeper)

    assert db.session.get(Bin, bin_.id).is_quarantine is True


def test_only_warehouse_staff_change_bins(main):
    bin_ = make_bin(main, 5)

    with pytest.raises(PermissionDenied):
        services.set_bin_quarantine(bin_.id, True, user=UserFactory(role="buyer"))
    with pytest.raises(NotFound):
        services.set_bin_quarantine(10**6, True)


def test_a_bin_holding_stock_cannot_be_deactivated(main, keeper):
    product = ProductFactory()
    full, empty = make_bin(main, 6), make_bin(main, 7)
    receive(product, 1, main, bin_id=full.id)

    with pytest.raises(ValidationFailed) as error:
        services.update_bin(full.id, is_active=False, user=keeper)
    services.update_bin(empty.id, is_active=False, user=keeper)

    assert "is_active" in error.value.errors
    db.session.expire_all()
    assert db.session.get(Bin, full.id).is_active is True
    assert db.session.get(Bin, empty.id).is_active is False
