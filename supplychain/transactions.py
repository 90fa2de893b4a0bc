"""The one transaction a service owns (house style §3.3: commit once, or raise with
the session rolled back)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from supplychain.extensions import db


@contextlib.contextmanager
def one_transaction() -> Iterator[None]:
    """Commit at the end of the block, or roll back and re-raise on any error."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
