"""Every error, mapped once: the JSON error shape of contracts.md for /api/, a page
otherwise."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, flash, jsonify, redirect, render_template, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, InternalServerError

from blueprints.i18n import localize
from supplychain.errors import DomainError
from supplychain.extensions import db

log = logging.getLogger(__name__)

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    response = jsonify(body)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _flatten_webargs(messages: Any) -> dict[str, Any]:
    """webargs nests errors by location ({"json": {...}, "query": {...}}); keep the
    fields."""
    if not isinstance(messages, dict):
        return {"_schema": messages if isinstance(messages, list) else [str(messages)]}
    out: dict[str, Any] = {}
    for location in ("json", "query", "form", "files", "headers", "view_args"):
        inner = messages.get(location)
        if isinstance(inner, dict):
            out.update(inner)
        elif inner is not None:
            out["_schema"] = inner
    return out or messages


def handle_http_exception(error: HTTPException) -> Any:
    status = error.code or 500
    if not wants_json():
        if status == 401:
            return redirect("/auth/login?next=" + request.full_path.rstrip("?"))
        return render_template("errors/error.html", status=status, error=error), status
    data = getattr(error, "data", None) or {}
    details: dict[str, Any] = {}
    message = error.description or "Error."
    if "messages" in data or "errors" in data:
        details = _flatten_webargs(data.get("errors") or data.get("messages"))
        message = "The input is not valid." if status == 422 else message
    if status == 400 and "messages" in data:
        message = "The request body is not valid JSON."
    headers = dict(data.get("headers") or {})
    if status == 429 and getattr(error, "retry_after", None):
        headers["Retry-After"] = str(error.retry_after)
    code = data.get("code") or _CODES.get(status, "error")
    return error_response(status, code, message, details, headers)


def handle_domain_error(error: DomainError) -> Any:
    db.session.rollback()
    if wants_json():
        return error_response(error.status, error.code, error.message, error.details)
    flash(localize(error.message), "error")
    if error.status == 404:
        return render_template("errors/error.html", status=404, error=error), 404
    return redirect(request.referrer or "/"), 303


def handle_validation_error(error: ValidationError) -> Any:
    db.session.rollback()
    if wants_json():
        return error_response(
            422,
            "validation_error",
            "The input is not valid.",
            error.normalized_messages(),
        )
    flash(
        "; ".join(f"{k}: {v}" for k, v in error.normalized_messages().items()), "error"
    )
    return redirect(request.referrer or "/"), 303


def handle_unexpected(error: Exception) -> Any:
    db.session.rollback()
    log.exception("unhandled error on %s %s", request.method, request.path)
    if wants_json():
        return error_response(
            500, "internal_error", "An unexpected error occurred; it has been logged."
        )
    return (
        render_template("errors/error.html", status=500, error=InternalServerError()),
        500,
    )


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(ValidationError, handle_validation_error)
    if not app.config.get("PROPAGATE_UNEXPECTED"):
        app.register_error_handler(Exception, handle_unexpected)
