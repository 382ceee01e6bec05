"""Sufficient statistics per variant in one DuckDB query (``GROUP BY variant``).

Why: a 10-million-unit test is a few sums per variant; the engine computes them next
to the data and :mod:`valueloop.stats` does the inference on the sums (STYLE §5).
Checks travel in the same scan: cells that are empty or not numbers, non-binary
values for a proportion, and units listed more than once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from valueloop.errors import InputError
from valueloop.stats.moments import CrossMoments
from valueloop.store.sql import ident
from valueloop.verification.source import connect, query, relation_sql, require_columns


@dataclass(frozen=True)
class Columns:
    """Which columns hold what; ``covariate`` is the CUPED pre-period or a ratio's denominator."""

    variant: str
    value: str
    unit: str | None = None
    covariate: str | None = None


def moments_sql(path: Path, cols: Columns) -> str:
    """The one aggregate query: per variant n, Σy, Σy², Σx, Σx², Σxy and the checks."""
    y = f"TRY_CAST({ident(cols.value)} AS DOUBLE)"
    x = f"TRY_CAST({ident(cols.covariate)} AS DOUBLE)" if cols.covariate else "0.0"
    unit = f", {ident(cols.unit)} AS unit" if cols.unit else ""
    units = "count(DISTINCT unit)" if cols.unit else "count(*)"
    return f"""
        SELECT variant, count(*) AS n, sum(x) AS sx, sum(y) AS sy, sum(x * x) AS sxx, sum(y * y) AS syy,
               sum(x * y) AS sxy, count(*) FILTER (WHERE y IS NULL OR x IS NULL) AS bad,
               count(*) FILTER (WHERE y NOT IN (0, 1)) AS non_binary, {units} AS units
        FROM (SELECT CAST({ident(cols.variant)} AS VARCHAR) AS variant, {y} AS y, {x} AS x{unit}
              FROM {relation_sql(path)})
        GROUP BY variant ORDER BY variant"""


def _check(path: Path, rows: list[tuple[object, ...]], cols: Columns, binary: bool) -> None:
    problems: list[str] = []
    for variant, n, *_, bad, non_binary, units in rows:
        if variant is None:
            problems.append(f"{n} row(s) have no {cols.variant}")
        if bad:
            problems.append(f"variant {variant}: {bad} empty or non-numeric cell(s) in {cols.value}"
                            + (f" or {cols.covariate}" if cols.covariate else ""))  # fmt: skip
        if binary and non_binary:
            problems.append(f"variant {variant}: {non_binary} value(s) other than 0 or 1 (proportion metric)")
        if units != n:
            problems.append(f"variant {variant}: {n} rows but {units} distinct {cols.unit} (one row per unit expected)")
    if problems:
        raise InputError(f"{path}: " + "; ".join(problems))


def _shared_units(path: Path, cols: Columns) -> str:
    unit, variant = ident(cols.unit or ""), ident(cols.variant)
    return f"""SELECT count(*) FROM (SELECT {unit} FROM {relation_sql(path)} GROUP BY {unit}
               HAVING count(DISTINCT {variant}) > 1)"""


def group_moments(path: Path, cols: Columns, binary: bool = False) -> dict[str, CrossMoments]:
    """Per-variant :class:`CrossMoments` (x = 0 without a covariate), checked, in name order."""
    con = connect(path)
    require_columns(con, path, [c for c in (cols.variant, cols.value, cols.unit, cols.covariate) if c])
    rows = query(con, path, moments_sql(path, cols))
    _check(path, rows, cols, binary)
    if cols.unit and (shared := query(con, path, _shared_units(path, cols))[0][0]):
        raise InputError(f"{path}: {shared} {cols.unit}(s) appear in more than one {cols.variant}")
    return {
        str(v): CrossMoments(int(n), float(sx or 0), float(sy or 0), float(sxx or 0), float(syy or 0), float(sxy or 0))
        for v, n, sx, sy, sxx, syy, sxy, *_ in rows
    }
