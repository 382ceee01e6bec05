"""``valueloop --help`` answers at once: building the command tree loads no data or maths library.

People run the CLI dozens of times an hour; importing pandas, DuckDB, Ibis, SciPy or
statsmodels costs seconds and hundreds of MB before a word of help. Each command imports
what it needs in its own body, so the guard is on what start-up imports, checked in a
fresh interpreter through ``sys.modules`` (timings would be flaky on a shared machine).
"""

from __future__ import annotations

import json
import subprocess
import sys

# Not pydantic: typer itself uses it to coerce parameter values.
HEAVY = (
    "pandas",
    "pyarrow",
    "duckdb",
    "ibis",
    "scipy",
    "statsmodels",
    "sklearn",
    "numpy",
    "polars",
    "sqlalchemy",
    "fastapi",
    "uvicorn",
)

# Imports the entry point, builds the whole click tree, runs --help on the app, every group and
# every command in-process, then prints which heavy top-level packages got imported.
PROBE = """
import json, sys
import click
from typer.main import get_command
from typer.testing import CliRunner
from valueloop.cli.main import app

root = get_command(app)
paths = [[]]
def walk(cmd, path):
    for name, sub in getattr(cmd, "commands", {}).items():
        paths.append([*path, name])
        walk(sub, [*path, name])
walk(root, [])
runner = CliRunner()
failed = []
for path in paths:
    result = runner.invoke(app, [*path, "--help"])
    if result.exit_code != 0 or "Usage" not in result.output:
        failed.append([path, result.exit_code, result.output[-300:]])
heavy = sorted({m.partition(".")[0] for m in sys.modules} & set(json.loads(sys.argv[1])))
print(json.dumps({"helped": len(paths), "failed": failed, "heavy": heavy}))
"""


def _probe(code: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps(HEAVY)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_help_for_every_command_imports_no_heavy_library() -> None:
    result = _probe(PROBE)
    assert result["failed"] == []
    assert isinstance(result["helped"], int) and result["helped"] > 50  # the whole tree was walked
    assert result["heavy"] == []


def test_an_argument_error_imports_no_heavy_library() -> None:
    """A mistyped choice is rejected by the parser before any command body runs."""
    code = """
import json, sys
from typer.testing import CliRunner
from valueloop.cli.main import app
result = CliRunner().invoke(app, ["weights", "ahp", "--method", "nope", "m.csv"])
heavy = sorted({m.partition(".")[0] for m in sys.modules} & set(json.loads(sys.argv[1])))
print(json.dumps({"exit_code": result.exit_code, "heavy": heavy}))
"""
    result = _probe(code)
    assert result["exit_code"] == 2
    assert result["heavy"] == []
