"""User administration shapes."""

import marshmallow as ma

from supplychain.auth.models import ROLES


class UserCreateSchema(ma.Schema):
    username = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=80)
    )
    display_name = ma.fields.String(
        load_default="", validate=ma.validate.Length(max=120)
    )
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES))
    merchant = ma.fields.String(load_default=None, validate=ma.validate.Length(max=30))
    password = ma.fields.String(
        required=True, load_only=True, validate=ma.validate.Length(min=8, max=1024)
    )


class PasswordSchema(ma.Schema):
    password = ma.fields.String(
        required=True, load_only=True, validate=ma.validate.Length(min=8, max=1024)
    )


class UserSchema(ma.Schema):
    id = ma.fields.Integer()
    username = ma.fields.String()
    display_name = ma.fields.String()
    role = ma.fields.String()
    merchant = ma.fields.Function(lambda u: u.merchant.code if u.merchant else None)
    is_active = ma.fields.Boolean()
    last_login_at = ma.fields.AwareDateTime()
    created_at = ma.fields.AwareDateTime()


class AuditLogSchema(ma.Schema):
    id = ma.fields.Integer()
    at = ma.fields.AwareDateTime()
    actor = ma.fields.String()
    action = ma.fields.String()
    entity = ma.fields.String()
    entity_id = ma.fields.String()
    before = ma.fields.Dict(allow_none=True)
    after = ma.fields.Dict(allow_none=True)


class AuditArgsSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    entity = ma.fields.String(load_default="")
    actor = ma.fields.String(load_default="")
    entity_id = ma.fields.String(load_default="")
    page = ma.fields.Integer(
        load_default=1, validate=ma.validate.Range(min=1, max=10**6)
    )
    per_page = ma.fields.Integer(
        load_default=50, validate=ma.validate.Range(min=1, max=200)
    )
