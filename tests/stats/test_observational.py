"""Difference-in-differences and interrupted time series against statsmodels and identities."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.formula.api as smf
from pandas import DataFrame

from valueloop.stats.did import diff_in_diff
from valueloop.stats.its import default_maxlags, segmented_regression

rng = np.random.default_rng(6)


def did_frame(effect: float, units: int = 40, periods: int = 6) -> DataFrame:
    unit = np.repeat(np.arange(units), periods)
    period = np.tile(np.arange(periods), units)
    treated = (unit < units // 2).astype(float)
    post = (period >= periods // 2).astype(float)
    level = rng.normal(50, 5, units)[unit]
    y = level + 0.5 * period + 2 * treated + effect * treated * post + rng.normal(0, 1, unit.size)
    return DataFrame({"unit": unit, "treated": treated, "post": post, "y": y})


def test_did_balanced_panel_equals_the_difference_of_cell_means() -> None:
    df = did_frame(3.0)
    result = diff_in_diff(df.unit, df.treated, df.post, df.y)
    m = result.cell_means
    expected = (m["treated_post"] - m["treated_pre"]) - (m["comparison_post"] - m["comparison_pre"])
    assert result.estimate == pytest.approx(expected, rel=1e-10)
    assert result.ci is not None and result.ci[0] < 3.0 < result.ci[1]


def test_did_matches_statsmodels_formula_with_cluster_errors() -> None:
    df = did_frame(1.0)
    ref = smf.ols("y ~ treated * post", df).fit(cov_type="cluster", cov_kwds={"groups": df.unit}, use_t=True)
    result = diff_in_diff(df.unit, df.treated, df.post, df.y, alpha=0.1)
    assert result.se == pytest.approx(ref.bse["treated:post"], rel=1e-10)
    assert result.p_value == pytest.approx(ref.pvalues["treated:post"], rel=1e-10)
    assert result.ci == pytest.approx(tuple(ref.conf_int(0.1).loc["treated:post"]), rel=1e-10)
    assert result.n_units == 40 and any("parallel trends" in a for a in result.assumptions)


def test_did_missing_cell_says_which() -> None:
    result = diff_in_diff(["a", "b"], [1, 0], [0, 0], [1.0, 2.0])
    assert result.estimate is None and result.reason is not None and "treated_post" in result.reason


def its_series(level: float, slope: float, n: int = 60, start: int = 30) -> tuple[np.ndarray, np.ndarray]:
    t = np.arange(n, dtype=float)
    noise = np.convolve(rng.normal(0, 1, n + 2), [0.5, 0.3, 0.2], "valid")  # autocorrelated
    return t, 10 + 0.2 * t + level * (t >= start) + slope * (t - start) * (t >= start) + noise


def test_its_matches_statsmodels_hac() -> None:
    t, y = its_series(5.0, -0.3)
    df = DataFrame({"y": y, "t": t, "post": (t >= 30).astype(float)})
    df["since"] = (df.t - 30) * df.post
    ref = smf.ols("y ~ t + post + since", df).fit(cov_type="HAC", cov_kwds={"maxlags": default_maxlags(60)}, use_t=True)
    result = segmented_regression(t, y, 30)
    assert result.level_change is not None and result.slope_change is not None
    assert result.level_change.estimate == pytest.approx(ref.params["post"], rel=1e-10)
    assert result.level_change.se == pytest.approx(ref.bse["post"], rel=1e-10)
    assert result.slope_change.p_value == pytest.approx(ref.pvalues["since"], rel=1e-9)
    assert result.level_change.ci[0] < 5.0 < result.level_change.ci[1]


def test_its_too_short_says_so() -> None:
    result = segmented_regression([1, 2, 3, 4], [1.0, 2.0, 3.0, 4.0], 3)
    assert result.level_change is None and "at least 3 periods" in (result.reason or "")
    assert default_maxlags(100) == 4
