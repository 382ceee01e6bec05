"""Use cases for human review: draw a sample, write review forms, measure agreement, flag items.

Human results live in their own dataset, ``qa_reviews`` (ingested from the filled forms
like any source file, with quarantine and file:row errors), never in ``qa_items``: the
automatic score (AQS) and the reviewers' scores stay apart, and agreement compares them.

Calibration writes ``qa/calibration/<rubric>.json`` in the workspace: the items whose
automatic results do not agree well enough with people. ``qa score`` then reports those
items as ``na`` ("needs human review") so they count neither for nor against an agent.
"""

from __future__ import annotations

import csv
import json
import re
import tempfile
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from pydantic import BaseModel

from valueloop.errors import InputError
from valueloop.ingest.cells import neutralise
from valueloop.qa.agreement import LABELS, MIN_PAIRS, THRESHOLD, ItemAgreement, Review, item_agreement
from valueloop.qa.rubric_loader import RUBRIC_DIR, load_rubric, resolve
from valueloop.qa.sampling import Candidate, Method, sample
from valueloop.qa.service.show import _records
from valueloop.qa.service.transcripts import read_where
from valueloop.spec.datasets import DATASETS
from valueloop.store.lake import Lake
from valueloop.store.workspace import Workspace

FORM_COLUMNS = (
    "review_id",
    "session_id",
    "conversation_id",
    "rubric",
    "item",
    "item_name",
    "auto_result",
    "auto_detail",
    "reviewer_id",
    "reviewed_at",
    "result",
    "note",
)


class ReviewSample(BaseModel):
    rubric: str
    method: str
    seed: int
    session_id: str
    conversations: list[str]
    forms: list[str]


class Calibration(BaseModel):
    rubric: str
    threshold: float
    min_pairs: int
    reviews: int
    reviewers: int
    items: list[dict[str, object]]
    needs_human_review: list[str]
    file: str


def _lake_frame(ws: Workspace, dataset: str) -> pd.DataFrame:
    frame: pd.DataFrame = Lake(ws.lake_dir).read(dataset, DATASETS[dataset].schema).to_pandas()
    return frame


def draw_sample(
    ws: Workspace,
    rubric: str | Path,
    n: int,
    method: Method,
    out: Path,
    reviewers: list[str],
    seed: int = 0,
    session_id: str | None = None,
) -> ReviewSample:
    """Sample scored conversations and write one review form (CSV) per reviewer into ``out``.

    Every reviewer gets the same conversations, so a sample is also a calibration session.
    """
    spec = load_rubric(resolve(rubric, ws.root))
    chosen = review_queue(ws, spec.id, n, method, seed)
    session = session_id or f"{spec.id}-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    items = _lake_frame(ws, "qa_items")
    items = items[(items["rubric"] == spec.id) & items["conversation_id"].isin(chosen)]
    out.mkdir(parents=True, exist_ok=True)
    forms = [
        str(_write_form(out, session, spec.id, r, items, {i.id: i.name.get("zh") for i in spec.items}))
        for r in reviewers or ["reviewer"]
    ]
    return ReviewSample(rubric=spec.id, method=method, seed=seed, session_id=session, conversations=chosen, forms=forms)


def review_queue(ws: Workspace, rubric: str | Path, n: int, method: Method = "uncertain", seed: int = 0) -> list[str]:
    """The scored conversations to review next: ``n`` drawn by ``method`` (the dashboard's review list, and forms)."""
    spec = load_rubric(resolve(rubric, ws.root))
    scores = read_where(ws, "qa_scores", rubric=spec.id).to_pandas()
    if scores.empty:
        raise InputError(f"no conversation is scored with rubric {spec.id!r} yet; run `valueloop qa score` first")
    cands = [
        Candidate(str(r["conversation_id"]), str(r["agent_id"] or ""), float(r["uncertainty"] or 0.0))
        for r in _records(scores)
    ]
    return sample(cands, n, method, seed)


def _write_form(
    out: Path, session: str, rubric: str, reviewer: str, items: pd.DataFrame, names: dict[str, str]
) -> Path:
    """A CSV a reviewer fills in (``result``: pass, fail or na); cells cannot start a spreadsheet formula."""
    path = out / f"review-{_safe(session)}-{_safe(reviewer)}.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(FORM_COLUMNS)
        for r in items.sort_values(["conversation_id", "item"]).itertuples():
            values = (
                f"{session}:{r.conversation_id}:{reviewer}",
                session,
                r.conversation_id,
                rubric,
                r.item,
                names.get(str(r.item), r.item),
                r.result,
                r.detail,
                reviewer,
                "",
                "",
                "",
            )
            writer.writerow([neutralise(v) for v in values])
    return path


def _safe(name: str) -> str:
    """A reviewer or session name as part of a file name: letters (any script), digits, ``_ . -`` only."""
    return re.sub(r"[^\w.-]", "_", name).lstrip(".") or "_"


def calibration_file(ws: Workspace, rubric_id: str) -> Path:
    return ws.root / RUBRIC_DIR / "calibration" / f"{rubric_id}.json"


