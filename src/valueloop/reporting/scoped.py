"""A period review cut down to the units one reader may see (a manager bound to a region gets their region).

Pure: the review is built for every unit, then this keeps the units, goals and findings of ``units``,
recomputes the means over them, and drops the sections pooled over every unit (verification, ROI,
voice of the customer), which a scoped reader could not see on the dashboard either.
"""

from __future__ import annotations

from statistics import fmean

from valueloop.reporting.data import ReviewData


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return fmean(known) if known else None


def for_units(data: ReviewData, units: frozenset[str], top: int = 10) -> ReviewData:
    """``data`` as a reader bound to ``units`` (entity ids, subtrees already expanded) may see it."""
    kept = [u for u in data.summary.units if u.entity_id in units]
    summary = data.summary.model_copy(update={
        "units": kept, "mean_score": _mean([u.score for u in kept]), "mean_change": _mean([u.change for u in kept]),
    })  # fmt: skip
    findings = [f for f in data.findings if f.entity_id in units]
    goals = data.goals.model_copy(update={"rows": [g for g in data.goals.rows if g.entity_id in units]})
    return data.model_copy(update={
        "summary": summary, "goals": goals, "findings": findings[:top], "findings_total": len(findings),
        "verification": [], "roi": None, "voice": None, "voice_note": None,
    })  # fmt: skip
