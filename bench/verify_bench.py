"""Verify an A/B test over 10M units from Parquet: DuckDB moments vs arrays + SciPy.

valueloop: one ``GROUP BY variant`` query returns n, Σy, Σy² per variant and Welch's
test runs on those sums (:func:`valueloop.verification.files.verify_ab_file`, no unit check
so both sides scan the same two columns). Baseline: load both columns into memory
(pyarrow), split by variant and call ``scipy.stats.ttest_ind(equal_var=False)`` on the
arrays. Same run, same file; the results must agree (p-value to 1e-6 relative, the
difference to 1e-9) and the ratio baseline / valueloop is printed.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

UNITS = 10_000_000


def make_parquet(path: Path, n: int, seed: int = 1) -> None:
    """n units, 50/50 split, a skewed metric (handling minutes) with a 0.3 % lift."""
    import duckdb

    duckdb.execute(f"SELECT setseed({seed / 10})")
    duckdb.execute(f"""COPY (SELECT 'u' || i AS unit, CASE WHEN random() < 0.5 THEN 'control' ELSE 'treatment' END
                       AS variant FROM range({n}) t(i)) TO '{path}.tmp.parquet' (FORMAT parquet)""")
    duckdb.execute(f"""COPY (SELECT unit, variant, -ln(random()) * 12.0 * (CASE WHEN variant = 'treatment'
                       THEN 1.003 ELSE 1 END) AS value FROM read_parquet('{path}.tmp.parquet'))
                       TO '{path}' (FORMAT parquet)""")
    Path(f"{path}.tmp.parquet").unlink()


def valueloop_run(path: Path) -> tuple[float, float, float]:
    from valueloop.verification.ab import Settings
    from valueloop.verification.files import verify_ab_file
    from valueloop.verification.sufficient import Columns

    start = time.perf_counter()
    (result,) = verify_ab_file(path, Columns("variant", "value"), Settings("mean"), "control").results
    seconds = time.perf_counter() - start
    assert result.comparison.p_value is not None
    assert result.comparison.diff is not None
    return seconds, result.comparison.p_value, result.comparison.diff


def scipy_run(path: Path) -> tuple[float, float, float]:
    import numpy as np
    import pyarrow.parquet as pq
    from scipy import stats

    start = time.perf_counter()
    table = pq.read_table(path, columns=["variant", "value"])
    variant = table.column("variant").to_numpy()
    value = table.column("value").to_numpy()
    control, treatment = value[variant == "control"], value[variant == "treatment"]
    ref = stats.ttest_ind(treatment, control, equal_var=False)
    seconds = time.perf_counter() - start
    return seconds, float(ref.pvalue), float(np.mean(treatment) - np.mean(control))


def run(units: int = UNITS, repeat: int = 3) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ab.parquet"
        make_parquet(path, units)
        size = path.stat().st_size / 1e6
        ours = min(valueloop_run(path) for _ in range(repeat))
        base = min(scipy_run(path) for _ in range(repeat))
    assert abs(ours[1] - base[1]) <= 1e-6 * base[1], (ours, base)
    assert abs(ours[2] - base[2]) <= 1e-9 * max(1.0, abs(base[2])), (ours, base)
    ratio = base[0] / ours[0]
    print(f"verify ab, {units:,} units from Parquet ({size:.0f} MB), best of {repeat}:")
    print(f"  valueloop: DuckDB moments + Welch on sums  {ours[0]:6.2f} s   p = {ours[1]:.12g}")
    print(f"  baseline: arrays in memory + scipy         {base[0]:6.2f} s   p = {base[1]:.12g}")
    print(f"  identical results (|Δp|/p = {abs(ours[1] - base[1]) / base[1]:.1e}); baseline / valueloop = {ratio:.2f}×")
    return {"ratio": ratio, "seconds": ours[0], "baseline_seconds": base[0]}


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=UNITS)
    run(ap.parse_args().units)
