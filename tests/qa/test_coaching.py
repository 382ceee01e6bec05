"""Coaching: a task from the weakest items with example turns, and a follow-up judged by the two-proportion test."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write
from qa.helpers import by_words
from qa.test_service import GOOD, SKIPS_VERIFICATION, _line
from valueloop.errors import InputError
from valueloop.ingest.service.ingest import ingest
from valueloop.qa.service.coaching import coach, list_coaching, measure
from valueloop.qa.service.score import score_workspace
from valueloop.stats.moments import Summary
from valueloop.stats.twosample import proportion_ztest
from valueloop.store.workspace import Workspace


def _load(ws: Workspace, tmp_path: Path, name: str, lines: list[str]) -> None:
    ingest(ws, "conversations", [write(tmp_path / name, "\n".join(lines) + "\n")])
    score_workspace(ws, "bank_call", by_words)


@pytest.fixture
def skipping(ws: Workspace, tmp_path: Path) -> Workspace:
    """In March A1 always verifies the caller's identity; A2 never does."""
    lines = [_line(f"A1-{i}", "A1", GOOD, f"2026-03-{i + 1:02d}T09:00:00") for i in range(8)]
    lines += [_line(f"A2-{i}", "A2", SKIPS_VERIFICATION, f"2026-03-{i + 1:02d}T10:00:00") for i in range(12)]
    _load(ws, tmp_path, "march.jsonl", lines)
    return ws


def test_the_task_names_the_weakest_items_with_own_bad_and_peers_good_turns(skipping: Workspace) -> None:
    task = coach(skipping, "bank_call", "A2", "王敏", top=3, follow_up_after=10)
    verify = next(i for i in task.items if i.item == "verify_identity")
    assert (verify.failed, verify.applicable, verify.name_zh) == (12, 12, "先核实身份再谈账户")
    assert verify.good and {g.agent_id for g in verify.good} == {"A1"}
    assert verify.good[0].text == "先核实一下您的身份证后四位"  # the whole turn, not only the matched words
    assert verify.bad and all(b.agent_id == "A2" for b in verify.bad)
    assert task.baseline.conversations == 12 and task.baseline.pass_rate is not None
    assert (task.status, task.follow_up_after, task.entity_id) == ("open", 10, "T1")
    assert [t.coaching_id for t in list_coaching(skipping, agent="A2")] == [task.coaching_id]
    waiting = measure(skipping, task.coaching_id)
    assert waiting.status == "open" and waiting.result is not None and waiting.result.verdict is None
    assert waiting.result.reason == "0 of 10 further conversations scored so far"


def test_the_follow_up_says_helped_with_the_projects_two_proportion_test(skipping: Workspace, tmp_path: Path) -> None:
    task = coach(skipping, "bank_call", "A2", "王敏", top=3, follow_up_after=10)
    april = [_line(f"A2-n{i}", "A2", GOOD, f"2026-04-{i + 1:02d}T10:00:00") for i in range(10)]
    _load(skipping, tmp_path, "april.jsonl", april)
    done = measure(skipping, task.coaching_id)
    assert done.status == "measured" and done.result is not None
    r = done.result
    assert r.verdict == "helped" and r.after.conversations == 10 and r.after.pass_rate == 1.0
    b, a = r.before, r.after
    assert b.pass_rate is not None and a.pass_rate is not None
    expected = proportion_ztest(Summary(b.applicable, b.pass_rate, 0.0), Summary(a.applicable, a.pass_rate, 0.0))
    assert r.p_value == pytest.approx(expected.p_value) and r.p_value is not None and r.p_value < 0.05
    assert r.diff == pytest.approx(a.pass_rate - b.pass_rate) and r.method == "two_proportion_z"
    assert r.items["verify_identity"]["before"] == 0.0 and r.items["verify_identity"]["after"] == 1.0


def test_no_change_is_not_shown_rather_than_no_effect(skipping: Workspace, tmp_path: Path) -> None:
    task = coach(skipping, "bank_call", "A2", "王敏", top=1, follow_up_after=5)
    more = [_line(f"A2-n{i}", "A2", SKIPS_VERIFICATION, f"2026-04-{i + 1:02d}T10:00:00") for i in range(5)]
    _load(skipping, tmp_path, "april.jsonl", more)
    r = measure(skipping, task.coaching_id).result
    assert r is not None and r.verdict == "not_shown" and r.p_value is None and r.reason is not None


def test_an_agent_without_failures_has_nothing_to_coach(skipping: Workspace) -> None:
    with pytest.raises(InputError, match="nothing to coach"):
        coach(skipping, "bank_call", "A1", "王敏")
    with pytest.raises(InputError, match="at least 1"):
        coach(skipping, "bank_call", "A2", "王敏", follow_up_after=0)
