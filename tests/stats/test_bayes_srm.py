"""Probability to beat control (exact, Monte Carlo, numerical integration) and SRM."""

from __future__ import annotations

import pytest
from scipy import integrate, stats

from valueloop.stats.bayes import prob_beta_exact, prob_beta_mc, prob_normal, prob_rate_better
from valueloop.stats.srm import srm_p_value


def integrated(a_c: int, b_c: int, a_t: int, b_t: int) -> float:
    """P(p_t > p_c) = ∫ f_t(x)·F_c(x) dx, by quadrature."""
    value, _ = integrate.quad(lambda x: stats.beta.pdf(x, a_t, b_t) * stats.beta.cdf(x, a_c, b_c), 0, 1, limit=200)
    return float(value)


@pytest.mark.parametrize("params", [(21, 181, 36, 166), (3, 5, 4, 2), (1, 1, 1, 1)])
def test_exact_matches_quadrature(params: tuple[int, int, int, int]) -> None:
    assert prob_beta_exact(*params) == pytest.approx(integrated(*params), abs=1e-8)


def test_monte_carlo_is_seeded_and_close() -> None:
    first = prob_beta_mc(21, 181, 36, 166, seed=7)
    assert first == prob_beta_mc(21, 181, 36, 166, seed=7)
    assert first == pytest.approx(prob_beta_exact(21, 181, 36, 166), abs=5e-3)


def test_rate_better_uses_a_uniform_prior() -> None:
    assert prob_rate_better(20, 200, 35, 200) == pytest.approx(prob_beta_exact(21, 181, 36, 166))
    assert prob_normal(1.0, 1.0) == pytest.approx(stats.norm.cdf(1.0))
    assert prob_normal(1.0, 0.0) is None


def test_srm_matches_scipy_chisquare() -> None:
    assert srm_p_value([5100, 4900]) == pytest.approx(stats.chisquare([5100, 4900]).pvalue, rel=1e-12)
    ref = stats.chisquare([300, 700], [250, 750]).pvalue
    assert srm_p_value([300, 700], [0.25, 0.75]) == pytest.approx(ref, rel=1e-12)
    assert srm_p_value([0, 0]) is None
    with pytest.raises(ValueError, match="summing to 1"):
        srm_p_value([1, 2], [0.5, 0.6])
