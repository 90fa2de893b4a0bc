import os
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import current_app

from supplychain.catalog.models import Product
from supplychain.errors import ImportRejected, NotFound
from supplychain.extensions import db
from supplychain.jobs import imports
from supplychain.jobs.models import JobRun
from tests.factories import UserFactory

GOOD = "sku,name,unit,price\nA1,艾灸贴,盒,12.50\nA2,阿胶膏,瓶,30.00\n".encode()
BAD = "sku,name,unit,price\nA1,艾灸贴,盒,-1\nA2,,瓶,30.00\n".encode()


def test_the_import_job_reports_counts_and_full_progress(app):
    user = UserFactory()

    run = imports.enqueue_product_import(GOOD, "products.csv", user_id=user.id)

    db.session.expire_all()
    run = db.session.get(JobRun, run.id)
    assert (run.status, run.progress, run.result) == (
        "finished",
        100,
        {"created": 2, "updated": 0},
    )
    assert run.kind == "catalog.import_products" and run.user_id == user.id
    assert db.session.scalar(
        sa.select(Product.price).where(Product.sku == "A1")
    ) == Decimal("12.50")


def test_running_the_import_job_twice_is_harmless(app):
    path = imports.store_upload(GOOD, "products.csv")

    first = imports.import_products_job(path)
    second = imports.import_products_job(path)

    assert first == {"created": 2, "updated": 0}
    assert second == {"created": 0, "updated": 2}
    assert db.session.scalar(sa.select(sa.func.count(Product.id))) == 2


def test_a_refused_file_fails_the_job_with_the_row_problems_and_writes_nothing(app):
    run = imports.enqueue_product_import(BAD, "products.csv", user_id=None)

    outcome = imports.product_import_outcome(run.id)

    assert outcome.status == "failed"
    assert {(p["row"], p["column"]) for p in outcome.problems} == {
        (2, "price"),
        (3, "name"),
    }
    assert db.session.scalar(sa.select(sa.func.count(Product.id))) == 0


def test_the_outcome_of_a_finished_import_has_its_counts(app):
    run = imports.enqueue_product_import(GOOD, "products.csv", user_id=None)

    outcome = imports.product_import_outcome(run.id)

    assert (outcome.status, outcome.result, outcome.problems) == (
        "finished",
        {"created": 2, "updated": 0},
        [],
    )


def test_uploads_are_kept_under_files_imports_with_their_extension(app):
    relative = imports.store_upload(GOOD, "商品.CSV")

    assert relative.startswith(os.path.join("files", "imports")) and relative.endswith(
        ".csv"
    )
    assert os.path.isfile(os.path.join(current_app.instance_path, relative))


@pytest.mark.parametrize(
    "data, name", [(GOOD, "products.xls"), (GOOD, "products"), (b"", "p.csv")]
)
def test_wrong_uploads_are_refused_before_any_job_exists(app, data, name):
    with pytest.raises(ImportRejected):
        imports.enqueue_product_import(data, name, user_id=None)

    assert db.session.scalar(sa.select(sa.func.count(JobRun.id))) == 0


def test_the_job_refuses_paths_outside_the_import_folder(app):
    with pytest.raises(ImportRejected):
        imports.import_products_job("../supplychain.sqlite")


def test_the_outcome_of_an_unknown_job_is_not_found(app):
    with pytest.raises(NotFound):
        imports.product_import_outcome("nope")
