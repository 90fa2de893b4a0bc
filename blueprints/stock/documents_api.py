"""库存单据 stock documents: JSON API — post any kind of document (idempotent with an
``Idempotency-Key``), list and read them, receive a transfer. A posted document is
never edited or deleted (405): a mistake is corrected by a new document."""

from __future__ import annotations

from typing import Any, NoReturn

from flask import request
from flask_login import current_user
from werkzeug.exceptions import MethodNotAllowed

from blueprints.api import ApiBlueprint, auth_required, paginate
from blueprints.stock.documents_schemas import (
    DocumentCreateSchema,
    DocumentSchema,
    DocumentsArgsSchema,
    DocumentSummarySchema,
    ReceiveSchema,
)
from supplychain.stock import documents

api_bp = ApiBlueprint(
    "stock_documents_api",
    __name__,
    url_prefix="/api/v1",
    description="Stock documents (库存单据): receipts, issues, moves, transfers, "
    "adjustments, returns, scrap",
)

KEEPERS = ("warehouse",)  # admin and warehouse managers pass too
READERS = ("warehouse", "buyer", "finance")
IDEMPOTENCY_DOC = {
    "parameters": [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "description": "1 to 255 printable ASCII characters (a UUID is typical): "
            "the same key again returns the document it made, posting nothing.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
        }
    ]
}


def never_edited(what: str, allowed: str) -> NoReturn:
    """405 in the JSON error shape: posted documents and moves are append-only."""
    error = MethodNotAllowed(valid_methods=allowed.split(", "), description=what)
    error.data = {"headers": {"Allow": allowed}}  # type: ignore[attr-defined]
    raise error


@api_bp.route("/stock/documents", methods=["POST"])
@auth_required(*KEEPERS)
@api_bp.arguments(DocumentCreateSchema)
@api_bp.response(201, DocumentSchema)
@api_bp.doc(**IDEMPOTENCY_DOC)
def create_document(data: dict[str, Any]) -> Any:
    """Post a stock document: its moves are in the ledger when this returns."""
    kind, lines = data.pop("kind"), data.pop("lines")
    token = request.headers.get("Idempotency-Key") or data.pop("client_token", None)
    data.pop("client_token", None)
    document = documents.post_document(
        kind, lines, fields=data, client_token=token, user_id=current_user.id
    )
    return documents.document_view(document)


@api_bp.route("/stock/documents", methods=["GET"])
@auth_required(*READERS)
@api_bp.arguments(DocumentsArgsSchema, location="query")
@api_bp.response(200, DocumentSummarySchema(many=True))
def list_documents(args: dict[str, Any]) -> Any:
    """Stock documents, newest first; ``q`` finds a number, reference or SKU."""
    stmt = documents.documents_query(
        kind=args["kind"],
        warehouse_code=args["warehouse"],
        q=args["q"],
        date_from=args["date_from"],
        date_to=args["date_to"],
    )
    items, headers = paginate(stmt, args["page"], args["per_page"])
    return documents.document_views(items), 200, headers


@api_bp.route("/stock/documents/<number>", methods=["GET"])
@auth_required(*READERS)
@api_bp.response(200, DocumentSchema)
def get_document(number: str) -> Any:
    """One document with its lines and the moves it posted."""
    return documents.document_view(documents.get_document(number))


@api_bp.route("/stock/documents/<number>", methods=["PUT", "PATCH", "DELETE"])
@auth_required(*KEEPERS)
@api_bp.alt_response(405, description="Posted documents are never edited.")
def edit_document(number: str) -> Any:
    """Refused (405): a posted document is never edited or deleted."""
    never_edited(
        "Posted stock documents are never edited or deleted; "
        "correct a mistake with a new document.",
        "GET",
    )


@api_bp.route("/stock/documents/<number>/receive", methods=["POST"])
@auth_required(*KEEPERS)
@api_bp.arguments(ReceiveSchema)
@api_bp.response(200, DocumentSchema)
def receive_transfer(data: dict[str, Any], number: str) -> Any:
    """Receive a transfer at its destination (partly, or writing off what is
    missing)."""
    document = documents.receive_transfer(
        number,
        data["lines"],
        write_off_missing=data["write_off_missing"],
        expected_received_qty=data["expected_received_qty"],
        user_id=current_user.id,
    )
    return documents.document_view(document)
