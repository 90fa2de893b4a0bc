"""STUB merchant services."""
import sqlalchemy as sa
from supplychain.errors import NotFound
from supplychain.extensions import db
from supplychain.merchants.models import Merchant


def merchant_id_for_code(code: str) -> int:
    merchant_id = db.session.scalar(sa.select(Merchant.id).where(Merchant.code == code))
    if merchant_id is None:
        raise NotFound(f"No merchant with code {code!r}.")
    return merchant_id
