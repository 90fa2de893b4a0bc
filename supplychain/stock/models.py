"""进销存 stock models: warehouses with a rectangular layout, bins, locations, lots, the
append-only ledger of moves (``stock_moves``) and its two caches.

``stock_balances`` (product × location × lot) always equals the sum of the moves;
``stock_levels`` (product × warehouse) equals the sum of the warehouse's internal
balances and carries ``reserved_qty``. Only ``supplychain.stock.ledger`` writes moves,
balances and levels. The database refuses UPDATE and DELETE on ``stock_moves``
(triggers, below).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import DDL, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from decimal import Decimal

from supplychain.database import Money, TimestampMixin, UTCDateTime, utcnow
from supplychain.extensions import db

if TYPE_CHECKING:
    from supplychain.auth.models import User
    from supplychain.catalog.models import Product

__all__ = [
    "Bin",
    "StockCount",
    "StockCountBin",
    "StockCountLine",
    "StockDocument",
    "StockDocumentLine",
    "StockRule",
    "Location",
    "Lot",
    "StockBalance",
    "StockLevel",
    "StockMove",
    "Warehouse",
    "LOCATION_USAGES",
    "VIRTUAL_USAGES",
    "APPEND_ONLY_DDL",
]

VIRTUAL_USAGES = ("supplier", "customer", "adjustment", "transit")
LOCATION_USAGES = ("internal",) + VIRTUAL_USAGES
SIDES = ("L", "R")


class Warehouse(TimestampMixin, db.Model):
    """A warehouse (仓库) with the rectangular picking layout of contracts.md §3.

    Geometry is in metres (floats: measurements, not money). Aisle ``a`` (0-based in the
    optimizer model) has its centre line at x = a × aisle_spacing; the depot sits
    ``depot_offset`` in front of the front cross aisle at x = depot_aisle ×
    aisle_spacing.
    """

    __tablename__ = "warehouses"
    __audited__ = True
    __table_args__ = (
        sa.CheckConstraint("n_aisles >= 1", name="n_aisles_positive"),
        sa.CheckConstraint("n_cross_aisles >= 2", name="two_cross_aisles"),
        sa.CheckConstraint("bays_per_block >= 1", name="bays_per_block_positive"),
        sa.CheckConstraint("aisle_spacing > 0", name="aisle_spacing_positive"),
        sa.CheckConstraint("bay_length > 0", name="bay_length_positive"),
        sa.CheckConstraint(
            "cross_to_first_bay >= 0", name="cross_to_first_bay_not_negative"
        ),
        sa.CheckConstraint("depot_offset >= 0", name="depot_offset_not_negative"),
        sa.CheckConstraint(
            "lat IS NULL OR (lat >= -90 AND lat <= 90)", name="lat_in_range"
        ),
        sa.CheckConstraint(
            "lon IS NULL OR (lon >= -180 AND lon <= 180)", name="lon_in_range"
        ),
        # at most one default warehouse (partial unique index on both databases)
        sa.Index(
            "uq_warehouses_default",
            "is_default",
            unique=True,
            sqlite_where=sa.text("is_default"),
            postgresql_where=sa.text("is_default"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    is_default: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    lat: Mapped[float | None] = mapped_column(sa.Float)  # WGS-84 degrees
    lon: Mapped[float | None] = mapped_column(sa.Float)
    # layout (contracts.md §3), metres
    n_aisles: Mapped[int] = mapped_column(default=10)
    n_cross_aisles: Mapped[int] = mapped_column(default=2)
    bays_per_block: Mapped[int] = mapped_column(default=20)
    aisle_spacing: Mapped[float] = mapped_column(sa.Float, default=3.0)
    bay_length: Mapped[float] = mapped_column(sa.Float, default=1.2)
    cross_to_first_bay: Mapped[float] = mapped_column(sa.Float, default=1.5)
    depot_aisle: Mapped[float] = mapped_column(sa.Float, default=0.0)
    depot_offset: Mapped[float] = mapped_column(sa.Float, default=2.0)

    @property
    def n_blocks(self) -> int:
        return self.n_cross_aisles - 1

    def __repr__(self) -> str:
        return f"<Warehouse {self.code}>"


class Bin(TimestampMixin, db.Model):
    """A storage bin (库位). ``aisle``, ``block`` and ``bay`` are 1-based as printed on
    the label (code ``A03-1-07-L2`` = aisle 3, block 1, bay 7, left side, level 2);
    ``layout_position`` gives the 0-based ``[aisle, block, bay, side]`` of the
    optimizer.
    """

    __tablename__ = "bins"
    __audited__ = True
    __table_args__ = (
        sa.UniqueConstraint("warehouse_id", "code"),
        sa.UniqueConstraint("warehouse_id", "aisle", "block", "bay", "side", "level"),
        sa.CheckConstraint("aisle >= 1", name="aisle_positive"),
        sa.CheckConstraint("block >= 1", name="block_positive"),
        sa.CheckConstraint("bay >= 1", name="bay_positive"),
        sa.CheckConstraint("level >= 1", name="level_positive"),
        sa.CheckConstraint("side IN ('L', 'R')", name="side_l_or_r"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(
        sa.ForeignKey("warehouses.id"), index=True
    )
    aisle: Mapped[int]
    block: Mapped[int]
    bay: Mapped[int]
    side: Mapped[str] = mapped_column(sa.String(1))
    level: Mapped[int] = mapped_column(default=1)
    code: Mapped[str] = mapped_column(sa.String(30))
    is_active: Mapped[bool] = mapped_column(default=True)
    # stock here is on hand (it is in the building, and valued) but never available
    # to orders or picks: returns awaiting inspection, damaged goods (待检/隔离区)
    is_quarantine: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false()
    )

    warehouse: Mapped[Warehouse] = relationship(lazy="joined")

    @property
    def layout_position(self) -> tuple[int, int, int, str]:
        """0-based (aisle, block, bay, side) as in the pick-path optimizer's model."""
        return (self.aisle - 1, self.block - 1, self.bay - 1, self.side)

    def __repr__(self) -> str:
        return f"<Bin {self.code}>"


