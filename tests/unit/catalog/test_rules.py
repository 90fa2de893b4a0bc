import pytest
from hypothesis import given
from hypothesis import strategies as st

from supplychain.catalog.rules import (
    is_valid_order_qty,
    order_qty_problem,
    round_up_order_qty,
)


@pytest.mark.parametrize(
    "qty, min_qty, step, valid",
    [
        (1, 1, 1, True),
        (7, 1, 1, True),
        (0, 1, 1, False),
        (-3, 1, 1, False),
        (6, 6, 6, True),
        (12, 6, 6, True),
        (9, 6, 6, False),
        (5, 5, 2, True),
        (7, 5, 2, True),
        (6, 5, 2, False),
        (4, 5, 2, False),
    ],
)
def test_valid_quantities_are_the_minimum_plus_whole_steps(qty, min_qty, step, valid):
    assert is_valid_order_qty(qty, min_qty, step) is valid


@pytest.mark.parametrize("qty", [2.0, "2", True, None])
def test_a_quantity_that_is_not_an_int_is_never_valid(qty):
    assert is_valid_order_qty(qty, 1, 1) is False


@pytest.mark.parametrize("min_qty, step", [(0, 1), (1, 0), (-1, 2)])
def test_settings_below_one_are_a_programming_error(min_qty, step):
    with pytest.raises(ValueError):
        is_valid_order_qty(1, min_qty, step)


def test_rounding_up_suggests_the_next_valid_quantity():
    assert round_up_order_qty(1, 6, 6) == 6
    assert round_up_order_qty(7, 6, 6) == 12
    assert round_up_order_qty(12, 6, 6) == 12
    assert round_up_order_qty(6, 5, 2) == 7


def test_problem_messages_say_what_to_order():
    assert order_qty_problem(12, 6, 6) is None
    assert "minimum" in order_qty_problem(2, 6, 6)
    assert "12" in order_qty_problem(8, 6, 6)
    assert "whole number" in order_qty_problem(1.5, 1, 1)


settings = st.tuples(st.integers(1, 50), st.integers(1, 50))


@given(qty=st.integers(-100, 10_000), rule=settings)
def test_rounding_up_gives_the_smallest_valid_quantity_not_below(qty, rule):
    min_qty, step = rule

    rounded = round_up_order_qty(qty, min_qty, step)

    assert is_valid_order_qty(rounded, min_qty, step)
    assert rounded >= qty
    assert not any(
        is_valid_order_qty(q, min_qty, step) for q in range(max(qty, 1), rounded)
    )


@given(qty=st.integers(-100, 10_000), rule=settings)
def test_a_problem_is_reported_exactly_for_invalid_quantities(qty, rule):
    min_qty, step = rule

    assert (order_qty_problem(qty, min_qty, step) is None) == is_valid_order_qty(
        qty, min_qty, step
    )
