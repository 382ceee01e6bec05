"""The after-service survey ships once (``templates/surveys/after_service.yaml``): ``init`` copies it into the
workspace; the demo and the bench write it with their own sampling and case owners, never a copy of their own."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from conftest import CliRun
from valueloop.demo.inner_loop import SURVEY_CHANGES as DEMO_CHANGES
from valueloop.demo.inner_loop import SURVEY_ID
from valueloop.errors import InputError
from valueloop.store.workspace import Workspace
from valueloop.surveys.answers import check_form, feedback_row
from valueloop.surveys.loader import load_survey
from valueloop.surveys.service.catalog import (
    catalog,
    get_survey,
    install_starter_surveys,
    shipped_survey,
    shipped_survey_text,
)
from valueloop.surveys.spec import Channel, QuestionType


def _bench_changes() -> dict[str, object]:
    """``bench/survey_bench.py``'s changes (the bench folder is not on the tests' import path)."""
    spec = importlib.util.spec_from_file_location("survey_bench", Path(__file__).parents[2] / "bench/survey_bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    changes: dict[str, object] = module.SURVEY_CHANGES
    return changes


BENCH_CHANGES = _bench_changes()


def test_the_shipped_survey_asks_csat_nps_and_why_below_a_score_in_both_languages() -> None:
    survey = load_survey(shipped_survey("after_service"))
    assert [(q.id, q.type) for q in survey.questions] == [
        ("csat", QuestionType.csat), ("nps", QuestionType.nps), ("why", QuestionType.text)
    ]  # fmt: skip
    assert all(q.text.zh and q.text.en and q.text.zh != q.text.en for q in survey.questions)
    assert survey.title.zh and survey.title.en and set(survey.languages) == {"zh", "en"}
    why = survey.questions[2]
    assert why.show_if is not None and (why.show_if.question, why.show_if.at_most) == ("nps", 6)
    happy = check_form(survey, {"q.csat": ["5"], "q.nps": ["9"], "q.why": ["nothing"]})
    unhappy = check_form(survey, {"q.csat": ["2"], "q.nps": ["3"], "q.why": ["太慢"]})
    assert "why" not in happy.answers  # hidden above 6, so not stored
    assert feedback_row(survey, unhappy.answers) == {"csat": 2, "nps": 3, "ces": None, "text": "太慢"}
    assert survey.trigger.channel is Channel.export and survey.follow_up.rules  # sendable without a mail server


def test_init_copies_it_into_the_workspace(cli: CliRun, tmp_path: Path) -> None:
    done = cli("init", tmp_path / "shop")
    assert done.returncode == 0, done.stderr
    copied = tmp_path / "shop" / "surveys" / "after_service.yaml"
    assert copied.read_bytes() == shipped_survey("after_service").read_bytes()
    listed = cli("surveys", "validate", "-w", tmp_path / "shop")
    assert listed.returncode == 0, listed.stdout + listed.stderr


def test_init_never_overwrites_a_users_survey(ws: Workspace) -> None:
    mine = ws.root / "surveys" / "after_service.yaml"
    mine.write_text(mine.read_text(encoding="utf-8").replace("服务满意度回访", "我们的回访"), encoding="utf-8")
    assert install_starter_surveys(ws) == []
    assert get_survey(ws, "after_service").title.zh == "我们的回访"
    assert [s.id for s in catalog(ws).surveys] == ["after_service"]


@pytest.mark.parametrize("changes", [DEMO_CHANGES, BENCH_CHANGES], ids=["demo", "bench"])
def test_the_demo_and_the_bench_use_the_shipped_questions(changes: dict[str, object], tmp_path: Path) -> None:
    shipped = load_survey(shipped_survey("after_service"))
    file = tmp_path / f"{SURVEY_ID}.yaml"
    file.write_text(shipped_survey_text(SURVEY_ID, changes), encoding="utf-8")
    theirs = load_survey(file)
    assert theirs.questions == shipped.questions and theirs.title == shipped.title
    assert theirs.trigger.sample < 1 and theirs.trigger.delay_hours == shipped.trigger.delay_hours
    assert theirs.follow_up.owners != shipped.follow_up.owners


def test_an_unknown_shipped_survey_names_the_shipped_ones() -> None:
    with pytest.raises(InputError, match="shipped: after_service, servqual"):
        shipped_survey("../servqual")
