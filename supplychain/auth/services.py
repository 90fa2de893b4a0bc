"""Creating users, checking passwords (argon2id) and issuing hashed, expiring API
tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from supplychain.auth.models import ROLES, ApiToken, User
from supplychain.database import utcnow
from supplychain.errors import DuplicateKey, NotFound, ValidationFailed
from supplychain.extensions import db

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# a hash of a random password, verified against when the user does not exist so that
# timing does not tell which usernames exist
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User | None, password: str) -> bool:
    try:
        ok = _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return ok and user is not None and user.is_active


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            {"password": [f"Must be at least {MIN_PASSWORD_LENGTH} characters."]}
        )
    if len(password) > 1024:
        raise ValidationFailed({"password": ["Must be at most 1024 characters."]})


def create_user(
    username: str,
    password: str,
    *,
    role: str,
    merchant_id: int | None = None,
    display_name: str = "",
    commit: bool = True,
) -> User:
    """Create a user. A merchant user belongs to exactly one merchant; staff to none."""
    username = username.strip()
    if not username or len(username) > 80:
        raise ValidationFailed({"username": ["Must be 1 to 80 characters."]})
    if role not in ROLES:
        raise ValidationFailed({"role": [f"Must be one of: {', '.join(ROLES)}."]})
    if (role == "merchant") != (merchant_id is not None):
        raise ValidationFailed(
            {"merchant": ["A merchant user needs a merchant; staff users have none."]}
        )
    validate_password(password)
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise DuplicateKey("username", username)
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        merchant_id=merchant_id,
        display_name=display_name or username,
    )
    db.session.add(user)
    if commit:
        db.session.commit()
    return user


def authenticate(username: str, password: str) -> User | None:
    user = db.session.scalar(sa.select(User).where(User.username == username.strip()))
    if not check_password(user, password):
        return None
    if user is not None and _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()  # type: ignore[union-attr]
    db.session.commit()
    return user


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_at: dt.datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, *, hours: int) -> IssuedToken:
    """A random bearer token; only its SHA-256 is stored."""
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + dt.timedelta(hours=hours)
    db.session.add(
        ApiToken(user_id=user.id, token_hash=_digest(token), expires_at=expires_at)
    )
    db.session.commit()
    return IssuedToken(token, expires_at)


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == _digest(token))
    )
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    return row.user if row.user.is_active else None


def load_user(user_id: str) -> User | None:
    try:
        user = db.session.get(User, int(user_id))
    except ValueError:
        return None
    return user if user is not None and user.is_active else None


def set_user_active(
    user_id: int, active: bool, *, acting_user_id: int | None = None
) -> User:
    """Activate or deactivate a user; nobody can deactivate themselves (no lock-out)."""
    user = _get_user(user_id)
    if not active and user.id == acting_user_id:
        raise ValidationFailed(
            {"is_active": ["You cannot deactivate your own account."]}
        )
    user.is_active = active
    if not active:  # a deactivated user's tokens stop working at once
        db.session.execute(
            sa.update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    db.session.commit()
    return user


def reset_password(user_id: int, password: str) -> User:
    user = _get_user(user_id)
    validate_password(password)
    user.password_hash = hash_password(password)
    db.session.commit()
    return user


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def create_user_by_codes(
    username: str,
    password: str,
    *,
    role: str,
    merchant_code: str | None,
    display_name: str = "",
) -> User:
    """create_user with the merchant given by code (forms, API, CLI)."""
    from supplychain.merchants.services import merchant_id_for_code

    merchant_id = None
    if role == "merchant":
        if not merchant_code:
            raise ValidationFailed(
                {"merchant": ["A merchant user needs a merchant code."]}
            )
        try:
            merchant_id = merchant_id_for_code(merchant_code)
        except NotFound:
            raise ValidationFailed(
                {"merchant": [f"No merchant with code '{merchant_code}'."]}
            ) from None
    elif merchant_code:
        raise ValidationFailed(
            {"merchant": ["Only merchant users belong to a merchant."]}
        )
    return create_user(
        username,
        password,
        role=role,
        merchant_id=merchant_id,
        display_name=display_name,
    )
