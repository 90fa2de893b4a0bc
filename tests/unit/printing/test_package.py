import subprocess
import sys

CHECK = """
import sys
import printing.labels, printing.price_list
bad = sorted(
    name for name in sys.modules
    if name.split(".")[0] in {"flask", "sqlalchemy", "supplychain", "blueprints"}
)
print(",".join(bad))
"""


def test_printing_imports_neither_flask_nor_sqlalchemy_nor_the_app():
    result = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == ""