class Location(db.Model):
    """Where stock is, Odoo style. ``internal``: a warehouse's stock location (bin None)
    or one of its bins. Virtual (``supplier``, ``customer``, ``adjustment``,
    ``transit``): one global row each, the other side of receipts, issues, adjustments
    and transfers.

    ``key`` is the natural key used for race-safe get-or-create ("wh:3", "wh:3:bin:17",
    "adjustment"); rows are created lazily by the ledger."""

    __tablename__ = "locations"
    __table_args__ = (
        sa.CheckConstraint(
            "usage IN ('internal', 'supplier', 'customer', 'adjustment', 'transit')",
            name="usage_known",
        ),
        sa.CheckConstraint(
            "(usage = 'internal') = (warehouse_id IS NOT NULL)",
            name="internal_has_warehouse",
        ),
        sa.CheckConstraint(
            "bin_id IS NULL OR usage = 'internal'", name="bin_only_internal"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(60), unique=True)
    usage: Mapped[str] = mapped_column(sa.String(20))
    warehouse_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("warehouses.id"), index=True
    )
    bin_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bins.id"), index=True)

    warehouse: Mapped[Warehouse | None] = relationship(lazy="joined")
    bin: Mapped[Bin | None] = relationship(lazy="joined")

    @property
    def is_internal(self) -> bool:
        return self.usage == "internal"

    @property
    def label(self) -> str:
        """``MAIN``, ``MAIN/A03-1-07-L2`` or the usage of a virtual location."""
        if self.warehouse is None:
            return self.usage
        return (
            f"{self.warehouse.code}/{self.bin.code}"
            if self.bin
            else self.warehouse.code
        )


