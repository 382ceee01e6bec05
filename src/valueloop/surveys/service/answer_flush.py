"""Accepted answers into the ``feedback`` dataset, in batches: the lake side of the public answer page.

Posting an answer writes one small transaction to the app database (the response row, marked
``pending_at``); a full lake ingest per answer took seconds under load. :func:`flush_answers`
then takes every pending answer through the ordinary ingest — the dataset's checks, quarantine
and the lake's idempotent merge keyed by ``feedback_id`` (the response id) — one file per survey,
all in one lake transaction. Only after the lake commit is each row marked flushed (or
quarantined, with the reason), and only if it was not answered again meanwhile (its
``submitted_at`` unchanged): a newer version stays pending for the next flush.

Text follow-up rules (``{text: comment, sentiment: negative, topic: refund}``) are tested here, not
when the answer is posted: the text analysis (sentiment, topics) is too slow for the public POST.
A flushed answer meeting one opens its case (one per response: flushing it again opens none), unless
a score rule already opened one when it was posted.

Guarantees: an answer accepted is never lost — a crash between accept and flush leaves it
pending, and the next flush (the server's batcher at start-up, ``valueloop surveys flush``, or
any reader that asks) sends it; a crash after the lake commit but before the marking re-sends
rows the merge already holds, which it counts as duplicates. Counts reconcile:
``accepted == flushed + pending + quarantined`` (:func:`answer_counts`).
"""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import sqlalchemy as sa

from valueloop.errors import InputError, SpecError
from valueloop.store import appdb
from valueloop.store.lake import Lake
from valueloop.store.tables import survey_cases as cases
from valueloop.store.tables import survey_responses as responses
from valueloop.store.workspace import Workspace
from valueloop.surveys.answers import Answer, feedback_row
from valueloop.surveys.cases import opens_case, opens_text_case
from valueloop.surveys.service.cases import open_case
from valueloop.surveys.spec import Survey

MAX_BATCH = 5000
"""Answers per lake transaction (a long backlog is flushed in several)."""
ERROR_CHARS = 500


@dataclass(frozen=True)
class FlushSummary:
    """One flush: answers that landed in the lake, that the ingest quarantined, and still pending after it."""

    flushed: int
    quarantined: int
    pending: int
    batches: tuple[str, ...] = ()
    """The lake batch ids written."""


@dataclass(frozen=True)
class AnswerCounts:
    """``accepted == flushed + pending + quarantined``."""

    accepted: int
    flushed: int
    pending: int
    quarantined: int


def flush_answers(ws: Workspace, max_batch: int = MAX_BATCH) -> FlushSummary:
    """Send every pending answer to the lake (see the module docstring); cheap when none is pending."""
    flushed = quarantined = 0
    batches: list[str] = []
    while rows := _pending(ws, max_batch):
        ok, bad, batch_ids = _flush(ws, rows)
        flushed, quarantined, batches = flushed + ok, quarantined + bad, batches + batch_ids
        if len(rows) < max_batch:
            break
    return FlushSummary(flushed, quarantined, answer_counts(ws).pending, tuple(batches))


def answer_counts(ws: Workspace, survey_id: str | None = None) -> AnswerCounts:
    """How many answers were accepted, and where each is now."""
    pending = sa.func.count(responses.c.pending_at)
    bad = sa.func.count(sa.case((responses.c.pending_at.is_(None) & responses.c.lake_error.is_not(None), 1)))
    q = sa.select(sa.func.count(), pending, bad)
    if survey_id:
        q = q.where(responses.c.survey_id == survey_id)
    with appdb.engine(ws.database_url).connect() as conn:
        total, waiting, refused = conn.execute(q).one()
    return AnswerCounts(int(total), int(total - waiting - refused), int(waiting), int(refused))


def _pending(ws: Workspace, limit: int) -> list[Any]:
    q = sa.select(responses).where(responses.c.pending_at.is_not(None)).order_by(responses.c.pending_at).limit(limit)
    with appdb.engine(ws.database_url).connect() as conn:
        return list(conn.execute(q))


