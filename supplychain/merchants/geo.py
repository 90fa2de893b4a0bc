"""商户地图 map layout: places lat/lon markers on a flat SVG canvas, offline (no tiles).

Equirectangular projection fitted to the markers' bounding box: x = lon · cos(φ₀),
y = −lat, with φ₀ the box's middle latitude, so distances look right around Hangzhou
(at 30° N a degree of longitude is only 0.87 of a degree of latitude). North is up.
Pure: dataclasses in, dataclasses out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

EARTH_KM_PER_DEGREE = 6371.0 * math.pi / 180.0  # ≈ 111.19 km per degree of latitude
_NICE_KM = (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
MARKER_SOURCES = "merchants.map_markers"  # key in app.extensions


@dataclass(frozen=True)
class MapMarker:
    """One point to draw. ``kind`` picks colour and shape (merchant kinds, or e.g.
    "warehouse" from the stock feature); ``url`` makes it a link."""

    lat: float
    lon: float
    label: str
    kind: str
    url: str | None = None


@dataclass(frozen=True)
class PlacedMarker:
    marker: MapMarker
    x: float
    y: float


@dataclass(frozen=True)
class ScaleBar:
    km: float
    length: float  # canvas units


@dataclass(frozen=True)
class MapLayout:
    width: float
    height: float
    markers: list[PlacedMarker]
    scale_bar: ScaleBar | None


def _scale_bar(units_per_km: float, width: float) -> ScaleBar | None:
    fitting = [km for km in _NICE_KM if km * units_per_km <= width / 4]
    if not fitting or not math.isfinite(units_per_km):
        return None
    km = fitting[-1]
    return ScaleBar(km, round(km * units_per_km, 1))


def fit_markers(
    markers: Sequence[MapMarker],
    *,
    width: float = 1000.0,
    min_height: float = 320.0,
    max_height: float = 1000.0,
    padding: float = 24.0,
) -> MapLayout:
    """Scale the markers' bounding box to ``width`` (and at most ``max_height``),
    centred, keeping the true aspect ratio. One marker (or all at one spot) lands in the
    middle.
    """
    if not markers:
        return MapLayout(width, min_height, [], None)
    lat0 = (min(m.lat for m in markers) + max(m.lat for m in markers)) / 2
    k = math.cos(math.radians(lat0))
    xs = [m.lon * k for m in markers]
    ys = [-m.lat for m in markers]
    span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
    inner_w, inner_h = width - 2 * padding, max_height - 2 * padding
    candidates = [inner_w / span_x if span_x > 0 else math.inf]
    candidates.append(inner_h / span_y if span_y > 0 else math.inf)
    scale = min(candidates)
    if not math.isfinite(scale):  # every marker on one spot
        scale = 0.0
    height = min(max_height, max(min_height, span_y * scale + 2 * padding))
    off_x = (width - span_x * scale) / 2 - min(xs) * scale
    off_y = (height - span_y * scale) / 2 - min(ys) * scale
    placed = [
        PlacedMarker(m, round(x * scale + off_x, 1), round(y * scale + off_y, 1))
        for m, x, y in zip(markers, xs, ys)
    ]
    bar = _scale_bar(scale / EARTH_KM_PER_DEGREE, width) if scale else None
    return MapLayout(width, round(height, 1), placed, bar)


MarkerSource = Callable[[], Sequence[MapMarker]]


def register_marker_source(app: Any, source: MarkerSource) -> None:
    """Let another feature put points on the merchant map, e.g. the stock feature's
    warehouses::

        bp.record_once(lambda s: register_marker_source(s.app, warehouse_markers))

    ``source`` runs inside the request that draws the map."""
    sources = app.extensions.setdefault(MARKER_SOURCES, [])
    if source not in sources:
        sources.append(source)


def extra_markers(app: Any) -> list[MapMarker]:
    return [
        marker
        for source in app.extensions.get(MARKER_SOURCES, ())
        for marker in source()
    ]
