import pytest

from supplychain.stock.layout import (
    MAX_RACK_RECTS,
    Layout,
    bin_code,
    bin_positions,
    draw_layout,
    layout_errors,
    position_in_layout,
)


def test_bin_code_is_one_based_and_zero_padded():
    assert bin_code(3, 1, 7, "L", 2) == "A03-1-07-L2"
    assert bin_code(12, 2, 120, "R", 1) == "A12-2-120-R1"


def test_geometry_follows_the_contract_model():
    layout = Layout(
        n_aisles=12,
        n_cross_aisles=3,
        bays_per_block=20,
        aisle_spacing=3.0,
        bay_length=1.2,
        cross_to_first_bay=1.5,
        depot_aisle=5.5,
        depot_offset=2.0,
    )

    assert layout.n_blocks == 2
    assert layout.block_height == pytest.approx(2 * 1.5 + 19 * 1.2)
    assert layout.aisle_x(4) == 12.0
    assert layout.bay_y(1, 0) == pytest.approx(layout.block_height + 1.5)
    assert layout.depot == (16.5, -2.0)


def test_bin_positions_cover_every_bay_side_and_level_once():
    layout = Layout(n_aisles=2, n_cross_aisles=3, bays_per_block=4)

    positions = list(bin_positions(layout, levels=3, sides=("L", "R")))

    assert len(positions) == 2 * 2 * 4 * 2 * 3 == len(set(positions))
    assert positions[0] == (1, 1, 1, "L", 1)
    assert all(position_in_layout(layout, a, b, c) for a, b, c, _, _ in positions)


def test_positions_outside_a_layout_are_recognised():
    layout = Layout(n_aisles=2, n_cross_aisles=2, bays_per_block=4)

    assert not position_in_layout(layout, 3, 1, 1)
    assert not position_in_layout(layout, 1, 2, 1)
    assert not position_in_layout(layout, 1, 1, 5)


@pytest.mark.parametrize(
    "values, field",
    [
        ({"n_aisles": 0}, "n_aisles"),
        ({"n_cross_aisles": 1}, "n_cross_aisles"),
        ({"bays_per_block": 2.5}, "bays_per_block"),
        ({"aisle_spacing": -3}, "aisle_spacing"),
        ({"bay_length": "1.2"}, "bay_length"),
        ({"n_aisles": 4, "depot_aisle": 9}, "depot_aisle"),
        ({"depot_offset": True}, "depot_offset"),
    ],
)
def test_layout_errors_name_the_field(values, field):
    assert field in layout_errors(values)


def test_a_valid_layout_has_no_errors():
    assert layout_errors(Layout().as_dict()) == {}


def test_drawing_has_a_rack_per_bay_and_side_and_shades_bays_with_bins():
    layout = Layout(n_aisles=3, n_cross_aisles=2, bays_per_block=5)

    drawing = draw_layout(layout, {(1, 1, 1)})

    assert len(drawing.racks) == 3 * 5 * 2
    assert len(drawing.aisles) == 3 and len(drawing.cross_aisles) == 2
    shaded = [r.title for r in drawing.racks if "has-bins" in r.css]
    assert shaded == ["A01-1-01-L", "A01-1-01-R"]


def test_big_layouts_are_drawn_one_rectangle_per_block_side():
    layout = Layout(n_aisles=40, n_cross_aisles=4, bays_per_block=60)

    drawing = draw_layout(layout)

    assert 40 * 3 * 60 * 2 > MAX_RACK_RECTS
    assert len(drawing.racks) == 40 * 3 * 2


def test_the_drawing_box_contains_the_depot_and_every_rack():
    layout = Layout(n_aisles=4, depot_aisle=-1, depot_offset=5)

    drawing = draw_layout(layout)
    x, y, w, h = drawing.view_box

    assert x <= drawing.depot[0] <= x + w and y <= drawing.depot[1] <= y + h
    for rack in drawing.racks:
        assert x <= rack.x and rack.x + rack.w <= x + w
        assert y <= rack.y and rack.y + rack.h <= y + h
