"""A follow-up rule on open text: negative about a topic opens a case when the answer is flushed, once."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from surveys.conftest import NOW, SURVEY, write_survey
from valueloop.errors import SpecError
from valueloop.store import appdb
from valueloop.store.tables import survey_cases
from valueloop.store.tables import survey_responses as responses
from valueloop.store.workspace import Workspace
from valueloop.surveys.service.answer_flush import flush_answers
from valueloop.surveys.service.answers import submit
from valueloop.surveys.service.catalog import get_survey
from valueloop.surveys.service.invitations import export_links, plan

TEXT_RULE = SURVEY.replace("    show_if: {question: nps, at_most: 6}\n", "").replace(
    "rules: [{question: nps, at_most: 6}, {question: csat, at_most: 2}]",
    "rules: [{question: csat, at_most: 2}, {text: why, sentiment: negative, topic: refund}]",
)


def _cases(ws: Workspace) -> list[tuple[str, str, int, str, str | None]]:
    c = survey_cases.c
    q = sa.select(c.response_id, c.question, c.score, c.rule, c.owner).order_by(c.case_id)
    with appdb.engine(ws.database_url).connect() as conn:
        return [tuple(r) for r in conn.execute(q)]  # type: ignore[misc]


def _answer(ws: Workspace, texts: dict[str, str]) -> dict[str, str]:
    write_survey(ws, TEXT_RULE)
    plan(ws, "after_service", NOW, dry_run=False)
    tokens = {
        r.customer_id or "": r.url.rsplit("/s/", 1)[1] for r in export_links(ws, "after_service", "https://x", NOW)
    }
    return {c: submit(ws, tokens[c], {"q.csat": ["4"], "q.why": [t]}, "zh", NOW).response_id for c, t in texts.items()}


def test_negative_text_about_the_topic_opens_one_case_at_flush_even_flushed_twice(sws: Workspace) -> None:
    ids = _answer(sws, {"C1": "又是退款到账慢，客服态度很差", "C2": "退款很快，非常满意"})
    assert _cases(sws) == []  # the POST does not analyse text
    flush_answers(sws)
    want = [(ids["C1"], "why", 0, "why negative about refund", "alice")]
    assert _cases(sws) == want
    flush_answers(sws)  # nothing pending: nothing analysed again
    assert _cases(sws) == want


def test_negative_text_about_another_topic_opens_none(sws: Workspace) -> None:
    _answer(sws, {"C1": "物流太慢了，快递员态度很差", "C2": "退款到账很快，谢谢"})
    flush_answers(sws)
    assert _cases(sws) == []


def test_an_answer_flushed_twice_keeps_its_one_case(sws: Workspace) -> None:
    ids = _answer(sws, {"C1": "退款一直不到账，太差了"})
    flush_answers(sws)
    with appdb.engine(sws.database_url).begin() as conn:  # the answer pending again (as after an edit)
        conn.execute(responses.update().values(pending_at=NOW))
    flush_answers(sws)
    assert [c[0] for c in _cases(sws)] == [ids["C1"]]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            "{text: nothing, topic: refund}",
            r"after_service\.yaml:\d+: follow_up\.rules\[1\]\.text: 'nothing' is not any question",
        ),
        ("{text: nps, topic: refund}", r"after_service\.yaml:\d+: follow_up\.rules\[1\]\.text: nps is a nps question"),
        (
            "{text: why, topic: teleport}",
            r"after_service\.yaml:\d+: follow_up\.rules\[1\]\.topic: 'teleport' is not a category",
        ),
    ],
)
def test_a_bad_text_rule_names_file_and_line(sws: Workspace, rule: str, message: str) -> None:
    write_survey(sws, TEXT_RULE.replace("{text: why, sentiment: negative, topic: refund}", rule))
    with pytest.raises(SpecError, match=message):
        get_survey(sws, "after_service")


def test_the_rule_is_checked_against_the_workspace_taxonomy(sws: Workspace, tmp_path: Path) -> None:
    (sws.root / "taxonomy.yaml").write_text(
        "categories:\n  - {id: teleport, name: {zh: 传送, en: Teleport}, keywords: {zh: [传送]}}\n", encoding="utf-8"
    )
    write_survey(sws, TEXT_RULE.replace("topic: refund", "topic: teleport"))
    assert get_survey(sws, "after_service").follow_up.text_rules[0].topic == "teleport"


def test_a_survey_file_broken_after_answering_does_not_stop_the_flush(sws: Workspace) -> None:
    _answer(sws, {"C1": "退款一直不到账，太差了"})
    write_survey(sws, TEXT_RULE.replace("topic: refund", "topic: teleport"))
    summary = flush_answers(sws)
    assert (summary.flushed, summary.pending) == (1, 0) and _cases(sws) == []
