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

import pytest

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


def _top_level_names() -> list[str]:
    from valueloop.cli.main import app

    return [str(info.name) for info in (*app.registered_groups, *app.registered_commands)]


def _help(args: list[str], narrow: bool) -> tuple[int, str]:
    """``args --help`` through the whole tree, or through the tree main() builds for ``args[0]``."""
    from typer.testing import CliRunner

    from valueloop.cli import main

    groups, commands = main.app.registered_groups, main.app.registered_commands
    try:
        if narrow:
            main._narrow(args[:1])
        result = CliRunner().invoke(main.app, [*args, "--help"], prog_name="valueloop")
    finally:
        main.app.registered_groups, main.app.registered_commands = groups, commands
    return result.exit_code, result.output


def test_building_only_the_named_entry_changes_no_help() -> None:
    """main() builds only the group the command line names; every help text stays as the full tree has it."""
    from typer.main import get_command

    from valueloop.cli.main import app

    tree = get_command(app)
    paths = []
    for name in _top_level_names():
        paths.append([name])
        subcommands = list(getattr(tree.commands[name], "commands", {}))  # type: ignore[attr-defined]
        paths.extend([name, sub] for sub in subcommands[:1])
    for path in paths:
        assert _help(path, narrow=True) == _help(path, narrow=False), path


def test_main_restores_the_whole_tree(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from valueloop.cli.main import app, main

    before = (list(app.registered_groups), list(app.registered_commands))
    monkeypatch.setattr(sys, "argv", ["valueloop", "verify", "--help"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 0
    assert "adjust" in capsys.readouterr().out
    assert (app.registered_groups, app.registered_commands) == before
