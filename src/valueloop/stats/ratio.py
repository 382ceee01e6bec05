"""Ratio metrics (Σ numerator / Σ denominator per group) by the delta method.

Why: many service metrics are ratios whose analysis unit is not the randomisation
unit — complaints per contact, resolved tickets per ticket when a customer raises
several. Treating each ticket as independent understates the variance; the delta
method keeps the customer as the unit.

Variant: for a group with per-unit numerator ``y`` and denominator ``x`` (means
``ȳ``, ``x̄``), ``R = ȳ/x̄`` and ``Var(R) ≈ (s²_y − 2R·s_xy + R²·s²_x)/(n·x̄²)``
(first-order Taylor expansion, as in Deng, Knoblich and Lu, KDD 2018, "Applying the
Delta Method in Metric Analytics"). The two groups are independent, so the difference
is tested with a normal z statistic and a normal interval.
"""

from __future__ import annotations

import math

from scipy import stats

from valueloop.stats.moments import CrossMoments, Summary
from valueloop.stats.twosample import Comparison, no_comparison, relative_lift, too_small

METHOD = "ratio_delta_z"


def ratio_summary(group: CrossMoments) -> tuple[float, float]:
    """``(R, Var(R))`` of one group; NaN when the denominators sum to zero."""
    x_bar = group.x.mean
    if not x_bar or group.n < 2:
        return math.nan, math.nan
    r = group.sum_y / group.sum_x
    var = (group.y.var - 2 * r * group.cov + r * r * group.x.var) / (group.n * x_bar * x_bar)
    return r, max(var, 0.0)


def ratio_test(control: CrossMoments, treatment: CrossMoments, alpha: float = 0.05) -> Comparison:
    """Difference of two ratio metrics with a delta-method z-test and interval."""
    if (why := too_small(control.y.summary(), treatment.y.summary(), 2)) is not None:
        return no_comparison(METHOD, why)
    (rc, vc), (rt, vt) = ratio_summary(control), ratio_summary(treatment)
    if math.isnan(rc) or math.isnan(rt):
        return no_comparison(METHOD, "a group's denominators sum to zero: the ratio is undefined")
    diff, se = rt - rc, math.sqrt(vc + vt)
    if se == 0:
        return no_comparison(METHOD, "zero variance: the ratio does not vary between units", diff)
    z = diff / se
    half = float(stats.norm.ppf(1 - alpha / 2)) * se
    lift = relative_lift(Summary(control.n, rc, vc), Summary(treatment.n, rt, vt), vc, vt, alpha)
    p_value = float(2 * stats.norm.sf(abs(z)))
    return Comparison(METHOD, diff, (diff - half, diff + half), p_value, z, None, se, lift)
