"""商品管理 HTML form posts loaded through the API's marshmallow schemas.

Form values are text: whole numbers are converted before loading (the schemas' integers
are strict), unticked checkboxes become False, and empty inputs become None (nullable
fields), "" (optional text) or are left out (so defaults apply / nothing changes)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import marshmallow as ma
from marshmallow import fields

from supplychain.errors import ValidationFailed
from supplychain.extensions import db

_INT = re.compile(r"^[+-]?\d{1,12}$")


def _value(field: fields.Field, text: str) -> Any:
    text = text.strip()
    if text == "":
        if field.allow_none:
            return None
        if isinstance(field, fields.String):
            return ""  # optional text cleared; required text gets the schema's message
        return ma.missing
    if isinstance(field, fields.Integer) and _INT.match(text):
        return int(text)
    return text


def form_data(
    schema: ma.Schema, form: Mapping[str, str], *, checkboxes: Sequence[str] = ()
) -> dict[str, Any]:
    """The form's values for the schema's fields, ready for ``schema.load``."""
    data: dict[str, Any] = {}
    for name, field in schema.fields.items():
        if name in checkboxes:
            data[name] = name in form
        elif name in form:
            value = _value(field, form[name])
            if value is not ma.missing:
                data[name] = value
    return data


def load_form(
    schema: ma.Schema, form: Mapping[str, str], *, checkboxes: Sequence[str] = ()
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """(loaded data, {}) or ({}, field → messages)."""
    try:
        return schema.load(form_data(schema, form, checkboxes=checkboxes)), {}
    except ma.ValidationError as error:
        messages = error.normalized_messages()
        return {}, {
            k: v if isinstance(v, list) else [str(v)] for k, v in messages.items()
        }


def field_errors(error: ValidationFailed) -> dict[str, list[str]]:
    """A service's ValidationFailed as field errors; nothing stays pending."""
    db.session.rollback()
    return {k: v if isinstance(v, list) else [str(v)] for k, v in error.errors.items()}
