"""Bayesian probability that the treatment beats the control.

Why: "a 97 % chance the new script is better" is how a service manager reads a test;
it complements, never replaces, the frequentist verdict.

Variants:

* rates — Beta–Binomial with a uniform Beta(1, 1) prior. :func:`prob_beta_exact` uses
  the closed form for integer posterior parameters (a sum of Beta functions; see
  E. Miller, "Formulas for Bayesian A/B Testing"); :func:`prob_beta_mc` draws from the
  two posteriors with a seeded generator, for any parameters.
* means — flat prior, normal likelihood: ``P = Φ(diff/se)`` (:func:`prob_normal`).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special, stats

#: Above this many terms the exact sum is slow; use Monte Carlo instead.
EXACT_TERMS = 1_000_000


def prob_beta_exact(a_c: int, b_c: int, a_t: int, b_t: int) -> float:
    """P(p_t > p_c) for independent Beta(a_c, b_c) and Beta(a_t, b_t), integer ``a_t``."""
    i = np.arange(a_t, dtype=np.float64)
    log_terms = (
        special.betaln(a_c + i, b_c + b_t) - np.log(b_t + i) - special.betaln(1 + i, b_t) - special.betaln(a_c, b_c)
    )
    return float(min(max(np.exp(special.logsumexp(log_terms)), 0.0), 1.0))


def prob_beta_mc(a_c: float, b_c: float, a_t: float, b_t: float, draws: int = 200_000, seed: int = 0) -> float:
    """Monte Carlo estimate of P(p_t > p_c), reproducible through ``seed``."""
    rng = np.random.default_rng(seed)
    return float(np.mean(rng.beta(a_t, b_t, draws) > rng.beta(a_c, b_c, draws)))


def prob_rate_better(successes_c: int, n_c: int, successes_t: int, n_t: int, seed: int = 0) -> float:
    """P(rate_t > rate_c) under Beta(1, 1) priors: exact when feasible, else Monte Carlo."""
    a_c, b_c, a_t, b_t = successes_c + 1, n_c - successes_c + 1, successes_t + 1, n_t - successes_t + 1
    if a_t <= EXACT_TERMS:
        return prob_beta_exact(a_c, b_c, a_t, b_t)
    return prob_beta_mc(a_c, b_c, a_t, b_t, seed=seed)


def prob_normal(diff: float, se: float) -> float | None:
    """P(true difference > 0) under a flat prior; None without a positive standard error."""
    if not (se > 0 and math.isfinite(diff)):
        return None
    return float(stats.norm.cdf(diff / se))
