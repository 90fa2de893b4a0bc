"""库存单据 stock documents: receipts (入库), issues (出库), bin moves (移库), transfers
between warehouses (调拨), adjustments (调整), merchant returns (退货) and scrap (报废).

Each posting function validates the whole document first (field errors keyed
``lines.<i>.<field>``, ``i`` the 0-based index of the submitted line), then takes the
number, writes the document, posts its moves through the ledger (``reference_type``
"stock_document", reason "Receipt RC-20261123-0001") and commits once; any DomainError
rolls everything back. A posted document is never edited: a mistake is corrected by
another document. A ``client_token`` makes a submit idempotent: the same token (per
user) again returns the document it made and posts nothing.

Modules: ``lines`` (input checks), ``writing`` (submit and the common write),
``posting`` (the kinds), ``transfers``, ``reading``, ``pdf``.
"""

from supplychain.stock.documents.lines import (
    ISSUE_DESTINATIONS,
    LINE_FIELDS,
    MAX_EXTERNAL_REF,
    MAX_LINE_NOTE,
    MAX_LINES,
    MAX_NOTE,
    MAX_TOKEN,
)
from supplychain.stock.documents.pdf import document_pdf
from supplychain.stock.documents.posting import (
    HEADER_FIELDS,
    accept_return,
    adjust_stock_document,
    build_receipt,
    check_document,
    issue_goods,
    move_goods,
    post_document,
    quarantine_bin,
    receive_goods,
    scrap_goods,
)
from supplychain.stock.documents.reading import (
    DocumentView,
    LineView,
    active_suppliers,
    document_lines,
    document_moves,
    document_view,
    document_views,
    documents_query,
    get_document,
    get_move,
    posting_error_lines,
)
from supplychain.stock.documents.transfers import dispatch_transfer, receive_transfer
from supplychain.stock.documents.writing import REFERENCE_TYPE, SERIES
from supplychain.stock.models import (
    ADJUSTMENT_REASONS,
    DOCUMENT_KINDS,
    RETURN_DISPOSITIONS,
)

__all__ = [
    "ADJUSTMENT_REASONS",
    "DOCUMENT_KINDS",
    "HEADER_FIELDS",
    "ISSUE_DESTINATIONS",
    "LINE_FIELDS",
    "MAX_EXTERNAL_REF",
    "MAX_LINE_NOTE",
    "MAX_LINES",
    "MAX_NOTE",
    "MAX_TOKEN",
    "REFERENCE_TYPE",
    "RETURN_DISPOSITIONS",
    "SERIES",
    "DocumentView",
    "LineView",
    "accept_return",
    "active_suppliers",
    "adjust_stock_document",
    "build_receipt",
    "check_document",
    "dispatch_transfer",
    "document_lines",
    "document_moves",
    "document_pdf",
    "document_view",
    "document_views",
    "documents_query",
    "get_document",
    "get_move",
    "issue_goods",
    "move_goods",
    "post_document",
    "posting_error_lines",
    "quarantine_bin",
    "receive_goods",
    "receive_transfer",
    "scrap_goods",
]
