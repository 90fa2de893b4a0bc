import sqlalchemy as sa

from supplychain.catalog.models import Product
from supplychain.extensions import db


def test_the_import_command_reports_counts(runner, tmp_path):
    path = tmp_path / "products.csv"
    path.write_bytes("sku,name,unit,price\nA1,艾灸贴,盒,12.50\n".encode("gbk"))

    result = runner.invoke(args=["catalog", "import", str(path)])

    assert result.exit_code == 0, result.output
    assert "1 created, 0 updated" in result.output


def test_the_import_command_lists_problems_and_fails(runner, tmp_path):
    path = tmp_path / "products.csv"
    path.write_bytes(b"sku,name,unit,price\nA1,x,y,-1\n")

    result = runner.invoke(args=["catalog", "import", str(path)])

    assert result.exit_code == 1
    assert "row 2, column price: Must not be negative." in result.output
    assert db.session.scalar(sa.select(sa.func.count(Product.id))) == 0


def test_the_export_command_writes_the_file(runner, tmp_path):
    out = tmp_path / "out.csv"

    result = runner.invoke(
        args=["catalog", "export", "--format", "csv", "--out", str(out)]
    )

    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbfsku,name")
