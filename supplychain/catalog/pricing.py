"""商品定价 price resolution: which price a merchant pays for a product.

The rule: a per-merchant price (商户专属价) beats the merchant's price-grade price (等级价),
which beats the product's list price (标价). Pure: plain Decimals in, a decision out.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

PriceSource = Literal["merchant", "grade", "list"]


@dataclass(frozen=True)
class ResolvedPrice:
    amount: Decimal
    source: PriceSource


def resolve_price(
    list_price: Decimal,
    *,
    grade_price: Decimal | None = None,
    merchant_price: Decimal | None = None,
) -> ResolvedPrice:
    """The price a merchant pays and where it came from.

    A zero override is a real price (a free sample), not "no price": only None falls
    through."""
    if merchant_price is not None:
        return ResolvedPrice(merchant_price, "merchant")
    if grade_price is not None:
        return ResolvedPrice(grade_price, "grade")
    return ResolvedPrice(list_price, "list")
