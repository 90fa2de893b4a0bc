"""Flask extensions, created unbound here and bound to the app in
app.register_extensions."""

import marshmallow as ma
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from supplychain.database import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


class ErrorSchema(ma.Schema):
    """The one error shape of contracts.md §2 (for the OpenAPI document)."""

    class ErrorBody(ma.Schema):
        code = ma.fields.String(metadata={"example": "validation_error"})
        message = ma.fields.String()
        details = ma.fields.Dict()

    error = ma.fields.Nested(ErrorBody)


class SupplyApi(Api):
    ERROR_SCHEMA = ErrorSchema


api = SupplyApi()
