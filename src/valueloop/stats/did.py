"""Difference-in-differences against comparable units, for actions not randomised.

Why: when an improvement is rolled out to some branches only, the before/after change
in those branches mixes the action with everything else that changed; subtracting the
change in comparable untreated branches removes what both share.

Variant: OLS on unit-period rows, ``y = β0 + β1·treated + β2·post + δ·treated·post``,
with standard errors clustered by unit (statsmodels ``cov_type="cluster"``, small-sample
corrected), because a unit's periods are not independent (Bertrand, Duflo and
Mullainathan 2004). With a balanced panel δ equals the difference of the four cell
means. The interval uses a t distribution with (clusters − 1) degrees of freedom.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import statsmodels.api as sm

from valueloop.stats.moments import FloatArray

ASSUMPTIONS = (
    "parallel trends: without the action, treated and comparison units would have changed alike",
    "no anticipation: the treated units did not react before the action started",
    "no spill-over: the action did not change the comparison units",
    "stable composition: the same kinds of units are observed before and after",
)


@dataclass(frozen=True)
class DidResult:
    """The DiD estimate δ with its cluster-robust interval, or why there is none."""

    estimate: float | None
    se: float | None
    ci: tuple[float, float] | None
    p_value: float | None
    cell_means: dict[str, float]
    n_obs: int
    n_units: int
    assumptions: tuple[str, ...] = ASSUMPTIONS
    reason: str | None = None


def _cell_means(y: FloatArray, treated: FloatArray, post: FloatArray) -> dict[str, float]:
    cells = {}
    for tr, tname in ((1.0, "treated"), (0.0, "comparison")):
        for po, pname in ((0.0, "pre"), (1.0, "post")):
            mask = (treated == tr) & (post == po)
            if mask.any():
                cells[f"{tname}_{pname}"] = float(y[mask].mean())
    return cells


def diff_in_diff(
    unit: npt.ArrayLike, treated: npt.ArrayLike, post: npt.ArrayLike, y: npt.ArrayLike, alpha: float = 0.05
) -> DidResult:
    """2×2 difference-in-differences from unit-period rows, clustered by unit."""
    ya, tr, po = (np.asarray(a, dtype=np.float64) for a in (y, treated, post))
    codes = np.unique(np.asarray(unit, dtype=str), return_inverse=True)[1]
    cells, n_units = _cell_means(ya, tr, po), int(codes.max()) + 1 if codes.size else 0
    if len(cells) < 4:
        missing = sorted({"treated_pre", "treated_post", "comparison_pre", "comparison_post"} - set(cells))
        return DidResult(None, None, None, None, cells, ya.size, n_units, reason=f"no rows for {', '.join(missing)}")
    design = np.column_stack([np.ones_like(ya), tr, po, tr * po])
    fit = sm.OLS(ya, design).fit(cov_type="cluster", cov_kwds={"groups": codes}, use_t=True)
    if n_units < 3 or not np.isfinite(fit.bse[3]) or fit.bse[3] == 0:
        return DidResult(float(fit.params[3]), None, None, None, cells, ya.size, n_units,
                         reason="too few units or no variation to estimate a cluster-robust error")  # fmt: skip
    lo, hi = fit.conf_int(alpha)[3]
    return DidResult(
        float(fit.params[3]), float(fit.bse[3]), (float(lo), float(hi)), float(fit.pvalues[3]), cells, ya.size, n_units
    )
