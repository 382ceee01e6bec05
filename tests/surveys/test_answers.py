"""Answers land in the ``feedback`` dataset through ingest: once per link, updated within the edit window;
forged, expired and used links store nothing; a detractor opens a case."""

from __future__ import annotations

from datetime import timedelta

import pytest

from surveys.conftest import NOW
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace
from valueloop.surveys import tokens
from valueloop.surveys.service.answer_flush import flush_answers
from valueloop.surveys.service.answers import AnswerError, open_form, submit
from valueloop.surveys.service.cases import list_cases
from valueloop.surveys.service.catalog import secret
from valueloop.surveys.service.invitations import export_links, plan
from valueloop.surveys.service.links import unit_links


def _feedback(ws: Workspace) -> list[dict[str, object]]:
    flush_answers(ws)  # a reader that needs the answers in the lake flushes the accepted ones first
    wh = Warehouse(ws)
    df = wh.execute(wh.table("feedback"))
    rows: list[dict[str, object]] = df.to_dict("records")
    return rows


def _invite(ws: Workspace) -> dict[str, str]:
    plan(ws, "after_service", NOW, dry_run=False)
    return {r.customer_id or "": r.url.rsplit("/s/", 1)[1] for r in export_links(ws, "after_service", "https://x", NOW)}


def test_an_answer_is_stored_once_and_updated_within_the_edit_window(sws: Workspace) -> None:
    token = _invite(sws)["C1"]
    form = open_form(sws, token, NOW)
    assert form.survey.id == "after_service" and form.previous == {}
    first = submit(sws, token, {"q.csat": ["4"], "q.nps": ["9"]}, "zh", NOW)
    assert not first.updated and first.case_id is None
    again = submit(sws, token, {"q.csat": ["2"], "q.nps": ["5"], "q.why": ["太慢了"]}, "zh", NOW + timedelta(minutes=5))
    assert again.updated and again.case_id is not None
    rows = _feedback(sws)
    assert len(rows) == 1
    row = rows[0]
    assert (row["feedback_id"], row["customer_id"], row["interaction_id"], row["entity_id"]) == (
        first.response_id,
        "C1",
        "I1",
        "B001",
    )
    assert (row["csat"], row["nps"], row["text"], row["kind"]) == (2, 5, "太慢了", "survey")
    assert open_form(sws, token, NOW + timedelta(minutes=6)).previous["nps"] == 5
    with pytest.raises(tokens.TokenError) as used:
        submit(sws, token, {"q.csat": ["5"]}, "zh", NOW + timedelta(minutes=31))
    assert used.value.reason == "used"
    assert _feedback(sws)[0]["csat"] == 2


def test_forged_expired_and_malformed_links_store_nothing(sws: Workspace) -> None:
    token = _invite(sws)["C2"]
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    other_key = tokens.sign(b"not the workspace secret!", "i", token.split(".")[1], NOW + timedelta(days=1))
    for bad, reason in ((forged, "forged"), (other_key, "forged"), ("../../etc/passwd", "malformed")):
        with pytest.raises(tokens.TokenError) as err:
            submit(sws, bad, {"q.csat": ["1"]}, "en", NOW)
        assert err.value.reason == reason
    with pytest.raises(tokens.TokenError) as late:
        open_form(sws, token, NOW + timedelta(days=15))
    assert late.value.reason == "expired"
    unknown = tokens.sign(secret(sws), "i", "a" * 20, NOW + timedelta(days=1))  # signed, but no such invitation
    with pytest.raises(tokens.TokenError, match="not known"):
        open_form(sws, unknown, NOW)
    assert _feedback(sws) == []


def test_malformed_answers_are_refused_with_the_field_named(sws: Workspace) -> None:
    token = _invite(sws)["C2"]
    with pytest.raises(AnswerError) as err:
        submit(sws, token, {"q.csat": ["6"], "q.nps": ["x"]}, "en", NOW)
    assert err.value.problems == {"q.csat": "a whole number from 1 to 5", "q.nps": "a whole number from 0 to 10"}
    with pytest.raises(AnswerError, match=r"q\.csat: an answer is required"):
        submit(sws, token, {}, "en", NOW)
    assert _feedback(sws) == []