def flagged_items(ws: Workspace, rubric_id: str) -> frozenset[str]:
    """Items the last calibration flagged as needing human review (none before any calibration)."""
    file = calibration_file(ws, rubric_id)
    if not file.is_file():
        return frozenset()
    return frozenset(json.loads(file.read_text(encoding="utf-8")).get("needs_human_review", []))


def calibrate(
    ws: Workspace,
    rubric: str | Path,
    threshold: float = THRESHOLD,
    min_pairs: int = MIN_PAIRS,
    session: str | None = None,
) -> Calibration:
    """Agreement per item (auto vs human, between reviewers); flagged items are saved for ``qa score``."""
    rubric_id, reviews, results = agreement(ws, rubric, threshold, min_pairs, session)
    return _save(ws, rubric_id, threshold, min_pairs, reviews, results)


def agreement(
    ws: Workspace,
    rubric: str | Path,
    threshold: float = THRESHOLD,
    min_pairs: int = MIN_PAIRS,
    session: str | None = None,
) -> tuple[str, pd.DataFrame, list[ItemAgreement]]:
    """The per-item agreement :func:`calibrate` saves, without saving it (the calibration page reads it)."""
    spec = load_rubric(resolve(rubric, ws.root))
    reviews = _lake_frame(ws, "qa_reviews")
    reviews = reviews[reviews["rubric"] == spec.id]
    if session is not None:
        reviews = reviews[reviews["session_id"] == session]
    if reviews.empty:
        raise InputError(f"no human reviews for rubric {spec.id!r}; ingest filled review forms into qa_reviews first")
    items = read_where(ws, "qa_items", rubric=spec.id).to_pandas()
    auto: dict[str, dict[str, str]] = defaultdict(dict)
    for r in items.itertuples():
        auto[str(r.item)][str(r.conversation_id)] = str(r.result)
    by_item: dict[str, list[Review]] = defaultdict(list)
    for r in reviews.itertuples():
        by_item[str(r.item)].append(Review(str(r.conversation_id), str(r.item), str(r.reviewer_id), str(r.result)))
    results = [item_agreement(i.id, auto[i.id], by_item.get(i.id, []), threshold, min_pairs) for i in spec.items]
    return spec.id, reviews, results


def _save(
    ws: Workspace, rubric_id: str, threshold: float, min_pairs: int, reviews: pd.DataFrame, results: list[ItemAgreement]
) -> Calibration:
    flagged = [a.item for a in results if a.needs_human_review and a.pairs > 0]
    file = calibration_file(ws, rubric_id)
    file.parent.mkdir(parents=True, exist_ok=True)
    report = Calibration(
        rubric=rubric_id,
        threshold=threshold,
        min_pairs=min_pairs,
        reviews=len(reviews),
        reviewers=int(reviews["reviewer_id"].nunique()),
        items=[vars(a) for a in results],
        needs_human_review=flagged,
        file=str(file),
    )
    file.write_text(json.dumps(report.model_dump(), ensure_ascii=False, indent=1), encoding="utf-8")
    return report


class RecordedReview(BaseModel):
    review_id: str
    session_id: str
    conversation_id: str
    rubric: str
    reviewer_id: str
    items: int
    stored: int
    updated: int


def record_review(
    ws: Workspace,
    rubric: str | Path,
    conversation_id: str,
    reviewer: str,
    results: Mapping[str, str],
    notes: Mapping[str, str] | None = None,
    session: str = "web",
) -> RecordedReview:
    """One reviewer's results for one conversation (the dashboard's review form), stored in ``qa_reviews``.

    The rows are a review form like the CSV ones and go through the same ingest (checks,
    quarantine, merge on ``review_id`` and item), so a reviewer who sends the form again
    replaces their earlier results instead of adding a second review.
    """
    from valueloop.ingest.service.ingest import ingest
    from valueloop.qa.service.show import conversation_view

    file = resolve(rubric, ws.root)
    view = conversation_view(ws, conversation_id, file)
    known = {i.item: i for i in view.items}
    problems = [f"{item}: not an item of this conversation's results" for item in results if item not in known]
    problems += [f"{item}: result {r!r} is not pass, fail or na" for item, r in results.items() if r not in LABELS]
    if problems or not results:
        raise InputError("; ".join(problems) or "the review has no result")
    review_id = f"{session}:{conversation_id}:{reviewer}"
    now = datetime.now(UTC).isoformat()
    with tempfile.TemporaryDirectory(prefix="vl-review-") as tmp:
        form = Path(tmp) / f"review-{_safe(session)}-{_safe(reviewer)}.csv"
        with open(form, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(FORM_COLUMNS)
            for item, result in sorted(results.items()):
                auto = known[item]
                row = (review_id, session, conversation_id, view.rubric, item, auto.name_zh, auto.result, auto.detail,
                       reviewer, now, result, (notes or {}).get(item, ""))  # fmt: skip
                writer.writerow([neutralise(v) for v in row])
        done = ingest(ws, "qa_reviews", [form])
    if done.quarantined:
        raise InputError(f"{done.quarantined} review row(s) were refused: {done.errors[0] if done.errors else ''}")
    return RecordedReview(
        review_id=review_id, session_id=session, conversation_id=conversation_id, rubric=view.rubric,
        reviewer_id=reviewer, items=len(results), stored=done.stored, updated=done.updated,
    )  # fmt: skip
