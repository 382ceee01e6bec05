"""Cases into the lake: the ``follow_up_cases`` dataset, so models score the inner loop like any other data.

Time to close the loop and recovery are the issue's indicators of how well the inner loop works;
:func:`~valueloop.surveys.service.cases.case_figures` gives them for the whole workspace, but a
model needs them per unit and period, with a benchmark and a score. Each case becomes one row
(:data:`~valueloop.spec.datasets.DATASETS` ``follow_up_cases``): ``hours_to_close`` once closed,
``followed_up`` once the customer answered the case's question again, ``recovered`` whether that
later score was higher — the same rule as the figures (:func:`valueloop.surveys.cases.next_score`).
A case changes after it is written (closed, answered again), so every run writes every case and
the lake's merge keeps one row per case: unchanged rows are duplicates, changed ones replace the
old row. Run it on a schedule, after ``cases escalate``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pyarrow as pa

from valueloop.results import Result
from valueloop.spec.datasets import DATASETS
from valueloop.store import appdb
from valueloop.store.lake import Lake, new_batch_id
from valueloop.store.merge import merge_batch
from valueloop.store.workspace import Workspace
from valueloop.surveys.cases import CaseFacts, LaterAnswer, next_score
from valueloop.surveys.service.cases import CaseRecord, case_facts, list_cases

DATASET = "follow_up_cases"


class PublishedCases(Result):
    dataset: str
    cases: int
    stored: int
    """New rows or changed ones (a case closed or answered again since the last run)."""
    updated: int
    duplicates: int
    """Cases unchanged since the last run."""
    batch_id: str | None


def case_row(case: CaseRecord, facts: CaseFacts, later: Sequence[LaterAnswer]) -> dict[str, object]:
    """One case as a ``follow_up_cases`` row."""
    opened = appdb.as_utc(case.opened_at)
    closed = appdb.as_utc(case.closed_at) if case.closed_at else None
    after = next_score(facts, [a for a in later if a.customer_id == case.customer_id])
    return {
        "case_id": str(case.id), "opened_at": opened, "entity_id": case.entity_id, "customer_id": case.customer_id,
        "survey_id": case.survey_id, "question": case.question, "score": case.score, "closed_at": closed,
        "hours_to_close": (closed - opened).total_seconds() / 3600 if closed else None,
        "outcome": case.outcome, "root_cause": case.root_cause,
        "followed_up": after is not None, "recovered": after > case.score if after is not None else None,
    }  # fmt: skip


def publish_cases(ws: Workspace, now: datetime) -> PublishedCases:
    """Write every case into ``follow_up_cases`` in one lake transaction (see the module docstring)."""
    rows = list_cases(ws, now, None, state="all", limit=10_000_000)
    facts, later = case_facts(ws, rows)
    by_customer: dict[str | None, list[LaterAnswer]] = {}
    for a in later:
        by_customer.setdefault(a.customer_id, []).append(a)
    data = [case_row(r, f, by_customer.get(r.customer_id, [])) for r, f in zip(rows, facts, strict=True)]
    if not data:
        return PublishedCases(dataset=DATASET, cases=0, stored=0, updated=0, duplicates=0, batch_id=None)
    ds = DATASETS[DATASET]
    table = pa.Table.from_pylist(data, schema=ds.schema)
    seq = pa.array(range(len(data)), pa.int64())
    table = table.append_column("_src_file", pa.array([0] * len(data), pa.int32()))
    table = table.append_column("_src_row", seq).append_column("_seq", seq)
    lake, batch_id = Lake(ws.lake_dir), new_batch_id()
    with lake.transaction(batch_id) as txn:
        merged = merge_batch(txn, ds, [table], lake.files(DATASET))
    return PublishedCases(dataset=DATASET, cases=len(data), stored=merged.stored, updated=merged.updated,
                          duplicates=merged.duplicates, batch_id=batch_id)  # fmt: skip
