"""Builders of realistic printing documents: Chinese health products, Hangzhou bins."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from printing.documents import BinLabel, BinLabelDoc, PriceListDoc, PriceListLine

YUHANG = "杭州余杭中心仓 Yuhang DC"

FOOD, HERBS = "保健食品 Health food", "中药饮片 Herbal slices"
DEVICES, CARE = "医疗器械 Devices", "日用护理 Personal care"
# category, name, English name, unit, case pack, price
PRODUCTS = [
    (FOOD, "东阿阿胶 阿胶糕 500g", "Dong-E ejiao cake 500 g", "盒", 20, "168.00"),
    (
        FOOD,
        "汤臣倍健 蛋白粉 450g",
        "By-health protein powder 450 g",
        "罐",
        12,
        "298.00",
    ),
    (FOOD, "同仁堂 枸杞子 250g", "Tongrentang goji berries 250 g", "袋", 40, "39.90"),
    (HERBS, "西洋参片 100g", "American ginseng slices 100 g", "盒", 30, "256.50"),
    (HERBS, "黄芪 切片 500g", "Astragalus root slices 500 g", "袋", 24, "45.00"),
    (HERBS, "铁皮石斛 枫斗 50g", "Dendrobium officinale 50 g", "盒", 10, "1280.00"),
    (
        DEVICES,
        "鱼跃 电子血压计 YE660D",
        "Yuwell blood pressure monitor",
        "台",
        8,
        "219.00",
    ),
    (DEVICES, "欧姆龙 体温计 MC-246", "Omron thermometer MC-246", "支", 50, "32.80"),
    (CARE, "云南白药 牙膏 180g", "Yunnan Baiyao toothpaste 180 g", "支", 48, "26.50"),
    (CARE, "艾灸贴 10 贴装", "Moxibustion patches, pack of 10", "盒", 60, "19.90"),
]


def price_line(
    *,
    sku: str = "HF-0001",
    name: str = "东阿阿胶 阿胶糕 500g",
    name_en: str = "Dong-E ejiao cake 500 g",
    unit: str = "盒",
    case_qty: int = 20,
    price: Decimal = Decimal("168.00"),
    category: str = "保健食品 Health food",
) -> PriceListLine:
    return PriceListLine(sku, name, name_en, unit, case_qty, price, category)


def price_lines(count: int) -> tuple[PriceListLine, ...]:
    """``count`` lines cycling through PRODUCTS, sorted by category as a service
    would."""
    lines = []
    for i, (category, name, name_en, unit, case_qty, price) in zip(
        range(count), itertools.cycle(PRODUCTS)
    ):
        lines.append(
            price_line(
                sku=f"SKU-{i + 1:05d}",
                name=name if i < len(PRODUCTS) else f"{name} #{i + 1}",
                name_en=name_en,
                unit=unit,
                case_qty=case_qty,
                price=Decimal(price),
                category=category,
            )
        )
    lines.sort(key=lambda line: line.category)
    return tuple(lines)


def price_list(
    lines: tuple[PriceListLine, ...] | None = None, **overrides
) -> PriceListDoc:
    values = dict(
        title="2026年12月 批发价格表 Wholesale price list",
        company="杭州康源健康品配送有限公司",
        grade_name="A 级门店价 Grade A stores",
        valid_from=date(2026, 12, 1),
        currency="CNY",
        lines=price_lines(len(PRODUCTS)) if lines is None else lines,
        generated_at="2026-11-24 09:30",
        note="价格含税，如有调整以最新价格表为准。Prices include VAT; the latest list applies.",
    )
    values.update(overrides)
    return PriceListDoc(**values)


def bin_label(
    *,
    code: str = "A03-1-07-L2",
    warehouse: str = YUHANG,
    aisle: int = 3,
    block: int = 1,
    bay: int = 7,
    side: str = "L",
    level: int = 2,
) -> BinLabel:
    return BinLabel(code, warehouse, aisle, block, bay, side, level)


def bin_labels(count: int, warehouse: str = YUHANG) -> tuple[BinLabel, ...]:
    labels = []
    for i in range(count):
        aisle, block, bay = i // 40 + 1, (i // 20) % 2, i % 20 + 1
        side, level = "LR"[i % 2], i % 4 + 1
        code = f"A{aisle:02d}-{block}-{bay:02d}-{side}{level}"
        labels.append(
            bin_label(
                code=code,
                warehouse=warehouse,
                aisle=aisle,
                block=block,
                bay=bay,
                side=side,
                level=level,
            )
        )
    return tuple(labels)


def bin_label_doc(
    labels: tuple[BinLabel, ...] | None = None, **overrides
) -> BinLabelDoc:
    values = dict(
        title="货位标签 Bin labels · 余杭中心仓",
        labels=bin_labels(30) if labels is None else labels,
    )
    values.update(overrides)
    return BinLabelDoc(**values)
