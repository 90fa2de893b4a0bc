"""演示数据 generator: ``generate(stores, seed) -> DemoData``, a pure function.

Everything random comes from ``random.Random`` seeded from ``seed`` (one stream per
section, so that adding a field to merchants does not reshuffle the products), never
from the clock, the environment or the database: the same arguments always give
identical data.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from supplychain.demo import data
from supplychain.demo.history import simulate_history
from supplychain.demo.model import (
    CategoryRow,
    ContactRow,
    DemoData,
    MerchantPriceRow,
    MerchantRow,
    PriceGradeRow,
    ProductRow,
    ProductSupplierRow,
    SlotRow,
    SupplierRow,
    UserRow,
    VehicleRow,
    WarehouseRow,
)

MIN_STORES, MAX_STORES = 1, 5000
DEFAULT_STORES, DEFAULT_PRODUCTS, HISTORY_DAYS = 200, 300, 30
# demand of a typical merchant, all products together, in selling units per day
UNITS_PER_MERCHANT_PER_DAY = 6
CENT = Decimal("0.01")
T = TypeVar("T")


def max_products() -> int:
    """How many distinct products the vocabularies can make (brands × specs)."""
    return len(_product_candidates())


def check_counts(
    stores: int, products: int = DEFAULT_PRODUCTS, history_days: int = HISTORY_DAYS
) -> None:
    """Raise ValueError (naming the argument) for a count ``generate`` cannot make."""
    if not MIN_STORES <= stores <= MAX_STORES:
        raise ValueError(f"stores must be between {MIN_STORES} and {MAX_STORES}")
    if not 1 <= products <= max_products():
        raise ValueError(f"products must be between 1 and {max_products()}")
    if not 1 <= history_days <= 365:
        raise ValueError("history_days must be between 1 and 365")


def generate(
    stores: int = DEFAULT_STORES,
    seed: int = 1,
    *,
    products: int = DEFAULT_PRODUCTS,
    history_days: int = HISTORY_DAYS,
) -> DemoData:
    """The whole demo distributor for ``stores`` merchants (1..5000) and ``products``
    SKUs.

    Raises ValueError for counts out of range.
    """
    check_counts(stores, products, history_days)

    def rng(section: str) -> random.Random:
        return random.Random(f"supplychain-demo:{seed}:{section}")

    product_rows, product_suppliers = _products(rng("products"), products)
    warehouses = _warehouses()
    merchants = _merchants(rng("merchants"), stores)
    slots = _slots(product_rows, warehouses)
    events = simulate_history(
        rng("history"),
        products=product_rows,
        product_suppliers=product_suppliers,
        suppliers={s.code: s for s in data.SUPPLIERS},
        carried={
            w.code: {s.sku for s in slots if s.warehouse == w.code} for w in warehouses
        },
        merchants_per_warehouse=_count_by(m.warehouse for m in merchants),
        days=history_days,
    )
    return DemoData(
        stores=stores,
        seed=seed,
        price_grades=tuple(
            PriceGradeRow(code, name) for code, name, _ in data.PRICE_GRADES
        ),
        categories=_categories(),
        suppliers=_suppliers(rng("suppliers")),
        products=product_rows,
        product_suppliers=product_suppliers,
        warehouses=warehouses,
        slots=slots,
        merchants=merchants,
        contacts=_contacts(rng("contacts"), merchants),
        merchant_prices=_merchant_prices(
            rng("merchant-prices"), merchants, product_rows
        ),
        vehicles=_vehicles(rng("vehicles")),
        users=_users(merchants),
        stock_events=events,
        history_days=history_days,
    )


# --- small helpers --------------------------------------------------------------------


def weighted(rng: random.Random, choices: Sequence[tuple[T, int]]) -> T:
    values = [value for value, _ in choices]
    return rng.choices(values, weights=[weight for _, weight in choices])[0]


def ean13_check_digit(first12: str) -> int:
    """GS1 check digit of the first 12 digits (weights 1, 3, 1, 3… from the left)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return (10 - total % 10) % 10


def is_valid_ean13(code: str) -> bool:
    return (
        len(code) == 13
        and code.isdigit()
        and ean13_check_digit(code[:12]) == int(code[12])
    )


def _money(value: Decimal | float | int) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _shelf_price(value: float) -> Decimal:
    """Prices as shops print them: under 100 yuan ending in .90 or .50 (19.90, 39.50),
    above it whole yuan ending in 8 (128.00, 198.00, 268.00)."""
    if value < 100:
        return Decimal(f"{int(value)}.{'90' if value % 1 > 0.4 else '50'}")
    return Decimal((round(value / 10) * 10) - 2).quantize(CENT)


