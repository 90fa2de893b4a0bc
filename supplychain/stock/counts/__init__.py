"""进销存 stock counts (盘点): full or cycle counts of a warehouse's bins, counted blind
on a phone, reviewed and approved by a warehouse manager, then posted to the ledger as
adjustments.

The rule that lets ordering, picking and receipts go on during a count: a bin's counted
quantities are compared, at approval, with what the ledger held *at the moment that bin
was counted* — the current balance of (bin, product, lot) minus the net moves of that
place after ``counted_at``. A pick or a receipt made after the count is thus never
mistaken for a variance, and one made before it is part of what the counter saw. No lock
is held between requests.

A count starts with a snapshot: one line per (product, lot) with a positive balance in
each bin of its scope. The counter gives a number for every listed line (0 allowed) and
adds what was found that was not listed (``is_added``). Products present in a bin but
neither listed nor added are not part of the count (no variance is posted for them).
Stock outside any bin (the warehouse's unbinned location) cannot be counted per bin.

Who does what: warehouse staff start counts and count bins; only a warehouse manager
(or an administrator) approves a count, sends a bin back for recount or cancels a count.
Every service commits once or raises a DomainError with nothing written.
"""

from supplychain.stock.counts.approving import (
    CountNotPostable,
    approve_count,
    cancel_count,
)
from supplychain.stock.counts.common import (
    MAX_AISLES,
    MAX_BIN_CODES,
    MAX_COUNT_QTY,
    MAX_ENTRIES,
    MAX_FOUND,
    MAX_NOTE,
    may_approve,
    may_count,
)
from supplychain.stock.counts.reading import (
    BinReview,
    CountReview,
    UnbinnedRow,
    VarianceRow,
    bin_lines,
    check_counts,
    count_bin_by_code,
    count_bins_query,
    count_sheet_pdf,
    count_variances,
    counts_query,
    current_quantities,
    expected_visible,
    get_count,
    next_pending_bin,
    progress,
    unbinned_stock,
)
from supplychain.stock.counts.recording import (
    FoundItem,
    qty_problem,
    record_bin_count,
    record_bin_items,
    reset_bin,
)
from supplychain.stock.counts.starting import start_count

__all__ = [
    "MAX_AISLES",
    "MAX_BIN_CODES",
    "MAX_COUNT_QTY",
    "MAX_ENTRIES",
    "MAX_FOUND",
    "MAX_NOTE",
    "BinReview",
    "CountNotPostable",
    "CountReview",
    "FoundItem",
    "UnbinnedRow",
    "VarianceRow",
    "approve_count",
    "bin_lines",
    "cancel_count",
    "check_counts",
    "count_bin_by_code",
    "count_bins_query",
    "count_sheet_pdf",
    "count_variances",
    "counts_query",
    "current_quantities",
    "expected_visible",
    "get_count",
    "may_approve",
    "may_count",
    "next_pending_bin",
    "progress",
    "qty_problem",
    "record_bin_count",
    "record_bin_items",
    "reset_bin",
    "start_count",
    "unbinned_stock",
]
