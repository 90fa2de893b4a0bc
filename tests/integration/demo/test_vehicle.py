"""打包配送 the minimal Vehicle model: the database refuses an impossible van."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from supplychain.delivery.models import Vehicle
from supplychain.extensions import db
from tests.factories import VehicleFactory


def test_a_van_belongs_to_a_warehouse_and_is_audited(app):
    van = VehicleFactory()

    assert van.home_warehouse_id is not None and van.is_active
    assert db.session.scalar(
        sa.text("SELECT count(*) FROM audit_log WHERE entity = 'vehicles'")
    )


@pytest.mark.parametrize(
    "values",
    [
        {"capacity_boxes": 0},
        {"capacity_kg": -1},
        {"shift_start": dt.time(15, 0), "shift_end": dt.time(7, 0)},
    ],
)
def test_the_database_refuses_a_van_without_capacity_or_with_a_backwards_shift(
    app, values
):
    with pytest.raises(sa.exc.IntegrityError):
        VehicleFactory(**values)
    db.session.rollback()

    assert db.session.scalar(sa.select(sa.func.count(Vehicle.id))) == 0
