"""DuckDB sufficient statistics == numpy moments; every data problem is an InputError."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import numpy as np
import pytest

from valueloop.errors import InputError
from valueloop.stats.moments import CrossMoments
from valueloop.verification.sufficient import Columns, group_moments


def write_csv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def data() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(9)
    return {v: (rng.normal(5, 1, n), rng.normal(7, 2, n)) for v, n in (("control", 300), ("treatment", 280))}


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_sql_moments_equal_numpy_moments(
    tmp_path: Path, data: dict[str, tuple[np.ndarray, np.ndarray]], suffix: str
) -> None:
    rows = [
        f"{v}{i},{v},{float(x)!r},{float(y)!r}"
        for v, (xs, ys) in data.items()
        for i, (x, y) in enumerate(zip(xs, ys, strict=True))
    ]
    path = write_csv(tmp_path / "d.csv", "unit,variant,pre,value", rows)
    if suffix == ".parquet":
        duckdb.execute(f"COPY (SELECT * FROM read_csv('{path}')) TO '{tmp_path / 'd.parquet'}' (FORMAT parquet)")
        path = tmp_path / "d.parquet"
    got = group_moments(path, Columns("variant", "value", "unit", "pre"))
    for v, (x, y) in data.items():
        ref = CrossMoments.of(x, y)
        assert got[v].n == ref.n
        for field in ("sum_x", "sum_y", "sum_x2", "sum_y2", "sum_xy"):
            assert math.isclose(getattr(got[v], field), getattr(ref, field), rel_tol=1e-12)


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", "unit,variant,value", ["u1,a,1", "u1,a,0", "u2,b,x", "u3,b,2", "u4,,1"])
    with pytest.raises(InputError) as err:
        group_moments(path, Columns("variant", "value", "unit"), binary=True)
    text = str(err.value)
    assert "non-numeric" in text and "other than 0 or 1" in text and "distinct unit" in text and "no variant" in text


def test_unit_in_two_variants_and_missing_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", "unit,variant,value", ["u1,a,1", "u1,b,0"])
    with pytest.raises(InputError, match="more than one variant"):
        group_moments(path, Columns("variant", "value", "unit"))
    with pytest.raises(InputError, match=r"missing column\(s\) arm \(found: unit, variant, value\)"):
        group_moments(path, Columns("arm", "value"))
    with pytest.raises(InputError, match="no such file"):
        group_moments(tmp_path / "nope.csv", Columns("variant", "value"))
