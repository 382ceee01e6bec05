"""Power, sample size and minimum detectable effect for a two-arm test.

Why: an improvement action should be sized before it runs — too few units and a real
improvement ends "inconclusive"; the MDE tells the team what the test can see at all.

Variant: the normal approximation on a standardised effect, two-sided, counting both
rejection tails, exactly as statsmodels ``NormalIndPower``: with
``n = 1/(1/n_c + 1/n_t)`` and ``c = z_{1−α/2}``, power = ``Φ(d√n − c) + Φ(−d√n − c)``.
For proportions ``d`` is Cohen's arcsine effect size ``h = 2·asin√p_t − 2·asin√p_c``
(statsmodels ``proportion_effectsize``), which stabilises the variance across rates;
for means ``d = mde/σ``. Sizes are solved numerically (Brent's method), then rounded up.
"""

from __future__ import annotations

import math

from scipy import optimize, stats

_BRACKET = (1e-9, 1e12)


def cohen_h(baseline: float, target: float) -> float:
    """Arcsine effect size between two rates (positive when ``target > baseline``)."""
    return 2 * math.asin(math.sqrt(target)) - 2 * math.asin(math.sqrt(baseline))


def rate_for_h(baseline: float, h: float) -> float:
    """The target rate at effect size ``h`` from ``baseline`` (the inverse of :func:`cohen_h`)."""
    angle = math.asin(math.sqrt(baseline)) + h / 2
    return math.sin(min(angle, math.pi / 2)) ** 2


def power(effect: float, n_control: float, alpha: float = 0.05, ratio: float = 1.0) -> float:
    """Probability of a two-sided rejection at standardised ``effect``; ``n_t = ratio·n_c``."""
    n = 1 / (1 / n_control + 1 / (ratio * n_control))
    crit = float(stats.norm.isf(alpha / 2))
    shift = abs(effect) * math.sqrt(n)
    return float(stats.norm.sf(crit - shift) + stats.norm.cdf(-crit - shift))


def sample_size(effect: float, target_power: float = 0.8, alpha: float = 0.05, ratio: float = 1.0) -> float:
    """Control-group size (unrounded) at which :func:`power` reaches ``target_power``."""
    if effect == 0:
        raise ValueError("a zero effect cannot be detected at any sample size")
    return float(optimize.brentq(lambda n: power(effect, n, alpha, ratio) - target_power, *_BRACKET, xtol=1e-12))


def min_detectable_effect(
    n_control: float, target_power: float = 0.8, alpha: float = 0.05, ratio: float = 1.0
) -> float:
    """Smallest standardised effect detected with ``target_power`` at ``n_control`` units."""
    return float(optimize.brentq(lambda d: power(d, n_control, alpha, ratio) - target_power, 1e-12, 100, xtol=1e-14))
