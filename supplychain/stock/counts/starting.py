"""盘点 stock counts: starting a full or cycle count with its snapshot of what each bin
holds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from supplychain.errors import (
    Conflict,
    NotFound,
    ValidationFailed,
)
from supplychain.extensions import db
from supplychain.messages import Msg, msg
from supplychain.numbering import next_number
from supplychain.stock.counts.common import (
    COUNTER_ROLES,
    MAX_AISLES,
    MAX_BIN_CODES,
    MAX_NOTE,
    MAX_SCOPE,
    SERIES,
    require_role,
)
from supplychain.stock.expiry import local_today
from supplychain.stock.locations import dialect_insert
from supplychain.stock.models import (
    COUNT_KINDS,
    Bin,
    Location,
    StockBalance,
    StockCount,
    StockCountBin,
    StockCountLine,
    Warehouse,
)
from supplychain.transactions import one_transaction


def _clean_codes(codes: Iterable[Any] | None) -> list[str]:
    out: list[str] = []
    for code in codes or ():
        if not isinstance(code, str):
            raise ValidationFailed({"bins": [msg("Bin codes are text.")]})
        code = code.strip().upper()
        if code and code not in out:
            out.append(code)
    return out


def _clean_aisles(aisles: Iterable[Any] | None) -> list[int]:
    out: list[int] = []
    for aisle in aisles or ():
        if isinstance(aisle, bool) or not isinstance(aisle, int) or not 1 <= aisle:
            raise ValidationFailed(
                {"aisles": [msg("Aisles are whole numbers from 1 up.")]}
            )
        if aisle not in out:
            out.append(aisle)
    return sorted(out)


def _scope(
    warehouse: Warehouse, kind: str, codes: list[str], aisles: list[int]
) -> tuple[sa.Select, str]:
    """The bins to count (a select of bin ids) and the scope text.

    :raise ValidationFailed: unknown or inactive bins, aisles without active bins, an
    empty scope.
    """
    active = sa.and_(Bin.warehouse_id == warehouse.id, Bin.is_active)
    if kind == "full":
        if codes or aisles:
            raise ValidationFailed(
                {"bins": [msg("A full count takes every bin: choose a cycle count.")]}
            )
        scope, text = sa.select(Bin.id).where(active), ""
    else:
        errors = _cycle_errors(warehouse, codes, aisles)
        if errors:
            raise ValidationFailed(errors)
        scope = sa.select(Bin.id).where(
            active, sa.or_(Bin.code.in_(codes), Bin.aisle.in_(aisles))
        )
        text = ", ".join([f"A{a:02d}" for a in aisles] + codes)
        if len(text) > MAX_SCOPE:
            text = text[: MAX_SCOPE - 1] + "…"
    if not db.session.scalar(sa.select(sa.exists(scope))):
        raise ValidationFailed(
            {
                "warehouse": [
                    msg("%(wh)s has no active bins to count.", wh=warehouse.code)
                ]
            }
        )
    return scope, text


def _cycle_errors(
    warehouse: Warehouse, codes: list[str], aisles: list[int]
) -> dict[str, list[Msg]]:
    """Field errors of a cycle count's bins and aisles (empty when they are fine)."""
    if not codes and not aisles:
        return {"bins": [msg("Choose the bins or the aisles to count.")]}
    if len(codes) > MAX_BIN_CODES:
        return {"bins": [msg("At most %(n)s bin codes.", n=MAX_BIN_CODES)]}
    if len(aisles) > MAX_AISLES:
        return {"aisles": [msg("At most %(n)s aisles.", n=MAX_AISLES)]}
    errors: dict[str, list[Msg]] = {}
    known = dict(
        db.session.execute(
            sa.select(Bin.code, Bin.is_active).where(
                Bin.warehouse_id == warehouse.id, Bin.code.in_(codes)
            )
        ).all()
    )
    unknown = [c for c in codes if c not in known]
    inactive = [c for c in codes if known.get(c) is False]
    if unknown:
        errors["bins"] = [
            msg(
                "No such bins in %(wh)s: %(codes)s.",
                wh=warehouse.code,
                codes=", ".join(unknown),
            )
        ]
    elif inactive:
        errors["bins"] = [
            msg("These bins are not active: %(codes)s.", codes=", ".join(inactive))
        ]
    with_bins = set(
        db.session.scalars(
            sa.select(Bin.aisle)
            .where(Bin.warehouse_id == warehouse.id, Bin.is_active)
            .where(Bin.aisle.in_(aisles))
            .distinct()
        )
    )
    empty = [a for a in aisles if a not in with_bins]
    if empty:
        errors["aisles"] = [
            msg(
                "No active bins in aisle %(aisles)s.",
                aisles=", ".join(str(a) for a in empty),
            )
        ]
    return errors


