"""Two-sample comparisons of a treatment with a control, from group summaries.

Two variants, both two-sided, both returning a :class:`Comparison` that carries the
difference ``treatment − control``, its confidence interval, the p-value and the
relative lift with a delta-method interval:

* :func:`proportion_ztest` — the two-proportion z-test. The *test* uses the pooled
  standard error ``√(p̄(1−p̄)(1/n_c + 1/n_t))``, because under H0 both groups share
  one rate (this is what statsmodels' ``proportions_ztest`` computes); the *interval*
  uses the unpooled Wald error ``√(p_c(1−p_c)/n_c + p_t(1−p_t)/n_t)``, because away
  from H0 the rates differ (statsmodels ``confint_proportions_2indep(method="wald")``).
  The two can disagree at the margin; the p-value decides the verdict.
* :func:`welch_ttest` — Welch's unequal-variance t-test with Welch–Satterthwaite
  degrees of freedom (``scipy.stats.ttest_ind(equal_var=False)``).

Degenerate data (an empty group, fewer than two units, no variation at all) gives a
comparison whose ``reason`` says why and whose p-value and interval are ``None``:
a made-up p-value would be worse than none.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

from valueloop.stats.moments import Summary

Interval = tuple[float, float]


@dataclass(frozen=True)
class Lift:
    """Relative lift ``mean_t / mean_c − 1`` with its delta-method interval."""

    value: float | None
    ci: Interval | None


@dataclass(frozen=True)
class Comparison:
    """Treatment minus control: estimate, interval and test, or why there is none."""

    method: str
    diff: float | None
    ci: Interval | None
    p_value: float | None
    statistic: float | None = None
    df: float | None = None
    se: float | None = None
    lift: Lift = Lift(None, None)
    reason: str | None = None


def no_comparison(method: str, reason: str, diff: float | None = None) -> Comparison:
    """A comparison that could not be made, saying why."""
    return Comparison(method, diff if diff is not None and math.isfinite(diff) else None, None, None, reason=reason)


def too_small(control: Summary, treatment: Summary, minimum: int) -> str | None:
    """Why the groups are too small for a test, or None."""
    for name, group in (("control", control), ("treatment", treatment)):
        if group.n < minimum:
            return f"the {name} group has {group.n} unit(s); at least {minimum} are needed"
    return None


def relative_lift(control: Summary, treatment: Summary, var_mc: float, var_mt: float, alpha: float) -> Lift:
    """Lift ``m_t/m_c − 1`` and a normal interval from the delta method.

    ``Var(m_t/m_c) ≈ Var(m_t)/m_c² + m_t²·Var(m_c)/m_c⁴`` for independent groups;
    ``var_mc``/``var_mt`` are the variances of the two *means*. No lift when m_c = 0.
    """
    mc, mt = control.mean, treatment.mean
    if not (math.isfinite(mc) and math.isfinite(mt)) or mc == 0:
        return Lift(None, None)
    lift = mt / mc - 1.0
    se = math.sqrt(var_mt / mc**2 + mt**2 * var_mc / mc**4)
    if not math.isfinite(se):
        return Lift(lift, None)
    z = float(stats.norm.ppf(1 - alpha / 2))
    return Lift(lift, (lift - z * se, lift + z * se))


def proportion_ztest(control: Summary, treatment: Summary, alpha: float = 0.05) -> Comparison:
    """Two-proportion z-test (pooled SE) with an unpooled Wald interval; means are rates."""
    method = "two_proportion_z"
    if (why := too_small(control, treatment, 1)) is not None:
        return no_comparison(method, why)
    pc, pt, nc, nt = control.mean, treatment.mean, control.n, treatment.n
    diff = pt - pc
    pooled = (pc * nc + pt * nt) / (nc + nt)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / nc + 1 / nt))
    if se0 == 0:
        return no_comparison(method, f"no variation: every unit in both groups has the outcome {pooled:g}", diff)
    z = diff / se0
    var_c, var_t = pc * (1 - pc) / nc, pt * (1 - pt) / nt
    half = float(stats.norm.ppf(1 - alpha / 2)) * math.sqrt(var_c + var_t)
    p_value = float(2 * stats.norm.sf(abs(z)))
    lift = relative_lift(control, treatment, var_c, var_t, alpha)
    return Comparison(method, diff, (diff - half, diff + half), p_value, z, None, math.sqrt(var_c + var_t), lift)


def welch_ttest(control: Summary, treatment: Summary, alpha: float = 0.05, method: str = "welch_t") -> Comparison:
    """Welch's t-test and t interval for ``mean_t − mean_c`` (unequal variances)."""
    if (why := too_small(control, treatment, 2)) is not None:
        return no_comparison(method, why)
    diff = treatment.mean - control.mean
    vc, vt = control.var / control.n, treatment.var / treatment.n
    se = math.sqrt(vc + vt)
    if se == 0:
        return no_comparison(method, "zero variance: every unit within each group has the same value", diff)
    df = (vc + vt) ** 2 / (vc**2 / (control.n - 1) + vt**2 / (treatment.n - 1))
    t = diff / se
    half = float(stats.t.ppf(1 - alpha / 2, df)) * se
    p_value = float(2 * stats.t.sf(abs(t), df))
    lift = relative_lift(control, treatment, vc, vt, alpha)
    return Comparison(method, diff, (diff - half, diff + half), p_value, t, df, se, lift)
