"""JSON-ready documents for verification results (the CLI and the API print these).

``verify ab`` shape: ``{"metric_type", "control": {"name", "n", "mean", "var"},
"treatment": {...}, "diff", "lift", "ci": [lo, hi], "lift_ci", "p_value",
"srm_p_value", "verdict", "reason", "method", "alpha", "prob_better", ...}``; ``var`` is
the unbiased (ddof 1) variance of the per-unit metric. Numbers that do not exist
(no test possible) are ``null``, never NaN.
"""

from __future__ import annotations

import math
from typing import Any

from valueloop.stats.did import DidResult
from valueloop.stats.its import Effect, ItsResult
from valueloop.stats.moments import Summary
from valueloop.verification.ab import AbResult


def num(value: float | None) -> float | None:
    """A finite float or None (JSON has no NaN)."""
    return float(value) if value is not None and math.isfinite(value) else None


def pair(values: tuple[float, float] | None) -> list[float | None] | None:
    return None if values is None else [num(values[0]), num(values[1])]


def group(name: str, s: Summary) -> dict[str, Any]:
    return {"name": name, "n": s.n, "mean": num(s.mean), "var": num(s.var)}


def ab_payload(r: AbResult, alpha: float) -> dict[str, Any]:
    """The ``verify ab`` document for one treatment."""
    c = r.comparison
    doc: dict[str, Any] = {
        "metric_type": r.metric_type, "control": group(r.control_name, r.control),
        "treatment": group(r.treatment_name, r.treatment), "diff": num(c.diff), "lift": num(c.lift.value),
        "ci": pair(c.ci), "lift_ci": pair(c.lift.ci), "p_value": num(c.p_value), "srm_p_value": num(r.srm_p_value),
        "verdict": r.verdict, "reason": r.reason, "method": c.method, "alpha": alpha, "statistic": num(c.statistic),
        "df": num(c.df), "se": num(c.se), "prob_better": num(r.prob_better),
    }  # fmt: skip
    if r.adjustment is not None:
        doc["p_value_adjustment"] = r.adjustment
        doc["p_value_unadjusted"] = num(r.p_value_unadjusted)
    if r.cuped is not None:
        doc["cuped"] = {"theta": num(r.cuped.theta), "variance_reduction": num(r.cuped.variance_reduction)}
    return doc


def _effect(e: Effect | None) -> dict[str, Any] | None:
    if e is None:
        return None
    return {"estimate": e.estimate, "se": e.se, "ci": pair(e.ci), "p_value": e.p_value}


def did_payload(r: DidResult) -> dict[str, Any]:
    """``verify did``: the estimate δ, its cluster-robust interval and the assumptions."""
    return {
        "method": "did_ols_cluster_unit", "estimate": num(r.estimate), "se": num(r.se), "ci": pair(r.ci),
        "p_value": num(r.p_value), "cell_means": r.cell_means, "n_obs": r.n_obs, "n_units": r.n_units,
        "reason": r.reason, "assumptions": list(r.assumptions),
    }  # fmt: skip


def its_payload(r: ItsResult) -> dict[str, Any]:
    """``verify its``: level and slope change with Newey–West errors and the assumptions."""
    return {
        "method": "segmented_ols_newey_west", "level_change": _effect(r.level_change),
        "slope_change": _effect(r.slope_change), "pre_slope": num(r.pre_slope), "n_pre": r.n_pre,
        "n_post": r.n_post, "maxlags": r.maxlags, "reason": r.reason, "assumptions": list(r.assumptions),
    }  # fmt: skip