def _busy_bins(scope: sa.Select) -> list[str]:
    """Codes of scope bins already in an open count (at most 20)."""
    return list(
        db.session.scalars(
            sa.select(Bin.code)
            .join(StockCountBin, StockCountBin.bin_id == Bin.id)
            .join(StockCount, StockCount.id == StockCountBin.count_id)
            .where(StockCount.status == "counting", Bin.id.in_(scope))
            .order_by(Bin.code)
            .limit(20)
        )
    )


def _ensure_locations(warehouse_id: int, scope: sa.Select) -> None:
    """Create the location of every scope bin that has none yet (race-safe)."""
    missing = list(
        db.session.scalars(
            sa.select(Bin.id).where(
                Bin.id.in_(scope),
                ~sa.exists().where(Location.bin_id == Bin.id),
            )
        )
    )
    for start in range(0, len(missing), 500):
        rows = [
            {
                "key": f"wh:{warehouse_id}:bin:{bin_id}",
                "usage": "internal",
                "warehouse_id": warehouse_id,
                "bin_id": bin_id,
            }
            for bin_id in missing[start : start + 500]
        ]
        db.session.execute(
            dialect_insert(Location.__table__)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["key"])
        )


def start_count(
    warehouse_id: int,
    *,
    kind: str = "full",
    bin_codes: Iterable[str] | None = None,
    aisles: Iterable[int] | None = None,
    blind: bool = True,
    note: str = "",
    user: Any,
) -> StockCount:
    """Start a count (number ``PD-YYYYMMDD-NNNN``) of every active bin of a warehouse
    (``kind="full"``) or of the given bins and aisles (``"cycle"``), with a snapshot
    of what each bin holds (one line per product and lot with a positive balance).

    :raise PermissionDenied: ``user`` is not warehouse staff.
    :raise NotFound: unknown warehouse.
    :raise ValidationFailed: unknown kind, unknown or inactive bins (``bins``),
        aisles without active bins (``aisles``), an empty scope, a note too long.
    :raise Conflict: a bin of the scope is already in another open count.
    """
    require_role(user, COUNTER_ROLES, msg("Only warehouse staff count stock."))
    with one_transaction():
        warehouse = db.session.get(Warehouse, warehouse_id)
        if warehouse is None:
            raise NotFound(msg("Warehouse %(id)s does not exist.", id=warehouse_id))
        errors: dict[str, list[Msg]] = {}
        if kind not in COUNT_KINDS:
            errors["kind"] = [msg("Choose a full or a cycle count.")]
        if not isinstance(blind, bool):
            errors["blind"] = [msg("Must be true or false.")]
        note = (note or "").strip() if isinstance(note, str) else None  # type: ignore
        if note is None or len(note) > MAX_NOTE:
            errors["note"] = [msg("At most %(n)s characters.", n=MAX_NOTE)]
        if not warehouse.is_active:
            errors["warehouse"] = [
                msg("Warehouse %(wh)s is not active.", wh=warehouse.code)
            ]
        if errors:
            raise ValidationFailed(errors)
        scope, scope_text = _scope(
            warehouse, kind, _clean_codes(bin_codes), _clean_aisles(aisles)
        )
        # the number's counter row stays locked until the commit: count starts are
        # serialised from here, so two cannot take the same bin
        number = next_number(SERIES, local_today())
        busy = _busy_bins(scope)
        if busy:
            raise Conflict(
                msg(
                    "These bins are already being counted in another count: %(bins)s.",
                    bins=", ".join(busy),
                ),
                details={"bins": busy},
            )
        _ensure_locations(warehouse.id, scope)
        count = StockCount(
            number=number,
            warehouse_id=warehouse.id,
            kind=kind,
            scope=scope_text,
            status="counting",
            blind=blind,
            note=note or "",
            created_by_id=user.id,
        )
        db.session.add(count)
        db.session.flush()
        _snapshot(count, scope)
    return count


def _snapshot(count: StockCount, scope: sa.Select) -> None:
    bins_table = StockCountBin.__table__
    db.session.execute(
        sa.insert(bins_table).from_select(
            ["count_id", "bin_id", "location_id", "status"],
            sa.select(
                sa.literal(count.id),
                Location.bin_id,
                Location.id,
                sa.literal("pending"),
            ).where(Location.bin_id.in_(scope)),
        )
    )
    b = StockBalance.__table__.c
    db.session.execute(
        sa.insert(StockCountLine.__table__).from_select(
            [
                "count_id",
                "count_bin_id",
                "product_id",
                "lot_id",
                "lot_key",
                "snapshot_qty",
                "is_added",
            ],
            sa.select(
                sa.literal(count.id),
                bins_table.c.id,
                b.product_id,
                b.lot_id,
                b.lot_key,
                b.on_hand_qty,
                sa.false(),
            )
            .select_from(StockBalance.__table__)
            .join(bins_table, bins_table.c.location_id == b.location_id)
            .where(bins_table.c.count_id == count.id, b.on_hand_qty > 0),
        )
    )
