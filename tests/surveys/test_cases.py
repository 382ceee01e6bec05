"""The inner loop: a detractor's case is assigned, escalated when overdue, closed once with an outcome and a
root cause from the taxonomy; time to close and recovery rate; a scoped caller sees only its units' cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from surveys.conftest import NOW
from valueloop.accounts.service.accounts import NotFound
from valueloop.errors import InputError
from valueloop.ingest.service.ingest import ingest
from valueloop.metrics.run import compute_values
from valueloop.spec.datasets import DATASETS
from valueloop.spec.model_loader import load_model
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace
from valueloop.surveys.cases import CaseFacts, LaterAnswer, Outcome, figures
from valueloop.surveys.fatigue import Resolved
from valueloop.surveys.loader import load_surveys
from valueloop.surveys.service.answers import submit
from valueloop.surveys.service.case_lake import publish_cases
from valueloop.surveys.service.cases import assign, case_figures, close, get_case, list_cases
from valueloop.surveys.service.catalog import surveys_dir
from valueloop.surveys.service.escalation import escalate_overdue
from valueloop.surveys.service.invitations import export_links, plan

CAUSES = frozenset({"logistics", "logistics/late", "attitude"})


def _answer(ws: Workspace, customer: str, unit: str, at: datetime, form: dict[str, list[str]]) -> int | None:
    iid = f"{customer}-{at:%j%H%M}"
    plan(ws, "after_service", at, dry_run=False, candidates=[Resolved(iid, unit, at - timedelta(hours=3), customer)])
    (row,) = [r for r in export_links(ws, "after_service", "https://x", at) if r.interaction_id == iid]
    return submit(ws, row.url.rsplit("/s/", 1)[1], form, "zh", at).case_id


def test_a_case_is_assigned_escalated_and_closed_once(sws: Workspace) -> None:
    case_id = _answer(sws, "C1", "B001", NOW, {"q.csat": ["1"], "q.nps": ["8"]})
    assert case_id is not None
    case = get_case(sws, case_id, NOW)
    assert (case.question, case.score, case.rule, case.owner) == ("csat", 1, "csat ≤ 2", "alice")
    assert assign(sws, case_id, "carol", NOW).owner == "carol"
    surveys, _ = load_surveys(surveys_dir(sws))
    assert escalate_overdue(sws, surveys, NOW + timedelta(minutes=30)).cases == []  # not yet due
    (late,) = escalate_overdue(sws, surveys, NOW + timedelta(hours=2)).cases
    assert late.escalated_to == "head" and late.overdue
    assert escalate_overdue(sws, surveys, NOW + timedelta(hours=3)).cases == []  # once
    with pytest.raises(InputError) as bad:
        close(sws, case_id, "forgotten", "weather", "carol", NOW, note="x" * 3000, causes=CAUSES)
    assert str(bad.value).split("; ") == [
        "outcome: one of reached, resolved, compensated, not_reachable",
        "root_cause: 'weather' is not a category of the issue taxonomy",
        "note: at most 2000 characters",
    ]
    done = close(sws, case_id, "compensated", "logistics/late", "carol", NOW + timedelta(hours=3), causes=CAUSES)
    assert (done.outcome, done.root_cause, done.closed_by, done.overdue) == (
        "compensated",
        "logistics/late",
        "carol",
        False,
    )
    with pytest.raises(InputError, match="was closed on"):
        close(sws, case_id, "reached", "attitude", "dave", NOW + timedelta(hours=4), causes=CAUSES)
    assert list_cases(sws, NOW, state="open") == [] and len(list_cases(sws, NOW, state="closed")) == 1


def test_cases_outside_the_callers_units_do_not_exist_for_it(sws: Workspace) -> None:
    case_id = _answer(sws, "C2", "B002", NOW, {"q.csat": ["2"]})
    assert case_id is not None
    mine = frozenset({"B001"})
    assert list_cases(sws, NOW, units=mine) == []
    for act in (
        lambda: get_case(sws, case_id, NOW, mine),
        lambda: assign(sws, case_id, "x", NOW, mine),
        lambda: close(sws, case_id, "reached", "attitude", "x", NOW, units=mine),
    ):
        with pytest.raises(NotFound, match=f"case {case_id} not found"):
            act()
    with pytest.raises(NotFound, match="case 999 not found"):
        get_case(sws, 999, NOW)


def test_time_to_close_and_recovery_rate(sws: Workspace) -> None:
    first = _answer(sws, "C1", "B001", NOW, {"q.csat": ["2"], "q.nps": ["3"]})
    assert first is not None
    close(sws, first, "resolved", "attitude", "alice", NOW + timedelta(hours=4))
    later = NOW + timedelta(days=40)  # past the once-per-30-days rule
    assert _answer(sws, "C1", "B001", later, {"q.csat": ["5"], "q.nps": ["9"]}) is None  # recovered: no new case
    fig = case_figures(sws, later)
    assert (fig.cases, fig.closed, fig.median_hours_to_close) == (1, 1, 4.0)
    assert (fig.followed_up, fig.recovered, fig.recovery_rate) == (1, 1, 1.0)
    assert case_figures(sws, later, frozenset({"B002"})).cases == 0


def test_figures_say_none_when_there_is_nothing_to_measure() -> None:
    t = datetime(2026, 1, 1, tzinfo=UTC)
    empty = figures([], [], 0)
    assert (empty.median_hours_to_close, empty.recovery_rate) == (None, None)
    cases = [CaseFacts("r1", "c1", "nps", 3, t, t + timedelta(hours=2)), CaseFacts("r2", "c2", "nps", 5, t)]
    answers = [
        LaterAnswer("r1", "c1", t + timedelta(minutes=1), {"nps": 9}),  # its own answer, edited: not "later"
        LaterAnswer("r3", "c2", t + timedelta(days=1), {"nps": 4}),
    ]
    got = figures(cases, answers, 1)
    assert (got.open, got.closed, got.overdue, got.mean_hours_to_close) == (1, 1, 1, 2.0)
    assert (got.followed_up, got.recovered, got.recovery_rate) == (1, 0, 0.0)


def test_a_recurring_root_cause_becomes_one_improvement_action(sws: Workspace) -> None:
    from valueloop.improvement.service.actions_view import show_action
    from valueloop.surveys.service.rollup import propose, recurring

    for i, (unit, cause) in enumerate([("B001", "attitude"), ("B002", "attitude"), ("B001", "logistics")]):
        case_id = _answer(sws, f"R{i}", unit, NOW, {"q.csat": ["1"]})
        assert case_id is not None
        close(sws, case_id, "reached", cause, "amy", NOW + timedelta(hours=1))
    listed = recurring(sws, "2026-06", 2)
    assert [(p.root_cause, p.units, p.action_id) for p in listed] == [("attitude", ["B001", "B002"], None)]
    assert recurring(sws, "2026-07", 1) == [] and len(recurring(sws, "2026-06", 1)) == 2
    (made,) = propose(sws, "2026-06", 2, "alice", "service", "amy")
    assert made.action_id is not None
    action = show_action(sws, made.action_id)
    assert action.title == "Recurring root cause attitude in 2026-06: follow-up cases"
    assert {(x.kind, x.ref) for x in action.links} == {
        ("complaint_topic", "attitude"), ("entity", "B001"), ("entity", "B002")}  # fmt: skip
    assert [p.action_id for p in propose(sws, "2026-06", 2, "alice", "service", "amy")] == [made.action_id]  # once
    assert [p.units for p in recurring(sws, "2026-06", 1, frozenset({"B002"}))] == [["B002"]]
    with pytest.raises(InputError, match="not YYYY-MM"):
        recurring(sws, "June", 2)


LOOP_MODEL = """\
id: inner-loop
name: {zh: 回访闭环, en: Inner loop}
version: 1
effective_from: 2025-01-01
reason: {category: social, text: test}
level: branch
period: month
scale: "1-5"
dimensions:
  - id: loop
    name: {zh: 闭环, en: Loop}
    weight: 1
    indicators:
      - id: hours_to_close
        name: {zh: 闭环时长, en: Hours to close the loop}
        dataset: follow_up_cases
        filter: "closed_at is not null"
        measure: {type: mean, field: hours_to_close}
        direction: lower
        scoring: {rule: linear, worst: 24, best: 1}
        weight: 0.5
        min_n: 1
      - id: recovery_rate
        name: {zh: 挽回率, en: Recovery rate}
        dataset: follow_up_cases
        filter: "followed_up == true"
        measure: {type: rate, condition: "recovered == true"}
        direction: higher
        scoring: {rule: linear, worst: 0, best: 0.6}
        weight: 0.5
        min_n: 1
