"""Use case: verify a randomised test from per-variant sufficient statistics.

Pipeline: moments per variant → pick control and treatment(s) → the comparison the
metric type calls for (z-test, Welch, CUPED, ratio, rank test) → SRM check → verdict.
Verdicts (:data:`Verdict`):

* ``no_verdict`` — the data cannot support a test (empty group, no variation); ``reason`` says why;
* ``blocked_srm`` — the split differs from the design (SRM p < :data:`~valueloop.stats.srm.SRM_ALPHA`);
* ``effective`` / ``harmful`` — p < α, in the good / bad direction (``higher_is_better``);
* ``inconclusive`` — p ≥ α: no evidence either way, which is not evidence of no effect.

With several treatments, p-values are Holm-adjusted across them before the verdict.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from valueloop.errors import InputError
from valueloop.stats.bayes import prob_normal, prob_rate_better
from valueloop.stats.cuped import Cuped, cuped
from valueloop.stats.moments import CrossMoments, Summary
from valueloop.stats.multiple import holm
from valueloop.stats.ratio import ratio_summary, ratio_test
from valueloop.stats.srm import SRM_ALPHA, srm_p_value
from valueloop.stats.twosample import Comparison, proportion_ztest, welch_ttest

MetricType = Literal["proportion", "mean", "ratio", "ordinal"]
Verdict = Literal["effective", "harmful", "inconclusive", "blocked_srm", "no_verdict"]
CONTROL_NAMES = ("control", "ctrl", "baseline", "a")


@dataclass(frozen=True)
class Settings:
    """How to judge: metric type, α, the designed control share, which direction is good."""

    metric_type: MetricType
    alpha: float = 0.05
    control_share: float | None = None
    higher_is_better: bool = True
    cuped: bool = False
    seed: int = 0


@dataclass(frozen=True)
class AbResult:
    """One treatment against the control, with the verdict and its reason."""

    metric_type: MetricType
    control_name: str
    treatment_name: str
    control: Summary
    treatment: Summary
    comparison: Comparison
    srm_p_value: float | None
    verdict: Verdict
    reason: str | None
    prob_better: float | None = None
    cuped: Cuped | None = None
    p_value_unadjusted: float | None = None
    adjustment: str | None = None


def pick_arms(names: Sequence[str], control: str | None) -> tuple[str, list[str]]:
    """The control and the treatments; an unclear choice is an InputError (exit 2)."""
    if len(names) < 2:
        raise InputError(f"need two variants, found {len(names)}: {', '.join(names) or 'none'}")
    if control is not None:
        if control not in names:
            raise InputError(f"control variant {control!r} not found (variants: {', '.join(names)})")
        return control, [n for n in names if n != control]
    if len(names) > 2:
        raise InputError(f"{len(names)} variants ({', '.join(names)}): name the control with --control")
    known = [n for n in names if n.strip().lower() in CONTROL_NAMES]
    if len(known) != 1:
        raise InputError(f"cannot tell which of {', '.join(names)} is the control: pass --control")
    return known[0], [n for n in names if n != known[0]]


def summary(group: CrossMoments, metric_type: MetricType) -> Summary:
    """The group's n, mean and variance of the metric (the per-unit ratio for ratio metrics)."""
    if metric_type == "ratio":
        r, var_r = ratio_summary(group)
        return Summary(group.n, r, var_r * group.n if math.isfinite(var_r) else math.nan)
    return group.y.summary()


def compare(control: CrossMoments, treatment: CrossMoments, settings: Settings) -> tuple[Comparison, Cuped | None]:
    """The comparison the metric type calls for (ordinal: Welch here, ranks in the caller)."""
    if settings.cuped:
        adjusted = cuped(control, treatment, settings.alpha)
        return adjusted.comparison, adjusted
    if settings.metric_type == "proportion":
        return proportion_ztest(control.y.summary(), treatment.y.summary(), settings.alpha), None
    if settings.metric_type == "ratio":
        return ratio_test(control, treatment, settings.alpha), None
    return welch_ttest(control.y.summary(), treatment.y.summary(), settings.alpha), None


