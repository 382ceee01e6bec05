"""Use cases for agent performance over time: benchmark awards and training effects.

Both read agent-level observations (:mod:`valueloop.people.agent_metrics`) from the lake's
``interactions`` and ``feedback``; training effects also read ``training`` (and refuse a
course with records for people not in ``staff``). Award winners carry the id of their case
write-up for the period (``case``, None when there is none). Nothing is written to the workspace.
"""

from __future__ import annotations

from typing import Any

from valueloop.people import agent_metrics as am
from valueloop.people.awards import AwardRules, awards
from valueloop.people.results import Awards, TrainingEffect
from valueloop.people.service.audits import read
from valueloop.people.service.records import case_of, require_known_staff
from valueloop.people.training import training_effect
from valueloop.store.workspace import Workspace


def _obs(ws: Workspace, indicator: str) -> Any:
    return am.observations(read(ws, "interactions"), read(ws, "feedback"), indicator, ws.settings.workspace.timezone)


def benchmark_awards(
    ws: Workspace, *, period: str | None, indicator: str = "csat", rules: AwardRules | None = None
) -> Awards:
    """Award winners of ``period`` (default: the latest month with data) on ``indicator``."""
    rules = rules or AwardRules()
    sign = am.direction(indicator)
    obs = _obs(ws, indicator)
    period = period or (str(obs["period"].max()) if len(obs) else "")
    doc = awards(obs, period, sign, rules)
    winners = [w | {"case": case_of(ws, str(w["agent_id"]), period)} for w in doc["winners"]]  # type: ignore[attr-defined]
    return Awards.model_validate(
        doc
        | {
            "winners": winners,
            "indicator": indicator,
            "direction": "higher" if sign > 0 else "lower",
            "rules": {"top": rules.top, "min_n": rules.min_n, "window": rules.window, "min_stable": rules.min_stable},
        }
    )


def course_effect(ws: Workspace, *, course: str, indicator: str) -> TrainingEffect:
    """Difference-in-differences of ``course`` on the trainees' ``indicator`` vs untrained peers."""
    am.direction(indicator)
    training = read(ws, "training")
    require_known_staff(ws, training, course)
    doc = training_effect(training, _obs(ws, indicator), course, ws.settings.workspace.timezone)
    return TrainingEffect.model_validate(doc | {"indicator": indicator})
