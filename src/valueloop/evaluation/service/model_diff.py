"""Use case: what a new model version does to the ranking, before it takes effect.

Both versions score the same period without storing a run (a what-if must not pollute
the history). Agreement is measured on the units both versions score: Spearman's rho
and Kendall's tau-b (which counts tied pairs correctly), computed from the scores, so
ties get average ranks as in :mod:`scipy.stats`. Two identical rankings agree perfectly
(1.0) even when every score ties, where the coefficients themselves are undefined; any
other ranking with a constant side has no correlation (None), not an exception.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, Field
from scipy.stats import kendalltau, rankdata, spearmanr

from valueloop.evaluation.service.evaluate import EntityResult, EvaluationRun, evaluate
from valueloop.store.workspace import Workspace


class Mover(BaseModel):
    """A unit whose rank changed; ``change`` > 0 means it moved up (rank_from − rank_to)."""

    entity_id: str
    name: str
    rank_from: int
    rank_to: int
    change: int


class UnitChange(BaseModel):
    """One unit under both versions (None where a version could not score it)."""

    entity_id: str
    name: str
    score_from: float | None
    score_to: float | None
    score_change: float | None
    rank_from: int | None
    rank_to: int | None


class ModelDiff(BaseModel):
    """The JSON contract of ``valueloop models diff``."""

    model: str
    period: str
    from_version: int = Field(serialization_alias="from")
    to_version: int = Field(serialization_alias="to")
    compared: int
    spearman: float | None
    kendall: float | None
    movers: list[Mover]
    units: list[UnitChange]


def diff_versions(
    ws: Workspace, model_id: str | None, v_from: int, v_to: int, period: str | None = None, level: str | None = None
) -> ModelDiff:
    """Evaluate ``period`` under versions ``v_from`` and ``v_to`` (not stored) and compare the rankings."""
    before = evaluate(ws, model_id, period, level, version=v_from, store=False)
    after = evaluate(ws, before.model, before.period, level, version=v_to, store=False)
    return compare_runs(before, after)


def compare_runs(before: EvaluationRun, after: EvaluationRun) -> ModelDiff:
    """Rank correlations, movers (largest rank change first) and every unit's score change."""
    old = {r.entity_id: r for r in before.results}
    new = {r.entity_id: r for r in after.results}
    both = sorted(e for e in old.keys() & new.keys() if old[e].score is not None and new[e].score is not None)
    rho, tau = rank_correlations([_score(old[e]) for e in both], [_score(new[e]) for e in both])
    return ModelDiff(
        model=before.model,
        period=before.period,
        from_version=before.version,
        to_version=after.version,
        compared=len(both),
        spearman=rho,
        kendall=tau,
        movers=movers(old, new),
        units=[_unit(e, old.get(e), new.get(e)) for e in sorted(old.keys() | new.keys())],
    )


def rank_correlations(x: list[float], y: list[float]) -> tuple[float | None, float | None]:
    """(Spearman rho, Kendall tau-b) of two paired score lists; see the module docstring."""
    if len(x) < 2:
        return None, None
    if np.array_equal(rankdata(x), rankdata(y)):
        return 1.0, 1.0
    if len(set(x)) < 2 or len(set(y)) < 2:
        return None, None
    rho = spearmanr(x, y).statistic
    tau = kendalltau(x, y, variant="b").statistic
    return float(rho), float(tau)


def movers(old: dict[str, EntityResult], new: dict[str, EntityResult]) -> list[Mover]:
    """Units ranked under both versions whose rank changed, the largest move first."""
    out = []
    for e in old.keys() & new.keys():
        before, after = old[e].rank, new[e].rank
        if before is not None and after is not None and before != after:
            out.append(Mover(entity_id=e, name=new[e].name, rank_from=before, rank_to=after, change=before - after))
    return sorted(out, key=lambda m: (-abs(m.change), -m.change, m.entity_id))


def _score(result: EntityResult) -> float:
    assert result.score is not None
    return result.score


def _unit(entity_id: str, old: EntityResult | None, new: EntityResult | None) -> UnitChange:
    before = old.score if old else None
    after = new.score if new else None
    known = new or old
    return UnitChange(
        entity_id=entity_id,
        name=known.name if known else entity_id,
        score_from=before,
        score_to=after,
        score_change=after - before if before is not None and after is not None else None,
        rank_from=old.rank if old else None,
        rank_to=new.rank if new else None,
    )
