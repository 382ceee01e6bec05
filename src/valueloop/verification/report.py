"""The documents of verification results: the models the CLI's ``--format json`` and the API print.

``verify ab`` (:class:`AbDoc`): ``{"metric_type", "control": {"name", "n", "mean", "var"},
"treatment": {...}, "diff", "lift", "ci": [lo, hi], "lift_ci", "p_value", "srm_p_value",
"verdict", "reason", "method", "alpha", "statistic", "df", "se", "prob_better", ...}``;
``var`` is the unbiased (ddof 1) variance of the per-unit metric. Numbers that do not exist
(no test possible) are ``null``, never NaN. The keys after ``prob_better`` appear only when
they apply (a Holm adjustment, CUPED, a rank test, a bootstrap interval), as they always did.
"""

from __future__ import annotations

from typing import Literal

from valueloop.results import MISSING, Result, finite, pair
from valueloop.stats.did import DidResult
from valueloop.stats.its import Effect, ItsResult
from valueloop.stats.moments import Summary
from valueloop.stats.ordinal import RankTest
from valueloop.verification.ab import AbResult, MetricType, Verdict


class Group(Result):
    """One arm: its name, size, mean and unbiased variance of the per-unit metric."""

    name: str
    n: int
    mean: float | None
    var: float | None


class CupedDoc(Result):
    theta: float | None
    variance_reduction: float | None


class RankTestDoc(Result):
    u: float | None
    prob_superiority: float | None
    rank_biserial: float | None


class AbDoc(Result):
    """``verify ab`` for one treatment against the control."""

    metric_type: MetricType
    control: Group
    treatment: Group
    diff: float | None
    lift: float | None
    ci: list[float | None] | None
    lift_ci: list[float | None] | None
    p_value: float | None
    srm_p_value: float | None
    verdict: Verdict
    reason: str | None
    method: str
    alpha: float
    statistic: float | None
    df: float | None
    se: float | None
    prob_better: float | None
    p_value_adjustment: str | MISSING = MISSING
    """How the p-value was adjusted (``holm``), when several treatments were tested."""
    p_value_unadjusted: float | MISSING | None = MISSING
    cuped: CupedDoc | MISSING = MISSING
    """θ and the variance removed, when a pre-period covariate was given."""
    rank_test: RankTestDoc | MISSING = MISSING
    """The Mann–Whitney U test of an ordinal metric."""
    bootstrap_ci: list[float] | MISSING | None = MISSING
    """The percentile bootstrap interval, when asked for."""


def group(name: str, s: Summary) -> Group:
    return Group(name=name, n=s.n, mean=finite(s.mean), var=finite(s.var))


def ab_payload(
    r: AbResult, alpha: float, rank: RankTest | None = None, bootstrap: tuple[float, float] | MISSING | None = MISSING
) -> AbDoc:
    """The ``verify ab`` document for one treatment (with the rank test and bootstrap interval when computed)."""
    c = r.comparison
    extra: dict[str, object] = {}
    if r.adjustment is not None:
        extra |= {"p_value_adjustment": r.adjustment, "p_value_unadjusted": finite(r.p_value_unadjusted)}
    if r.cuped is not None:
        extra["cuped"] = CupedDoc(theta=finite(r.cuped.theta), variance_reduction=finite(r.cuped.variance_reduction))
    if rank is not None:
        extra["rank_test"] = RankTestDoc(u=finite(rank.u), prob_superiority=finite(rank.prob_superiority),
                                         rank_biserial=finite(rank.rank_biserial))  # fmt: skip
    if bootstrap is not MISSING:
        extra["bootstrap_ci"] = None if bootstrap is None else [bootstrap[0], bootstrap[1]]
    return AbDoc.model_validate({
        "metric_type": r.metric_type, "control": group(r.control_name, r.control),
        "treatment": group(r.treatment_name, r.treatment), "diff": finite(c.diff), "lift": finite(c.lift.value),
        "ci": pair(c.ci), "lift_ci": pair(c.lift.ci), "p_value": finite(c.p_value),
        "srm_p_value": finite(r.srm_p_value), "verdict": r.verdict, "reason": r.reason, "method": c.method,
        "alpha": alpha, "statistic": finite(c.statistic), "df": finite(c.df), "se": finite(c.se),
        "prob_better": finite(r.prob_better), **extra,
    })  # fmt: skip


class DidDoc(Result):
    """``verify did``: the estimate δ, its cluster-robust interval and the assumptions."""

    method: Literal["did_ols_cluster_unit"] = "did_ols_cluster_unit"
    estimate: float | None
    se: float | None
    ci: list[float | None] | None
    p_value: float | None
    cell_means: dict[str, float]
    n_obs: int
    n_units: int
    reason: str | None
    assumptions: list[str]


def did_payload(r: DidResult) -> DidDoc:
    return DidDoc(
        estimate=finite(r.estimate), se=finite(r.se), ci=pair(r.ci), p_value=finite(r.p_value),
        cell_means=r.cell_means, n_obs=r.n_obs, n_units=r.n_units, reason=r.reason, assumptions=list(r.assumptions),
    )  # fmt: skip


class EffectDoc(Result):
    """A level or slope change: estimate, Newey–West standard error, interval, p-value."""

    estimate: float
    se: float
    ci: list[float | None] | None
    p_value: float


class ItsDoc(Result):
    """``verify its``: level and slope change with Newey–West errors and the assumptions."""

    method: Literal["segmented_ols_newey_west"] = "segmented_ols_newey_west"
    level_change: EffectDoc | None
    slope_change: EffectDoc | None
    pre_slope: float | None
    n_pre: int
    n_post: int
    maxlags: int
    reason: str | None
    assumptions: list[str]


def _effect(e: Effect | None) -> EffectDoc | None:
    return None if e is None else EffectDoc(estimate=e.estimate, se=e.se, ci=pair(e.ci), p_value=e.p_value)


def its_payload(r: ItsResult) -> ItsDoc:
    return ItsDoc(
        level_change=_effect(r.level_change), slope_change=_effect(r.slope_change), pre_slope=finite(r.pre_slope),
        n_pre=r.n_pre, n_post=r.n_post, maxlags=r.maxlags, reason=r.reason, assumptions=list(r.assumptions),
    )  # fmt: skip
