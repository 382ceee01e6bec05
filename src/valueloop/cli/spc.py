"""``valueloop spc``: control charts for a CSV file, one row per sample.

A thin adapter over :mod:`valueloop.stats.spc`: read the columns a chart needs,
compute the chart, print one line per row (table/csv) or the whole chart (json).
Reading the file lives here, not in the maths, so the charts stay pure; every
problem with the file is an :class:`~valueloop.errors.InputError` naming the file,
row and column, and the main entry point turns it into exit code 2.

JSON shape: ``{"chart", "center", "ucl": [...], "lcl": [...], "signals": [{"row",
"rule"}], "values", "sigma", "baseline", "excluded", "note"}`` with one limit per row
and rows counted from 1; ``xmr`` adds ``"moving_range"``. Rule ids are documented in
:mod:`valueloop.stats.western_electric`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from valueloop.cli.output import Format, FormatOpt, emit, stderr
from valueloop.errors import InputError

if TYPE_CHECKING:
    from valueloop.stats.spc import ControlChart, DispersionChart

FileArg = Annotated[Path, typer.Argument(metavar="FILE.csv", help="CSV file, one row per sample.", show_default=False)]
BaselineOpt = Annotated[
    int | None,
    typer.Option(
        "--baseline",
        "-b",
        min=1,
        help="Compute the limits from the first N rows only (phase II). Default: all rows.",
        show_default=False,
    ),
]
ReviseOpt = Annotated[
    bool,
    typer.Option(
        "--revise",
        help="Phase I: leave baseline points beyond 3σ out of the limits and recompute until stable.",
    ),
]
Builder = Callable[[frozenset[int]], "ControlChart"]


def register(app: typer.Typer) -> None:
    """Add the ``spc`` command group to ``app``."""
    spc = typer.Typer(help="Statistical process control charts.", no_args_is_help=True)
    spc.command("pchart")(pchart)
    spc.command("uchart")(uchart)
    spc.command("xmr")(xmr)
    app.add_typer(spc, name="spc")


def pchart(
    file: FileArg, baseline: BaselineOpt = None, phase1: ReviseOpt = False, fmt: FormatOpt = Format.table
) -> None:
    """p-chart of the fraction nonconforming (CSV columns: nonconforming,n)."""
    from valueloop.stats.spc import p_chart

    cols = read_columns(file, ("nonconforming", "n"))
    chart = _compute(file, lambda ex: p_chart(cols["nonconforming"], cols["n"], baseline, ex), phase1)
    _show(chart, fmt)


def uchart(
    file: FileArg, baseline: BaselineOpt = None, phase1: ReviseOpt = False, fmt: FormatOpt = Format.table
) -> None:
    """u-chart of defects per unit (CSV columns: defects,units)."""
    from valueloop.stats.spc import u_chart

    cols = read_columns(file, ("defects", "units"))
    chart = _compute(file, lambda ex: u_chart(cols["defects"], cols["units"], baseline, ex), phase1)
    _show(chart, fmt)


def xmr(file: FileArg, baseline: BaselineOpt = None, phase1: ReviseOpt = False, fmt: FormatOpt = Format.table) -> None:
    """Individuals and moving-range chart (CSV column: value)."""
    from valueloop.stats.spc import xmr_chart

    cols = read_columns(file, ("value",))
    chart = _compute(file, lambda ex: xmr_chart(cols["value"], baseline, ex), phase1)
    _show(chart, fmt)


def read_columns(path: Path, columns: Sequence[str]) -> dict[str, list[float]]:
    """The named numeric columns of a small table file, every bad cell reported."""
    from valueloop.ingest.user_table import read_user_table

    table = read_user_table(path)
    at = table.require(columns)
    data: dict[str, list[float]] = {c: [] for c in columns}
    problems: list[str] = []
    for row, record in enumerate(table.rows, start=1):
        for column in columns:
            cell = record.values[at[column]]
            value = _number(cell)
            if value is None:
                problems.append(_bad_cell(row, record.line, column, cell))
            else:
                data[column].append(value)
    _raise_problems(path, problems)
    return data


def _bad_cell(row: int, line: int, column: str, cell: str | None) -> str:
    what = "is empty" if cell is None or not cell.strip() else f"{cell!r} is not a number"
    return f"row {row} (line {line}), column '{column}': {what}"


def _number(cell: str | None) -> float | None:
    """A finite float, or None for blanks, text, NaN and infinities."""
    try:
        value = float(cell) if cell is not None else math.nan
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _raise_problems(path: Path, problems: list[str]) -> None:
    if problems:
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise InputError(f"{path}: " + "; ".join(problems[:10]) + more)


def _compute(path: Path, build: Builder, phase1: bool) -> ControlChart:
    """Run the chart, prefixing the file name to data errors found by the maths."""
    from valueloop.stats.spc import revise

    try:
        return revise(build) if phase1 else build(frozenset())
    except InputError as err:
        raise InputError(f"{path}: {err}") from err


def _show(chart: ControlChart, fmt: Format) -> None:
    from valueloop.diagnosis.service.spc import payload

    if fmt is Format.json:
        emit(payload(chart), fmt)
        return
    if chart.note:
        stderr.print(f"note: {chart.note}")
    title = f"{chart.chart} chart, centre {chart.center:.4g}, limits from rows 1-{chart.baseline}"
    emit(chart_rows(chart), fmt, title=title, columns=_columns(chart))


def chart_rows(chart: ControlChart) -> list[dict[str, Any]]:
    """One flat record per row for the table and CSV formats."""
    rules: dict[int, list[str]] = {}
    for s in chart.signals:
        rules.setdefault(s.row, []).append(s.rule)
    rows = [
        {"row": i + 1, "value": float(v), "lcl": float(lo), "center": chart.center,
         "ucl": float(hi), "signals": " ".join(rules.get(i, []))}
        for i, (v, lo, hi) in enumerate(zip(chart.values, chart.lcl, chart.ucl, strict=True))
    ]  # fmt: skip
    if chart.dispersion is not None:
        _add_dispersion(rows, chart.dispersion)
    return rows


def _add_dispersion(rows: list[dict[str, Any]], chart: DispersionChart) -> None:
    flagged = {s.row for s in chart.signals}
    for offset, value in enumerate(chart.values):
        row = offset + chart.first_row
        rows[row]["range"] = float(value)
        rows[row]["range_signal"] = "WE1" if row in flagged else ""


def _columns(chart: ControlChart) -> list[str]:
    base = ["row", "value", "lcl", "center", "ucl", "signals"]
    return [*base, "range", "range_signal"] if chart.dispersion is not None else base
