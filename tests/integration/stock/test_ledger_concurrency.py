import threading

import sqlalchemy as sa

from supplychain.errors import OutOfStock
from supplychain.extensions import db
from supplychain.stock import ledger
from supplychain.stock.checks import check_invariants
from supplychain.stock.models import StockLevel
from supplychain.stock.queries import default_warehouse
from tests.factories import ProductFactory

THREADS = 8
ATTEMPTS = 10
STOCK = 50


def race_for_one_sku(app, product_id, warehouse_id):
    """8 threads, each with its own app context and session, reserve 1 unit 10 times,
    one transaction per reservation. Returns (succeeded, refused, other errors)."""
    start = threading.Barrier(THREADS)
    lock = threading.Lock()
    outcome = {"ok": 0, "refused": 0, "errors": []}

    def worker():
        with app.app_context():
            start.wait()
            for _ in range(ATTEMPTS):
                try:
                    ledger.reserve(product_id, warehouse_id, 1)
                    db.session.commit()
                    result = "ok"
                except OutOfStock:
                    db.session.rollback()
                    result = "refused"
                except Exception as error:  # noqa: BLE001 - reported by the assertion
                    db.session.rollback()
                    result = repr(error)
                with lock:
                    if result in ("ok", "refused"):
                        outcome[result] += 1
                    else:
                        outcome["errors"].append(result)
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcome["ok"], outcome["refused"], outcome["errors"]


def test_racing_reservations_never_oversell(any_db_app):
    # any_db_app runs this on a SQLite file and (marked postgres) on PostgreSQL
    warehouse = default_warehouse()
    product = ProductFactory()
    ledger.post_adjustment(product.id, warehouse.id, STOCK, "opening stock")
    db.session.commit()

    succeeded, refused, errors = race_for_one_sku(any_db_app, product.id, warehouse.id)

    assert errors == []
    assert (succeeded, refused) == (STOCK, THREADS * ATTEMPTS - STOCK)
    db.session.expire_all()
    row = db.session.execute(
        sa.select(StockLevel.on_hand_qty, StockLevel.reserved_qty).where(
            StockLevel.product_id == product.id
        )
    ).one()
    assert tuple(row) == (STOCK, STOCK)
    assert check_invariants() == []
