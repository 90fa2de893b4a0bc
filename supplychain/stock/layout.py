"""进销存 warehouse layout (仓库布局): the rectangular parallel-aisle model of contracts.md §3,
its validation, bin codes and the geometry of the drawing on the warehouse page. Pure.

Aisle ``a`` (0-based) has its centre line at x = a × aisle_spacing; cross aisle ``k``
lies at y = k × H with H = 2 × cross_to_first_bay + (bays_per_block − 1) × bay_length;
bay ``c`` of block ``b`` is at y = b × H + cross_to_first_bay + c × bay_length; the
depot is at (depot_aisle × aisle_spacing, −depot_offset). Metres throughout.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields

SIDES = ("L", "R")
MAX_BINS = 50_000
MAX_LEVELS = 9

# field → (minimum, maximum, integer?)
LIMITS: dict[str, tuple[float, float, bool]] = {
    "n_aisles": (1, 200, True),
    "n_cross_aisles": (2, 20, True),
    "bays_per_block": (1, 500, True),
    "aisle_spacing": (0.5, 100.0, False),
    "bay_length": (0.1, 100.0, False),
    "cross_to_first_bay": (0.0, 100.0, False),
    "depot_aisle": (-1.0, 200.0, False),
    "depot_offset": (0.0, 100.0, False),
}


@dataclass(frozen=True)
class Layout:
    n_aisles: int = 10
    n_cross_aisles: int = 2
    bays_per_block: int = 20
    aisle_spacing: float = 3.0
    bay_length: float = 1.2
    cross_to_first_bay: float = 1.5
    depot_aisle: float = 0.0
    depot_offset: float = 2.0

    @classmethod
    def of(cls, source: object) -> Layout:
        """The layout fields of any object with those attributes (e.g. a Warehouse)."""
        return cls(**{f.name: getattr(source, f.name) for f in fields(cls)})

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def n_blocks(self) -> int:
        return self.n_cross_aisles - 1

    @property
    def block_height(self) -> float:
        return 2 * self.cross_to_first_bay + (self.bays_per_block - 1) * self.bay_length

    def aisle_x(self, aisle: int) -> float:
        return aisle * self.aisle_spacing

    def cross_y(self, k: int) -> float:
        return k * self.block_height

    def bay_y(self, block: int, bay: int) -> float:
        return self.cross_y(block) + self.cross_to_first_bay + bay * self.bay_length

    @property
    def depot(self) -> tuple[float, float]:
        return (self.depot_aisle * self.aisle_spacing, -self.depot_offset)


def layout_errors(values: dict[str, object]) -> dict[str, list[str]]:
    """Field → messages for layout values out of range (empty when all are valid)."""
    errors: dict[str, list[str]] = {}
    for name, (low, high, integer) in LIMITS.items():
        value = values.get(name)
        if value is None:
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or (integer and not isinstance(value, int))
        ):
            errors[name] = [
                "Must be a whole number." if integer else "Must be a number."
            ]
        elif not low <= value <= high:
            errors[name] = [f"Must be between {low:g} and {high:g}."]
    aisles, depot = values.get("n_aisles"), values.get("depot_aisle")
    if (
        "n_aisles" not in errors
        and "depot_aisle" not in errors
        and isinstance(aisles, int)
        and isinstance(depot, (int, float))
        and depot > aisles
    ):
        errors["depot_aisle"] = [
            "The depot must be within the warehouse (at most n_aisles)."
        ]
    return errors


def bin_code(aisle: int, block: int, bay: int, side: str, level: int) -> str:
    """``A03-1-07-L2``: aisle 3, block 1, bay 7, left side, level 2 (all 1-based)."""
    return f"A{aisle:02d}-{block}-{bay:02d}-{side}{level}"


def bin_positions(
    layout: Layout, *, levels: int, sides: Iterable[str]
) -> Iterator[tuple[int, int, int, str, int]]:
    """Every (aisle, block, bay, side, level), 1-based, in walking-label order."""
    sides = tuple(sides)
    for aisle in range(1, layout.n_aisles + 1):
        for block in range(1, layout.n_blocks + 1):
            for bay in range(1, layout.bays_per_block + 1):
                for side in sides:
                    for level in range(1, levels + 1):
                        yield aisle, block, bay, side, level


def position_in_layout(layout: Layout, aisle: int, block: int, bay: int) -> bool:
    return (
        1 <= aisle <= layout.n_aisles
        and 1 <= block <= layout.n_blocks
        and 1 <= bay <= layout.bays_per_block
    )


# --- drawing --------------------------------------------------------------------------
@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    title: str = ""
    css: str = ""


@dataclass(frozen=True)
class Segment:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class LayoutDrawing:
    """SVG-ready geometry in drawing units (UNITS_PER_METRE per metre), y pointing down,
    front (depot side) at the bottom."""

    view_box: tuple[float, float, float, float]
    racks: list[Rect] = field(default_factory=list)
    aisles: list[Segment] = field(default_factory=list)
    cross_aisles: list[Segment] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    depot: tuple[float, float] = (0.0, 0.0)
    scale: float = 1.0  # a good size for text and strokes, in drawing units


MAX_RACK_RECTS = 4000
# Drawing units per metre: browsers apply a minimum font size before the viewBox scales,
# so text sized in metres (≈1) would be blown up on phones; ≈20 units per metre keeps
# every size in the range of CSS pixels.
UNITS_PER_METRE = 20


def draw_layout(
    layout: Layout, stocked_bays: set[tuple[int, int, int]] | None = None
) -> LayoutDrawing:
    """Geometry of the layout: racks either side of each aisle (one rectangle per bay,
    or per block when there are too many), aisle and cross-aisle centre lines, the
    depot.

    ``stocked_bays`` holds 1-based (aisle, block, bay) that have bins; they are shaded.
    """
    stocked_bays = stocked_bays or set()
    s, top = layout.aisle_spacing, layout.cross_y(layout.n_cross_aisles - 1)
    margin = max(s, layout.depot_offset + s / 2)
    min_x = min(-s, layout.depot[0] - s)
    max_x = max(layout.aisle_x(layout.n_aisles - 1) + s, layout.depot[0] + s)
    flip = lambda y: top - y  # noqa: E731  (front at the bottom of the picture)
    per_bay = (
        layout.n_aisles * layout.n_blocks * layout.bays_per_block * 2 <= MAX_RACK_RECTS
    )
    racks: list[Rect] = []
    rack_w = 0.3 * s
    for a in range(layout.n_aisles):
        x = layout.aisle_x(a)
        for b in range(layout.n_blocks):
            if per_bay:
                for c in range(layout.bays_per_block):
                    y = flip(layout.bay_y(b, c)) - layout.bay_length / 2
                    has_bins = (a + 1, b + 1, c + 1) in stocked_bays
                    title = f"A{a + 1:02d}-{b + 1}-{c + 1:02d}"
                    for side, rx in (("L", x - 0.45 * s), ("R", x + 0.15 * s)):
                        racks.append(
                            Rect(
                                rx,
                                y,
                                rack_w,
                                layout.bay_length,
                                f"{title}-{side}",
                                "bay has-bins" if has_bins else "bay",
                            )
                        )
            else:
                y0 = (
                    flip(layout.cross_y(b + 1))
                    + layout.cross_to_first_bay
                    - layout.bay_length / 2
                )
                h = (layout.bays_per_block) * layout.bay_length
                for rx in (x - 0.45 * s, x + 0.15 * s):
                    racks.append(
                        Rect(rx, y0, rack_w, h, f"A{a + 1:02d}-{b + 1}", "bay has-bins")
                    )
    aisles = [
        Segment(layout.aisle_x(a), 0.0, layout.aisle_x(a), top)
        for a in range(layout.n_aisles)
    ]
    cross = [
        Segment(
            min_x + s / 2,
            flip(layout.cross_y(k)),
            max_x - s / 2,
            flip(layout.cross_y(k)),
        )
        for k in range(layout.n_cross_aisles)
    ]
    labels = [
        Label(layout.aisle_x(a), -0.5 * s, f"A{a + 1:02d}")
        for a in range(layout.n_aisles)
    ]  # at the back
    depot = (layout.depot[0], top + layout.depot_offset)
    height = top + margin + s
    k = UNITS_PER_METRE
    return LayoutDrawing(
        view_box=_scaled((min_x, -s, max_x - min_x, height + s), k),
        racks=[Rect(*_scaled((r.x, r.y, r.w, r.h), k), r.title, r.css) for r in racks],
        aisles=[Segment(*_scaled((g.x1, g.y1, g.x2, g.y2), k)) for g in aisles],
        cross_aisles=[Segment(*_scaled((g.x1, g.y1, g.x2, g.y2), k)) for g in cross],
        labels=[Label(*_scaled((t.x, t.y), k), t.text) for t in labels],
        depot=_scaled(depot, k),
        scale=round(max(s, layout.bay_length) * k, 2),
    )


def _scaled(values: tuple[float, ...], k: float) -> tuple[float, ...]:
    return tuple(round(v * k, 2) for v in values)
