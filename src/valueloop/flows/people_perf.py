"""Use cases for agent performance over time: benchmark awards and training effects.

Both read agent-level observations (:mod:`valueloop.people.agent_metrics`) from the lake's
``interactions`` and ``feedback``; training effects also read ``training``. Nothing is
written to the workspace.
"""

from __future__ import annotations

from typing import Any

from valueloop.flows.people import read
from valueloop.people import agent_metrics as am
from valueloop.people.awards import AwardRules, awards
from valueloop.people.training import training_effect
from valueloop.store.workspace import Workspace


def _obs(ws: Workspace, indicator: str) -> Any:
    return am.observations(read(ws, "interactions"), read(ws, "feedback"), indicator, ws.settings.workspace.timezone)


def benchmark_awards(
    ws: Workspace, *, period: str | None, indicator: str = "csat", rules: AwardRules | None = None
) -> dict[str, Any]:
    """Award winners of ``period`` (default: the latest month with data) on ``indicator``."""
    rules = rules or AwardRules()
    sign = am.direction(indicator)
    obs = _obs(ws, indicator)
    period = period or (str(obs["period"].max()) if len(obs) else "")
    doc = awards(obs, period, sign, rules)
    return doc | {
        "indicator": indicator,
        "direction": "higher" if sign > 0 else "lower",
        "rules": {"top": rules.top, "min_n": rules.min_n, "window": rules.window, "min_stable": rules.min_stable},
    }


def course_effect(ws: Workspace, *, course: str, indicator: str) -> dict[str, Any]:
    """Difference-in-differences of ``course`` on the trainees' ``indicator`` vs untrained peers."""
    am.direction(indicator)
    doc = training_effect(read(ws, "training"), _obs(ws, indicator), course, ws.settings.workspace.timezone)
    return doc | {"indicator": indicator}
