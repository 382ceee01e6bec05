"""``valueloop spc``: JSON shape, formats, phase I/II options and file errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from valueloop.cli.spc import register
from valueloop.errors import InputError

# Montgomery, "Introduction to Statistical Quality Control", orange juice cans (p-chart,
# 30 samples of n = 50; data from the R package qcc's `orangejuice`): see
# tests/stats/test_spc.py for the full citation and the published limits.
ORANGE_JUICE = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22, 8, 10, 5, 13, 11]
ORANGE_JUICE += [20, 18, 24, 15, 9, 12, 7, 13, 9, 6]
# SAS/QC User's Guide, SHEWHART procedure, UCHART "Fabric" data (20 rolls of 30 m²).
FABRIC = [12, 11, 9, 15, 7, 6, 5, 10, 8, 8, 14, 5, 9, 13, 7, 5, 8, 11, 7, 12]
# SAS/QC User's Guide, MACONTROL Example 9.4, tire belt diameters (individuals chart).
TIRES = [24.05, 23.99, 23.95, 23.93, 23.97, 24.02, 24.06, 24.10, 23.98, 24.03, 23.91, 24.06, 24.06, 23.96, 23.98]
TIRES += [24.06, 24.01, 24.00, 23.93, 23.92, 24.09, 24.11, 24.05, 23.98, 23.98, 24.06, 24.02, 24.06, 23.97, 23.96]

runner = CliRunner()


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def write_csv(path: Path, header: str, rows: list[str], bom: bool = False) -> Path:
    text = "\n".join([header, *rows]) + "\n"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


@pytest.fixture
def orange_juice(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "oj.csv", "nonconforming,n", [f"{d},50" for d in ORANGE_JUICE], bom=True)


def run_json(app: typer.Typer, *args: str | Path) -> dict[str, Any]:
    result = runner.invoke(app, ["spc", *map(str, args), "--format", "json"])
    assert result.exit_code == 0, result.output
    payload: dict[str, Any] = json.loads(result.stdout)
    return payload


def run_error(app: typer.Typer, *args: str | Path) -> str:
    result = runner.invoke(app, ["spc", *map(str, args), "--format", "json"])
    assert isinstance(result.exception, InputError), result.output
    return str(result.exception)


def test_pchart_json_has_one_limit_per_row_and_one_based_signals(app: typer.Typer, orange_juice: Path) -> None:
    out = run_json(app, "pchart", orange_juice)
    assert {"center", "ucl", "lcl", "signals"} <= out.keys()
    assert len(out["ucl"]) == len(out["lcl"]) == len(out["values"]) == 30
    assert out["center"] == pytest.approx(0.2313333, abs=1e-6)
    assert out["ucl"][0] == pytest.approx(0.4102391, abs=1e-6)
    we1 = [s for s in out["signals"] if s["rule"] == "WE1"]
    assert we1 == [{"row": 15, "rule": "WE1"}, {"row": 23, "rule": "WE1"}]
    assert (out["chart"], out["baseline"], out["excluded"], out["note"]) == ("p", 30, [], "")


def test_baseline_takes_the_limits_from_the_first_rows_only(app: typer.Typer, orange_juice: Path) -> None:
    out = run_json(app, "pchart", orange_juice, "--baseline", "10")
    assert out["center"] == pytest.approx(sum(ORANGE_JUICE[:10]) / 500)
    assert out["baseline"] == 10
    assert len(out["ucl"]) == 30


def test_revise_reports_the_rows_left_out(app: typer.Typer, orange_juice: Path) -> None:
    out = run_json(app, "pchart", orange_juice, "--revise")
    assert out["excluded"] == [15, 21, 23]
    assert out["center"] == pytest.approx(281 / 1350)


def test_uchart_json(app: typer.Typer, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "fabric.csv", "roll,defects,units", [f"{i},{c},30" for i, c in enumerate(FABRIC, 1)])
    out = run_json(app, "uchart", path)
    assert out["center"] == pytest.approx(0.30333, abs=5e-6)
    assert out["ucl"] == pytest.approx([0.60500] * 20, abs=5e-6)
    assert out["signals"] == []


def test_xmr_json_includes_the_moving_range_chart(app: typer.Typer, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "tires.csv", " Value ", [str(v) for v in TIRES])  # header matched loosely
    out = run_json(app, "xmr", path)
    assert out["center"] == pytest.approx(24.0083, abs=5e-5)
    assert len(out["ucl"]) == len(out["lcl"]) == 30
    assert out["moving_range"]["first_row"] == 2
    assert len(out["moving_range"]["values"]) == 29
    assert out["moving_range"]["ucl"] == pytest.approx(0.18585, abs=1e-4)


def test_csv_and_table_formats(app: typer.Typer, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", "value", ["10", "12", "11", "30", "12"])
    csv_out = runner.invoke(app, ["spc", "xmr", str(path), "--format", "csv"])
    assert csv_out.exit_code == 0, csv_out.output
    lines = csv_out.stdout.strip().splitlines()
    assert lines[0] == "row,value,lcl,center,ucl,signals,range,range_signal"
    assert len(lines) == 6
    table = runner.invoke(app, ["spc", "xmr", str(path)])
    assert table.exit_code == 0, table.output
    assert "xmr chart" in table.stdout


def test_degenerate_file_prints_a_note_not_nan(app: typer.Typer, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "none.csv", "nonconforming,n", ["0,40", "0,50", "0,45"])
    out = run_json(app, "pchart", path)
    assert out["ucl"] == [0.0, 0.0, 0.0]
    assert "no variation" in out["note"]


@pytest.mark.parametrize(
    ("header", "rows", "expected"),
    [
        ("nonconforming,count", ["1,10"], "missing column(s) n (found: nonconforming, count)"),
        ("nonconforming,n", ["1,10", "2,abc", "x,10"], "row 2 (line 3), column 'n': 'abc' is not a number"),
        ("nonconforming,n", ["1,10", ",10"], "row 2 (line 3), column 'nonconforming': is empty"),
        ("nonconforming,n", ["1,10", "1,0"], "row 2, column 'n': must be positive"),
        ("nonconforming,n", ["1,10", "nan,10"], "not a number"),
        ("nonconforming,n", [], "no rows"),
    ],
)
def test_bad_files_raise_input_error_naming_file_row_and_column(
    app: typer.Typer, tmp_path: Path, header: str, rows: list[str], expected: str
) -> None:
    path = write_csv(tmp_path / "bad.csv", header, rows)
    message = run_error(app, "pchart", path)
    assert message.startswith(f"{path}: ")
    assert expected in message


def test_every_bad_cell_is_listed(app: typer.Typer, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bad.csv", "nonconforming,n", ["1,10", "2,abc", "x,10"])
    message = run_error(app, "pchart", path)
    assert "row 2 (line 3), column 'n'" in message
    assert "row 3 (line 4), column 'nonconforming'" in message


def test_missing_file_and_bad_encoding(app: typer.Typer, tmp_path: Path) -> None:
    assert "nope.csv: no such file" in run_error(app, "xmr", tmp_path / "nope.csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("value\n\xe9\n".encode("latin-1"))
    assert "cannot detect the text encoding (not UTF-8: byte 6 (line 2)" in run_error(app, "xmr", latin)


def test_baseline_longer_than_the_file_is_an_input_error(app: typer.Typer, orange_juice: Path) -> None:
    assert "baseline must be between 1 and the number of rows (30)" in run_error(
        app, "pchart", orange_juice, "--baseline", "31"
    )


def test_baseline_below_one_is_a_usage_error(app: typer.Typer, orange_juice: Path) -> None:
    result = runner.invoke(app, ["spc", "pchart", str(orange_juice), "--baseline", "0"])
    assert result.exit_code == 2
