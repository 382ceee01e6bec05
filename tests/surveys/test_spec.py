"""Survey files: every problem at once with file:line, and the pure rules (answers, sampling, quiet hours)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from surveys.conftest import SURVEY
from valueloop.errors import SpecError
from valueloop.surveys.answers import check_form, feedback_row
from valueloop.surveys.fatigue import quiet_until, sampled
from valueloop.surveys.loader import load_survey, load_surveys
from valueloop.surveys.spec import Survey


def _file(tmp_path: Path, text: str, name: str = "after_service.yaml") -> Path:
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return f


def survey() -> Survey:
    import yaml

    return Survey.model_validate(yaml.safe_load(SURVEY))


def test_the_example_survey_loads(tmp_path: Path) -> None:
    s = load_survey(_file(tmp_path, SURVEY))
    assert [q.id for q in s.questions] == ["csat", "nps", "why", "topics"]
    assert s.title.get("en") == "How did we do?" and s.title.get("zh") == "服务回访"


BROKEN = """\
id: after_service
title: {en: Only English}
questions:
  - {id: csat, type: csat, text: {zh: 满意吗, en: Satisfied}}
  - {id: csat2, type: csat, text: {zh: 再问, en: Again}}
  - {id: pick, type: single, text: {zh: 选, en: Pick}, options: [{id: a, text: A}]}
  - {id: why, type: text, text: {zh: 为何, en: Why}, show_if: {question: later, at_most: 3}}
  - {id: later, type: nps, text: {zh: 推荐, en: Recommend}, options: [{id: x, text: X}]}
  - {id: low, type: text, text: {zh: 低, en: Low}, show_if: {question: csat, at_most: 9}}
follow_up:
  rules: [{question: pick, any_of: [a]}]
"""


def test_every_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    f = _file(tmp_path, BROKEN)
    with pytest.raises(SpecError) as err:
        load_survey(f)
    text = str(err.value)
    assert f"{f}:2: title: missing the zh text" in text
    assert f"{f}:5: questions[1].type: a survey has at most one csat question" in text
    assert f"{f}:6: questions[2].options: a single question needs at least two options" in text
    assert f"{f}:7: questions[3].show_if.question: 'later' is not an earlier question" in text
    assert f"{f}:8: questions[4].options: a nps question has no options" in text
    assert f"{f}:9: questions[5].show_if.at_most: 9 is outside the csat scale 1–5" in text
    assert "follow_up.rules[0]: pick is a single question: at_most/at_least need a score question" in text
    assert "follow_up.owners: cases need an owner" in text


def test_structure_errors_name_the_line(tmp_path: Path) -> None:
    f = _file(tmp_path, "id: after_service\ntitle: x\nquestions:\n  - {id: a, type: stars, text: x}\n")
    with pytest.raises(SpecError, match=r":4: questions\[0\]\.type: Input should be"):
        load_survey(f)


def test_the_id_must_be_the_file_name(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="must be the file name 'other'"):
        load_survey(_file(tmp_path, SURVEY, "other.yaml"))


def test_a_broken_file_hides_no_other(tmp_path: Path) -> None:
    _file(tmp_path, SURVEY)
    _file(tmp_path, "id: [unclosed", "broken.yaml")
    good, bad = load_surveys(tmp_path)
    assert list(good) == ["after_service"] and "invalid YAML" in bad["broken.yaml"]


def test_answers_are_checked_field_by_field() -> None:
    s = survey()
    got = check_form(s, {"q.csat": ["9"], "q.nps": ["3", "4"], "q.topics": ["speed", "nope"], "q.bogus": ["1"]})
    assert got.problems == {
        "q.csat": "a whole number from 1 to 5",
        "q.nps": "one answer only",
        "q.topics": "not an option: 'nope'",
        "q.bogus": "no such question in this survey",
    }
    long = check_form(s, {"q.csat": ["4"], "q.nps": ["2"], "q.why": ["x" * 201]})
    assert long.problems == {"q.why": "at most 200 characters (got 201)"}
    assert check_form(s, {"q.nps": ["8"]}).problems == {"q.csat": "an answer is required"}
    assert (
        check_form(s, {"q.csat": ["4"], "q.why": ["a\x00b"], "q.nps": ["1"]}).problems["q.why"].startswith("contains")
    )


def test_a_hidden_question_is_not_stored() -> None:
    s = survey()
    happy = check_form(s, {"q.csat": ["5"], "q.nps": ["9"], "q.why": ["nothing"], "q.topics": ["speed", "staff"]})
    assert happy.problems == {} and happy.answers == {"csat": 5, "nps": 9, "topics": ("speed", "staff")}
    unhappy = check_form(s, {"q.csat": ["2"], "q.nps": ["3"], "q.why": [" slow "]})
    assert unhappy.answers["why"] == "slow"
    assert feedback_row(s, unhappy.answers) == {"csat": 2, "nps": 3, "ces": None, "text": "slow"}


def test_sampling_is_stable_and_near_its_probability() -> None:
    picks = [sampled("s", f"I{i}", 0.3) for i in range(4000)]
    assert picks == [sampled("s", f"I{i}", 0.3) for i in range(4000)]
    assert 0.27 < sum(picks) / len(picks) < 0.33
    assert all(sampled("s", f"I{i}", 1.0) for i in range(100))


def test_quiet_hours_span_midnight_in_the_local_zone() -> None:
    tz = "Asia/Shanghai"
    late = datetime(2026, 6, 10, 14, 30, tzinfo=UTC)  # 22:30 local
    assert quiet_until(late, "21:00-08:00", tz) == datetime(2026, 6, 11, 0, 0, tzinfo=UTC)  # 08:00 local
    early = datetime(2026, 6, 10, 23, 0, tzinfo=UTC)  # 07:00 local next day
    assert quiet_until(early, "21:00-08:00", tz) == datetime(2026, 6, 11, 0, 0, tzinfo=UTC)
    assert quiet_until(datetime(2026, 6, 10, 4, 0, tzinfo=UTC), "21:00-08:00", tz) is None  # 12:00 local
    assert quiet_until(late, None, tz) is None