def _flush(ws: Workspace, rows: list[Any]) -> tuple[int, int, list[str]]:
    """One ingest of ``rows`` (a file per survey); then each row marked flushed or quarantined."""
    from valueloop.ingest.service.ingest import ingest

    by_survey: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        by_survey[r.survey_id].append(r)
    with tempfile.TemporaryDirectory(prefix="valueloop-answers-") as folder:
        files, names = [], []
        for survey_id, group in by_survey.items():
            file = Path(folder) / f"{survey_id}.jsonl"
            file.write_text("".join(_line(r) for r in group), encoding="utf-8")
            files.append(file)
            names.append(f"survey {survey_id}")
        summary = ingest(ws, "feedback", files, names=names)
    errors = _quarantined(ws, summary.batch_id) if summary.quarantined else {}
    refused = {
        r.response_id: errors[(name, n)]
        for name, group in zip(names, by_survey.values(), strict=True)
        for n, r in enumerate(group, start=1)
        if (name, n) in errors
    }
    _text_cases(ws, [r for r in rows if r.response_id not in refused])  # before marking: a crash re-sends, not loses
    _mark(ws, rows, refused)
    return len(rows) - len(refused), len(refused), [summary.batch_id]


def _text_cases(ws: Workspace, rows: list[Any]) -> None:
    """Open the case of each flushed answer whose open text meets a text rule of its survey (see above)."""
    from valueloop.surveys.service.catalog import get_survey
    from valueloop.voice.analysis import analyze_text
    from valueloop.voice.sentiment import load_or_default
    from valueloop.voice.service.text import taxonomy_of, workspace_model_path

    surveys: dict[str, Survey] = {}
    for sid in {r.survey_id for r in rows}:
        try:
            surveys[sid] = get_survey(ws, sid)
        except (InputError, SpecError):  # removed or broken since answered: its answers still reach the lake
            continue
    todo = [
        r
        for r in rows
        if r.survey_id in surveys
        and surveys[r.survey_id].follow_up.text_rules
        and opens_case(surveys[r.survey_id], _answers(r)) is None
    ]
    if not todo:
        return
    model, taxonomy = load_or_default(workspace_model_path(ws)), taxonomy_of(ws)
    with appdb.engine(ws.database_url).begin() as conn:
        for r in todo:
            survey, answers = surveys[r.survey_id], _answers(r)
            texts = {rule.text for rule in survey.follow_up.text_rules if isinstance(answers.get(rule.text), str)}
            analyses = {q: analyze_text(answers[q], model, taxonomy) for q in texts}
            trig = opens_text_case(survey, analyses)
            if trig is not None and not _has_case(conn, r.response_id):
                opened = appdb.as_utc(r.submitted_at)
                open_case(conn, survey, r.response_id, r.entity_id, r.customer_id, r.interaction_id, trig, opened)


def _answers(r: Any) -> dict[str, Answer]:
    return dict(r.answers or {})


def _has_case(conn: sa.Connection, response_id: str) -> bool:
    return conn.execute(sa.select(cases.c.case_id).where(cases.c.response_id == response_id)).first() is not None


def _line(r: Any) -> str:
    """The ``feedback`` row the response was accepted with, as one JSON line."""
    return json.dumps(r.feedback, ensure_ascii=False) + "\n"


def _quarantined(ws: Workspace, batch_id: str) -> dict[tuple[str, int], str]:
    """(file name, row) → reason, for each row the batch quarantined (all of them, not the summary's first 100)."""
    out: dict[tuple[str, int], str] = {}
    for f in Lake(ws.lake_dir).quarantine_files("feedback"):
        if batch_id in f.name:
            for rec in pq.read_table(f, columns=["file", "row", "field", "reason"]).to_pylist():
                key = (str(rec["file"]), int(rec["row"]))
                text = f"{rec['field']}: {rec['reason']}" if rec["field"] else str(rec["reason"])
                out[key] = (out[key] + "; " + text if key in out else text)[:ERROR_CHARS]
    return out


def _mark(ws: Workspace, rows: list[Any], refused: dict[str, str]) -> None:
    """Flushed (or quarantined) — unless answered again since it was read: that version stays pending."""
    with appdb.engine(ws.database_url).begin() as conn:
        for r in rows:
            conn.execute(
                responses.update()
                .where(responses.c.response_id == r.response_id, responses.c.submitted_at == r.submitted_at)
                .values(pending_at=None, lake_error=refused.get(r.response_id))
            )


def _feedback_columns(
    survey: Survey,
    response_id: str,
    entity_id: str,
    interaction_id: str | None,
    customer_id: str | None,
    answers: Mapping[str, Answer],
    now: datetime,
) -> dict[str, Any]:
    """The ``feedback`` row of one answer, worked out when it is accepted (a later edit of the survey file does
    not change what was answered); keyed by the response id, so answering again replaces it in the lake."""
    return {
        "feedback_id": response_id,
        "submitted_at": now.isoformat(),
        "entity_id": entity_id,
        "interaction_id": interaction_id,
        "customer_id": customer_id,
        "kind": "survey",
        **feedback_row(survey, answers),
    }
