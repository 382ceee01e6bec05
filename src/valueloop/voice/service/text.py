"""Use cases for text analytics: score files, hot spots, lifecycle (training a sentiment model: ``sentiment_training``).

The maths lives in :mod:`valueloop.voice` (pure, no storage); this module reads files and
the workspace lake, calls it, and returns plain dicts for the CLI (and later the API).
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from valueloop.errors import InputError
from valueloop.results import MISSING
from valueloop.spec.datasets import DATASETS
from valueloop.store import appdb, tables
from valueloop.store.lake import Lake, new_batch_id
from valueloop.store.merge import merge_batch
from valueloop.store.workspace import Workspace
from valueloop.voice import hotspots as hs
from valueloop.voice.analysis import TextAnalysis, analyze_texts, joined
from valueloop.voice.aspects import TopicPolarity, negative_aspects, topic_polarity
from valueloop.voice.classifier import TopicClassifier, classify_with, load_classifier
from valueloop.voice.keyphrases import textrank_keywords, tfidf_keywords
from valueloop.voice.keywords import contrast_keywords
from valueloop.voice.lifecycle import MIN_TOTAL, stage_history, stage_of, transitions
from valueloop.voice.qualitative import QUOTES, code_notes
from valueloop.voice.resources import path as text_resource
from valueloop.voice.sentiment import analyze, load_or_default
from valueloop.voice.service.results import (
    AnalysisReport,
    AspectSpan,
    CategoryComparison,
    CategoryScore,
    Hotspots,
    KeywordRow,
    LifecycleRow,
    MethodAverages,
    MethodComparison,
    MethodScore,
    NoteQuote,
    QualitativeReport,
    QualitativeTopic,
    SentimentRow,
    TagRow,
    TopicSpan,
    TopicTraining,
)
from valueloop.voice.taxonomy import SHIPPED, Category, ancestors, classify, load_taxonomy, shipped, shipped_name
from valueloop.voice.tokenize import terms
from valueloop.voice.train import (
    MACRO,
    MICRO,
    MIN_PER_CATEGORY,
    category_scores,
    fit_topics,
    holdout,
)

Period = Literal["week", "month"]
MODEL_FILE = ("text", "sentiment.npz")
TAXONOMY_FILE = "taxonomy.yaml"
"""The workspace's own taxonomy, at its root: when present, every text command and API route uses it."""
TOPICS_FILE = ("text", "topics.npz")


def read_table(file: Path) -> pd.DataFrame:
    """CSV/TSV (UTF-8, GBK/GB18030, Big5), XLSX, JSON Lines or a JSON array; every cell as text.

    Read by the one reader of small user tables (:mod:`valueloop.ingest.user_table`), so a review
    export with a quoted comment over several lines, or a Big5 file, reads here as everywhere.
    """
    from valueloop.ingest.user_table import read_user_table

    table = read_user_table(file, keep_blank=True)
    return pd.DataFrame([row.values for row in table.rows], columns=list(table.columns), dtype=str)


def column(df: pd.DataFrame, name: str, file: Path) -> list[object]:
    if name not in df.columns:
        raise InputError(f"{file}: no column {name!r} (columns: {', '.join(map(str, df.columns))})")
    return df[name].tolist()


def workspace_model_path(ws: Workspace) -> Path:
    return ws.root.joinpath(*MODEL_FILE)


def workspace_taxonomy_path(ws: Workspace) -> Path:
    return ws.root / TAXONOMY_FILE


def taxonomy_path(ws: Workspace | None, taxonomy: Path | str | None = None) -> Path | None:
    """The taxonomy file in force: ``taxonomy`` (a file, or a shipped name such as ``hotel``), else the
    workspace's ``taxonomy.yaml`` when it has one, else None (the shipped e-commerce taxonomy)."""
    if taxonomy is not None:
        file = Path(taxonomy)
        if not file.exists() and shipped_name(str(taxonomy)):
            return shipped(str(taxonomy))
        if not file.is_file():
            names = ", ".join(SHIPPED)
            raise InputError(f"{file}: no such taxonomy file (or give a shipped taxonomy: {names})")
        return file
    own = workspace_taxonomy_path(ws) if ws else None
    return own if own and own.is_file() else None