"""


def test_time_to_close_and_recovery_are_model_indicators_per_unit(sws: Workspace, tmp_path: Path) -> None:
    """June: C1 (B001) closed in 4 h and answers higher in July; C2 (B002) closed in 2 h and answers as low
    again; C3 (B001) still open. Per branch in June: hours to close B001 4 (C3 has none), B002 2; recovery
    B001 1/1, B002 0/1."""
    c1 = _answer(sws, "C1", "B001", NOW, {"q.csat": ["2"]})
    c2 = _answer(sws, "C2", "B002", NOW, {"q.csat": ["1"]})
    c3 = _answer(sws, "C3", "B001", NOW, {"q.csat": ["2"]})
    assert c1 and c2 and c3
    close(sws, c1, "resolved", "attitude", "alice", NOW + timedelta(hours=4))
    close(sws, c2, "reached", "logistics", "bob", NOW + timedelta(hours=2))
    later = NOW + timedelta(days=40)
    _answer(sws, "C1", "B001", later, {"q.csat": ["5"]})
    _answer(sws, "C2", "B002", later, {"q.csat": ["1"]})  # opens a July case of its own
    first = publish_cases(sws, later)
    assert (first.cases, first.stored, first.duplicates) == (4, 4, 0)
    again = publish_cases(sws, later)
    assert (again.stored, again.duplicates) == (0, 4)  # unchanged cases are not written twice
    wh = Warehouse(sws)
    rows = wh.execute(wh.table("follow_up_cases")).set_index("case_id")
    assert len(rows) == 4 and rows.loc[str(c1), "recovered"] and not rows.loc[str(c2), "recovered"]
    assert not rows.loc[str(c3), "followed_up"] and pd.isna(rows.loc[str(c3), "recovered"])
    assert rows.loc[str(c1), "hours_to_close"] == 4.0 and pd.isna(rows.loc[str(c3), "hours_to_close"])
    entities = tmp_path / "entities.jsonl"
    branches = "".join(f'{{"entity_id": "{b}", "type": "branch", "parent_id": "C0"}}\n' for b in ("B001", "B002"))
    entities.write_text('{"entity_id": "C0", "type": "company"}\n' + branches, encoding="utf-8")
    assert ingest(sws, "entities", [entities]).quarantined == 0
    (sws.models_dir / "inner-loop.yaml").write_text(LOOP_MODEL, encoding="utf-8")
    model = load_model(sws.models_dir / "inner-loop.yaml")
    values, _ = compute_values(Warehouse(sws), model, ["2026-06"])
    got = values[values["segment"].isna()].set_index(["entity_id", "indicator"])["value"].to_dict()
    assert got[("B001", "hours_to_close")] == 4.0 and got[("B002", "hours_to_close")] == 2.0
    assert got[("B001", "recovery_rate")] == 1.0 and got[("B002", "recovery_rate")] == 0.0
    close(sws, c3, "not_reachable", "attitude", "alice", NOW + timedelta(hours=10))
    assert publish_cases(sws, later).updated == 1  # the closed case replaces its open row
    values, _ = compute_values(Warehouse(sws), model, ["2026-06"])
    got = values[values["segment"].isna()].set_index(["entity_id", "indicator"])["value"].to_dict()
    assert got[("B001", "hours_to_close")] == 7.0  # (4 + 10) / 2


def test_the_case_outcomes_are_the_datasets_allowed_values() -> None:
    assert DATASETS["follow_up_cases"].by_name["outcome"].allowed == tuple(o.value for o in Outcome)