def test_a_detractor_opens_one_case_owned_by_the_unit_owner(sws: Workspace) -> None:
    token = _invite(sws)["C2"]
    done = submit(sws, token, {"q.csat": ["3"], "q.nps": ["2"]}, "en", NOW)
    (case,) = list_cases(sws, NOW)
    assert case.id == done.case_id and (case.owner, case.entity_id, case.question, case.score) == (
        "bob",
        "B002",
        "nps",
        2,
    )
    assert case.due_at == NOW + timedelta(hours=1) and not case.overdue
    assert list_cases(sws, NOW + timedelta(hours=2), state="overdue")[0].overdue
    assert list_cases(sws, NOW, units=frozenset({"B001"})) == []


def test_a_unit_link_takes_anonymous_answers_and_refuses_replays(sws: Workspace) -> None:
    (link,) = unit_links(sws, "after_service", ["B001"], "https://x", NOW)
    assert unit_links(sws, "after_service", ["B001"], "https://x", NOW)[0].link_id == link.link_id  # made once
    token = link.url.rsplit("/s/", 1)[1]
    one, two = open_form(sws, token, NOW), open_form(sws, token, NOW)
    assert one.post_token != two.post_token
    submit(sws, one.post_token, {"q.csat": ["5"]}, "zh", NOW)
    submit(sws, two.post_token, {"q.csat": ["4"]}, "zh", NOW)
    with pytest.raises(tokens.TokenError) as replay:
        submit(sws, one.post_token, {"q.csat": ["1"]}, "zh", NOW + timedelta(hours=1))
    assert replay.value.reason == "used"
    with pytest.raises(tokens.TokenError):  # the QR link itself cannot post: a page must be opened first
        submit(sws, token, {"q.csat": ["1"]}, "zh", NOW)
    rows = _feedback(sws)
    assert sorted(r["csat"] for r in rows) == [4, 5] and {r["entity_id"] for r in rows} == {"B001"}
    assert not any(isinstance(r["customer_id"], str) for r in rows)  # anonymous: no customer


def test_the_same_link_posted_twice_at_once_stores_one_answer(sws: Workspace) -> None:
    from concurrent.futures import ThreadPoolExecutor

    import sqlalchemy as sa

    from valueloop.store import appdb
    from valueloop.store.tables import survey_cases, survey_responses

    token = _invite(sws)["C1"]
    with ThreadPoolExecutor(4) as pool:
        done = list(pool.map(lambda n: submit(sws, token, {"q.csat": ["1"], "q.nps": [str(n)]}, "zh", NOW), range(4)))
    assert {d.response_id for d in done} == {done[0].response_id}
    assert len(_feedback(sws)) == 1
    with appdb.engine(sws.database_url).connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(survey_responses)).scalar() == 1
        assert conn.execute(sa.select(sa.func.count()).select_from(survey_cases)).scalar() == 1


def test_response_figures_per_unit_and_channel(sws: Workspace) -> None:
    from valueloop.surveys.service.stats import response_stats

    links = _invite(sws)
    open_form(sws, links["C2"], NOW)
    submit(sws, links["C1"], {"q.csat": ["5"]}, "zh", NOW)
    (unit,) = unit_links(sws, "after_service", ["B001"], "https://x", NOW)
    submit(sws, open_form(sws, unit.url.rsplit("/s/", 1)[1], NOW).post_token, {"q.csat": ["4"]}, "zh", NOW)
    got = response_stats(sws, "after_service")
    rows = {r.entity_id: (r.channel, r.invited, r.delivered, r.opened, r.answered, r.response_rate) for r in got.rows}
    assert rows == {"B001": ("export", 1, 1, 0, 1, 1.0), "B002": ("export", 1, 1, 1, 0, 0.0)}
    assert (got.total.invited, got.total.answered, got.total.response_rate, got.walk_in) == (2, 1, 0.5, 1)
    scoped = response_stats(sws, "after_service", frozenset({"B002"}))
    assert [r.entity_id for r in scoped.rows] == ["B002"] and scoped.walk_in == 0
    assert response_stats(sws, "nothing").total.response_rate is None


def test_reopening_a_page_writes_nothing(sws: Workspace) -> None:
    """Only the first view records the opening: a reload takes no write lock (a hundred phones reload at once)."""
    import sqlalchemy as sa

    from valueloop.store import appdb
    from valueloop.surveys.service.invitations import list_invitations

    token = _invite(sws)["C1"]
    open_form(sws, token, NOW)
    first = next(i.opened_at for i in list_invitations(sws) if i.customer_id == "C1")
    engine = appdb.engine(sws.database_url)
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement.split()[0].upper())

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        open_form(sws, token, NOW + timedelta(minutes=5))
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert "UPDATE" not in seen, seen
    assert next(i.opened_at for i in list_invitations(sws) if i.customer_id == "C1") == first == NOW
