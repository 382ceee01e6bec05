"""Interrupted time series: segmented regression of one series around an intervention.

Why: when an action changes a whole service at once there is no comparison group; the
pre-intervention trend, projected forward, is the counterfactual.

Variant: OLS ``y_t = β0 + β1·t + β2·post_t + β3·(t − t0)·post_t`` (Wagner et al. 2002,
"Segmented regression analysis of interrupted time series studies in medication use
research"), where β2 is the immediate level change and β3 the change in slope, with
Newey–West HAC standard errors (statsmodels ``cov_type="HAC"``) because neighbouring
periods are autocorrelated. Default lag: the common rule of thumb ``⌊4·(n/100)^(2/9)⌋``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import statsmodels.api as sm

ASSUMPTIONS = (
    "the pre-intervention trend is linear and would have continued unchanged",
    "nothing else changed at the intervention time (no co-intervention)",
    "the series measures the same thing, the same way, before and after",
    "autocorrelation is handled by Newey–West errors, seasonality is not modelled",
)


@dataclass(frozen=True)
class Effect:
    """One coefficient with its HAC interval."""

    estimate: float
    se: float
    ci: tuple[float, float]
    p_value: float


@dataclass(frozen=True)
class ItsResult:
    """Level and slope change at the intervention, or why they cannot be estimated."""

    level_change: Effect | None
    slope_change: Effect | None
    pre_slope: float | None
    n_pre: int
    n_post: int
    maxlags: int
    assumptions: tuple[str, ...] = ASSUMPTIONS
    reason: str | None = None


def default_maxlags(n: int) -> int:
    """Newey–West's rule of thumb for the HAC bandwidth."""
    return int(4 * (n / 100) ** (2 / 9))  # positive, so truncation is the floor


def _effect(fit: sm.regression.linear_model.RegressionResults, i: int, alpha: float) -> Effect:
    lo, hi = fit.conf_int(alpha)[i]
    return Effect(float(fit.params[i]), float(fit.bse[i]), (float(lo), float(hi)), float(fit.pvalues[i]))


def segmented_regression(
    time: npt.ArrayLike, y: npt.ArrayLike, intervention: float, alpha: float = 0.05, maxlags: int | None = None
) -> ItsResult:
    """Level and slope change at ``intervention`` (rows with ``time >= intervention`` are post)."""
    t, ya = np.asarray(time, dtype=np.float64), np.asarray(y, dtype=np.float64)
    post = (t >= intervention).astype(np.float64)
    n_post = int(post.sum())
    n_pre = t.size - n_post
    lags = default_maxlags(t.size) if maxlags is None else maxlags
    if n_pre < 3 or n_post < 3:
        return ItsResult(None, None, None, n_pre, n_post, lags,
                         reason=f"need at least 3 periods before and after (have {n_pre} and {n_post})")  # fmt: skip
    design = np.column_stack([np.ones_like(t), t, post, (t - intervention) * post])
    fit = sm.OLS(ya, design).fit(cov_type="HAC", cov_kwds={"maxlags": lags}, use_t=True)
    if not np.all(np.isfinite(fit.bse)):
        return ItsResult(None, None, None, n_pre, n_post, lags, reason="the regression is singular")
    return ItsResult(_effect(fit, 2, alpha), _effect(fit, 3, alpha), float(fit.params[1]), n_pre, n_post, lags)
