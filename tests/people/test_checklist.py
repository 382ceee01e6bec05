"""Checklists: every problem with file:line; critical items fail the visit; evidence is required."""

from __future__ import annotations

from pathlib import Path

import pytest

from valueloop.errors import SpecError
from valueloop.people.checklist import builtin_checklists, load_checklist, score_visit

BAD = """id: bad
name: 坏清单
items:
  - id: greet
    text: 问候
    weight: 0.5
  - id: greet
    text: 重复
    weight: 0.3
  - id: price
    text: 价格
    weight: 2
"""


def test_builtin_checklists_are_valid() -> None:
    for path in builtin_checklists().values():
        assert load_checklist(path).items


def test_every_problem_is_reported_with_file_and_line(tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(BAD, encoding="utf-8")
    with pytest.raises(SpecError) as err:
        load_checklist(f)
    assert f"{f}:12: items[2].weight" in str(err.value)


def test_weights_must_sum_to_one(tmp_path: Path) -> None:
    f = tmp_path / "sum.yaml"
    f.write_text(
        BAD.replace("weight: 2", "weight: 0.1").replace("id: greet\n    text: 重复", "id: smile\n    text: 重复"),
        encoding="utf-8",
    )
    with pytest.raises(SpecError, match=rf"{f.name}:3: items: item weights sum to 0.9"):
        load_checklist(f)


def test_critical_failure_and_missing_evidence() -> None:
    c = load_checklist(builtin_checklists()["branch-visit"])
    answers = {i.id: "pass" for i in c.items}
    evidence = {i.id: "hash" for i in c.items}
    assert score_visit(c, answers, evidence).score == pytest.approx(1.0)
    assert score_visit(c, answers | {"disclosure": "fail"}, evidence).score == 0.0
    no_photo = score_visit(c, answers, {})
    assert no_photo.missing_evidence == ("environment", "wait_time") and not no_photo.passed