def judge(comparison: Comparison, srm_p: float | None, settings: Settings) -> tuple[Verdict, str | None]:
    """Verdict and reason: no test → SRM → significance and direction."""
    if comparison.p_value is None or comparison.diff is None:
        return "no_verdict", comparison.reason or "no test possible"
    if srm_p is not None and srm_p < SRM_ALPHA:
        return "blocked_srm", f"sample ratio mismatch: p = {srm_p:.3g} < {SRM_ALPHA}; check assignment and logging"
    if comparison.p_value >= settings.alpha:
        return "inconclusive", f"p = {comparison.p_value:.3g} ≥ α = {settings.alpha}: no evidence of a difference"
    good = (comparison.diff > 0) == settings.higher_is_better
    return ("effective" if good else "harmful"), None


def prob_better(
    control: CrossMoments, treatment: CrossMoments, comparison: Comparison, settings: Settings
) -> float | None:
    """Bayesian P(treatment better than control) in the direction that is good."""
    p: float | None
    if settings.metric_type == "proportion" and not settings.cuped and control.n and treatment.n:
        p = prob_rate_better(round(control.sum_y), control.n, round(treatment.sum_y), treatment.n, settings.seed)
    elif comparison.se is not None and comparison.diff is not None:
        p = prob_normal(comparison.diff, comparison.se)
    else:
        return None
    return None if p is None else (p if settings.higher_is_better else 1 - p)


def srm(groups: Mapping[str, CrossMoments], control: str, settings: Settings) -> float | None:
    """SRM p-value over all variants: the designed control share for two, equal shares otherwise."""
    names = [control, *(n for n in groups if n != control)]
    shares = None
    if settings.control_share is not None and len(names) == 2:
        shares = [settings.control_share, 1 - settings.control_share]
    return srm_p_value([groups[n].n for n in names], shares)


def analyse_one(
    groups: Mapping[str, CrossMoments], control: str, treatment: str, settings: Settings, srm_p: float | None
) -> AbResult:
    """Control against one treatment, before any multiplicity adjustment."""
    c, t = groups[control], groups[treatment]
    comparison, adjusted = compare(c, t, settings)
    verdict, reason = judge(comparison, srm_p, settings)
    return AbResult(
        settings.metric_type, control, treatment, summary(c, settings.metric_type), summary(t, settings.metric_type),
        comparison, srm_p, verdict, reason, prob_better(c, t, comparison, settings), adjusted, comparison.p_value,
    )  # fmt: skip


def with_p_value(
    result: AbResult,
    p_value: float | None,
    settings: Settings,
    method: str | None = None,
    adjustment: str | None = None,
) -> AbResult:
    """The result re-judged with another p-value (Holm-adjusted, or a rank test's)."""
    comparison = replace(result.comparison, p_value=p_value, method=method or result.comparison.method)
    verdict, reason = judge(comparison, result.srm_p_value, settings)
    unadjusted = result.p_value_unadjusted if adjustment else p_value
    return replace(result, comparison=comparison, verdict=verdict, reason=reason, p_value_unadjusted=unadjusted,
                   adjustment=adjustment)  # fmt: skip


def analyse(groups: Mapping[str, CrossMoments], settings: Settings, control: str | None = None) -> list[AbResult]:
    """Every treatment against the control; Holm-adjusted p-values when there are several."""
    name, treatments = pick_arms(sorted(groups), control)
    srm_p = srm(groups, name, settings)
    return holm_adjusted([analyse_one(groups, name, t, settings, srm_p) for t in treatments], settings)


def holm_adjusted(results: list[AbResult], settings: Settings) -> list[AbResult]:
    """Results re-judged on Holm-adjusted p-values when several treatments were tested."""
    out = list(results)
    tested = [i for i, r in enumerate(out) if r.comparison.p_value is not None]
    if len(tested) > 1:
        adjusted = holm([out[i].p_value_unadjusted or 0.0 for i in tested])
        for i, p in zip(tested, adjusted, strict=True):
            out[i] = with_p_value(out[i], float(p), settings, adjustment="holm")
    return out
