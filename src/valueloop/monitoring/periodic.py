"""Alert rules evaluated once per period (a QA roll-up's month), with the live rules' lifecycle.

The live monitor steps its rules every minute; a score rolled up per month or week is stepped
once per period instead, through the same :func:`valueloop.monitoring.rules.step`, so a drop
fires once, stays firing while it lasts and resolves when the score recovers — and the
transitions are the monitor's :class:`~valueloop.monitoring.alerting.Transition`, stored and
listed with every other alert (ids from rule, unit and start: evaluating again records nothing new).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from valueloop.monitoring.alerting import Transition
from valueloop.monitoring.rules import AlertRule, AlertState, Phase, step

ONCE = AlertRule()
"""Fire at the first period the condition holds, resolve at the first it does not (a period is long enough)."""


@dataclass(frozen=True)
class PeriodPoint:
    """One period of one unit's series: its end (Unix s), its value, and whether it may be judged."""

    at: float
    value: float
    enough: bool = True
    """False when the period rests on too few cases: it neither fires nor counts in a baseline."""


def dropped(value: float, baseline: float, gap: float) -> bool:
    """``value`` is ``gap`` (a share) or more below ``baseline``: "20 % worse" for a higher-is-better score.

    >>> dropped(70.0, 90.0, 0.2), dropped(75.0, 90.0, 0.2)
    (True, False)
    """
    return math.isfinite(value) and math.isfinite(baseline) and value <= baseline * (1.0 - gap)


def drop_transitions(
    rule: str, entity: str, points: Sequence[PeriodPoint], gap: float, baseline: int, lifecycle: AlertRule = ONCE
) -> list[Transition]:
    """Each period against the mean of the ``baseline`` judged periods before it, stepped in time order."""
    out: list[Transition] = []
    state, history = AlertState(), list[float]()
    for p in sorted(points, key=lambda x: x.at):
        base = history[-baseline:]
        holds = p.enough and len(base) == baseline and dropped(p.value, sum(base) / baseline, gap)
        before, state = state, step(lifecycle, state, holds, p.at)
        if state.phase is Phase.firing and before.phase is not Phase.firing:
            assert state.since is not None
            out.append(Transition(rule, entity, "firing", p.at, state.since, p.value))
        elif state.phase is Phase.resolved:
            assert before.since is not None
            out.append(Transition(rule, entity, "resolved", p.at, before.since, p.value))
        if p.enough and not holds:  # a dropped period does not lower the line it is judged against
            history.append(p.value)
    return out
