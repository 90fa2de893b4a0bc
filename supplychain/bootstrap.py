"""Reference data every database has: the default warehouse MAIN (contracts.md §2).

Migrations insert the same rows; tests that build the schema with create_all() call
this.
"""

from __future__ import annotations

import sqlalchemy as sa

from supplychain.extensions import db
from supplychain.stock.models import Warehouse


def ensure_reference_data() -> None:
    if db.session.scalar(sa.select(sa.func.count(Warehouse.id))) == 0:
        db.session.add(
            Warehouse(code="MAIN", name="主仓 Main warehouse", is_default=True)
        )
    db.session.commit()
