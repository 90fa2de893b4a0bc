"""演示数据 generator: determinism, counts, valid codes and places, a consistent history."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supplychain.auth.models import ROLES
from supplychain.demo import data
from supplychain.demo.generator import (
    ean13_check_digit,
    generate,
    in_city,
    in_water,
    is_valid_ean13,
    max_products,
)
from supplychain.demo.model import DemoData

CODE = re.compile(r"[A-Za-z0-9_-]{1,30}")


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate(200, 7)


@pytest.fixture(scope="module")
def big() -> DemoData:
    return generate(2000, 7)


def replay(events):
    """(warehouse, sku, lot) → on hand after each event; fails on the first negative."""
    on_hand: Counter = Counter()
    for event in events:
        key = (event.warehouse, event.sku, event.lot_no)
        on_hand[key] += -event.qty if event.kind == "issue" else event.qty
        assert on_hand[key] >= 0, event
    return on_hand


def test_the_same_seed_gives_identical_data():
    assert generate(50, 3) == generate(50, 3)


def test_a_different_seed_gives_different_data():
    one, other = generate(50, 3), generate(50, 4)

    assert [m.name for m in one.merchants] != [m.name for m in other.merchants]
    assert [p.name for p in one.products] != [p.name for p in other.products]
    assert one.stock_events != other.stock_events


def test_more_stores_keep_the_catalogue_of_the_same_seed():
    assert generate(20, 5).products == generate(300, 5).products


@pytest.mark.parametrize("stores", [0, -1, 5001])
def test_refuses_a_store_count_outside_one_to_five_thousand(stores):
    with pytest.raises(ValueError, match="stores"):
        generate(stores, 1)


def test_refuses_more_products_than_the_vocabulary_can_name():
    with pytest.raises(ValueError, match="products"):
        generate(10, 1, products=max_products() + 1)


def test_makes_one_merchant_per_store_with_the_kinds_in_their_shares(big):
    kinds = Counter(m.kind for m in big.merchants)

    assert len(big.merchants) == 2000
    assert kinds == {"store": 1700, "group_leader": 240, "wholesale": 60}


def test_a_small_demo_still_has_every_kind_of_merchant():
    kinds = {m.kind for m in generate(10, 1).merchants}

    assert kinds == {"store", "group_leader", "wholesale"}


def test_a_single_store_is_enough():
    only = generate(1, 1)

    assert [m.kind for m in only.merchants] == ["store"]
    assert [u.username for u in only.users if u.role == "merchant"] == ["store1"]


def test_makes_three_hundred_products_from_sixteen_suppliers_by_default(demo):
    assert len(demo.products) == 300
    assert len(demo.suppliers) == 16
    assert len({p.sku for p in demo.products}) == 300
    assert {p.category_code for p in demo.products} >= {
        "MOXA-PATCH",
        "TONIC-EJIAO",
        "MASK",
    }


def test_every_barcode_is_a_unique_valid_ean13_with_a_chinese_prefix(demo):
    barcodes = [p.barcode for p in demo.products]

    assert all(is_valid_ean13(code) and code.startswith("69") for code in barcodes)
    assert len(set(barcodes)) == len(barcodes)


def test_ean13_check_digit_matches_a_published_example():
    assert ean13_check_digit("400638133393") == 1
    assert is_valid_ean13("4006381333931")
    assert not is_valid_ean13("4006381333932")


def test_prices_are_exact_two_place_decimals_and_grades_are_cheaper(demo):
    for product in demo.products:
        grades = dict(product.grade_prices)
        assert product.price.as_tuple().exponent == -2
        assert product.price > 0
        assert grades["RETAIL"] == product.price
        assert grades["WHOLESALE"] < grades["LEADER"] < product.price


def test_merchant_prices_are_below_the_merchants_grade_price(demo):
    products = {p.sku: p for p in demo.products}
    merchants = {m.code: m for m in demo.merchants}
    pairs = [(mp.merchant_code, mp.sku) for mp in demo.merchant_prices]

    assert len(pairs) == len(set(pairs))
    assert {merchants[code].kind for code, _ in pairs} >= {"wholesale"}
    for row in demo.merchant_prices:
        grade = merchants[row.merchant_code].price_grade
        assert (
            Decimal("0.01") <= row.price < dict(products[row.sku].grade_prices)[grade]
        )


def test_each_product_has_exactly_one_preferred_supplier_with_whole_cases(demo):
    preferred = Counter(ps.sku for ps in demo.product_suppliers if ps.is_preferred)

    assert set(preferred) == {p.sku for p in demo.products}
    assert set(preferred.values()) == {1}
    assert all(
        ps.moq % ps.case_qty == 0 and ps.cost_price > 0 for ps in demo.product_suppliers
    )


def test_some_products_are_purchase_to_order_and_tonics_are_lot_tracked(demo):
    tonics = [p for p in demo.products if p.category_code.startswith("TONIC-")]

    assert any(not p.is_stocked for p in demo.products)
    assert tonics and all(p.is_lot_tracked and p.shelf_life_days for p in tonics)


def test_every_merchant_lies_on_land_in_hangzhou(big):
    for merchant in big.merchants:
        assert in_city(merchant.lat, merchant.lon), merchant
        assert not in_water(merchant.lat, merchant.lon), merchant
    south, west, north, east = data.CITY_BOX
    assert 30.0 < south < north < 30.6 and 119.8 < west < east < 120.6


def test_merchants_spread_over_every_district(big):
    assert {m.district for m in big.merchants} == {d.name for d in data.DISTRICTS}


def test_merchant_codes_and_names_are_unique_and_valid(big):
    codes = [m.code for m in big.merchants]
    names = [m.name for m in big.merchants]

    assert all(CODE.fullmatch(code) for code in codes)
    assert len(set(codes)) == len(codes)
    assert len(set(names)) == len(names)


def test_merchants_have_a_window_a_grade_and_a_sensible_credit_limit(demo):
    for merchant in demo.merchants:
        assert merchant.window_start < merchant.window_end
        assert merchant.price_grade == data.KIND_GRADE[merchant.kind]
        assert merchant.credit_limit is None or merchant.credit_limit > 0
        assert merchant.warehouse == (
            "XS" if merchant.district in data.XS_DISTRICTS else "MAIN"
        )


def test_there_is_a_user_for_every_role_with_the_documented_password(demo):
    assert {u.role for u in demo.users} == set(ROLES)
    assert all(u.password == f"demo-{u.role}-2026" for u in demo.users)
    merchant_users = {
        u.username: u.merchant_code for u in demo.users if u.role == "merchant"
    }
    assert merchant_users == {
        "store1": "S0001",
        "store2": "S0002",
        "store3": "S0003",
        "leader1": "L0001",
        "leader2": "L0002",
        "wholesale1": "W0001",
    }


def test_the_fleet_has_a_dozen_vans_with_unique_zhejiang_plates(demo):
    plates = [v.plate for v in demo.vehicles]

    assert len(demo.vehicles) == 12
    assert len(set(plates)) == 12 and all(p.startswith("浙A·") for p in plates)
    assert {v.warehouse for v in demo.vehicles} == {"MAIN", "XS"}
    assert all(
        v.shift_start < v.shift_end and v.capacity_boxes > 0 for v in demo.vehicles
    )


def test_the_default_warehouse_carries_every_stocked_product_in_distinct_bins(demo):
    main = [s for s in demo.slots if s.warehouse == "MAIN"]
    stocked = {p.sku for p in demo.products if p.is_stocked}
    positions = [
        (s.warehouse, s.aisle, s.block, s.bay, s.side, s.level) for s in demo.slots
    ]

    assert {s.sku for s in main} == stocked
    assert len(set(positions)) == len(positions)
    assert [w.code for w in demo.warehouses if w.is_default] == ["MAIN"]


def test_history_never_takes_more_than_is_on_hand(big):
    on_hand = replay(big.stock_events)

    assert sum(on_hand.values()) > 0


def test_history_spans_the_last_thirty_days_oldest_first(demo):
    order = [(-e.days_ago, e.minute) for e in demo.stock_events]

    assert order == sorted(order)
    assert {e.days_ago for e in demo.stock_events if e.kind != "opening"} <= set(
        range(1, 31)
    )
    assert {e.kind for e in demo.stock_events} == {
        "opening",
        "receipt",
        "issue",
        "adjustment",
    }


def test_history_names_lots_only_for_lot_tracked_products_and_none_is_expired(demo):
    products = {p.sku: p for p in demo.products}
    expiry_of_lot: dict[tuple[str, str], int] = {}

    for event in demo.stock_events:
        product = products[event.sku]
        assert product.is_stocked
        assert (event.lot_no is not None) == product.is_lot_tracked
        if event.lot_no is not None:
            assert event.expiry_in_days >= 20
            assert expiry_of_lot.setdefault(
                (event.sku, event.lot_no), event.expiry_in_days
            ) == (event.expiry_in_days)


def test_history_replays_the_live_stream_burst_of_moxa_patches(big):
    burst = [e for e in big.stock_events if e.kind == "issue" and e.qty >= 3000]

    assert [e.sku[:3] for e in burst] == ["AJT"]


def test_quantities_are_positive_integers_except_signed_adjustments(demo):
    for event in demo.stock_events:
        assert isinstance(event.qty, int)
        assert event.qty != 0 if event.kind == "adjustment" else event.qty > 0


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    stores=st.integers(1, 120), seed=st.integers(0, 10**6), products=st.integers(1, 80)
)
def test_any_seed_and_size_gives_a_consistent_demo(stores, seed, products):
    demo = generate(stores, seed, products=products, history_days=10)

    assert len(demo.merchants) == stores and len(demo.products) == products
    replay(demo.stock_events)
    assert all(in_city(m.lat, m.lon) for m in demo.merchants)


def test_west_lake_and_the_river_count_as_water_and_the_city_centre_does_not():
    assert in_water(30.246, 120.143)  # 西湖 湖心
    assert in_water(30.243, 120.217)  # 钱塘江 by 钱江新城
    assert not in_water(*data.CITY_CENTRE)
    assert not any(in_water(d.lat, d.lon) for d in data.DISTRICTS)
