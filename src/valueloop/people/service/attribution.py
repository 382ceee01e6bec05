"""Agent-level evaluation: the model cut to what an agent controls, evaluated at the field level ``agent_id``.

Interactions are recorded against a team (``entity_id``) and handled by an agent
(``agent_id``). Agents are scored as an ordinary evaluation with ``level: {field:
agent_id}``: an interaction belongs to its agent, feedback and steps to their
interaction's agent (:mod:`valueloop.metrics.levels`), rows without an agent to nobody.
The model is cut to the indicators an agent controls (``controllable: true``) on
agent-attributable datasets, weights renormalised.
"""

from __future__ import annotations

from valueloop.errors import InputError
from valueloop.spec.model import FIELD_LEVEL, Derived, Dimension, EvaluationModel, Indicator
from valueloop.spec.model_loader import derived_refs

ATTRIBUTABLE = ("interactions", "interaction_steps", "feedback", "qa_scores")
AGENT_LEVEL = FIELD_LEVEL + "agent_id"
"""Agents are the values of ``interactions.agent_id`` (the entity tree is not needed)."""


def _keep(ind: Indicator, kept: set[str]) -> bool:
    if isinstance(ind.measure, Derived):
        return derived_refs(ind.measure.expression) <= kept
    datasets = {
        ind.dataset,
        *(getattr(getattr(ind.measure, p, None), "dataset", None) for p in ("numerator", "denominator")),
    }
    return ind.controllable and datasets - {None} <= set(ATTRIBUTABLE)


def controllable_model(model: EvaluationModel) -> EvaluationModel:
    """The model cut to controllable, agent-attributable indicators, weights renormalised to 1."""
    simple = {i.id for i in model.indicators if not isinstance(i.measure, Derived) and _keep(i, set())}
    kept = simple | {i.id for i in model.indicators if isinstance(i.measure, Derived) and _keep(i, simple)}
    dims = []
    for d in model.dimensions:
        inds = [i for i in d.indicators if i.id in kept]
        total = sum(i.weight for i in inds)
        if inds and total > 0:
            dims.append(
                d.model_copy(
                    update={"indicators": tuple(i.model_copy(update={"weight": i.weight / total}) for i in inds)}
                )
            )
    if not dims:
        raise InputError(f"model {model.id!r} has no controllable indicator on {', '.join(ATTRIBUTABLE)}")
    dw = sum(d.weight for d in dims)
    fixed: list[Dimension] = [d.model_copy(update={"weight": d.weight / dw}) for d in dims]
    return model.model_copy(update={"dimensions": tuple(fixed), "level": AGENT_LEVEL})
