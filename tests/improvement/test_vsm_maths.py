"""Value stream maths on a tiny process computed by hand.

Process: A (value-adding, dept X, standard 5 min) → B (not value-adding, dept Y) → C (value-adding, dept X).
Times in minutes:
  I1: A 0–10, B 20–25, C 45–60                 process A10 B5 C15;   waits B10, C20;      lead 60, VA 10+15 = 25
  I2: A 0–4, B 6–16, C 16–20, C 30–40 (rework)  process A4 B10 C4 C10; waits B2, C0, C10;  lead 40, VA 4+4+10 = 18
  I3: A 0–5, B 7–(open)                        process A5 B—;         wait B2;             open: no lead time
Per step: A process [4, 5, 10] → median 5, p90 = 5 + 0.8 × (10 − 5) = 9 (linear interpolation), vs standard 5/5 = 1;
          B process [5, 10] → median 7.5, waits [10, 2, 2] → median 2;
          C process [15, 4, 10] → median 10, waits [20, 0, 10] → median 10, one rework, 2 interactions.
Process: lead [60, 40] → median 50; PCE = (25 + 18) / (60 + 40) = 0.43; bottleneck C (median wait 10 > 2);
hand-offs X→Y in I1, I2, I3 and Y→X in I1, I2 = 5, i.e. 5/3 per interaction.
"""

from __future__ import annotations

import math

import pytest

from valueloop.improvement.vsm import derive
from valueloop.improvement.vsm_summary import compare, value_stream
from valueloop.spec.process import ProcessDefinition, ProcessStep

PROCESS = ProcessDefinition(
    id="tiny",
    steps=(
        ProcessStep(name="A", department="X", value_adding=True, standard_minutes=5),
        ProcessStep(name="B", department="Y", value_adding=False),
        ProcessStep(name="C", department="X", value_adding=True),
    ),
)
NAN = math.nan
ROWS = [  # interaction, step, department, start, end (minutes), deliberately shuffled
    (2, "C", "X", 30, 40),
    (1, "B", "Y", 20, 25),
    (3, "A", "X", 0, 5),
    (1, "A", "X", 0, 10),
    (2, "A", "X", 0, 4),
    (1, "C", "X", 45, 60),
    (2, "B", "Y", 6, 16),
    (3, "B", "Y", 7, NAN),
    (2, "C", "X", 16, 20),
]


def _map(rows: list[tuple[int, str, str, float, float]], process: ProcessDefinition = PROCESS) -> dict:  # type: ignore[type-arg]
    inter, step, dept, start, end = zip(*rows, strict=True)
    return value_stream(derive(inter, step, dept, [s * 60 for s in start], [e * 60 for e in end]), process)


def test_steps() -> None:
    steps = {s["step"]: s for s in _map(ROWS)["steps"]}
    a, b, c = steps["A"], steps["B"], steps["C"]
    assert (a["volume"], a["process_median"], a["process_p90"], a["wait_median"], a["vs_standard"]) == (
        3,
        5,
        pytest.approx(9),
        None,
        1,
    )
    assert (b["process_median"], b["wait_median"], b["handoffs_in"]) == (7.5, 2, 3)
    assert (c["volume"], c["interactions"], c["process_median"], c["wait_median"], c["rework"]) == (3, 2, 10, 10, 1)


def test_process() -> None:
    p = _map(ROWS)["summary"]
    assert (p["interactions"], p["complete"], p["lead_time_median"], p["value_added_mean"]) == (3, 2, 50, 21.5)
    assert p["pce"] == pytest.approx(0.43)
    assert (p["bottleneck"], p["handoffs"], p["rework_interactions"]) == ("C", 5, 1)
    assert p["handoffs_per_interaction"] == pytest.approx(5 / 3)
    assert p["non_value_adding"] == ["B"]


def test_handoff_boundaries_and_chart() -> None:
    out = _map(ROWS)
    assert out["handoff_pairs"] == [
        {"from": "X", "to": "Y", "handoffs": 3, "wait_median": 2},
        {"from": "Y", "to": "X", "handoffs": 2, "wait_median": 10},
    ]
    assert out["chart"]["categories"] == ["A", "B", "C"]
    assert out["chart"]["series"][0] == {"name": "wait_median", "stack": "time", "data": [None, 2, 10]}


def test_planned_waits_do_not_make_a_bottleneck() -> None:
    planned = PROCESS.model_copy(
        update={"steps": (*PROCESS.steps[:2], PROCESS.steps[2].model_copy(update={"planned_wait_minutes": 15}))}
    )
    assert _map(ROWS, planned)["summary"]["bottleneck"] == "B"  # C waits 10 − 15 = −5 beyond plan, B waits 2


def test_unknown_steps_are_shown_and_empty_data_degrades() -> None:
    out = _map([*ROWS, (1, "Z", "", 61, 62)])
    assert out["steps"][-1]["step"] == "Z" and not out["steps"][-1]["value_adding"]
    empty = value_stream(derive([], [], [], [], []), PROCESS)
    assert empty["summary"]["interactions"] == 0 and empty["summary"]["pce"] is None
    assert empty["summary"]["bottleneck"] is None


def test_before_after() -> None:
    before, after = _map(ROWS), _map([r for r in ROWS if r[0] == 1])
    delta = compare(before, after)
    assert delta["summary"]["lead_time_median"] == {"before": 50, "after": 60, "change": 10}
    assert delta["steps"][2]["rework"] == {"before": 1, "after": 0, "change": -1}
