"""Accepted answers reach the ``feedback`` dataset in batches: nothing lost between accept and flush, one row
per response however often it is answered, a bad row quarantined while the rest of its batch lands, and
``accepted == flushed + pending + quarantined`` throughout."""

from __future__ import annotations

import json
import time
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from conftest import CliRun
from surveys.conftest import NOW
from valueloop.http.answer_batcher import AnswerBatcher
from valueloop.http.app import create_app
from valueloop.http.settings import ApiSettings
from valueloop.store import appdb
from valueloop.store.lake import Lake
from valueloop.store.tables import survey_responses as responses
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace
from valueloop.surveys.fatigue import Resolved
from valueloop.surveys.service import answer_flush
from valueloop.surveys.service.answer_flush import AnswerCounts, answer_counts, flush_answers
from valueloop.surveys.service.answers import submit
from valueloop.surveys.service.invitations import export_links, plan

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def _tokens(ws: Workspace) -> dict[str, str]:
    plan(ws, "after_service", NOW, dry_run=False)
    return {r.customer_id or "": r.url.rsplit("/s/", 1)[1] for r in export_links(ws, "after_service", "https://x", NOW)}


def _lake(ws: Workspace) -> dict[str, dict[str, Any]]:
    wh = Warehouse(ws)
    return {str(r["feedback_id"]): r for r in wh.execute(wh.table("feedback")).to_dict("records")}


def _reconciles(ws: Workspace) -> AnswerCounts:
    c = answer_counts(ws)
    assert c.accepted == c.flushed + c.pending + c.quarantined
    return c


def test_an_answer_accepted_is_pending_until_flushed_and_survives_a_crash(sws: Workspace) -> None:
    tokens = _tokens(sws)
    done = submit(sws, tokens["C1"], {"q.csat": ["4"], "q.nps": ["9"]}, "zh", NOW)
    assert _lake(sws) == {}  # accepted in the app database only: the server may die now
    assert _reconciles(sws) == AnswerCounts(accepted=1, flushed=0, pending=1, quarantined=0)
    batcher = AnswerBatcher(sws, interval=0.05)  # the next server's start-up round sends the leftovers
    batcher.start()
    deadline = time.monotonic() + 30
    while answer_counts(sws).pending and time.monotonic() < deadline:
        time.sleep(0.05)
    batcher.close()
    assert _lake(sws)[done.response_id]["csat"] == 4
    assert _reconciles(sws) == AnswerCounts(accepted=1, flushed=1, pending=0, quarantined=0)


def test_a_crash_after_the_lake_commit_resends_without_duplicating(
    sws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens = _tokens(sws)
    submit(sws, tokens["C1"], {"q.csat": ["4"]}, "zh", NOW)

    def crash(*_: object) -> None:
        raise RuntimeError("killed before the answers were marked")

    with monkeypatch.context() as m:
        m.setattr(answer_flush, "_mark", crash)
        with pytest.raises(RuntimeError):
            flush_answers(sws)
    assert len(_lake(sws)) == 1 and answer_counts(sws).pending == 1
    again = flush_answers(sws)
    assert (again.flushed, again.pending) == (1, 0)
    assert len(_lake(sws)) == 1  # the lake's merge knew the row: counted as a duplicate, not stored twice
    _reconciles(sws)


def test_answering_twice_updates_one_row_even_during_a_flush(sws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    token = _tokens(sws)["C1"]
    first = submit(sws, token, {"q.csat": ["4"], "q.nps": ["9"]}, "zh", NOW)
    second = submit(sws, token, {"q.csat": ["3"], "q.nps": ["8"]}, "zh", NOW + timedelta(minutes=1))
    assert second.updated and second.response_id == first.response_id
    assert _reconciles(sws).accepted == 1
    mark = answer_flush._mark

    def answer_meanwhile(ws: Workspace, rows: list[Any], refused: dict[str, str]) -> None:
        submit(sws, token, {"q.csat": ["1"], "q.nps": ["2"], "q.why": ["太慢"]}, "zh", NOW + timedelta(minutes=2))
        mark(ws, rows, refused)

    with monkeypatch.context() as m:
        m.setattr(answer_flush, "_mark", answer_meanwhile)
        flush_answers(sws)
    assert _lake(sws)[first.response_id]["csat"] == 3
    assert answer_counts(sws).pending == 1  # the newer answer was not marked by the flush that read the older one
    flush_answers(sws)
    row = _lake(sws)[first.response_id]
    assert (len(_lake(sws)), row["csat"], row["nps"], row["text"]) == (1, 1, 2, "太慢")
    assert _reconciles(sws) == AnswerCounts(accepted=1, flushed=1, pending=0, quarantined=0)


def test_one_bad_answer_is_quarantined_while_the_rest_of_its_batch_lands(sws: Workspace) -> None:
    tokens = _tokens(sws)
    ids = [submit(sws, tokens[c], {"q.csat": ["5"], "q.nps": ["10"]}, "zh", NOW).response_id for c in ("C1", "C2")]
    bad = ids[1]
    with appdb.engine(sws.database_url).begin() as conn:  # a row the dataset's checks refuse (CSAT 1–5)
        row = conn.execute(sa.select(responses.c.feedback).where(responses.c.response_id == bad)).scalar_one()
        conn.execute(responses.update().where(responses.c.response_id == bad).values(feedback={**row, "csat": 9}))
    done = flush_answers(sws)
    assert (done.flushed, done.quarantined, done.pending) == (1, 1, 0)
    assert list(_lake(sws)) == [ids[0]]
    with appdb.engine(sws.database_url).connect() as conn:
        error = conn.execute(sa.select(responses.c.lake_error).where(responses.c.response_id == bad)).scalar_one()
    assert "csat" in error
    (qfile,) = Lake(sws.lake_dir).quarantine_files("feedback")
    assert qfile.exists()
    assert _reconciles(sws) == AnswerCounts(accepted=2, flushed=1, pending=0, quarantined=1)


def test_the_page_accepts_at_once_and_the_server_flushes_by_shutdown(sws: Workspace) -> None:
    now = datetime.now(UTC)  # the page checks tokens against the clock
    plan(sws, "after_service", now, dry_run=False, candidates=[Resolved("I2", "B002", now - timedelta(hours=3), "C2")])
    (link,) = export_links(sws, "after_service", "https://x", now + timedelta(hours=13))
    token = link.url.rsplit("/s/", 1)[1]
    with TestClient(create_app(ApiSettings(workspace=sws.root)), base_url="https://testserver") as client:
        got = client.post(f"/s/{token}", data={"q.csat": ["2"], "q.nps": ["3"], "q.why": ["排队"]})
        assert got.status_code == 200
    (row,) = _lake(sws).values()  # within a second, or at the latest when the server stops
    assert (row["csat"], row["nps"], row["text"], row["customer_id"]) == (2, 3, "排队", "C2")
    assert _reconciles(sws).flushed == 1


def test_surveys_flush_on_the_command_line(cli: CliRun, sws: Workspace) -> None:
    submit(sws, _tokens(sws)["C1"], {"q.csat": ["4"]}, "zh", NOW)
    out = cli("surveys", "flush", "-w", sws.root, "--format", "json")
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["flush"]["flushed"] == 1
    assert got["answers"] == {"accepted": 1, "flushed": 1, "pending": 0, "quarantined": 0}
