"""Telling the demo's generated stock history from the moves later demo steps post.

The history (supplychain/demo/history.py) posts moves with no reference; the stock
demo's documents reference their document, and its one move straight through the
ledger is marked ``supplychain.stock.demo.STAGED``.
"""

from __future__ import annotations

import sqlalchemy as sa

from supplychain.extensions import db
from supplychain.stock.models import StockMove

HISTORY = StockMove.reference_type.is_(None)


def history_move_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(StockMove.id)).where(HISTORY))
