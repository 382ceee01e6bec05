"""CUPED (Deng et al. 2013), ratio metrics (delta method), Mann–Whitney and bootstrap."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from valueloop.stats.bootstrap import bootstrap_diff_ci
from valueloop.stats.cuped import adjusted, cuped, pooled_theta
from valueloop.stats.moments import CrossMoments, Moments
from valueloop.stats.ordinal import mann_whitney
from valueloop.stats.ratio import ratio_summary, ratio_test
from valueloop.stats.twosample import welch_ttest

rng = np.random.default_rng(2013)


def panel(n: int, effect: float) -> tuple[np.ndarray, np.ndarray]:
    x = rng.gamma(2.0, 5.0, n)
    return x, 3 + 0.8 * x + rng.normal(0, 2, n) + effect


def test_cuped_variance_is_reduced_by_rho_squared() -> None:
    # Deng, Xu, Kohavi, Walker (WSDM 2013), section 3.2: with θ = cov(Y, X)/var(X),
    # Var(Ŷ_cv) = Var(Ȳ)(1 − ρ²). In-sample the identity is exact for the sample moments.
    x, y = panel(2000, 0.0)
    group = CrossMoments.of(x, y)
    theta = group.cov / group.x.var
    rho = np.corrcoef(x, y)[0, 1]
    assert adjusted(group, theta, group.x.mean).var == pytest.approx(group.y.var * (1 - rho**2), rel=1e-9)


def test_cuped_equals_welch_on_the_adjusted_rows() -> None:
    (xc, yc), (xt, yt) = panel(800, 0.0), panel(700, 0.5)
    c, t = CrossMoments.of(xc, yc), CrossMoments.of(xt, yt)
    result = cuped(c, t)
    theta = np.cov(np.r_[xc, xt], np.r_[yc, yt])[0, 1] / np.var(np.r_[xc, xt], ddof=1)
    x_bar = np.r_[xc, xt].mean()
    ref = stats.ttest_ind(yt - theta * (xt - x_bar), yc - theta * (xc - x_bar), equal_var=False)
    assert result.theta == pytest.approx(theta, rel=1e-9)
    assert result.comparison.p_value == pytest.approx(ref.pvalue, rel=1e-7)
    assert result.comparison.statistic == pytest.approx(ref.statistic, rel=1e-9)
    plain = welch_ttest(c.y.summary(), t.y.summary())
    assert result.comparison.se is not None and plain.se is not None and result.comparison.se < plain.se / 2


def test_cuped_without_covariate_variation_says_so() -> None:
    c, t = CrossMoments.of([1, 1, 1], [1, 2, 3]), CrossMoments.of([1, 1], [2, 5])
    assert pooled_theta(c, t) is None
    result = cuped(c, t)
    assert result.comparison.p_value is None and "does not vary" in (result.comparison.reason or "")


def test_ratio_delta_method_matches_the_linearised_metric() -> None:
    # The delta-method variance equals the variance of the linearisation
    # (y − R·x)/x̄ divided by n, which we compute from the rows.
    x = rng.poisson(4, 3000) + 1.0
    y = rng.binomial(x.astype(int), 0.3).astype(float)
    r, var = ratio_summary(CrossMoments.of(x, y))
    linear = (y - r * x) / x.mean()
    assert r == pytest.approx(y.sum() / x.sum())
    assert var == pytest.approx(linear.var(ddof=1) / x.size, rel=1e-9)


def test_ratio_test_detects_a_real_difference_and_handles_zero_denominators() -> None:
    x = rng.poisson(4, 5000) + 1.0
    c = CrossMoments.of(x, rng.binomial(x.astype(int), 0.30).astype(float))
    t = CrossMoments.of(x, rng.binomial(x.astype(int), 0.33).astype(float))
    result = ratio_test(c, t)
    assert result.p_value is not None and result.p_value < 1e-6 and result.diff == pytest.approx(0.03, abs=0.01)
    zero = ratio_test(CrossMoments.of([0, 0], [0, 0]), t)
    assert zero.p_value is None and "denominators sum to zero" in (zero.reason or "")


def test_mann_whitney_matches_scipy_with_effect_sizes() -> None:
    c, t = rng.integers(1, 6, 120), rng.integers(2, 6, 100)
    result = mann_whitney(c, t)
    ref = stats.mannwhitneyu(t, c, alternative="two-sided")
    assert result.p_value == pytest.approx(ref.pvalue, rel=1e-12)
    superiority = np.mean([(ti > ci) + 0.5 * (ti == ci) for ti in t for ci in c])
    assert result.prob_superiority == pytest.approx(superiority, rel=1e-12)
    assert result.rank_biserial == pytest.approx(2 * superiority - 1, rel=1e-12)
    assert mann_whitney([3, 3], [3, 3, 3]).p_value is None
    assert mann_whitney([], [1, 2]).reason == "a group is empty"


def test_bootstrap_is_seeded_and_near_the_welch_interval() -> None:
    c, t = rng.normal(10, 2, 400), rng.normal(10.5, 2, 400)
    first = bootstrap_diff_ci(c, t, resamples=4000, seed=5)
    assert first == bootstrap_diff_ci(c, t, resamples=4000, seed=5)
    welch = welch_ttest(Moments.of(c).summary(), Moments.of(t).summary())
    assert first is not None and welch.ci is not None
    assert first == pytest.approx(welch.ci, abs=0.05)
    assert bootstrap_diff_ci([], [1.0]) is None
