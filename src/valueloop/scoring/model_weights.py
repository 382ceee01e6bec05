"""Resolve a model's weighting methods into plain indicator weights for one evaluation.

A dimension may ask for AHP, entropy, CRITIC or combined weights instead of hand weights
(see :class:`valueloop.spec.model.Weighting`). Objective methods read the period's
indicator values across the peer units; the resolved weights are applied to every period
of the run so that the current and previous scores stay comparable.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from valueloop.scoring.ahp import ahp
from valueloop.scoring.critic import critic_weights
from valueloop.scoring.entropy import EntropyNormalisation, entropy_weights
from valueloop.scoring.weights import Weights, combine_weights, normalise_weights
from valueloop.spec.model import Dimension, Direction, EvaluationModel, Indicator
from valueloop.spec.model_loader import judgement


def resolve_weights(model: EvaluationModel, values: pd.DataFrame) -> EvaluationModel:
    """``model`` with every dimension's indicator weights fixed (manual dimensions unchanged).

    ``values`` is the long table of one period (entity_id, indicator, segment, value, ...).
    """
    overall = values[values["segment"].isna()].pivot_table(index="entity_id", columns="indicator", values="value")
    dims = tuple(_resolved(d, overall) if d.weighting.method != "manual" else d for d in model.dimensions)
    return model.model_copy(update={"dimensions": dims})


def _resolved(dim: Dimension, overall: pd.DataFrame) -> Dimension:
    weighted = [i for i in dim.indicators if i.weight > 0]
    names = [i.id for i in weighted]
    w = dim.weighting
    subjective = _ahp(dim) if w.matrix is not None else normalise_weights([i.weight for i in weighted], names)
    if w.method == "ahp":
        chosen = subjective
    else:
        objective = _objective(w.method if w.method != "combined" else w.objective, weighted, overall)
        if objective is None:  # too few complete units to learn from: keep the experts' view
            chosen = subjective
        elif w.method == "combined":
            chosen = combine_weights(subjective, objective, w.alpha)
        else:
            chosen = objective
    new = dict(zip(chosen.criteria, chosen.weights, strict=True))
    return dim.model_copy(update={"indicators": tuple(_with(i, new.get(i.id, 0.0)) for i in dim.indicators)})


def _with(indicator: Indicator, weight: float) -> Indicator:
    return indicator.model_copy(update={"weight": weight})


def _ahp(dim: Dimension) -> Weights:
    names = [i.id for i in dim.indicators if i.weight > 0]
    matrix = [[judgement(x) for x in row] for row in dim.weighting.matrix or ()]
    result = ahp(matrix, names)
    return Weights(result.criteria, result.weights, f"ahp (CR {result.cr:.3f})")


def _objective(method: str, indicators: list[Indicator], overall: pd.DataFrame) -> Weights | None:
    names = [i.id for i in indicators]
    cols = [c for c in names if c in overall.columns]
    if len(cols) != len(names):
        return None
    matrix = overall[names].dropna()
    if len(matrix) < 2 or np.all(matrix.std(ddof=0).to_numpy() == 0):
        return None
    cost = [i.id for i in indicators if i.direction is Direction.LOWER]
    if method == "critic":
        return critic_weights(matrix.to_numpy(), names, cost=cost)
    return entropy_weights(matrix.to_numpy(), names, cost=cost, normalisation=EntropyNormalisation.minmax)
