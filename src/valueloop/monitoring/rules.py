"""Alert rule lifecycle: inactive → pending → firing → resolved, as Prometheus does it.

A detector says whether one observation is strange; a rule says when to tell people. The
condition must hold for ``for_`` seconds before the alert fires (one odd minute is not an
incident), and a firing alert stays firing until the condition has been false for
``keep_firing_for`` seconds (a flapping metric does not page twice). ``resolved`` lasts one
evaluation, so the notifier sees the transition, then the rule is ``inactive`` again.
Pure: :func:`step` maps (rule, state, condition, time) to the next state.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


class Phase(StrEnum):
    inactive = "inactive"
    pending = "pending"
    firing = "firing"
    resolved = "resolved"


@dataclass(frozen=True)
class AlertRule:
    """Durations in seconds; ``for_`` is Prometheus' ``for`` (a Python keyword)."""

    for_: float = 0.0
    keep_firing_for: float = 0.0


@dataclass(frozen=True)
class AlertState:
    phase: Phase = Phase.inactive
    since: float | None = None  # when the condition became true (pending/firing)
    last_true: float | None = None  # last evaluation at which the condition held


def step(rule: AlertRule, state: AlertState, condition: bool, t: float) -> AlertState:
    """The state after evaluating the rule's condition at time ``t``."""
    if condition:
        return _on_true(rule, state, t)
    if state.phase is Phase.firing:
        assert state.last_true is not None
        return state if t - state.last_true < rule.keep_firing_for else AlertState(Phase.resolved)
    return AlertState()


def _on_true(rule: AlertRule, state: AlertState, t: float) -> AlertState:
    if state.phase is Phase.firing:
        return replace(state, last_true=t)
    since = state.since if state.phase is Phase.pending and state.since is not None else t
    phase = Phase.firing if t - since >= rule.for_ else Phase.pending
    return AlertState(phase, since, t)


class Alert:
    """The streaming form: ``update(condition, t)``, ``get()`` the phase, ``fired`` on the firing edge.

    >>> a = Alert(AlertRule(for_=120.0))
    >>> for t, c in [(0, True), (60, True), (120, True), (180, False)]: a.update(c, float(t))
    >>> a.get()
    <Phase.resolved: 'resolved'>
    """

    def __init__(self, rule: AlertRule) -> None:
        self.rule = rule
        self.state = AlertState()
        self.fired = False

    def update(self, condition: bool, t: float) -> None:
        before = self.state.phase
        self.state = step(self.rule, self.state, condition, t)
        self.fired = self.state.phase is Phase.firing and before is not Phase.firing

    def get(self) -> Phase:
        return self.state.phase
