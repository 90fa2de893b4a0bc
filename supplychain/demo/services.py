"""演示数据 use cases: load the demo distributor into a database, and list its logins.

``load_demo_distributor`` refuses a database that already holds data unless told to
replace it (``reset``) or to leave it alone (``if_empty``), so a demo never mixes with
real data by accident.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from supplychain.auth.models import User
from supplychain.auth.services import check_password
from supplychain.demo import data as vocabulary
from supplychain.demo.generator import (
    DEFAULT_PRODUCTS,
    DEFAULT_STORES,
    check_counts,
    generate,
)
from supplychain.demo.loader import LoadSummary, Progress, load_demo
from supplychain.demo.reset import database_has_data, wipe_domain_data
from supplychain.errors import Conflict, ValidationFailed
from supplychain.extensions import db
from supplychain.merchants.models import Merchant


class DatabaseNotEmpty(Conflict):
    code = "database_not_empty"


@dataclass(frozen=True)
class DemoResult:
    loaded: bool  # False: the database had data and ``if_empty`` left it alone
    wiped: bool  # True: ``reset`` deleted the data that was there
    summary: LoadSummary | None


def load_demo_distributor(
    stores: int = DEFAULT_STORES,
    seed: int = 1,
    *,
    products: int = DEFAULT_PRODUCTS,
    reset: bool = False,
    if_empty: bool = False,
    timezone: str = "Asia/Shanghai",
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> DemoResult:
    """Load the deterministic demo for ``stores`` merchants and ``seed``.

    The history ends on ``today`` (default: today in ``timezone``).

    :raise ValidationFailed: counts out of range, or both ``reset`` and ``if_empty``.
    :raise DatabaseNotEmpty: the database has data and neither flag says what to do.
    """
    if reset and if_empty:
        raise ValidationFailed({"reset": ["Give either reset or if_empty, not both."]})
    try:
        check_counts(stores, products)
    except ValueError as error:  # before anything is wiped
        field = "stores" if "stores" in str(error) else "products"
        raise ValidationFailed({field: [str(error)]}) from None
    wiped = False
    if database_has_data():
        if if_empty:
            return DemoResult(loaded=False, wiped=False, summary=None)
        if not reset:
            raise DatabaseNotEmpty(
                "The database already has data: use --reset to replace it with the "
                "demo (this deletes everything), or --if-empty to leave it as it is."
            )
        wipe_domain_data()
        wiped = True
    demo = generate(stores, seed, products=products)
    zone = ZoneInfo(timezone)
    day = today or dt.datetime.now(zone).date()
    summary = load_demo(demo, today=day, tz=zone, progress=progress)
    return DemoResult(loaded=True, wiped=wiped, summary=summary)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str  # the documented demo password of the role
    role: str
    merchant_code: str | None
    merchant_name: str | None
    password_works: bool | None  # None: not checked


def demo_usernames() -> list[str]:
    staff = [username for username, _, _ in vocabulary.STAFF_USERS]
    merchant = [
        f"{prefix}{n}"
        for prefix, _, count in vocabulary.MERCHANT_USERS
        for n in range(1, count + 1)
    ]
    return staff + merchant


def demo_logins(*, verify: bool = True) -> list[DemoLogin]:
    """The demo users present in the database, in the demo's order, with their
    documented password; ``verify`` checks that the password still works (someone may
    have changed it) — slow by design (argon2), about a tenth of a second per user."""
    names = demo_usernames()
    rows = db.session.execute(
        sa.select(User, Merchant.code, Merchant.name)
        .outerjoin(Merchant, User.merchant_id == Merchant.id)
        .where(User.username.in_(names))
    ).all()
    by_name = {user.username: (user, code, name) for user, code, name in rows}
    logins = []
    for username in names:
        if username not in by_name:
            continue
        user, code, name = by_name[username]
        password = vocabulary.demo_password(user.role)
        logins.append(
            DemoLogin(
                username=username,
                password=password,
                role=user.role,
                merchant_code=code,
                merchant_name=name,
                password_works=check_password(user, password) if verify else None,
            )
        )
    return logins