def taxonomy_of(ws: Workspace | None, taxonomy: Path | str | None = None) -> tuple[Category, ...]:
    """The categories of :func:`taxonomy_path` (file:line errors for a malformed file)."""
    return load_taxonomy(taxonomy_path(ws, taxonomy))


def sentiment_file(file: Path, text_column: str, ws: Workspace | None = None) -> list[SentimentRow]:
    """One row per data row (1-based), in input order; ``reason`` only where there is one."""
    model = load_or_default(workspace_model_path(ws) if ws else None)
    texts = column(read_table(file), text_column, file)
    return [SentimentRow(row=i, label=s.label, score=s.score, reason=s.reason or MISSING)
            for i, s in enumerate(analyze(texts, model), start=1)]  # fmt: skip


def tag_file(
    file: Path, text_column: str, ws: Workspace | None = None, taxonomy: Path | str | None = None
) -> list[TagRow]:
    """Per row: sentiment, issue categories and negative aspects, each tag with its evidence span."""
    model, clf = load_or_default(workspace_model_path(ws) if ws else None), workspace_classifier(ws)
    cats = taxonomy_of(ws, taxonomy)
    texts = [str(t) if t is not None else "" for t in column(read_table(file), text_column, file)]
    out = []
    for i, (t, s) in enumerate(zip(texts, analyze(texts, model), strict=True), start=1):
        tags = [_with_polarity(p) for p in topic_polarity(t, classify_with(t, clf, cats), model, s)]
        aspects = [AspectSpan(**vars(a)) for a in negative_aspects(t, model, cats)] if s.label != "positive" else []
        out.append(TagRow(row=i, label=s.label, score=s.score, categories=tags, aspects=aspects))
    return out


def _with_polarity(p: TopicPolarity) -> TopicSpan:
    """A tag as ``text tags`` has always printed it, plus its own ``polarity``, ``polarity_score`` and clause."""
    tag = {k: getattr(p, k) for k in ("category", "name", "start", "end", "match")}
    return TopicSpan(**tag, polarity=p.label, polarity_score=p.score, clause_start=p.clause_start,
                     clause_end=p.clause_end)  # fmt: skip


KeywordMethod = Literal["logodds", "tfidf", "textrank"]


def keywords_file(
    file: Path,
    text_column: str,
    group: str | None,
    top: int,
    ws: Workspace | None = None,
    method: KeywordMethod = "logodds",
    per_text: bool = False,
) -> list[KeywordRow]:
    """Keywords per group (or per text) with evidence spans (``row`` 1-based).

    ``logodds`` (default): terms of the negative texts against the positive ones.
    ``tfidf``: TF-IDF with the file's own texts as the background corpus.
    ``textrank``: TextRank words merged into key phrases.
    ``per_text`` (tfidf, textrank): every row is its own group, named by its row number.
    """
    df = read_table(file)
    texts = [str(t) for t in column(df, text_column, file)]
    if per_text and method == "logodds":
        raise InputError("per-text keywords need --method tfidf or textrank (log-odds contrasts groups of texts)")
    groups = (
        [str(i) for i in range(1, len(texts) + 1)]
        if per_text
        else [str(g) for g in column(df, group, file)]
        if group
        else None
    )
    if method == "logodds":
        model = load_or_default(workspace_model_path(ws) if ws else None)
        negative = [s.score < 0 for s in analyze(texts, model)]
        found: dict[str, list[Any]] = dict(contrast_keywords(texts, negative, groups, top=top))
    elif method == "tfidf":
        found = dict(tfidf_keywords(texts, groups, top=top, min_count=1 if per_text else 2))
    elif method == "textrank":
        found = dict(textrank_keywords(texts, groups, top=top, min_count=1))
    else:
        raise InputError(f"unknown keyword method {method!r} (logodds, tfidf or textrank)")
    return [
        KeywordRow(group=g, method=method, **vars(k) | {"evidence": [vars(e) | {"row": e.row + 1} for e in k.evidence]})
        for g, kws in found.items()
        for k in kws
    ]