class Lot(db.Model):
    """A production lot (批次) of a product, with its expiry date (保质期至)."""

    __tablename__ = "lots"
    __table_args__ = (sa.UniqueConstraint("product_id", "lot_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), index=True)
    lot_no: Mapped[str] = mapped_column(sa.String(60))
    production_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    # the last day the lot may be shipped; see supplychain.stock.expiry for the rule
    expiry_date: Mapped[dt.date | None] = mapped_column(sa.Date, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    product: Mapped[Product] = relationship()


class StockMove(db.Model):
    """One ledger entry (库存流水): ``qty`` (> 0, in the selling unit) of a product, and
    lot, moved from one location to another. Append-only: corrections are new moves."""

    __tablename__ = "stock_moves"
    __table_args__ = (
        sa.CheckConstraint("qty > 0", name="qty_positive"),
        sa.CheckConstraint(
            "from_location_id <> to_location_id", name="from_differs_to"
        ),
        sa.Index("ix_stock_moves_reference", "reference_type", "reference_id"),
        sa.Index("ix_stock_moves_product_created", "product_id", "created_at"),
        # the flows of a location in a period read from the index alone (the 进销存
        # report, stock value at a date, count variances): at 1M moves SQLite's
        # monthly report of one warehouse went from 1.8 s to 0.13 s (bench-stock)
        sa.Index(
            "ix_stock_moves_to_location_flow",
            "to_location_id", "created_at", "from_location_id", "product_id", "qty",
            "value",
        ),
        sa.Index(
            "ix_stock_moves_from_location_flow",
            "from_location_id", "created_at", "to_location_id", "product_id", "qty",
            "value",
        ),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"))
    qty: Mapped[int]
    from_location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"))
    to_location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"))
    lot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lots.id"), index=True)
    # cost value of the quantity (yuan, exact): receipts at their unit cost, everything
    # leaving a warehouse at its moving-average cost at that moment
    value: Mapped[Decimal] = mapped_column(Money(), default=0, server_default="0")
    reason: Mapped[str] = mapped_column(sa.String(200))
    reference_type: Mapped[str | None] = mapped_column(sa.String(40))
    reference_id: Mapped[int | None]
    created_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, index=True
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)

    product: Mapped[Product] = relationship(lazy="joined")
    from_location: Mapped[Location] = relationship(
        foreign_keys=[from_location_id], lazy="joined"
    )
    to_location: Mapped[Location] = relationship(
        foreign_keys=[to_location_id], lazy="joined"
    )
    lot: Mapped[Lot | None] = relationship(lazy="joined")
    user: Mapped[User | None] = relationship(lazy="joined")

    @property
    def warehouse(self) -> Warehouse | None:
        """The warehouse on the internal side (the destination if both are internal)."""
        if self.to_location.warehouse is not None:
            return self.to_location.warehouse
        return self.from_location.warehouse

    @property
    def delta_qty(self) -> int:
        """Signed effect on the warehouse's on hand: + in, − out, 0 inside one."""
        source = self.from_location.warehouse_id
        target = self.to_location.warehouse_id
        if source == target:
            return 0
        return -self.qty if target is None else self.qty


class StockBalance(db.Model):
    """On hand of a product at a location and lot: the sum of the moves (a cache).

    ``lot_key`` is ``lot_id`` or 0, so that (product, location, lot) is one unique key
    on both databases (NULLs never collide in a unique constraint). Virtual locations go
    negative (the supplier location is minus everything received); internal ones never
    do.
    """

    __tablename__ = "stock_balances"
    __table_args__ = (
        sa.UniqueConstraint("product_id", "location_id", "lot_key"),
        sa.CheckConstraint("lot_key = COALESCE(lot_id, 0)", name="lot_key_matches_lot"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), index=True)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"), index=True)
    lot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lots.id"), index=True)
    lot_key: Mapped[int] = mapped_column(default=0)
    on_hand_qty: Mapped[int] = mapped_column(sa.BigInteger, default=0)

    location: Mapped[Location] = relationship(lazy="joined")
    lot: Mapped[Lot | None] = relationship(lazy="joined")


class StockLevel(db.Model):
    """On hand and reserved per product and warehouse (the availability orders see).

    ``on_hand_qty`` equals the sum of the warehouse's internal balances. For stocked
    items the ledger's conditional updates keep ``reserved_qty <= on_hand_qty``;
    purchase-to-order items may be reserved beyond stock (the shortfall drives
    purchasing)."""

    __tablename__ = "stock_levels"
    __table_args__ = (
        sa.UniqueConstraint("product_id", "warehouse_id"),
        sa.CheckConstraint("reserved_qty >= 0", name="reserved_not_negative"),
        sa.CheckConstraint("on_hand_qty >= 0", name="on_hand_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(
        sa.ForeignKey("warehouses.id"), index=True
    )
    on_hand_qty: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    reserved_qty: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # Σ value of the moves in − out: moving-average unit cost = stock_value / on hand
    stock_value: Mapped[Decimal] = mapped_column(Money(), default=0, server_default="0")

    product: Mapped[Product] = relationship(lazy="joined")
    warehouse: Mapped[Warehouse] = relationship(lazy="joined")


# --- append-only in the database too (the migration must create the same objects) -----
# Both refuse with an integrity error class (SQLite: constraint failed; PostgreSQL:
# SQLSTATE 23001 restrict_violation), so callers see sqlalchemy.exc.IntegrityError.
# TRUNCATE and DROP (test resets) are not affected.
APPEND_ONLY_MESSAGE = "stock_moves is append-only: post a correcting move instead"
APPEND_ONLY_DDL = {
    "sqlite": (
        "CREATE TRIGGER IF NOT EXISTS stock_moves_no_update "
        "BEFORE UPDATE ON stock_moves "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END",
        "CREATE TRIGGER IF NOT EXISTS stock_moves_no_delete "
        "BEFORE DELETE ON stock_moves "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION stock_moves_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        f"RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}' "
        "USING ERRCODE = 'restrict_violation'; "
        "END $$",
        "CREATE TRIGGER stock_moves_no_update_delete "
        "BEFORE UPDATE OR DELETE ON stock_moves "
        "FOR EACH ROW EXECUTE FUNCTION stock_moves_append_only()",
    ),
}
for _dialect, _statements in APPEND_ONLY_DDL.items():
    for _statement in _statements:
        event.listen(
            StockMove.__table__,
            "after_create",
            DDL(_statement).execute_if(dialect=_dialect),
        )


# --- documents that post moves (库存单据) ---------------------------------------------
def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


# receipt 入库 · issue 出库 · move 移库 · transfer 调拨 · adjustment 调整 · return 退货
# · scrap 报废
DOCUMENT_KINDS = (
    "receipt",
    "issue",
    "move",
    "transfer",
    "adjustment",
    "return",
    "scrap",
)
# everything is posted when it is saved, except a transfer: dispatched (in transit)
# from its warehouse, then received at the other
DOCUMENT_STATUSES = ("posted", "in_transit", "received")
ADJUSTMENT_REASONS = ("damage", "expiry", "found", "lost", "count", "other")
RETURN_DISPOSITIONS = ("stock", "quarantine")


class StockDocument(TimestampMixin, db.Model):
    """A stock document: the who, when and why of the moves it posted (their
    ``reference_type`` is ``"stock_document"``). Never edited after posting: a mistake
    is corrected by another document."""

    __tablename__ = "stock_documents"
    __table_args__ = (
        sa.CheckConstraint(_in("kind", DOCUMENT_KINDS), name="kind_known"),
        sa.CheckConstraint(_in("status", DOCUMENT_STATUSES), name="status_known"),
        sa.CheckConstraint(
            "(kind = 'transfer') = (to_warehouse_id IS NOT NULL)",
            name="transfer_has_destination",
        ),
        sa.CheckConstraint(
            "to_warehouse_id IS NULL OR to_warehouse_id <> warehouse_id",
            name="transfer_between_two_warehouses",
        ),
        sa.Index("ix_stock_documents_kind_created", "kind", "created_at"),
        sa.Index("ix_stock_documents_source", "source_type", "source_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(30), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20), default="posted")
    warehouse_id: Mapped[int] = mapped_column(
        sa.ForeignKey("warehouses.id"), index=True
    )
    to_warehouse_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("warehouses.id"), index=True
    )
    reason_code: Mapped[str | None] = mapped_column(sa.String(20))
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    external_ref: Mapped[str] = mapped_column(sa.String(60), default="")
    merchant_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("merchants.id"), index=True
    )
    supplier_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("suppliers.id"), index=True
    )
    # what caused it, when not a person at a form (a purchase order when purchasing
    # lands: "purchase_order", id)
    source_type: Mapped[str | None] = mapped_column(sa.String(40))
    source_id: Mapped[int | None]
    # the form's or API client's one-time token: the same submit twice posts once
    client_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    posted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    received_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    received_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    warehouse: Mapped[Warehouse] = relationship(foreign_keys=[warehouse_id])
    to_warehouse: Mapped[Warehouse | None] = relationship(
        foreign_keys=[to_warehouse_id]
    )
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    received_by: Mapped[User | None] = relationship(foreign_keys=[received_by_id])
    lines: Mapped[list[StockDocumentLine]] = relationship(
        back_populates="document",
        order_by="StockDocumentLine.line_no",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<StockDocument {self.number}>"


class StockDocumentLine(db.Model):
    """One product line of a document. ``bin_id`` is where the goods went (receipts,
    returns, positive adjustments) or came from (issues, moves, transfers, scrap,
    write-offs); ``to_bin_id`` is the destination of a move or of a transfer's
    receipt. ``value`` is the cost value the line posted."""

    __tablename__ = "stock_document_lines"
    __table_args__ = (
        sa.UniqueConstraint("document_id", "line_no"),
        sa.CheckConstraint("qty > 0", name="qty_positive"),
        sa.CheckConstraint(
            "received_qty >= 0 AND received_qty <= qty", name="received_in_range"
        ),
        sa.CheckConstraint(
            "unit_cost IS NULL OR unit_cost >= 0", name="unit_cost_not_negative"
        ),
        sa.CheckConstraint(
            "production_date IS NULL OR expiry_date IS NULL "
            "OR production_date <= expiry_date",
            name="produced_before_expiry",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        sa.ForeignKey("stock_documents.id"), index=True
    )
    line_no: Mapped[int]
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), index=True)
    qty: Mapped[int]
    lot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lots.id"))
    production_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    expiry_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    bin_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bins.id"))
    to_bin_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bins.id"))
    unit_cost: Mapped[Decimal | None] = mapped_column(Money())
    value: Mapped[Decimal] = mapped_column(Money(), default=0)
    received_qty: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(sa.String(200), default="")

    document: Mapped[StockDocument] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship(lazy="joined")
    lot: Mapped[Lot | None] = relationship(lazy="joined")
    bin: Mapped[Bin | None] = relationship(foreign_keys=[bin_id], lazy="joined")
    to_bin: Mapped[Bin | None] = relationship(foreign_keys=[to_bin_id], lazy="joined")


# --- stock counts (盘点) ------------------------------------------------------------
COUNT_KINDS = ("full", "cycle")
COUNT_STATUSES = ("counting", "approved", "cancelled")
COUNT_BIN_STATUSES = ("pending", "counted")


class StockCount(TimestampMixin, db.Model):
    """A stock count of some bins of one warehouse (a full count: all of them).

    Ordering and picking go on while it runs: each bin's counted quantities are
    compared, at approval, with what the ledger held at the moment that bin was
    counted, so moves made meanwhile are not mistaken for variances."""

    __tablename__ = "stock_counts"
    __table_args__ = (
        sa.CheckConstraint(_in("kind", COUNT_KINDS), name="kind_known"),
        sa.CheckConstraint(_in("status", COUNT_STATUSES), name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(30), unique=True)
    warehouse_id: Mapped[int] = mapped_column(
        sa.ForeignKey("warehouses.id"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(10))
    scope: Mapped[str] = mapped_column(sa.String(200), default="")
    status: Mapped[str] = mapped_column(sa.String(20), default="counting", index=True)
    blind: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    variance_value: Mapped[Decimal | None] = mapped_column(Money())

    warehouse: Mapped[Warehouse] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    bins: Mapped[list[StockCountBin]] = relationship(
        back_populates="count", cascade="all, delete-orphan"
    )


class StockCountBin(db.Model):
    """One bin of a count: the unit a counter takes on a phone."""

    __tablename__ = "stock_count_bins"
    __table_args__ = (
        sa.UniqueConstraint("count_id", "bin_id"),
        sa.CheckConstraint(_in("status", COUNT_BIN_STATUSES), name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_counts.id"), index=True)
    bin_id: Mapped[int] = mapped_column(sa.ForeignKey("bins.id"), index=True)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"))
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    counted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    counted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    count: Mapped[StockCount] = relationship(back_populates="bins")
    bin: Mapped[Bin] = relationship(lazy="joined")
    counted_by: Mapped[User | None] = relationship()
    lines: Mapped[list[StockCountLine]] = relationship(
        back_populates="count_bin",
        cascade="all, delete-orphan",
        order_by="StockCountLine.id",
    )


class StockCountLine(db.Model):
    """A product (and lot) in a counted bin: the ledger's quantity when the count began
    (``snapshot_qty``, hidden from blind counters), what was counted, and — filled at
    approval — what the ledger held when the bin was counted and the variance."""

    __tablename__ = "stock_count_lines"
    __table_args__ = (
        sa.UniqueConstraint("count_bin_id", "product_id", "lot_key"),
        sa.CheckConstraint("snapshot_qty >= 0", name="snapshot_not_negative"),
        sa.CheckConstraint(
            "counted_qty IS NULL OR counted_qty >= 0", name="counted_not_negative"
        ),
        sa.CheckConstraint("lot_key = COALESCE(lot_id, 0)", name="lot_key_matches_lot"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_counts.id"), index=True)
    count_bin_id: Mapped[int] = mapped_column(
        sa.ForeignKey("stock_count_bins.id"), index=True
    )
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"))
    lot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lots.id"))
    lot_key: Mapped[int] = mapped_column(default=0)
    snapshot_qty: Mapped[int] = mapped_column(default=0)
    counted_qty: Mapped[int | None]
    expected_qty: Mapped[int | None]
    variance_qty: Mapped[int | None]
    variance_value: Mapped[Decimal | None] = mapped_column(Money())
    is_added: Mapped[bool] = mapped_column(default=False)  # found, not in the snapshot

    count_bin: Mapped[StockCountBin] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship(lazy="joined")
    lot: Mapped[Lot | None] = relationship(lazy="joined")


# --- replenishment signals (补货) ---------------------------------------------------
RULE_METHODS = ("manual", "suggested")


class StockRule(TimestampMixin, db.Model):
    """Reorder point and safety stock of a product in a warehouse: below the reorder
    point (available + inbound), the product is on the low-stock list purchasing
    reads."""

    __tablename__ = "stock_rules"
    __audited__ = True
    __table_args__ = (
        sa.UniqueConstraint("product_id", "warehouse_id"),
        sa.CheckConstraint("reorder_point >= 0", name="reorder_point_not_negative"),
        sa.CheckConstraint("safety_stock >= 0", name="safety_stock_not_negative"),
        sa.CheckConstraint(
            "lead_time_days IS NULL OR lead_time_days >= 0",
            name="lead_time_not_negative",
        ),
        sa.CheckConstraint(_in("method", RULE_METHODS), name="method_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(
        sa.ForeignKey("warehouses.id"), index=True
    )
    reorder_point: Mapped[int] = mapped_column(default=0)
    safety_stock: Mapped[int] = mapped_column(default=0)
    lead_time_days: Mapped[int | None]
    method: Mapped[str] = mapped_column(sa.String(10), default="manual")
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    product: Mapped[Product] = relationship(lazy="joined")
    warehouse: Mapped[Warehouse] = relationship(lazy="joined")
