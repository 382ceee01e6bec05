"""``valueloop monitor``: run a real-time anomaly detector over a recorded series.

A thin adapter over :mod:`valueloop.monitor`: read ``timestamp,value`` rows, feed them in
order through one detector from the registry, print one result per input row. The
detector sees the rows one at a time, exactly as it would live, so what ``detect`` flags
on a replay is what monitoring would have flagged then.

JSON shape: ``[{"timestamp", "value", "score", "anomaly"}]`` in input order; the
timestamp is echoed as written, a blank value is ``null`` (scored 0, never an anomaly).
Every unreadable cell is reported at once as an :class:`~valueloop.errors.InputError`.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from valueloop.cli.output import Format, FormatOpt, emit
from valueloop.errors import InputError
from valueloop.monitor.registry import DEFAULT, DETECTORS, make, run

SeriesArg = Annotated[
    Path, typer.Argument(metavar="SERIES.csv", help="CSV with columns timestamp,value.", show_default=False)
]
DetectorOpt = Annotated[
    str,
    typer.Option("--detector", "-d", help=f"Anomaly detector: {', '.join(DETECTORS)}."),
]


def register(app: typer.Typer) -> None:
    """Add the ``monitor`` command group to ``app``."""
    monitor = typer.Typer(help="Real-time monitoring: anomaly detection over KPI series.", no_args_is_help=True)
    monitor.command("detect")(detect)
    app.add_typer(monitor, name="monitor")


def detect(file: SeriesArg, detector: DetectorOpt = DEFAULT, fmt: FormatOpt = Format.table) -> None:
    """Score every row of a timestamp,value series; flag the anomalies."""
    if detector not in DETECTORS:
        raise typer.BadParameter(f"{detector!r} is not one of {', '.join(DETECTORS)}", param_hint="--detector")
    series = read_series(file)
    scores, fired = run(make(detector), series.values, series.times)
    rows = [
        {"timestamp": stamp, "value": _json_value(value), "score": float(score), "anomaly": bool(hit)}
        for stamp, value, score, hit in zip(series.stamps, series.values, scores, fired, strict=True)
    ]
    emit(rows, fmt, title=f"{detector}: {int(fired.sum())} anomalies in {len(rows)} rows")


def _json_value(value: float) -> float | None:
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class Series:
    """A parsed series: timestamps as written, as Unix seconds, and values (NaN when blank)."""

    stamps: list[str]
    times: list[float]
    values: list[float]


def read_series(path: Path) -> Series:
    """The timestamp and value columns of a UTF-8 CSV; naive timestamps are taken as UTC."""
    reader = csv.DictReader(io.StringIO(_read_text(path)))
    header = {name.strip().lower(): name for name in reader.fieldnames or []}
    missing = [c for c in ("timestamp", "value") if c not in header]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)} (found: {', '.join(header) or 'no header'})")
    series = Series([], [], [])
    problems: list[str] = []
    try:
        for row, record in enumerate(reader, start=1):
            _parse_row(row, reader.line_num, record, header, series, problems)
    except csv.Error as err:
        raise InputError(f"{path}: line {reader.line_num}: not valid CSV ({err})") from err
    if problems:
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise InputError(f"{path}: " + "; ".join(problems[:10]) + more)
    return series


def _parse_row(
    row: int, line: int, record: dict[str, Any], header: dict[str, str], series: Series, problems: list[str]
) -> None:
    stamp = (record.get(header["timestamp"]) or "").strip()
    cell = (record.get(header["value"]) or "").strip()
    where = f"row {row} (line {line})"
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        problems.append(f"{where}, column 'timestamp': {stamp!r} is not an ISO date-time")
        return
    try:
        value = float(cell) if cell else math.nan
    except ValueError:
        problems.append(f"{where}, column 'value': {cell!r} is not a number")
        return
    series.stamps.append(stamp)
    series.times.append((when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp())
    series.values.append(value)


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as err:
        raise InputError(f"{path}: cannot read file ({err.strerror or err})") from err
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: not UTF-8 text (byte {err.start})") from err