def feedback_texts(ws: Workspace) -> pd.DataFrame:
    """The workspace's feedback rows that have text, with ``submitted_at`` in the workspace's time zone."""
    df = Lake(ws.lake_dir).read("feedback").to_pandas()
    df = df[df["text"].notna() & (df["text"].str.strip() != "")]
    out: pd.DataFrame = df.assign(submitted_at=df["submitted_at"].dt.tz_convert(ws.settings.workspace.timezone))
    return out


def dated(df: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The rows of ``df`` with a ``submitted_at``, and how many had none: an undated text belongs
    to no period, so it can make no hot spot, trend or lifecycle stage (it is left out and counted)."""
    has_date = df["submitted_at"].notna()
    return df[has_date], int((~has_date).sum())


def undated(ws: Workspace) -> int:
    """How many feedback texts have no date (left out of hot spots and lifecycles)."""
    return dated(feedback_texts(ws))[1]


NEEDS_DATES = "needs dated feedback"
"""What a time-based analysis (hot spots, lifecycle, trend) says when every feedback text is undated
(a review export without dates): it compares periods, and no period can be made up."""


def time_status(ws: Workspace) -> str | None:
    """:data:`NEEDS_DATES` when the workspace has feedback texts and none of them has a date, else None."""
    df, no_date = dated(feedback_texts(ws))
    return NEEDS_DATES if df.empty and no_date else None


def period_labels(ts: pd.Series, by: Period) -> list[str]:
    if by == "week":
        iso = ts.dt.isocalendar()
        return [f"{y}-W{w:02d}" for y, w in zip(iso["year"], iso["week"], strict=True)]
    return [str(x) for x in ts.dt.strftime("%Y-%m")]


def _categories(
    texts: Sequence[str], clf: TopicClassifier | None, cats: tuple[Category, ...] | None = None
) -> list[list[str]]:
    """Per text: its taxonomy categories (the classifier deciding its own), ancestors included."""
    return [sorted({a for t in classify_with(x, clf, cats) for a in ancestors(t.category)}) for x in texts]


def _stored_categories(ws: Workspace, df: pd.DataFrame, taxonomy: Path | str | None = None) -> list[list[str]]:
    """Per feedback row: the categories stored by ``text analyze`` (``feedback_text``), classified
    here only for rows not analysed yet — the analysis is stored, not redone on every query.
    With an explicit ``taxonomy`` (not the one ``analyze`` stored with) every row is classified here."""
    lake = Lake(ws.lake_dir)
    cats = taxonomy_of(ws, taxonomy)
    stored: dict[str, str] = {}
    for f in lake.files(DERIVED) if taxonomy is None else []:
        t = pq.read_table(f, columns=["feedback_id", "categories"])
        stored.update(zip(t.column(0).to_pylist(), t.column(1).to_pylist(), strict=True))
    ids, texts = df["feedback_id"].tolist(), df["text"].tolist()
    missing = [i for i, fid in enumerate(ids) if fid not in stored]
    fresh = dict(zip(missing, _categories([texts[i] for i in missing], workspace_classifier(ws), cats), strict=True))
    return [fresh[i] if i in fresh else [c for c in (stored[fid] or "").split("|") if c] for i, fid in enumerate(ids)]


def _terms(texts: Sequence[str]) -> list[list[str]]:
    return [sorted({t.text for t in terms(x)}) for x in texts]


_MEMO_LOCK = threading.Lock()


def snapshot(ws: Workspace, taxonomy: Path | str | None = None) -> tuple[object, ...]:
    """What hot spots and lifecycles read: the lake's feedback and analysis files, the topic
    classifier and the taxonomy in force."""
    datasets = Lake(ws.lake_dir).manifest().datasets
    files = tuple(datasets.get("feedback", [])) + tuple(datasets.get(DERIVED, []))
    tax = taxonomy_path(ws, taxonomy)
    return files, _stat(topic_classifier_path(ws)), str(tax), _stat(tax) if tax else None


def _stat(file: Path) -> tuple[int, int] | None:
    stat = file.stat() if file.is_file() else None
    return (stat.st_mtime_ns, stat.st_size) if stat else None


def hotspots(ws: Workspace, by: Period = "month", top: int = 20, taxonomy: Path | str | None = None) -> Hotspots:
    """Category and term × period counts, shares, growth and significance, plus heat-map data.

    Classifying every feedback text takes seconds at a million interactions, so the result is
    kept per snapshot of the feedback data and classifier (recomputed after an ingest or a
    retrain), computed once even when many requests ask at the same time.
    """
    with _MEMO_LOCK:
        found = _hotspots(ws, snapshot(ws, taxonomy), by, top, taxonomy)
    return Hotspots.model_validate(found)


@lru_cache(maxsize=16)
def _hotspots(ws: Workspace, snapshot: object, by: Period, top: int, taxonomy: Path | str | None) -> dict[str, Any]:
    df, no_date = dated(feedback_texts(ws))
    periods = period_labels(df["submitted_at"], by)
    texts = df["text"].tolist()
    cats, words = _stored_categories(ws, df, taxonomy), _terms(texts)
    out: dict[str, Any] = {"by": by, "texts": len(df), "undated": no_date}
    out["status"] = NEEDS_DATES if df.empty and no_date else "ok"
    for kind, items in (("category", cats), ("term", words)):
        cells = hs.growth_table(periods, items)
        order = sorted(set(periods))
        chosen = _top_items(cells, order[-1] if order else "", top)
        out[kind] = {"table": [vars(c) for c in cells if c.item in chosen], "heatmap": hs.heatmap(cells, chosen, order)}
    return out


def _top_items(cells: Sequence[hs.Cell], last: str, top: int) -> list[str]:
    """The ``top`` items by mentions in the last period, then every hot item of the last period."""
    latest = sorted((c for c in cells if c.period == last), key=lambda c: -c.count)
    chosen = [c.item for c in latest[:top]]
    return chosen + [c.item for c in latest[top:] if c.hot]


def lifecycle(ws: Workspace, by: Period = "month", history: bool = False) -> list[LifecycleRow]:
    """``[{topic, stage, share, growth, since, …}]`` for every taxonomy category with enough mentions.

    With fewer than ``MIN_PERIODS`` periods of dated feedback every stage is
    ``insufficient_history`` (:mod:`valueloop.voice.lifecycle`); undated texts are left out.

    ``history``: each row also gets ``history`` (the stage as it stood at the end of every
    period, ``None`` before the topic had enough mentions) and ``transitions``
    (``[{period, from, to}]`` where it changed, e.g. emerging → growing). Kept per snapshot,
    as :func:`hotspots`.
    """
    with _MEMO_LOCK:
        found = _lifecycle(ws, snapshot(ws), by, history)
    return [LifecycleRow.model_validate(r) for r in found]


@lru_cache(maxsize=16)
def _lifecycle(ws: Workspace, snapshot: object, by: Period, history: bool) -> list[dict[str, Any]]:
    df = dated(feedback_texts(ws))[0]
    periods = period_labels(df["submitted_at"], by)
    cats = _stored_categories(ws, df)
    order, totals, counts = hs.count_by_period(periods, cats)
    names = {c.id: (c.name_zh, c.name_en) for c in taxonomy_of(ws)}
    out = []
    for topic in sorted(counts):
        series = [counts[topic][p] for p in order]
        if sum(series) < MIN_TOTAL:
            continue
        lc = stage_of(series, [totals[p] for p in order])
        row: dict[str, Any] = {}
        if history:
            hist = stage_history(series, [totals[p] for p in order])
            row = {
                "history": [{"period": p, "stage": st} for p, st in zip(order, hist, strict=True)],
                "transitions": [{"period": order[i], "from": a, "to": b} for i, a, b in transitions(hist)],
            }
        out.append(
            {
                "topic": names.get(topic, (topic, topic))[0],
                "topic_id": topic,
                "topic_en": names.get(topic, (topic, topic))[1],
                "stage": lc.stage,
                "share": round(lc.share, 5),
                "growth": round(lc.growth, 4),
                "acceleration": round(lc.acceleration, 4),
                "since": order[lc.since] if lc.since is not None else None,
                "mentions": sum(series),
            }
            | row
        )
    return out


def labelled_sample_path() -> Path:
    """The shipped synthetic labelled sample (``scripts/make_taxonomy_sample.py``)."""
    return text_resource("resources", "labelled_sample.csv")


LABEL_SEPARATORS = re.compile(r"[;|]")


def read_labelled(
    file: Path, text_column: str, label_column: str, taxonomy: tuple[Category, ...]
) -> tuple[list[str], list[set[str]]]:
    """Texts and their categories (ids separated by ``;`` or ``|``, ancestors added); every unknown id at once."""
    df = read_table(file)
    texts = ["" if t is None else str(t) for t in column(df, text_column, file)]
    known, gold, problems = {c.id for c in taxonomy}, [], []
    for row, value in enumerate(column(df, label_column, file), start=1):
        ids = [x.strip() for x in LABEL_SEPARATORS.split("" if value is None else str(value)) if x.strip()]
        problems += [f"row {row}: unknown category {x!r}" for x in ids if x not in known]
        gold.append({a for x in ids for a in ancestors(x)})
    if problems:
        more = f" … ({len(problems)} in all)" if len(problems) > 10 else ""
        raise InputError(f"{file}: column {label_column!r}: {'; '.join(problems[:10])}{more}")
    return texts, gold


def evaluate_taxonomy(
    file: Path | None, text_column: str, label_column: str, taxonomy: Path | str | None = None
) -> list[CategoryScore]:
    """Per category precision / recall / F1 of the keyword taxonomy against labels (parents implied).

    ``file`` None: the shipped synthetic labelled sample. Two summary rows follow:
    ``(macro)`` — the mean over categories present in the labels (a category never
    predicted has precision 0) — and ``(micro)`` — pooled over every (text, category).
    """
    file = file or labelled_sample_path()
    cats = taxonomy_of(None, taxonomy)
    texts, gold = read_labelled(file, text_column, label_column, cats)
    return [CategoryScore(**r) for r in category_scores(gold, [{t.category for t in classify(x, cats)} for x in texts])]


def _predictions(texts: Sequence[str], cats: tuple[Category, ...], clf: TopicClassifier) -> dict[str, list[set[str]]]:
    """Each method's categories per text, ancestors included: keyword rules, classifier, and the two combined."""
    return {
        "keyword": [{t.category for t in classify(x, cats)} for x in texts],
        "classifier": [{a for c in clf.predict(x) for a in ancestors(c)} for x in texts],
        "combined": [{t.category for t in classify_with(x, clf, cats)} for x in texts],
    }


def compare_methods(
    file: Path | None, text_column: str, label_column: str, ws: Workspace, taxonomy: Path | str | None = None
) -> MethodComparison:
    """:func:`evaluate_taxonomy` for the keyword rules, the workspace's classifier and both combined (``method``).

    On the very file the classifier was trained on, only its held-out rows are scored: on
    the others it would be graded on what it memorised.
    """
    clf = workspace_classifier(ws)
    if clf is None:
        raise InputError(f"{ws.root}: no trained topic classifier (valueloop text train-taxonomy LABELLED.csv)")
    file = file or labelled_sample_path()
    cats = taxonomy_of(None, taxonomy)
    texts, gold = read_labelled(file, text_column, label_column, cats)
    trained = clf.card.get("trained_on", {})
    same = trained.get("sha256") == _sha256(file)
    keep = [r - 1 for r in trained["held_out_rows"]] if same else list(range(len(texts)))
    texts, gold = [texts[i] for i in keep], [gold[i] for i in keep]
    preds = _predictions(texts, cats, clf)
    rows = [MethodScore(method=m, **r) for m, pred in preds.items() for r in category_scores(gold, pred)]
    return MethodComparison(file=str(file), texts=len(texts), held_out_only=same, used=sorted(clf.used), rows=rows)


def _sha256(file: Path) -> str:
    return hashlib.sha256(file.read_bytes()).hexdigest()


def topic_classifier_path(ws: Workspace) -> Path:
    return ws.root.joinpath(*TOPICS_FILE)


def workspace_classifier(ws: Workspace | None) -> TopicClassifier | None:
    """The workspace's trained topic classifier, or None (then the keyword taxonomy decides every category)."""
    file = topic_classifier_path(ws) if ws else None
    return load_classifier(file) if file and file.is_file() else None


def _check_counts(file: Path, label_column: str, gold: Sequence[set[str]]) -> None:
    counts = Counter(c for g in gold for c in g)
    few = [f"{c!r} {n}" for c, n in sorted(counts.items()) if n < MIN_PER_CATEGORY]
    if not counts or few:
        raise InputError(
            f"{file}: column {label_column!r}: too few labelled texts per category (need {MIN_PER_CATEGORY}): "
            + (", ".join(few) or "no category at all")
        )


def train_taxonomy(
    ws: Workspace,
    file: Path,
    text_column: str = "text",
    label_column: str = "category",
    taxonomy: Path | str | None = None,
) -> TopicTraining:
    """Fit a topic classifier on the training split, compare it with the keyword rules on the held-out rows, save it.

    The classifier then decides the categories where its held-out F1 beat the rules'
    (recorded in the artefact as ``used``); the rules decide every other category. The
    categories are those of the taxonomy in force (:func:`taxonomy_path`): the workspace's own
    ``taxonomy.yaml`` when it has one, so a hotel workspace learns its hotel categories.
    """
    cats = taxonomy_of(ws, taxonomy)
    texts, gold = read_labelled(file, text_column, label_column, cats)
    _check_counts(file, label_column, gold)
    train, test = holdout(len(texts))
    trained_on = {"file": file.name, "sha256": _sha256(file), "rows": len(texts), "train_rows": len(train)}
    card: dict[str, Any] = {"trained_on": trained_on | {"held_out_rows": [int(i) + 1 for i in test]}}
    try:
        clf = fit_topics([texts[i] for i in train], [gold[i] for i in train], card=card)
    except InputError as err:
        raise InputError(f"{file}: column {label_column!r}: {err}") from err
    held_texts, held_gold = [texts[i] for i in test], [gold[i] for i in test]
    scores = {m: category_scores(held_gold, p) for m, p in _predictions(held_texts, cats, clf).items()}
    kw, cl = ({r["category"]: r for r in scores[m]} for m in ("keyword", "classifier"))
    used = frozenset(c for c in clf.categories if _beats(cl.get(c), kw.get(c)))
    clf = replace(clf, used=used)
    scores["combined"] = category_scores(held_gold, _predictions(held_texts, cats, clf)["combined"])
    table = _comparison(kw, cl, clf)
    summary = [
        {"method": m} | {f"{r['category'][1:-1]}_{k}": r[k] for r in rows[-2:] for k in ("precision", "recall", "f1")}
        for m, rows in scores.items()
    ]
    clf.card.update(used=sorted(used), held_out=table, summary=summary)
    clf.save(topic_classifier_path(ws))
    return TopicTraining(rows=len(texts), train_rows=len(train), test_rows=len(test), used=sorted(used),
                         path=str(topic_classifier_path(ws)), categories=[CategoryComparison(**r) for r in table],
                         summary=[MethodAverages(**r) for r in summary])  # fmt: skip


def _beats(classifier: dict[str, Any] | None, keyword: dict[str, Any] | None) -> bool:
    """The classifier is used for a category only when it was measured on held-out texts and did better."""
    return bool(classifier and classifier["support"] and classifier["f1"] > (keyword or {}).get("f1", 0.0))


def _comparison(
    kw: dict[str, dict[str, Any]], cl: dict[str, dict[str, Any]], clf: TopicClassifier
) -> list[dict[str, Any]]:
    """Per category: held-out support, keyword and classifier precision / recall / F1, threshold, method used."""
    thresholds = dict(zip(clf.categories, clf.threshold.tolist(), strict=True))
    out = []
    for c in sorted((set(kw) | set(cl)) - {MACRO, MICRO}):
        row: dict[str, Any] = {"category": c, "support": (kw.get(c) or cl[c])["support"]}
        for m, scores in (("keyword", kw), ("classifier", cl)):
            row |= {f"{m}_{k}": scores.get(c, {}).get(k) for k in ("precision", "recall", "f1")}
        known = c in thresholds
        row |= {"threshold": round(thresholds[c], 4) if known else None}
        out.append(row | {"method": "classifier" if c in clf.used else "keyword"})
    return out


# --- stored analysis: the derived feedback_text dataset -----------------------------------

DERIVED = "feedback_text"
COPIED = ("feedback_id", "submitted_at", "entity_id", "interaction_id", "customer_id", "kind")
QUALITATIVE_KINDS = ("interview", "focus_group")


def model_id(ws: Workspace, taxonomy: Path | str | None = None) -> str:
    """``default``, or ``workspace:<first 12 hex of the model file's SHA-256>`` when the workspace has a model.

    With a trained topic classifier, ``+topics:<first 12 hex of its SHA-256>`` follows; with a
    taxonomy other than the shipped default, ``+taxonomy:<first 12 hex of its SHA-256>``.
    """
    file, topics, tax = workspace_model_path(ws), topic_classifier_path(ws), taxonomy_path(ws, taxonomy)
    out = "workspace:" + _sha256(file)[:12] if file.is_file() else "default"
    out += "+topics:" + _sha256(topics)[:12] if topics.is_file() else ""
    return out + ("+taxonomy:" + _sha256(tax)[:12] if tax else "")


def _analysed_ids(lake: Lake) -> set[str]:
    files = lake.files(DERIVED)
    return {x for f in files for x in pq.read_table(f, columns=["feedback_id"]).column(0).to_pylist()}


def _with_text(lake: Lake) -> pa.Table:
    fb = lake.read("feedback", DATASETS["feedback"].schema)
    text = pc.utf8_trim_whitespace(fb.column("text"))
    keep = pc.fill_null(pc.greater(pc.utf8_length(text), 0), False)
    return fb.filter(keep)


def analyze_feedback(ws: Workspace, *, everything: bool = False, taxonomy: Path | str | None = None) -> AnalysisReport:
    """Analyse feedback texts not analysed yet (every one with ``everything``) into the ``feedback_text`` dataset.

    Written in one lake transaction and merged like an ingest batch, so a re-analysis with
    an unchanged model stores nothing (``duplicates``) and a changed result replaces the
    old row (``updated``). Counts reconcile: ``analysed == stored + duplicates``.
    """
    ds = DATASETS[DERIVED]
    lake = Lake(ws.lake_dir)
    fb = _with_text(lake)
    done: set[str] = set() if everything else _analysed_ids(lake)
    todo = fb if not done else fb.filter(pc.invert(pc.is_in(fb.column("feedback_id"), pa.array(sorted(done)))))
    model, cats = load_or_default(workspace_model_path(ws)), taxonomy_of(ws, taxonomy)
    report: dict[str, Any] = {
        "dataset": DERIVED,
        "feedback_with_text": fb.num_rows,
        "already_analysed": fb.num_rows - todo.num_rows,
        "analysed": todo.num_rows,
        "stored": 0,
        "updated": 0,
        "duplicates": 0,
        "model": model_id(ws, taxonomy),
        "batch_id": None,
        "seconds": 0.0,
        "topic_polarity": {},
    }
    if todo.num_rows == 0:
        return AnalysisReport(**report)
    started, t0 = datetime.now(UTC), time.perf_counter()
    texts = todo.column("text").to_pylist()
    results = _with_classifier(texts, analyze_texts(texts, model, cats), workspace_classifier(ws), cats)
    report["seconds"] = round(time.perf_counter() - t0, 3)
    n = len(results)
    columns: dict[str, Any] = {c: todo.column(c) for c in COPIED}
    columns |= {
        "language": [r.language for r in results],
        "sentiment": [r.sentiment.label for r in results],
        "sentiment_score": [r.sentiment.score for r in results],
        "categories": [joined(r.categories) for r in results],
        "aspects": [joined(r.aspects) for r in results],
        "model": [report["model"]] * n,
    }
    table = pa.table({f.name: columns[f.name] for f in ds.fields}, schema=ds.schema)
    seq = pa.array(range(n), pa.int64())
    table = table.append_column("_src_file", pa.array([0] * n, pa.int32()))
    table = table.append_column("_src_row", seq).append_column("_seq", seq)
    batch_id = new_batch_id()
    with lake.transaction(batch_id) as txn:
        merged = merge_batch(txn, ds, [table], lake.files(DERIVED))
    report |= {"stored": merged.stored, "updated": merged.updated, "duplicates": merged.duplicates}
    report["batch_id"] = batch_id
    report["topic_polarity"] = topic_polarity_counts(results)
    _record(ws, report, started)
    return AnalysisReport(**report)


def topic_polarity_counts(results: Sequence[TextAnalysis]) -> dict[str, dict[str, int]]:
    """Per top-level topic: how many of the analysed texts speak of it positively, neutrally, negatively.

    Counted from each topic's own clause (:func:`~valueloop.voice.aspects.topic_polarity`), so
    a mixed review counts where it praises and where it blames; a text counts once per topic.
    """
    counts: dict[str, Counter[str]] = {}
    for r in results:
        seen: dict[str, str] = {}
        for t in r.topics:
            if "/" not in t.category:
                seen.setdefault(t.category, t.label)
        for cat, label in seen.items():
            counts.setdefault(cat, Counter())[label] += 1
    order = ("positive", "neutral", "negative")
    return {cat: {k: c[k] for k in order} for cat, c in sorted(counts.items(), key=lambda kv: -kv[1].total())}


NO_WORDS = ("empty", "unreadable", "no_words", "emoji_only")
"""Sentiment reasons of texts that :func:`~valueloop.voice.analysis.analyze_text` gives no categories."""


def _with_classifier(
    texts: Sequence[str], results: list[TextAnalysis], clf: TopicClassifier | None, cats: tuple[Category, ...]
) -> list[TextAnalysis]:
    """``results`` with categories re-decided where the workspace's classifier is used (aspects stay the rules')."""
    if clf is None or not clf.used:
        return results
    cache: dict[str, tuple[str, ...]] = {}
    out = []
    for text, r in zip(texts, results, strict=True):
        if r.sentiment.reason in NO_WORDS:
            out.append(r)
            continue
        if text not in cache:
            cache[text] = tuple(sorted({t.category for t in classify_with(text, clf, cats)}))
        out.append(replace(r, categories=cache[text]))
    return out


def _record(ws: Workspace, r: dict[str, Any], started: datetime) -> None:
    """Log the batch with the ingest batches (source: the feedback dataset)."""
    with appdb.engine(ws.database_url).begin() as conn:
        conn.execute(
            tables.ingest_batches.insert().values(
                batch_id=r["batch_id"],
                dataset=DERIVED,
                files=["lake:feedback"],
                read=r["analysed"],
                stored=r["stored"],
                updated=r["updated"],
                duplicates=r["duplicates"],
                quarantined=0,
                started_at=started,
                finished_at=datetime.now(UTC),
            )
        )


def qualitative(ws: Workspace, kinds: Sequence[str] = QUALITATIVE_KINDS, quotes: int = QUOTES) -> QualitativeReport:
    """Interview and focus-group notes coded with the taxonomy: per topic, statements, notes and quotes."""
    df = feedback_texts(ws)
    df = df[df["kind"].isin(list(kinds))].sort_values(["submitted_at", "feedback_id"], ascending=False)
    topics, total, uncoded = code_notes(
        df["feedback_id"].tolist(),
        df["text"].tolist(),
        taxonomy_of(ws),
        model=load_or_default(workspace_model_path(ws)),
        quotes=quotes,
    )
    return QualitativeReport(
        kinds=list(kinds),
        notes=len(df),
        statements=total,
        uncoded_statements=uncoded,
        topics=[
            QualitativeTopic(
                topic_id=t.id,
                topic=t.name_zh,
                topic_en=t.name_en,
                statements=t.statements,
                notes=len(t.notes),
                negative_statements=t.negative,
                quotes=[NoteQuote(feedback_id=q.note, start=q.start, end=q.end, text=q.text) for q in t.quotes],
            )
            for t in topics
        ],
    )
