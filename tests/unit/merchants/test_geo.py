import math

import pytest

from supplychain.merchants.geo import (
    MapMarker,
    extra_markers,
    fit_markers,
    register_marker_source,
)


def _marker(lat, lon, label="x"):
    return MapMarker(lat, lon, label, "store")


def test_no_markers_gives_an_empty_canvas():
    layout = fit_markers([])

    assert layout.markers == [] and layout.height > 0


def test_a_single_marker_sits_in_the_middle():
    layout = fit_markers([_marker(30.27, 120.15)], width=1000, min_height=400)

    (placed,) = layout.markers
    assert (placed.x, placed.y) == (500.0, 200.0)
    assert layout.scale_bar is None


def test_north_is_up_and_east_is_right():
    north, south, east = (
        _marker(30.4, 120.1),
        _marker(30.1, 120.1),
        _marker(30.1, 120.4),
    )

    placed = {p.marker: p for p in fit_markers([north, south, east]).markers}

    assert placed[north].y < placed[south].y
    assert placed[east].x > placed[south].x


def test_longitude_is_shrunk_by_cos_of_the_middle_latitude():
    # a square box in degrees at 60° N is twice as tall as it is wide on the map
    markers = [_marker(59.9, 10.0), _marker(60.1, 10.2)]

    a, b = fit_markers(markers, width=1000, max_height=2000, padding=0).markers
    width, height = abs(b.x - a.x), abs(b.y - a.y)

    assert width / height == pytest.approx(math.cos(math.radians(60.0)), rel=1e-3)


def test_every_marker_fits_inside_the_canvas_with_padding():
    markers = [
        _marker(30.0 + i * 0.013, 119.9 + (i * 7 % 11) * 0.05) for i in range(50)
    ]

    layout = fit_markers(markers, width=800, max_height=600, padding=20)

    assert all(20 - 0.1 <= p.x <= 780 + 0.1 for p in layout.markers)
    assert all(20 - 0.1 <= p.y <= layout.height - 20 + 0.1 for p in layout.markers)
    assert layout.height <= 600


def test_scale_bar_is_a_round_distance_of_the_right_length():
    # 0.5° of latitude ≈ 55.6 km across 1000 - 2·24 units of height at most
    markers = [_marker(30.0, 120.0), _marker(30.5, 120.0)]

    layout = fit_markers(markers, width=1000, max_height=1000)
    units_per_km = (layout.markers[1].y - layout.markers[0].y) / -(0.5 * 111.19)

    assert layout.scale_bar.km in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)
    assert layout.scale_bar.length == pytest.approx(
        layout.scale_bar.km * units_per_km, rel=1e-2
    )
    assert layout.scale_bar.length <= 250


def test_other_features_can_add_markers_once():
    class FakeApp:
        extensions: dict = {}

    app = FakeApp()
    warehouse = MapMarker(30.3, 120.2, "MAIN 主仓", "warehouse")

    def source():
        return [warehouse]

    register_marker_source(app, source)
    register_marker_source(app, source)

    assert extra_markers(app) == [warehouse]
