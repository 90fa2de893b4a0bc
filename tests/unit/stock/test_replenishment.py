import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supplychain.stock.replenishment_rules import (
    ceil_sqrt,
    daily_demand,
    is_low,
    order_qty,
    reorder_point,
    safety_stock,
    shortfall_qty,
    suggest_rule,
)

days_of_demand = st.lists(
    st.integers(min_value=0, max_value=500), min_size=1, max_size=60
)
lead_times = st.integers(min_value=0, max_value=60)


def test_steady_demand_needs_no_safety_stock():
    result = suggest_rule([10] * 28, 3)

    assert result.demand.mean == 10 and result.demand.variance == 0
    assert (result.reorder_point, result.safety_stock) == (30, 0)


def test_no_demand_gives_zeros():
    result = suggest_rule([0] * 28, 5)

    assert (result.reorder_point, result.safety_stock) == (0, 0)
    assert result.demand.average_daily_qty == Decimal("0.00")


def test_an_empty_history_gives_zeros():
    assert daily_demand([]).total_qty == 0
    assert (suggest_rule([], 4).reorder_point, suggest_rule([], 4).safety_stock) == (
        0,
        0,
    )


def test_safety_stock_is_z_sigma_root_lead_time_rounded_up():
    # days 0 and 10: mean 5, σ 5; lead time 4 → 1.65 × 5 × 2 = 16.5 → 17
    result = suggest_rule([0, 10], 4)

    assert result.safety_stock == 17
    assert result.reorder_point == 5 * 4 + 17
    assert result.demand.std_daily_qty == Decimal("5.00")


def test_an_exact_product_is_not_rounded_up_by_a_float():
    # mean 3, σ 2 (days 1 and 5), lead time 100: 1.65 × 2 × 10 = 33 exactly
    demand = daily_demand([1, 5])

    assert safety_stock(demand, 100) == 33
    assert reorder_point(demand, 100, 33) == 300 + 33


def test_a_fractional_mean_rounds_the_lead_time_demand_up():
    demand = daily_demand([1, 0, 0])  # mean 1/3

    assert reorder_point(demand, 2, 0) == 1


def test_a_day_with_more_returns_than_issues_counts_as_no_demand():
    demand = daily_demand([-5, 3])

    assert demand.total_qty == 3 and demand.mean == Fraction(3, 2)


def test_lead_time_zero_needs_nothing_in_stock():
    assert (
        suggest_rule([4, 8, 0], 0).reorder_point,
        suggest_rule([4], 0).safety_stock,
    ) == (0, 0)


def test_a_negative_lead_time_is_refused():
    with pytest.raises(ValueError):
        suggest_rule([1, 2], -1)


@pytest.mark.parametrize(
    "value, expected",
    [
        (Fraction(0), 0),
        (Fraction(1), 1),
        (Fraction(2), 2),
        (Fraction(4), 2),
        (Fraction(17, 4), 3),
    ],
)
def test_ceil_sqrt_is_exact(value, expected):
    assert ceil_sqrt(value) == expected


@pytest.mark.parametrize(
    "need, case_qty, moq, expected",
    [
        (0, 12, 24, 0),
        (-3, 12, 1, 0),
        (1, 1, 1, 1),
        (5, 12, 1, 12),
        (13, 12, 1, 24),
        (5, 1, 20, 20),
        (5, 12, 30, 36),  # the minimum order, then whole cases
        (24, 12, 24, 24),
    ],
)
def test_order_qty_meets_the_minimum_order_in_whole_cases(
    need, case_qty, moq, expected
):
    assert order_qty(need, case_qty=case_qty, moq=moq) == expected


def test_shortfall_and_low_count_what_is_inbound():
    assert shortfall_qty(20, 5, 3) == 12
    assert is_low(20, 5, 15) and not is_low(20, 5, 16)


@given(days_of_demand, lead_times)
def test_reorder_point_is_at_least_the_safety_stock_which_is_never_negative(days, lead):
    result = suggest_rule(days, lead)

    assert result.reorder_point >= result.safety_stock >= 0


@given(days_of_demand, lead_times)
def test_safety_stock_is_the_smallest_whole_number_covering_z_sigma_root_l(days, lead):
    result = suggest_rule(days, lead)
    target = 1.65 * math.sqrt(float(result.demand.variance) * lead)
    slack = 1e-9 * max(1.0, target)  # float error of the check, not of the rule

    assert result.safety_stock >= target - slack
    assert result.safety_stock - 1 < target + slack


@given(days_of_demand, lead_times, st.integers(min_value=0, max_value=100))
def test_more_demand_every_day_never_lowers_the_reorder_point(days, lead, extra):
    more = [q + extra for q in days]

    assert (
        suggest_rule(more, lead).reorder_point >= suggest_rule(days, lead).reorder_point
    )


@given(days_of_demand, lead_times, st.integers(min_value=1, max_value=10))
def test_scaling_demand_up_never_lowers_the_reorder_point(days, lead, factor):
    more = [q * factor for q in days]

    assert (
        suggest_rule(more, lead).reorder_point >= suggest_rule(days, lead).reorder_point
    )


@given(days_of_demand, st.integers(min_value=0, max_value=59))
def test_a_longer_lead_time_never_lowers_the_reorder_point(days, lead):
    assert (
        suggest_rule(days, lead + 1).reorder_point
        >= suggest_rule(days, lead).reorder_point
    )


@given(
    st.integers(min_value=-1000, max_value=10_000),
    st.integers(min_value=1, max_value=100),
    st.integers(min_value=1, max_value=500),
)
def test_order_qty_covers_the_need_in_whole_cases_at_least_the_minimum(need, case, moq):
    qty = order_qty(need, case_qty=case, moq=moq)

    if need <= 0:
        assert qty == 0
    else:
        assert qty >= need and qty >= moq and qty % case == 0
        assert qty - case < max(need, moq)  # never a whole case more than needed


def test_evening_out_demand_can_lower_the_reorder_point_as_the_spread_shrinks():
    # more units in total, but steadier: σ 5 → 0 outweighs the higher mean
    spiky, steady = suggest_rule([0, 10], 1), suggest_rule([10, 10], 1)

    assert (spiky.reorder_point, steady.reorder_point) == (5 + 9, 10 + 0)
