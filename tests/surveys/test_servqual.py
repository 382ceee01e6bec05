"""SERVQUAL items: validated with file:line, rendered with two 7-point scales, stored through the same ingest
path, and the gap per dimension (perception − expectation, Parasuraman et al. 1988) checked by hand."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import CliRun
from surveys.conftest import NOW, write_survey
from valueloop.accounts.service.accounts import Role, add_user, create_token
from valueloop.errors import InputError, SpecError
from valueloop.evaluation.service.evaluate import evaluate
from valueloop.evaluation.service.models import install_template
from valueloop.http.app import create_app
from valueloop.http.settings import ApiSettings
from valueloop.ingest.service.ingest import ingest
from valueloop.metrics.run import compute_values
from valueloop.spec.datasets import DATASETS
from valueloop.spec.model_loader import load_model
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace
from valueloop.surveys.answers import Answer, check_form, feedback_row
from valueloop.surveys.loader import load_survey
from valueloop.surveys.service.answer_flush import flush_answers
from valueloop.surveys.service.answers import AnswerError, submit
from valueloop.surveys.service.invitations import export_links, plan
from valueloop.surveys.service.servqual import servqual_report
from valueloop.surveys.servqual import dimension_gaps, gap, gap_field, overall
from valueloop.surveys.spec import Dimension, Survey

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

QUALITY = """\
id: quality
title: {zh: 服务质量, en: Service quality}
questions:
  - {id: r1, type: servqual, dimension: reliability, required: true, text: {zh: 按时完成, en: On time}}
  - {id: r2, type: servqual, dimension: reliability, text: {zh: 一次做好, en: Right first time}}
  - {id: e1, type: servqual, dimension: empathy, text: {zh: 个别关注, en: Individual attention}}
