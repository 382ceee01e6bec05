"""Power, sample size and MDE against statsmodels NormalIndPower / zt_ind_solve_power."""

from __future__ import annotations

import math

import pytest
from scipy import stats
from statsmodels.stats.power import NormalIndPower, zt_ind_solve_power
from statsmodels.stats.proportion import proportion_effectsize

from valueloop.stats import power as pw


@pytest.mark.parametrize(
    ("es", "n", "alpha", "ratio"), [(0.2, 100, 0.05, 1.0), (0.05, 3000, 0.01, 2.0), (-0.3, 40, 0.1, 0.5)]
)
def test_power_matches_statsmodels(es: float, n: int, alpha: float, ratio: float) -> None:
    ref = NormalIndPower().power(es, n, alpha, ratio=ratio, alternative="two-sided")
    assert pw.power(es, n, alpha, ratio) == pytest.approx(ref, rel=1e-12)


def test_cohen_h_matches_statsmodels_proportion_effectsize() -> None:
    assert pw.cohen_h(0.1, 0.12) == pytest.approx(proportion_effectsize(0.12, 0.1), rel=1e-12)
    assert pw.rate_for_h(0.1, pw.cohen_h(0.1, 0.12)) == pytest.approx(0.12, rel=1e-12)


@pytest.mark.parametrize(("es", "target", "ratio"), [(pw.cohen_h(0.1, 0.12), 0.8, 1.0), (0.1, 0.9, 2.0)])
def test_sample_size_matches_zt_ind_solve_power(es: float, target: float, ratio: float) -> None:
    ref = zt_ind_solve_power(effect_size=es, alpha=0.05, power=target, ratio=ratio)
    assert pw.sample_size(es, target, 0.05, ratio) == pytest.approx(ref, rel=1e-6)


def test_sample_size_is_close_to_the_textbook_closed_form() -> None:
    # n = 2((z_{1-α/2} + z_{1-β})/d)² per group, ignoring the far tail.
    d = 0.25
    closed = 2 * ((stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) / d) ** 2
    assert pw.sample_size(d) == pytest.approx(closed, rel=1e-4)
    assert math.ceil(pw.sample_size(pw.cohen_h(0.1, 0.12))) == 3835


def test_mde_inverts_sample_size() -> None:
    n = pw.sample_size(0.1, 0.8)
    assert pw.min_detectable_effect(n, 0.8) == pytest.approx(0.1, rel=1e-9)
    mde = pw.min_detectable_effect(1000, 0.8)
    assert pw.power(mde, 1000) == pytest.approx(0.8, abs=1e-12)
    # statsmodels stops its root search earlier (about 2e-6 relative here).
    assert mde == pytest.approx(zt_ind_solve_power(nobs1=1000, alpha=0.05, power=0.8), rel=1e-5)


def test_zero_effect_is_refused() -> None:
    with pytest.raises(ValueError, match="zero effect"):
        pw.sample_size(0.0)
