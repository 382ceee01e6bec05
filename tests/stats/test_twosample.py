"""Two-sample tests against SciPy / statsmodels and published worked examples."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from valueloop.stats.moments import Moments, Summary
from valueloop.stats.twosample import proportion_ztest, welch_ttest


def rates(successes: int, n: int) -> Summary:
    return Moments.of([1.0] * successes + [0.0] * (n - successes)).summary()


@pytest.mark.parametrize(("xc", "nc", "xt", "nt"), [(20, 200, 35, 200), (118, 3303, 80, 3303), (5, 40, 1, 90)])
def test_ztest_matches_statsmodels(xc: int, nc: int, xt: int, nt: int) -> None:
    result = proportion_ztest(rates(xc, nc), rates(xt, nt))
    z, p = proportions_ztest([xt, xc], [nt, nc])
    lo, hi = confint_proportions_2indep(xt, nt, xc, nc, method="wald", compare="diff")
    assert result.statistic == pytest.approx(z, rel=1e-9)
    assert result.p_value == pytest.approx(p, rel=1e-9)
    assert result.ci == pytest.approx((lo, hi), rel=1e-9)


def test_ztest_published_example_usablestats() -> None:
    # usablestats.com/askstats/question/866: 118 of 3303 vs 80 of 3303 with breast cancer;
    # pooled p = .02997, SE = .004196, z = 2.74195, two-sided p = .00611.
    result = proportion_ztest(rates(80, 3303), rates(118, 3303))
    assert result.statistic == pytest.approx(2.74195, abs=5e-4)
    assert result.p_value == pytest.approx(0.00611, abs=5e-5)


def test_welch_matches_scipy_including_the_interval() -> None:
    rng = np.random.default_rng(11)
    c, t = rng.normal(10, 2, 40), rng.normal(11, 5, 25)
    result = welch_ttest(Moments.of(c).summary(), Moments.of(t).summary(), alpha=0.1)
    ref = stats.ttest_ind(t, c, equal_var=False)
    ci = ref.confidence_interval(0.9)
    assert result.statistic == pytest.approx(ref.statistic, rel=1e-9)
    assert result.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert result.df == pytest.approx(ref.df, rel=1e-9)
    assert result.ci == pytest.approx((ci.low, ci.high), rel=1e-9)


def test_welch_published_example_wyzant() -> None:
    # wyzant.com/resources/answers/838275: normal (n 16, mean 3.75625, s 2.01659) vs ulcer
    # (n 10, mean 18.9700, s 8.06488) subjects: SE 2.59969, t 5.85214, df 9.708, 99 % CI
    # [6.9192, 23.5083].
    normal, ulcer = Summary(16, 3.75625, 2.01659**2), Summary(10, 18.97, 8.06488**2)
    result = welch_ttest(normal, ulcer, alpha=0.01)
    assert result.statistic == pytest.approx(5.85214, abs=1e-4)
    assert result.df == pytest.approx(9.708, abs=1e-3)
    assert result.ci == pytest.approx((6.9192, 23.5083), abs=2e-3)


def test_lift_interval_is_the_delta_method() -> None:
    c, t = Summary(1000, 10.0, 4.0), Summary(1000, 11.0, 9.0)
    lift = welch_ttest(c, t).lift
    se = np.sqrt(9.0 / 1000 / 100 + 121 * 4.0 / 1000 / 10**4)
    assert lift.value == pytest.approx(0.1)
    assert lift.ci == pytest.approx((0.1 - stats.norm.ppf(0.975) * se, 0.1 + stats.norm.ppf(0.975) * se))


@pytest.mark.parametrize(
    ("control", "treatment", "why"),
    [
        (Summary(0, float("nan"), float("nan")), Summary(10, 1.0, 1.0), "control group has 0"),
        (Summary(1, 2.0, float("nan")), Summary(10, 1.0, 1.0), "at least 2"),
        (Summary(5, 2.0, 0.0), Summary(5, 3.0, 0.0), "zero variance"),
    ],
)
def test_welch_degenerate_data_says_why(control: Summary, treatment: Summary, why: str) -> None:
    result = welch_ttest(control, treatment)
    assert result.p_value is None and result.ci is None
    assert result.reason is not None and why in result.reason


def test_ztest_without_variation_has_no_p_value() -> None:
    result = proportion_ztest(rates(0, 50), rates(0, 60))
    assert result.p_value is None and result.reason is not None and "no variation" in result.reason
    assert result.diff == 0.0