def _person(rng: random.Random) -> str:
    return rng.choice(data.SURNAMES) + rng.choice(data.GIVEN_NAMES)


def _mobile(rng: random.Random) -> str:
    return rng.choice(data.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def _count_by(keys: Iterable[str]) -> dict[str, int]:
    return dict(Counter(keys))


# --- catalogue ------------------------------------------------------------------------


def _categories() -> tuple[CategoryRow, ...]:
    return tuple(
        CategoryRow(c.code, c.name, c.name_en, c.parent, sort=(i + 1) * 10)
        for i, c in enumerate(data.CATEGORIES)
    )


def _suppliers(rng: random.Random) -> tuple[SupplierRow, ...]:
    return tuple(
        SupplierRow(
            code=s.code,
            name=s.name,
            contact_name=_person(rng),
            phone=_mobile(rng),
            address=f"{s.province_city}{rng.randint(1, 300)}号",
            lead_time_days=s.lead_time_days,
        )
        for s in data.SUPPLIERS
    )


def _product_candidates() -> list[tuple[int, str, str, int]]:
    """Every (family index, supplier code, brand, spec index) the vocabularies allow."""
    return [
        (f_index, supplier, brand, s_index)
        for f_index, family in enumerate(data.FAMILIES)
        for supplier in family.suppliers
        for brand in data.BRANDS[supplier]
        for s_index in range(len(family.specs))
    ]


def _pick_candidates(rng: random.Random, count: int) -> list[tuple[int, str, str, int]]:
    """At least one product of every family (while count allows), the rest at random."""
    candidates = _product_candidates()
    first_of_family: dict[int, int] = {}
    for index, candidate in enumerate(candidates):
        first_of_family.setdefault(candidate[0], index)
    firsts = list(first_of_family.values())
    chosen = set(rng.sample(firsts, min(count, len(firsts))))
    rest = [i for i in range(len(candidates)) if i not in chosen]
    chosen.update(rng.sample(rest, count - len(chosen)))
    return [candidates[i] for i in sorted(chosen)]


def _products(
    rng: random.Random, count: int
) -> tuple[tuple[ProductRow, ...], tuple[ProductSupplierRow, ...]]:
    picked = _pick_candidates(rng, count)
    categories = {c.code: c for c in data.CATEGORIES}
    suppliers = {s.code: s for s in data.SUPPLIERS}
    # demand: a family's popularity shared among its SKUs, scaled so that one merchant
    # buys about UNITS_PER_MERCHANT_PER_DAY units a day of everything together
    share = [rng.uniform(0.4, 1.6) for _ in picked]
    family_share: dict[int, float] = {}
    for (f_index, *_), s in zip(picked, share):
        family_share[f_index] = family_share.get(f_index, 0.0) + s
    total_popularity = sum(data.FAMILIES[f].popularity for f in family_share)
    scale = 100 * UNITS_PER_MERCHANT_PER_DAY / total_popularity

    sku_numbers: dict[str, int] = {}
    item_numbers = {code: rng.randrange(100, 5000) for code in suppliers}
    rows: list[ProductRow] = []
    links: list[ProductSupplierRow] = []
    for (f_index, supplier_code, brand, s_index), s in zip(picked, share):
        family = data.FAMILIES[f_index]
        category = categories[family.category]
        supplier = suppliers[supplier_code]
        brand_cn, brand_en = brand.split("|")
        spec_cn, spec_en = family.specs[s_index].split("|")
        prefix = category.sku_prefix
        sku_numbers[prefix] = sku_numbers.get(prefix, 0) + 1
        sku = f"{prefix}{sku_numbers[prefix]:04d}"
        item_numbers[supplier_code] += rng.randint(1, 7)
        first12 = supplier.company_prefix + f"{item_numbers[supplier_code]:05d}"
        size = (s_index + rng.random()) / len(family.specs)
        price = _shelf_price(
            family.price_low + (family.price_high - family.price_low) * size
        )
        case_qty = rng.choice(family.case_qtys)
        cheap = price < 20
        demand = family.popularity * s / family_share[f_index] * scale
        rows.append(
            ProductRow(
                sku=sku,
                name=f"{brand_cn}{family.name} {spec_cn}",
                name_en=f"{brand_en} {family.name_en}, {spec_en}",
                category_code=category.code,
                unit=family.unit,
                case_qty=case_qty,
                barcode=first12 + str(ean13_check_digit(first12)),
                price=price,
                grade_prices=tuple(
                    (code, _money((price * Decimal(factor)).quantize(Decimal("0.1"))))
                    for code, _, factor in data.PRICE_GRADES
                ),
                is_stocked=rng.randrange(100) < family.stocked_share,
                is_lot_tracked=family.is_lot_tracked,
                shelf_life_days=family.shelf_life_days,
                weight_kg=max(
                    CENT, _money(family.weight_g * (1 + 0.6 * s_index) / 1000)
                ),
                min_order_qty=5 if cheap else 1,
                order_step=5 if cheap else 1,
                description=_description(family, category.name, supplier),
                daily_units_per_100_stores=_money(demand),
            )
        )
        links.extend(
            _product_suppliers(rng, sku, price, case_qty, family, supplier_code)
        )
    return tuple(rows), tuple(links)


def _description(
    family: data.Family, category: str, supplier: data.SupplierInfo
) -> str:
    text = f"类别：{category}。产地：{supplier.province_city}。"
    if family.shelf_life_days:
        text += f"保质期 {family.shelf_life_days} 天，请置于阴凉干燥处。"
    return text


def _product_suppliers(
    rng: random.Random,
    sku: str,
    price: Decimal,
    case_qty: int,
    family: data.Family,
    supplier_code: str,
) -> list[ProductSupplierRow]:
    """The brand's own supplier (preferred) and, for some, a dearer second source."""
    lead = {s.code: s.lead_time_days for s in data.SUPPLIERS}
    cost = _money(price * Decimal(str(round(rng.uniform(0.55, 0.72), 3))))
    cases = rng.choice((1, 1, 2, 3, 5)) if price < 200 else 1
    rows = [
        ProductSupplierRow(
            sku=sku,
            supplier_code=supplier_code,
            supplier_sku=f"{supplier_code[4:]}-{rng.randrange(10000, 99999)}",
            cost_price=cost,
            case_qty=case_qty,
            moq=case_qty * cases,
            lead_time_days=lead[supplier_code],
            is_preferred=True,
        )
    ]
    others = [code for code in family.suppliers if code != supplier_code]
    if others and rng.random() < 0.5:
        other = others[0]
        rows.append(
            ProductSupplierRow(
                sku=sku,
                supplier_code=other,
                supplier_sku=f"{other[4:]}-{rng.randrange(10000, 99999)}",
                cost_price=_money(
                    cost * Decimal(str(round(rng.uniform(1.03, 1.08), 3)))
                ),
                case_qty=case_qty,
                moq=case_qty,
                lead_time_days=lead[other],
                is_preferred=False,
            )
        )
    return rows


# --- places ---------------------------------------------------------------------------


def _warehouses() -> tuple[WarehouseRow, ...]:
    return tuple(
        WarehouseRow(
            code=w["code"],
            name=w["name"],
            address=w["address"],
            lat=w["lat"],
            lon=w["lon"],
            is_default=w["code"] == "MAIN",
            n_aisles=w["n_aisles"],
            n_cross_aisles=w["n_cross_aisles"],
            bays_per_block=w["bays_per_block"],
            aisle_spacing=3.0,
            bay_length=1.2,
            cross_to_first_bay=1.5,
            depot_aisle=(w["n_aisles"] - 1) / 2,
            depot_offset=2.0,
            levels=w["levels"],
        )
        for w in data.WAREHOUSES
    )


def _slots(
    products: Sequence[ProductRow], warehouses: Sequence[WarehouseRow]
) -> tuple[SlotRow, ...]:
    """Pick faces: fast movers nearest the depot. MAIN carries every stocked product;
    the other warehouses the fastest 40 %."""
    stocked = sorted(
        (p for p in products if p.is_stocked),
        key=lambda p: (-p.daily_units_per_100_stores, p.sku),
    )
    slots: list[SlotRow] = []
    for warehouse in warehouses:
        carried = (
            stocked
            if warehouse.is_default
            else stocked[: math.ceil(len(stocked) * 0.4)]
        )
        for product, (aisle, block, bay, side, level) in zip(
            carried, _positions(warehouse)
        ):
            slots.append(
                SlotRow(product.sku, warehouse.code, aisle, block, bay, side, level)
            )
    return tuple(sorted(slots, key=lambda s: (s.warehouse, s.sku)))


def _positions(w: WarehouseRow) -> list[tuple[int, int, int, str, int]]:
    """Every bin position, nearest to the depot first (rectilinear walk; level 1
    before level 2 at the same spot)."""
    blocks = max(1, w.n_cross_aisles - 1)
    positions = [
        (aisle, block, bay, side, level)
        for aisle in range(1, w.n_aisles + 1)
        for block in range(1, blocks + 1)
        for bay in range(1, w.bays_per_block + 1)
        for side in ("L", "R")
        for level in range(1, w.levels + 1)
    ]

    def walk(p: tuple[int, int, int, str, int]) -> tuple[float, int, str]:
        aisle, block, bay, _, level = p
        across = abs(aisle - 1 - w.depot_aisle) * w.aisle_spacing
        along = ((block - 1) * w.bays_per_block + bay) * w.bay_length
        return (across + along, level, p[3])

    return sorted(positions, key=walk)


def in_water(lat: float, lon: float) -> bool:
    """On West Lake or the Qiantang River, as roughly drawn in ``data``."""
    scale = math.cos(math.radians(lat))
    (lake_lat, lake_lon), lake_r = data.WEST_LAKE
    if math.hypot(lat - lake_lat, (lon - lake_lon) * scale) < lake_r:
        return True
    points, half_width = data.QIANTANG_RIVER
    for (a_lat, a_lon), (b_lat, b_lon) in zip(points, points[1:]):
        ax, ay, bx, by = a_lon * scale, a_lat, b_lon * scale, b_lat
        px, py = lon * scale, lat
        dx, dy = bx - ax, by - ay
        t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
        if math.hypot(px - (ax + t * dx), py - (ay + t * dy)) < half_width:
            return True
    return False


def in_city(lat: float, lon: float) -> bool:
    south, west, north, east = data.CITY_BOX
    return south <= lat <= north and west <= lon <= east


def _point(rng: random.Random, district: data.District) -> tuple[float, float]:
    """A spot on land within two spreads of the district's centre."""
    lon_spread = district.spread / math.cos(math.radians(district.lat))
    for _ in range(200):
        lat = district.lat + max(-2.0, min(2.0, rng.gauss(0, 1))) * district.spread
        lon = district.lon + max(-2.0, min(2.0, rng.gauss(0, 1))) * lon_spread
        if in_city(lat, lon) and not in_water(lat, lon):
            return round(lat, 6), round(lon, 6)
    return district.lat, district.lon  # the centres are on land


def _kind_counts(stores: int) -> list[tuple[str, int]]:
    shares = dict(data.MERCHANT_KIND_SHARES)
    total = sum(shares.values())
    wholesale = round(stores * shares["wholesale"] / total)
    leaders = round(stores * shares["group_leader"] / total)
    if stores >= 10:  # a demo of any size shows every kind
        wholesale, leaders = max(1, wholesale), max(1, leaders)
    return [
        ("store", stores - wholesale - leaders),
        ("group_leader", leaders),
        ("wholesale", wholesale),
    ]


def _merchants(rng: random.Random, stores: int) -> tuple[MerchantRow, ...]:
    districts = [(d, d.weight) for d in data.DISTRICTS]
    names: set[str] = set()
    rows: list[MerchantRow] = []
    for kind, count in _kind_counts(stores):
        for number in range(1, count + 1):
            district = weighted(rng, districts)
            name, address = _merchant_name_and_address(rng, kind, district, names)
            lat, lon = _point(rng, district)
            window = weighted(rng, data.DELIVERY_WINDOWS[kind])
            credit = weighted(rng, data.CREDIT_LIMITS[kind])
            rows.append(
                MerchantRow(
                    code=f"{data.KIND_PREFIX[kind]}{number:04d}",
                    name=name,
                    kind=kind,
                    district=district.name,
                    address=address,
                    lat=lat,
                    lon=lon,
                    price_grade=data.KIND_GRADE[kind],
                    credit_limit=None if credit is None else _money(credit),
                    payment_terms_days=weighted(rng, data.PAYMENT_TERMS[kind]),
                    window_start=_time(window[0]),
                    window_end=_time(window[1]),
                    contact_name=_person(rng),
                    phone=_mobile(rng),
                    warehouse="XS" if district.name in data.XS_DISTRICTS else "MAIN",
                )
            )
    return tuple(rows)


def _merchant_name_and_address(
    rng: random.Random, kind: str, district: data.District, taken: set[str]
) -> tuple[str, str]:
    street = rng.choice(district.streets)
    city = f"浙江省杭州市{district.name}"
    if kind == "store":
        base = f"{rng.choice(data.STORE_BRANDS)}{rng.choice(data.STORE_TYPES)}"
        candidates = [f"{base}({street}店)"] + [
            f"{base}({street}{n}店)" for n in ("二", "三", "四", "五", "六", "七", "八")
        ]
        address = f"{city}{street}{rng.randint(1, 888)}号"
    elif kind == "group_leader":
        community = rng.choice(district.communities)
        leader = rng.choice(data.SURNAMES) + rng.choice(data.LEADER_TITLES)
        base = rng.choice(data.LEADER_PATTERNS).format(leader=leader)
        candidates = [f"{base}({community})"] + [
            f"{base}({community}{n}期)" for n in ("二", "三", "四", "五")
        ]
        address = f"{city}{community}{rng.randint(1, 40)}幢{rng.randint(1, 4)}单元"
    else:
        base = rng.choice(data.WHOLESALE_PATTERNS).format(
            brand=rng.choice(data.STORE_BRANDS), district=district.name[:-1]
        )
        candidates = [base, f"{base}({district.name[:-1]}分公司)"]
        address = f"{city}{street}{rng.randint(1, 888)}号{rng.randint(1, 12)}楼"
    for candidate in candidates:
        if candidate not in taken:
            break
    else:
        candidate = f"{candidates[0]}-{len(taken) + 1}"
    taken.add(candidate)
    return candidate, address


def _contacts(
    rng: random.Random, merchants: Sequence[MerchantRow]
) -> tuple[ContactRow, ...]:
    """Wholesalers and group-buy leaders have people besides the main contact: the owner
    (primary) and whoever takes the goods in."""
    rows: list[ContactRow] = []
    for merchant in merchants:
        if merchant.kind == "store":
            continue
        owner = "老板" if merchant.kind == "wholesale" else "团长"
        rows.append(
            ContactRow(
                merchant.code,
                merchant.contact_name,
                owner,
                merchant.phone,
                f"wx_{rng.randrange(10**7, 10**8)}",
                True,
            )
        )
        rows.append(
            ContactRow(merchant.code, _person(rng), "收货人", _mobile(rng), "", False)
        )
    return tuple(rows)


def _merchant_prices(
    rng: random.Random,
    merchants: Sequence[MerchantRow],
    products: Sequence[ProductRow],
) -> tuple[MerchantPriceRow, ...]:
    """Negotiated prices: every wholesaler on a dozen lines, a few stores and leaders on
    one to three, always a little under their grade's price."""
    rows: list[MerchantPriceRow] = []
    for merchant in merchants:
        if merchant.kind == "wholesale":
            count, discount = rng.randint(8, 15), (0.95, 0.98)
        elif rng.random() < (0.05 if merchant.kind == "store" else 0.10):
            count, discount = rng.randint(1, 3), (0.94, 0.97)
        else:
            continue
        for product in rng.sample(list(products), min(count, len(products))):
            grade_price = dict(product.grade_prices)[merchant.price_grade]
            price = _money(grade_price * Decimal(str(round(rng.uniform(*discount), 3))))
            rows.append(MerchantPriceRow(merchant.code, product.sku, max(CENT, price)))
    return tuple(rows)


# --- fleet and people -----------------------------------------------------------------


def _vehicles(rng: random.Random) -> tuple[VehicleRow, ...]:
    rows: list[VehicleRow] = []
    plates: set[str] = set()
    number = 0
    for model, boxes, kg, count, electric in data.VEHICLE_MODELS:
        for _ in range(count):
            number += 1
            plate = ""
            while not plate or plate in plates:
                if electric:  # new-energy plates: D + five digits
                    plate = f"浙A·D{rng.randrange(10000, 100000)}"
                else:
                    plate = (
                        "浙A·"
                        + rng.choice(data.PLATE_LETTERS)
                        + "".join(rng.choice("0123456789") for _ in range(4))
                    )
            plates.add(plate)
            start, end = rng.choice(data.VEHICLE_SHIFTS)
            rows.append(
                VehicleRow(
                    code=f"V{number:02d}",
                    name=f"{number}号车 {model}",
                    plate=plate,
                    capacity_boxes=boxes,
                    capacity_kg=kg,
                    warehouse="XS" if number % 3 == 0 else "MAIN",
                    shift_start=_time(start),
                    shift_end=_time(end),
                )
            )
    return tuple(rows)


def _users(merchants: Sequence[MerchantRow]) -> tuple[UserRow, ...]:
    rows = [
        UserRow(username, data.demo_password(role), role, None, display)
        for username, role, display in data.STAFF_USERS
    ]
    for prefix, kind, count in data.MERCHANT_USERS:
        of_kind = [m for m in merchants if m.kind == kind][:count]
        for number, merchant in enumerate(of_kind, start=1):
            rows.append(
                UserRow(
                    f"{prefix}{number}",
                    data.demo_password("merchant"),
                    "merchant",
                    merchant.code,
                    f"{merchant.contact_name} · {merchant.name}",
                )
            )
    return tuple(rows)