trigger: {delay_hours: 2, channel: export}
"""
TEMPLATE = Path(__file__).parents[2] / "src/valueloop/templates/surveys/servqual.yaml"


def _tokens(ws: Workspace) -> dict[str, str]:
    write_survey(ws, QUALITY, "quality.yaml")
    plan(ws, "quality", NOW, dry_run=False)
    return {r.customer_id or "": r.url.rsplit("/s/", 1)[1] for r in export_links(ws, "quality", "https://x", NOW)}


def test_gap_per_dimension_matches_a_worked_example(sws: Workspace) -> None:
    """By hand: A rates r1 E7 P5 (gap −2), r2 E6 P6 (0), e1 E5 P6 (+1); B rates r1 E6 P3 (−3) only.
    Reliability: A's mean gap −1 (E 6.5, P 5.5), B's −3 → E (6.5+6)/2 = 6.25, P (5.5+3)/2 = 4.25,
    gap −2 = 4.25 − 6.25. Empathy: A only, E 5, P 6, gap +1. Unweighted SERVQUAL score (−2 + 1)/2 = −0.5."""
    links = _tokens(sws)
    a = {"q.r1.e": ["7"], "q.r1.p": ["5"], "q.r2.e": ["6"], "q.r2.p": ["6"], "q.e1.e": ["5"], "q.e1.p": ["6"]}
    submit(sws, links["C1"], a, "zh", NOW)
    submit(sws, links["C2"], {"q.r1.e": ["6"], "q.r1.p": ["3"]}, "en", NOW)
    report = servqual_report(sws, "quality")
    got = {d.dimension: (d.respondents, d.expectation, d.perception, d.gap) for d in report.dimensions}
    assert got == {"reliability": (2, 6.25, 4.25, -2.0), "empathy": (1, 5.0, 6.0, 1.0)}
    assert report.overall_gap == pytest.approx(-0.5) and report.responses == 2
    assert servqual_report(sws, "quality", frozenset({"B002"})).dimensions[0].respondents == 1  # C2 is B002's
    flush_answers(sws)
    wh = Warehouse(sws)
    assert len(wh.execute(wh.table("feedback"))) == 2  # both went through the ingest
    with pytest.raises(InputError, match="no servqual item"):
        servqual_report(sws, "after_service")


def test_the_maths_is_p_minus_e() -> None:
    survey = load_survey(TEMPLATE)
    assert gap(6, 4) == -2 and gap(3, 5) == 2
    gaps = dimension_gaps(survey, [{"tangibles_facilities": {"e": 7, "p": 4}, "why": "x"}, {"empathy_attention": 5}])
    assert [(g.dimension, g.items, g.respondents, g.gap) for g in gaps][:2] == [
        (Dimension.tangibles, 2, 1, -3.0),
        (Dimension.reliability, 2, 0, None),
    ]
    assert overall(gaps) == -3.0


def test_a_rating_needs_both_halves_on_the_7_point_scale() -> None:
    survey = load_survey(TEMPLATE)
    bad = check_form(survey, {"q.tangibles_staff.e": ["8"], "q.empathy_attention.p": ["3"], "q.assurance_trust": ["4"]})
    assert bad.problems == {
        "q.assurance_trust": "no such question in this survey",
        "q.tangibles_staff": "a whole number from 1 to 7",
        "q.empathy_attention": "rate both what you expected and what you got",
    }
    ok = check_form(survey, {"q.empathy_attention.e": ["6"], "q.empathy_attention.p": ["2"]})
    assert ok.answers == {"empathy_attention": {"e": 6, "p": 2}} and not ok.problems


def test_servqual_items_are_validated_with_their_line(tmp_path: Path) -> None:
    file = tmp_path / "bad.yaml"
    file.write_text(
        "id: bad\ntitle: x\nquestions:\n"
        "  - {id: a, type: servqual, text: x}\n"
        "  - {id: b, type: servqual, dimension: comfort, text: x}\n"
        "  - {id: c, type: csat, dimension: empathy, text: x}\n"
        "  - {id: d, type: text, text: x, show_if: {question: a, at_most: 3}}\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as err:
        load_survey(file)
    text = str(err.value)
    assert f"{file}:5: questions[1].dimension: Input should be 'tangibles'" in text
    file.write_text(file.read_text().replace("dimension: comfort", "dimension: empathy"), encoding="utf-8")
    with pytest.raises(SpecError) as err:
        load_survey(file)
    text = str(err.value)
    assert f"{file}:4: questions[0].dimension: a servqual item needs a dimension" in text
    assert f"{file}:6: questions[2].dimension: a csat question has no dimension" in text
    assert f"{file}:7: questions[3].show_if: a is a servqual question" in text


def test_the_starter_survey_is_bilingual_and_covers_the_five_dimensions() -> None:
    survey = load_survey(TEMPLATE)
    assert {q.dimension for q in survey.questions if q.dimension} == set(Dimension)
    assert all(q.text.zh and q.text.en and q.text.zh != q.text.en for q in survey.questions)


@pytest.fixture
def client(sws: Workspace) -> Iterator[TestClient]:
    with TestClient(create_app(ApiSettings(workspace=sws.root)), base_url="https://testserver") as c:
        yield c


def test_the_page_asks_expectation_and_perception_and_stores_them(client: TestClient, sws: Workspace) -> None:
    write_survey(sws, QUALITY, "quality.yaml")
    from valueloop.surveys.fatigue import Resolved

    now = datetime.now(UTC)
    plan(sws, "quality", now, dry_run=False, candidates=[Resolved("I1", "B001", now - timedelta(hours=3), "C1")])
    (row,) = export_links(sws, "quality", "https://testserver", now + timedelta(hours=13))
    url = "/s/" + row.url.rsplit("/s/", 1)[1]
    zh = client.get(url, headers={"accept-language": "zh-CN"}).text
    assert zh.count('name="q.r1.e"') == 7 and zh.count('name="q.r1.p"') == 7 and "<legend>您的期望</legend>" in zh
    en = client.get(url + "?lang=en").text
    assert "<legend>What you expected</legend>" in en and "<legend>What you experienced</legend>" in en
    refused = client.post(url + "?lang=en", data={"q.r1.e": "6"})
    assert refused.status_code == 422 and "rate both what you expected and what you got" in refused.text
    assert 'value="6" checked' in refused.text  # the half given is shown again
    ok = client.post(url + "?lang=en", data={"q.r1.e": "6", "q.r1.p": "4", "q.e1.e": "3", "q.e1.p": "5"})
    assert ok.status_code == 200, ok.text
    report = servqual_report(sws, "quality")
    assert [(d.dimension, d.gap) for d in report.dimensions] == [("reliability", -2.0), ("empathy", 2.0)]


def test_an_answer_without_both_ratings_is_refused_by_the_service(sws: Workspace) -> None:
    links = _tokens(sws)
    with pytest.raises(AnswerError) as err:
        submit(sws, links["C1"], {"q.r1.p": ["5"]}, "zh", NOW)
    assert err.value.problems == {"q.r1": "rate both what you expected and what you got"}


def test_cli_and_api_report_the_gaps(sws: Workspace, cli: CliRun, client: TestClient) -> None:
    links = _tokens(sws)
    submit(sws, links["C1"], {"q.r1.e": ["7"], "q.r1.p": ["4"]}, "zh", NOW)
    out = cli("surveys", "servqual", "quality", "-w", sws.root, "--format", "json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["dimensions"][0] == {
        "dimension": "reliability", "items": 2, "respondents": 1, "expectation": 7.0, "perception": 4.0, "gap": -3.0
    }  # fmt: skip
    none = cli("surveys", "servqual", "after_service", "-w", sws.root)
    assert none.returncode == 2 and "no servqual item" in none.stderr
    add_user(sws, "ana", "correct horse battery", Role.analyst, [])
    head = {"Authorization": f"Bearer {create_token(sws, 'ana', 'tests', [])[1]}"}
    got = client.get("/api/v1/surveys/quality/servqual", headers=head)
    assert got.status_code == 200 and got.json()["overall_gap"] == -3.0


def test_answers_fill_the_feedback_gap_columns(sws: Workspace) -> None:
    """The worked example above, in the lake: each answer's ``<dimension>_gap`` is that respondent's mean P − E
    (A: reliability (−2 + 0)/2 = −1, empathy +1; B: reliability −3, no empathy item rated → empty, not 0)."""
    links = _tokens(sws)
    a = {"q.r1.e": ["7"], "q.r1.p": ["5"], "q.r2.e": ["6"], "q.r2.p": ["6"], "q.e1.e": ["5"], "q.e1.p": ["6"]}
    submit(sws, links["C1"], a, "zh", NOW)
    submit(sws, links["C2"], {"q.r1.e": ["6"], "q.r1.p": ["3"]}, "en", NOW)
    flush_answers(sws)  # accepted answers reach the lake in batches
    wh = Warehouse(sws)
    rows = wh.execute(wh.table("feedback")).set_index("customer_id")
    assert rows.loc["C1", "reliability_gap"] == -1.0 and rows.loc["C1", "empathy_gap"] == 1.0
    assert rows.loc["C2", "reliability_gap"] == -3.0 and pd.isna(rows.loc["C2", "empathy_gap"])
    assert rows[["tangibles_gap", "responsiveness_gap", "assurance_gap"]].isna().all().all()
    # the mean of the column over respondents is the report's dimension gap (−1 + −3)/2 = −2
    assert rows["reliability_gap"].mean() == servqual_report(sws, "quality").dimensions[0].gap == -2.0


def test_every_dimension_has_its_feedback_gap_column() -> None:
    fields = DATASETS["feedback"].by_name
    assert all(fields[gap_field(d)].kind == "float" for d in Dimension)


def _servqual_answers(survey: Survey, rng: np.random.Generator) -> dict[str, Answer]:
    """A respondent of the starter survey: each item rated on both scales, now and then one skipped."""
    out: dict[str, Answer] = {}
    for q in survey.questions:
        if q.dimension is not None and rng.random() > 0.15:
            e = int(rng.integers(4, 8))
            out[q.id] = {"e": e, "p": int(np.clip(e - rng.integers(-1, 4), 1, 7))}
    return out


def test_a_model_scores_the_servqual_gaps_per_unit(ws: Workspace, tmp_path: Path) -> None:
    """Demo-like answers to the starter survey, in two branches (one through its team) over a quarter: the
    ``servqual-survey`` template's gap per unit is the survey report's gap over that unit's answers."""
    survey = load_survey(TEMPLATE)
    install_template(ws, "servqual-survey")
    rng = np.random.default_rng(21)
    units = ("B1", "B2")
    entities = [{"entity_id": "C0", "type": "company"}, {"entity_id": "T1", "type": "team", "parent_id": "B1"}]
    entities += [{"entity_id": b, "type": "branch", "parent_id": "C0"} for b in units]
    rows: list[dict[str, object]] = []
    by_branch: dict[str, list[dict[str, Answer]]] = {b: [] for b in units}
    for i in range(60):
        branch = "B1" if i % 2 else "B2"
        answers = _servqual_answers(survey, rng)
        by_branch[branch].append(answers)
        at = datetime(2026, 1, 5, 10, tzinfo=UTC) + timedelta(days=i)
        unit = "T1" if i % 4 == 1 else branch  # the team's answers roll up into B1
        rows.append({"feedback_id": f"F{i}", "submitted_at": at.isoformat(), "entity_id": unit, "kind": "survey",
                     **feedback_row(survey, answers)})  # fmt: skip
    for dataset, data in (("entities", entities), ("feedback", rows)):
        file = tmp_path / f"{dataset}.jsonl"
        file.write_text("".join(json.dumps(r) + "\n" for r in data), encoding="utf-8")
        assert ingest(ws, dataset, [file]).quarantined == 0
    model = load_model(ws.models_dir / "servqual-survey.yaml")
    values, _ = compute_values(Warehouse(ws), model, ["2026-Q1"])
    got = values[values["segment"].isna()].set_index(["entity_id", "indicator"])["value"]
    for branch, answers in by_branch.items():
        for g in dimension_gaps(survey, answers):
            assert got[(branch, gap_field(g.dimension))] == pytest.approx(g.gap), (branch, g.dimension)
    run = evaluate(ws, "servqual-survey", "2026-Q1", store=False)
    assert {r.entity_id for r in run.results} == set(units)
    assert all(r.score is not None and 1.0 <= r.score <= 5.0 for r in run.results)
