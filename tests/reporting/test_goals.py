"""Goals: attainment arithmetic by hand, and goals.yaml validation with file:line."""

from __future__ import annotations

import pytest

from valueloop.errors import InputError, SpecError
from valueloop.evaluation.service.goals import attainment, grain_of, load_goals, met
from valueloop.evaluation.service.models import load_versions
from valueloop.spec.model import Grain
from valueloop.store.workspace import Workspace


@pytest.mark.parametrize(
    ("value", "target", "direction", "expected"),
    [
        (4.2, 4.0, "higher", 105.0),  # 4.2 / 4.0
        (3.0, 4.0, "higher", 75.0),  # 3 / 4
        (30.0, 24.0, "lower", 80.0),  # 24 / 30: slower than the target
        (12.0, 24.0, "lower", 200.0),  # 24 / 12: twice as good
        (0.0, 24.0, "lower", None),  # target / 0 is undefined
        (5.0, 0.0, "higher", None),
        (None, 4.0, "higher", None),
    ],
)
def test_attainment_is_direction_aware(
    value: float | None, target: float, direction: str, expected: float | None
) -> None:
    assert attainment(value, target, direction) == expected  # type: ignore[arg-type]


def test_met_follows_the_direction() -> None:
    assert met(4.0, 4.0, "higher") is True
    assert met(25.0, 24.0, "lower") is False
    assert met(None, 1.0, "lower") is None


def test_grain_of_period_labels() -> None:
    assert [grain_of(p) for p in ("2026-Q3", "2026-08", "2026")] == [Grain.quarter, Grain.month, Grain.year]
    with pytest.raises(InputError):
        grain_of("2026-W09")


def test_no_file_means_no_goals(ws: Workspace) -> None:
    assert load_goals(ws) == []


def test_every_problem_is_reported_with_file_and_line(ws: Workspace) -> None:
    (ws.root / "goals.yaml").write_text(
        "- {indicator: csat, entity: B001, period: 2026-Q3, target: 4.2}\n"
        "- {indicator: nope, entity: B001, period: 2026-Q3, target: 1}\n"
        "- {indicator: csat, period: 2026-W09, target: high}\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as err:
        load_goals(ws, load_versions(ws, None)[-1])
    text = str(err.value)
    assert "3 problem(s)" in text
    assert "goals.yaml:2: [1].indicator: unknown indicator 'nope'" in text
    assert "goals.yaml:3: [2].period" in text
    assert "goals.yaml:3: [2].target: a number" in text


def test_valid_goals_load_with_defaults(ws: Workspace) -> None:
    (ws.root / "goals.yaml").write_text("- indicator: score\n  period: 2026-Q3\n  target: 3.5\n", encoding="utf-8")
    [goal] = load_goals(ws, load_versions(ws, None)[-1])
    assert (goal.indicator, goal.entity, goal.period, goal.target, goal.line) == ("score", "*", "2026-Q3", 3.5, 1)
