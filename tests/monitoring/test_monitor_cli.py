"""``valueloop monitor detect``: the acceptance contract, formats and file errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from valueloop.cli.monitor import register
from valueloop.errors import InputError
from valueloop.monitoring.registry import DETECTORS

runner = CliRunner()


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def _root() -> None:
        """Keep ``monitor`` a sub-command."""

    return app


def _contract_series(tmp_path: Path) -> Path:
    """The acceptance contract's series: 8 h at 5 min, values 10–12, a 50 at 05:00."""
    rows = [
        f"2026-01-01 {h:02d}:{m:02d}:00,{(50 if (h, m) == (5, 0) else 10) + (m % 3)}"
        for h in range(8)
        for m in range(0, 60, 5)
    ]
    path = tmp_path / "s.csv"
    path.write_text("timestamp,value\n" + "\n".join(rows) + "\n")
    return path


def _json(app: typer.Typer, *args: str) -> Any:
    result = runner.invoke(app, ["monitor", "detect", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_contract_spike_is_flagged(app: typer.Typer, tmp_path: Path) -> None:
    # the default likelihood learns for 130 rows before it flags: this 96-row contract is the EWMA chart's
    out = _json(app, str(_contract_series(tmp_path)), "-d", "ewma")
    assert len(out) == 96 and set(out[0]) == {"timestamp", "value", "score", "anomaly"}
    assert out[0]["timestamp"] == "2026-01-01 00:00:00"
    spike = next(r for r in out if r["timestamp"] == "2026-01-01 05:00:00")
    assert spike["value"] == 50 and spike["anomaly"] is True
    assert sum(r["anomaly"] for r in out) <= 2  # the spike, perhaps its echo in a smoothed statistic


@pytest.mark.parametrize("name", ["robust_z", "ewma", "cusum"])
def test_contract_holds_for_the_learning_detectors(app: typer.Typer, tmp_path: Path, name: str) -> None:
    out = _json(app, str(_contract_series(tmp_path)), "--detector", name)
    assert len(out) == 96 and out[60]["anomaly"] is True


@pytest.mark.parametrize("name", sorted(DETECTORS))
def test_every_detector_runs(app: typer.Typer, tmp_path: Path, name: str) -> None:
    out = _json(app, str(_contract_series(tmp_path)), "-d", name)
    assert len(out) == 96 and all(isinstance(r["score"], float) for r in out)


def test_blank_value_is_null_and_not_an_anomaly(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "gap.csv"
    path.write_text("\ufefftimestamp,value\n2026-01-01T00:00:00Z,1\n2026-01-01T00:05:00Z,\n2026-01-01T00:10:00Z,2\n")
    out = _json(app, str(path))
    assert [r["value"] for r in out] == [1.0, None, 2.0]
    assert out[1] == {"timestamp": "2026-01-01T00:05:00Z", "value": None, "score": 0.0, "anomaly": False}


def test_table_and_csv_formats(app: typer.Typer, tmp_path: Path) -> None:
    path = _contract_series(tmp_path)
    csv_out = runner.invoke(app, ["monitor", "detect", str(path), "--format", "csv"])
    assert csv_out.exit_code == 0 and csv_out.stdout.splitlines()[0] == "timestamp,value,score,anomaly"
    assert len(csv_out.stdout.splitlines()) == 97
    table = runner.invoke(app, ["monitor", "detect", str(path)])
    assert table.exit_code == 0 and "anomalies in 96 rows" in table.stdout


def test_every_bad_cell_is_reported_at_once(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("timestamp,value\nyesterday,1\n2026-01-01 00:05:00,abc\n2026-01-01 00:10:00,3\n")
    result = runner.invoke(app, ["monitor", "detect", str(path)])
    assert isinstance(result.exception, InputError)
    message = str(result.exception)
    assert "row 1 (line 2), column 'timestamp'" in message and "row 2 (line 3), column 'value'" in message


def test_missing_column_and_missing_file(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "cols.csv"
    path.write_text("time,value\n2026-01-01,1\n")
    result = runner.invoke(app, ["monitor", "detect", str(path)])
    assert isinstance(result.exception, InputError) and "missing column(s) timestamp" in str(result.exception)
    result = runner.invoke(app, ["monitor", "detect", str(tmp_path / "nope.csv")])
    assert isinstance(result.exception, InputError) and "nope.csv: no such file" in str(result.exception)


def test_unknown_detector_is_a_usage_error(app: typer.Typer, tmp_path: Path) -> None:
    result = runner.invoke(app, ["monitor", "detect", str(_contract_series(tmp_path)), "-d", "nope"])
    assert result.exit_code == 2 and "robust_z" in result.output
