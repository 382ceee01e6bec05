"""Use case: score every stored conversation against a rubric into ``qa_scores`` and ``qa_items``.

Both derived datasets are written in one lake transaction and merged like an ingest batch,
so scoring again with the same rubric stores nothing (``duplicates``) and a changed result
replaces the old row (``updated``): scores are derived results, kept in the lake beside the
facts they came from (as ``text analyze`` keeps ``feedback_text``) so evaluation models and
scorecards read them like any dataset. Counts reconcile: ``scored == stored + updated + duplicates``
for ``qa_scores``.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
from pydantic import BaseModel

from valueloop.qa.checks import SentimentFn
from valueloop.qa.rubric import Rubric
from valueloop.qa.rubric_loader import load_rubric, resolve
from valueloop.qa.scoring import ConversationScore, Scorer
from valueloop.qa.service.classifier import load_classifiers
from valueloop.qa.service.disputes import upheld
from valueloop.qa.service.review import flagged_items
from valueloop.qa.service.transcripts import conversations, read_turns
from valueloop.spec.datasets import DATASETS, Dataset
from valueloop.store import appdb, tables
from valueloop.store.lake import Lake, new_batch_id
from valueloop.store.merge import merge_batch
from valueloop.store.workspace import Workspace


class ScoreSummary(BaseModel):
    rubric: str
    rubric_file: str
    rubric_sha: str
    conversations: int
    scored: int
    stored: int
    updated: int
    duplicates: int
    mean_score: float | None
    pass_rate: float | None
    auto_failed: int
    held_back: list[str]
    """Items calibration flagged as needing human review: reported as na, not scored."""
    batch_id: str | None
    seconds: float


def shipped_sentiment() -> SentimentFn:
    """The shipped sentiment model, as scores in [-1, 1] (imported on use: it loads a model file)."""
    from valueloop.voice.sentiment import analyze

    def scores(texts: Sequence[str]) -> list[float]:
        return [s.score for s in analyze(texts)]

    return scores


def rubric_sha(file: Path) -> str:
    return hashlib.sha256(file.read_bytes()).hexdigest()[:12]


def score_workspace(
    ws: Workspace, rubric: str | Path, sentiment: SentimentFn | None = None, ids: Sequence[str] | None = None
) -> ScoreSummary:
    """Score every conversation in the lake (or those of ``ids``) and store the results, upheld disputes applied."""
    file = resolve(rubric, ws.root)
    spec, sha = load_rubric(file), rubric_sha(file)
    started, t0 = datetime.now(UTC), time.perf_counter()
    fn, held = sentiment or shipped_sentiment(), flagged_items(ws, spec.id)
    models, overrides = load_classifiers(ws, spec), upheld(ws, spec.id)
    pairs = list(conversations(read_turns(ws, ids)))
    results = Scorer(spec, held, models, overrides).score_many(
        [c for c, _ in pairs], fn
    )  # one sentiment call for the batch
    scored = [(s, row) for s, (_, row) in zip(results, pairs, strict=True)]
    seconds = round(time.perf_counter() - t0, 3)
    summary = _summary(spec, file, sha, scored, seconds).model_copy(update={"held_back": sorted(held)})
    if not scored:
        return summary
    scores_table = _scores_table(scored, sha)
    items_table = _items_table(spec, scored)
    lake, batch_id = Lake(ws.lake_dir), new_batch_id()
    with lake.transaction(batch_id) as txn:
        merged = merge_batch(txn, DATASETS["qa_scores"], [scores_table], lake.files("qa_scores"))
        merge_batch(txn, DATASETS["qa_items"], [items_table], lake.files("qa_items"))
    summary = summary.model_copy(
        update={
            "stored": merged.stored,
            "updated": merged.updated,
            "duplicates": merged.duplicates,
            "batch_id": batch_id,
        }
    )
    _record(ws, summary, started)
    return summary


def _summary(
    spec: Rubric, file: Path, sha: str, scored: list[tuple[ConversationScore, dict[str, object]]], seconds: float
) -> ScoreSummary:
    values = [s.score for s, _ in scored if s.score is not None]
    passed = [s.passed for s, _ in scored if s.passed is not None]
    return ScoreSummary(
        rubric=spec.id,
        rubric_file=str(file),
        rubric_sha=sha,
        conversations=len(scored),
        scored=len(values),
        stored=0,
        updated=0,
        duplicates=0,
        mean_score=round(sum(values) / len(values), 2) if values else None,
        pass_rate=round(sum(passed) / len(passed), 4) if passed else None,
        auto_failed=sum(s.auto_failed for s, _ in scored),
        held_back=[],
        batch_id=None,
        seconds=seconds,
    )


def _with_source(table: pa.Table) -> pa.Table:
    """The bookkeeping columns :func:`merge_batch` expects of a staged chunk."""
    seq = pa.array(range(table.num_rows), pa.int64())
    table = table.append_column("_src_file", pa.array([0] * table.num_rows, pa.int32()))
    return table.append_column("_src_row", seq).append_column("_seq", seq)


def _table(ds: Dataset, columns: dict[str, list[object]]) -> pa.Table:
    return _with_source(pa.table({f.name: columns[f.name] for f in ds.fields}, schema=ds.schema))


def _scores_table(scored: list[tuple[ConversationScore, dict[str, object]]], sha: str) -> pa.Table:
    rows = [(s, r) for s, r in scored]
    return _table(
        DATASETS["qa_scores"],
        {
            "conversation_id": [s.conversation_id for s, _ in rows],
            "rubric": [s.rubric for s, _ in rows],
            "started_at": [r["started_at"] for _, r in rows],
            "interaction_id": [r["interaction_id"] for _, r in rows],
            "agent_id": [r["agent_id"] for _, r in rows],
            "entity_id": [r["entity_id"] for _, r in rows],
            "score": [None if s.score is None else round(s.score, 4) for s, _ in rows],
            "passed": [s.passed for s, _ in rows],
            "auto_failed": [s.auto_failed for s, _ in rows],
            "items_applicable": [s.applicable for s, _ in rows],
            "items_failed": [s.failed for s, _ in rows],
            "uncertainty": [round(s.uncertainty, 4) for s, _ in rows],
            "rubric_sha": [sha] * len(rows),
        },
    )


def evidence_json(score_evidence: Sequence[object]) -> str:
    return json.dumps([vars(e) for e in score_evidence], ensure_ascii=False)


def _items_table(spec: Rubric, scored: list[tuple[ConversationScore, dict[str, object]]]) -> pa.Table:
    rows = [(s, r, i) for s, r in scored for i in s.items]
    return _table(
        DATASETS["qa_items"],
        {
            "conversation_id": [s.conversation_id for s, _, _ in rows],
            "rubric": [spec.id] * len(rows),
            "item": [i.item for _, _, i in rows],
            "started_at": [r["started_at"] for _, r, _ in rows],
            "agent_id": [r["agent_id"] for _, r, _ in rows],
            "entity_id": [r["entity_id"] for _, r, _ in rows],
            "result": [i.result for _, _, i in rows],
            "points": [i.points for _, _, i in rows],
            "evidence": [evidence_json(i.evidence) for _, _, i in rows],
            "detail": [i.detail for _, _, i in rows],
        },
    )


def _record(ws: Workspace, s: ScoreSummary, started: datetime) -> None:
    """Log the batch with the ingest batches (source: the conversations dataset)."""
    with appdb.engine(ws.database_url).begin() as conn:
        conn.execute(
            tables.ingest_batches.insert().values(
                batch_id=s.batch_id,
                dataset="qa_scores",
                files=["lake:conversations", f"rubric:{s.rubric}@{s.rubric_sha}"],
                read=s.conversations,
                stored=s.stored,
                updated=s.updated,
                duplicates=s.duplicates,
                quarantined=0,
                started_at=started,
                finished_at=datetime.now(UTC),
            )
        )
