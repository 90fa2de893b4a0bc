"""Request and response shapes for login and tokens."""

import marshmallow as ma


class LoginSchema(ma.Schema):
    username = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=80)
    )
    password = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=1024)
    )


class TokenSchema(ma.Schema):
    access_token = ma.fields.String()
    token_type = ma.fields.String()
    expires_at = ma.fields.AwareDateTime()
