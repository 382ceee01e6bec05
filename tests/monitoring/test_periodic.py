"""Rules stepped once per period (QA roll-ups): a planted drop fires once and resolves, a stable one never fires."""

from __future__ import annotations

import pytest

from valueloop.monitoring.periodic import PeriodPoint, drop_transitions, dropped
from valueloop.spec.alerts import MonitorSpec, QaRuleSpec


def series(*values: float, thin: tuple[int, ...] = ()) -> list[PeriodPoint]:
    return [PeriodPoint(float(i * 100), v, i not in thin) for i, v in enumerate(values)]


def test_a_stable_series_never_fires() -> None:
    assert drop_transitions("qa", "A1", series(90, 88, 91, 87, 89, 90, 86), gap=0.2, baseline=3) == []


def test_a_planted_drop_fires_once_stays_firing_and_resolves_on_recovery() -> None:
    out = drop_transitions("qa", "A1", series(90, 90, 90, 60, 55, 88), gap=0.2, baseline=3)
    assert [(t.status, t.at, t.value) for t in out] == [("firing", 300.0, 60.0), ("resolved", 500.0, 88.0)]
    assert out[0].alert_id == out[1].alert_id  # the same alert: rule, unit and when it began
    again = drop_transitions("qa", "A1", series(90, 90, 90, 60, 55, 88), gap=0.2, baseline=3)
    assert again == out  # deterministic ids: a second check records nothing new


def test_thin_periods_neither_fire_nor_count_and_a_short_history_waits() -> None:
    assert drop_transitions("qa", "A1", series(90, 90, 10, 90, 90, thin=(2,)), gap=0.2, baseline=3) == []
    assert drop_transitions("qa", "A1", series(90, 10), gap=0.2, baseline=3) == []
    assert dropped(72.0, 90.0, 0.2) and not dropped(72.1, 90.0, 0.2) and not dropped(float("nan"), 90.0, 0.2)


def test_the_policy_gaps_and_bad_rules() -> None:
    assert QaRuleSpec(name="q").gap == 0.2 and QaRuleSpec(name="q", drop="critical").gap == 0.5
    assert QaRuleSpec(name="q", drop=0.1).gap == 0.1
    with pytest.raises(ValueError, match="share between 0 and 1"):
        QaRuleSpec(name="q", drop=1.5)
    with pytest.raises(ValueError, match="unique"):
        MonitorSpec.model_validate({"rules": [{"name": "x", "expr": "errors[15m] >= 1"}], "qa_rules": [{"name": "x"}]})
