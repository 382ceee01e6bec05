"""Alert rule lifecycle, table-driven: (condition, time) steps → expected phases."""

from __future__ import annotations

import pytest

from valueloop.monitoring.rules import Alert, AlertRule, AlertState, Phase, step

N, P, F, R = Phase.inactive, Phase.pending, Phase.firing, Phase.resolved

CASES = {
    "no for: fires at once, resolves at once": (
        AlertRule(),
        [(True, 0), (True, 60), (False, 120), (False, 180)],
        [F, F, R, N],
    ),
    "for 2 min: pending until held 2 min": (
        AlertRule(for_=120),
        [(True, 0), (True, 60), (True, 120), (True, 180), (False, 240)],
        [P, P, F, F, R],
    ),
    "pending that clears never fires nor resolves": (
        AlertRule(for_=120),
        [(True, 0), (True, 60), (False, 90), (True, 120), (True, 180)],
        [P, P, N, P, P],
    ),
    "keep_firing_for rides over a short dip": (
        AlertRule(keep_firing_for=120),
        [(True, 0), (False, 60), (True, 120), (False, 180), (False, 240), (False, 300)],
        [F, F, F, F, R, N],
    ),
    "resolved then true again starts over": (
        AlertRule(for_=60),
        [(True, 0), (True, 60), (False, 120), (True, 180), (True, 240)],
        [P, F, R, P, F],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_lifecycle(name: str) -> None:
    rule, steps, expected = CASES[name]
    state, phases = AlertState(), []
    for condition, t in steps:
        state = step(rule, state, condition, float(t))
        phases.append(state.phase)
    assert phases == expected


def test_streaming_alert_marks_the_firing_edge_once() -> None:
    alert = Alert(AlertRule(for_=60))
    edges = []
    for t, c in [(0, True), (60, True), (120, True), (180, False), (240, True), (300, True)]:
        alert.update(c, float(t))
        edges.append(alert.fired)
    assert edges == [False, True, False, False, False, True]


def test_firing_keeps_its_start_time() -> None:
    state = AlertState()
    for t in (0.0, 60.0, 120.0):
        state = step(AlertRule(for_=30), state, True, t)
    assert state == AlertState(F, 0.0, 120.0)
