"""HTML form posts go through the same marshmallow schemas as the API (house style
§3.12)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from werkzeug.datastructures import MultiDict

from blueprints.i18n import localize
from supplychain.errors import ValidationFailed


def load_form(
    schema: ma.Schema, form: MultiDict
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """Validate a form: (data, {}) or (None, {field: message}) for messages next to
    fields. Empty strings count as missing so optional fields may be left blank."""
    raw = {
        key: value for key, value in form.items() if key != "csrf_token" and value != ""
    }
    try:
        return schema.load(raw, unknown=ma.EXCLUDE), {}
    except ma.ValidationError as error:
        return None, field_errors(error.normalized_messages())


def field_errors(messages: dict[str, Any]) -> dict[str, str]:
    out = {}
    for field, value in messages.items():
        if isinstance(value, dict):
            value = list(value.values())
        out[field] = (
            " ".join(localize(v) for v in value)
            if isinstance(value, list)
            else localize(value)
        )
    return out


def domain_field_errors(error: ValidationFailed) -> dict[str, str]:
    return field_errors(error.errors)
