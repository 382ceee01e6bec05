"""CUPED: variance reduction with a pre-experiment covariate (Deng, Xu, Kohavi and
Walker, "Improving the Sensitivity of Online Controlled Experiments by Utilizing
Pre-Experiment Data", WSDM 2013, section 3.2).

Why: much of the spread of a service metric is who the customer already was; the
pre-period value ``x`` predicts it, and subtracting the prediction leaves the same
treatment effect with less noise. With ``θ = cov(y, x)/var(x)`` the variance of the
adjusted mean is ``var(ȳ)(1 − ρ²)``.

Variant: one θ estimated from the pooled sample of both groups, as the paper
recommends (the same θ in both arms keeps the difference unbiased), computed from the
pooled :class:`~valueloop.stats.moments.CrossMoments`. The adjusted outcome
``y − θ(x − x̄)`` is compared with Welch's t-test. The covariate must not be affected
by the treatment; that is the analyst's promise, not something the data can show.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from valueloop.stats.moments import CrossMoments, Summary
from valueloop.stats.twosample import Comparison, no_comparison, too_small, welch_ttest

METHOD = "welch_t_cuped"


@dataclass(frozen=True)
class Cuped:
    """The adjusted comparison, θ and the share of variance removed (pooled ρ²)."""

    comparison: Comparison
    theta: float | None
    variance_reduction: float | None


def pooled_theta(control: CrossMoments, treatment: CrossMoments) -> float | None:
    """θ = cov(y, x)/var(x) over both groups together; None when x does not vary."""
    pooled = control + treatment
    var_x = pooled.x.var
    if not var_x > 0:
        return None
    return pooled.cov / var_x


def adjusted(group: CrossMoments, theta: float, x_bar: float) -> Summary:
    """Mean and variance of ``y − θ(x − x̄)`` from the sums, without the rows."""
    mean = group.y.mean - theta * (group.x.mean - x_bar)
    var = group.y.var - 2 * theta * group.cov + theta**2 * group.x.var
    return Summary(group.n, mean, max(var, 0.0))


def cuped(control: CrossMoments, treatment: CrossMoments, alpha: float = 0.05) -> Cuped:
    """Welch's test on the CUPED-adjusted outcome, with θ from the pooled groups."""
    if (why := too_small(control.y.summary(), treatment.y.summary(), 2)) is not None:
        return Cuped(no_comparison(METHOD, why), None, None)
    theta = pooled_theta(control, treatment)
    if theta is None:
        why = "the pre-period covariate does not vary: nothing to adjust with"
        return Cuped(no_comparison(METHOD, why), None, None)
    pooled = control + treatment
    x_bar = pooled.x.mean
    comparison = welch_ttest(adjusted(control, theta, x_bar), adjusted(treatment, theta, x_bar), alpha, METHOD)
    rho2 = pooled.cov**2 / (pooled.x.var * pooled.y.var) if pooled.y.var > 0 else math.nan
    return Cuped(comparison, theta, rho2 if math.isfinite(rho2) else None)
