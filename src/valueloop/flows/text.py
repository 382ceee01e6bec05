"""Use cases for text analytics: score files, train from a workspace's ratings, hot spots, lifecycle.

The maths lives in :mod:`valueloop.text` (pure, no storage); this module reads files and
the workspace lake, calls it, and returns plain dicts for the CLI (and later the API).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from valueloop.errors import InputError
from valueloop.spec.datasets import DATASETS
from valueloop.store import appdb
from valueloop.store.lake import Lake, new_batch_id
from valueloop.store.merge import merge_batch
from valueloop.store.workspace import Workspace
from valueloop.text import hotspots as hs
from valueloop.text.analysis import analyze_texts, joined
from valueloop.text.aspects import negative_aspects
from valueloop.text.keyphrases import textrank_keywords, tfidf_keywords
from valueloop.text.keywords import contrast_keywords
from valueloop.text.lifecycle import MIN_TOTAL, stage_history, stage_of, transitions
from valueloop.text.qualitative import QUOTES, code_notes
from valueloop.text.resources import path as text_resource
from valueloop.text.sentiment import analyze, default_model, load_or_default
from valueloop.text.taxonomy import ancestors, classify, load_taxonomy
from valueloop.text.tokenize import terms
from valueloop.text.train import accuracy, fit_model, holdout

Period = Literal["week", "month"]
MODEL_FILE = ("text", "sentiment.npz")


def read_table(file: Path) -> pd.DataFrame:
    """CSV (UTF-8, UTF-8 with BOM or GB18030), JSON Lines, JSON array or XLSX; every cell as text."""
    if not file.is_file():
        raise InputError(f"{file}: no such file")
    suffix = file.suffix.lower()
    try:
        if suffix in {".xlsx", ".xlsm"}:
            return pd.read_excel(file, dtype=str, keep_default_na=False)
        if suffix in {".jsonl", ".ndjson"}:
            return pd.DataFrame([json.loads(x) for x in file.read_text("utf-8").splitlines() if x.strip()])
        if suffix == ".json":
            return pd.DataFrame(json.loads(file.read_text("utf-8")))
        return _read_csv(file)
    except (ValueError, OSError) as err:
        raise InputError(f"{file}: cannot read ({err})") from err


def _read_csv(file: Path) -> pd.DataFrame:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(file, dtype=str, keep_default_na=False, encoding=enc)
        except UnicodeDecodeError:
            continue
    raise InputError(f"{file}: neither UTF-8 nor GB18030")


def column(df: pd.DataFrame, name: str, file: Path) -> list[object]:
    if name not in df.columns:
        raise InputError(f"{file}: no column {name!r} (columns: {', '.join(map(str, df.columns))})")
    return df[name].tolist()


def workspace_model_path(ws: Workspace) -> Path:
    return ws.root.joinpath(*MODEL_FILE)


def sentiment_file(file: Path, text_column: str, ws: Workspace | None = None) -> list[dict[str, Any]]:
    """``[{row, label, score[, reason]}]`` per data row (1-based), in input order."""
    model = load_or_default(workspace_model_path(ws) if ws else None)
    texts = column(read_table(file), text_column, file)
    out = []
    for i, s in enumerate(analyze(texts, model), start=1):
        row: dict[str, Any] = {"row": i, "label": s.label, "score": s.score}
        if s.reason:
            row["reason"] = s.reason
        out.append(row)
    return out


def tag_file(file: Path, text_column: str, ws: Workspace | None = None) -> list[dict[str, Any]]:
    """Per row: sentiment, issue categories and negative aspects, each tag with its evidence span."""
    model = load_or_default(workspace_model_path(ws) if ws else None)
    texts = [str(t) if t is not None else "" for t in column(read_table(file), text_column, file)]
    out = []
    for i, (t, s) in enumerate(zip(texts, analyze(texts, model), strict=True), start=1):
        cats = [vars(c) for c in classify(t)]
        aspects = [vars(a) for a in negative_aspects(t, model)] if s.label != "positive" else []
        out.append({"row": i, "label": s.label, "score": s.score, "categories": cats, "aspects": aspects})
    return out


KeywordMethod = Literal["logodds", "tfidf", "textrank"]


def keywords_file(
    file: Path,
    text_column: str,
    group: str | None,
    top: int,
    ws: Workspace | None = None,
    method: KeywordMethod = "logodds",
    per_text: bool = False,
) -> list[dict[str, Any]]:
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
        {"group": g, "method": method, **vars(k), "evidence": [vars(e) | {"row": e.row + 1} for e in k.evidence]}
        for g, kws in found.items()
        for k in kws
    ]


def feedback_texts(ws: Workspace) -> pd.DataFrame:
    """The workspace's feedback rows that have text, with ``submitted_at`` in the workspace's time zone."""
    df = Lake(ws.lake_dir).read("feedback").to_pandas()
    df = df[df["text"].notna() & (df["text"].str.strip() != "")]
    out: pd.DataFrame = df.assign(submitted_at=df["submitted_at"].dt.tz_convert(ws.settings.workspace.timezone))
    return out


def train_from_ratings(ws: Workspace, *, force: bool = False) -> dict[str, Any]:
    """Learn a model from rated feedback (CSAT 1–2 negative, 4–5 positive, 3 dropped); keep it when it wins."""
    df = feedback_texts(ws)
    df = df[df["csat"].notna() & (df["csat"] != 3)]
    texts, labels = df["text"].tolist(), (df["csat"] >= 4).astype(int).tolist()
    train, test = holdout(len(texts))
    card = {"trained_on": f"workspace feedback with CSAT ({len(train)} rows)", "labels": "csat 1-2 → 0, 4-5 → 1"}
    model = fit_model([texts[i] for i in train], [labels[i] for i in train], min_df=2, card=card)
    test_texts, test_labels = [texts[i] for i in test], [labels[i] for i in test]
    ours, default = (accuracy(m, test_texts, test_labels) for m in (model, default_model()))
    better = ours > default
    if better or force:
        model.card.update(held_out_accuracy=round(ours, 4), default_accuracy=round(default, 4), held_out_rows=len(test))
        model.save(workspace_model_path(ws))
    return {
        "rows": len(texts),
        "train_rows": len(train),
        "test_rows": len(test),
        "positive_share": round(sum(labels) / max(len(labels), 1), 4),
        "accuracy": round(ours, 4),
        "default_accuracy": round(default, 4),
        "saved": better or force,
        "path": str(workspace_model_path(ws)) if better or force else None,
    }


def period_labels(ts: pd.Series, by: Period) -> list[str]:
    if by == "week":
        iso = ts.dt.isocalendar()
        return [f"{y}-W{w:02d}" for y, w in zip(iso["year"], iso["week"], strict=True)]
    return [str(x) for x in ts.dt.strftime("%Y-%m")]


def _categories(texts: Sequence[str]) -> list[list[str]]:
    """Per text: its taxonomy categories, ancestors included."""
    return [sorted({a for t in classify(x) for a in ancestors(t.category)}) for x in texts]


def _terms(texts: Sequence[str]) -> list[list[str]]:
    return [sorted({t.text for t in terms(x)}) for x in texts]


def hotspots(ws: Workspace, by: Period = "month", top: int = 20) -> dict[str, Any]:
    """Category and term × period counts, shares, growth and significance, plus heat-map data."""
    df = feedback_texts(ws)
    periods = period_labels(df["submitted_at"], by)
    texts = df["text"].tolist()
    cats, words = _categories(texts), _terms(texts)
    out: dict[str, Any] = {"by": by, "texts": len(df)}
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


def lifecycle(ws: Workspace, by: Period = "month", history: bool = False) -> list[dict[str, Any]]:
    """``[{topic, stage, share, growth, since, …}]`` for every taxonomy category with enough mentions.

    ``history``: each row also gets ``history`` (the stage as it stood at the end of every
    period, ``None`` before the topic had enough mentions) and ``transitions``
    (``[{period, from, to}]`` where it changed, e.g. emerging → growing).
    """
    df = feedback_texts(ws)
    periods = period_labels(df["submitted_at"], by)
    cats = _categories(df["text"].tolist())
    order, totals, counts = hs.count_by_period(periods, cats)
    names = {c.id: (c.name_zh, c.name_en) for c in load_taxonomy()}
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
                "topic": names[topic][0],
                "topic_id": topic,
                "topic_en": names[topic][1],
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


MACRO = "(macro)"
MICRO = "(micro)"


def labelled_sample_path() -> Path:
    """The shipped synthetic labelled sample (``scripts/make_taxonomy_sample.py``)."""
    return text_resource("resources", "labelled_sample.csv")


def evaluate_taxonomy(
    file: Path | None, text_column: str, label_column: str, taxonomy: Path | None = None
) -> list[dict[str, Any]]:
    """Per category precision / recall / F1 against labels (``;``-separated category ids; parents implied).

    ``file`` None: the shipped synthetic labelled sample. Two summary rows follow:
    ``(macro)`` — the mean over categories present in the labels (a category never
    predicted has precision 0) — and ``(micro)`` — pooled over every (text, category).
    """
    file = file or labelled_sample_path()
    df = read_table(file)
    texts = [str(t) for t in column(df, text_column, file)]
    gold = [
        {a for lab in str(g).split(";") if lab.strip() for a in ancestors(lab.strip())}
        for g in column(df, label_column, file)
    ]
    cats = load_taxonomy(taxonomy)
    pred = [{t.category for t in classify(t, cats)} for t in texts]
    rows = []
    for c in sorted(set().union(*gold, *pred)):
        tp = sum(c in g and c in p for g, p in zip(gold, pred, strict=True))
        fp = sum(c not in g and c in p for g, p in zip(gold, pred, strict=True))
        fn = sum(c in g and c not in p for g, p in zip(gold, pred, strict=True))
        prec = tp / (tp + fp) if tp + fp else None
        rec = tp / (tp + fn) if tp + fn else None
        f1 = 2 * prec * rec / (prec + rec) if prec and rec else 0.0
        rows.append(
            {"category": c, "support": tp + fn, "predicted": tp + fp, "precision": prec, "recall": rec, "f1": f1}
        )
    return rows + _summary(rows)


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    present = [r for r in rows if r["support"]]
    support, predicted = sum(r["support"] for r in rows), sum(r["predicted"] for r in rows)
    tp = sum(round(r["recall"] * r["support"]) for r in present)
    n = max(len(present), 1)
    macro_p = sum(r["precision"] or 0.0 for r in present) / n
    macro_r = sum(r["recall"] for r in present) / n
    micro_p, micro_r = tp / predicted if predicted else 0.0, tp / support if support else 0.0
    return [
        {"category": name, "support": support, "predicted": predicted, "precision": p, "recall": r, "f1": f1(p, r)}
        for name, p, r in ((MACRO, macro_p, macro_r), (MICRO, micro_p, micro_r))
    ]


# --- stored analysis: the derived feedback_text dataset -----------------------------------

DERIVED = "feedback_text"
COPIED = ("feedback_id", "submitted_at", "entity_id", "interaction_id", "customer_id", "kind")
QUALITATIVE_KINDS = ("interview", "focus_group")


def model_id(ws: Workspace) -> str:
    """``default``, or ``workspace:<first 12 hex of the model file's SHA-256>`` when the workspace has a model."""
    file = workspace_model_path(ws)
    if not file.is_file():
        return "default"
    return "workspace:" + hashlib.sha256(file.read_bytes()).hexdigest()[:12]


def _analysed_ids(lake: Lake) -> set[str]:
    files = lake.files(DERIVED)
    return {x for f in files for x in pq.read_table(f, columns=["feedback_id"]).column(0).to_pylist()}


def _with_text(lake: Lake) -> pa.Table:
    fb = lake.read("feedback", DATASETS["feedback"].schema)
    text = pc.utf8_trim_whitespace(fb.column("text"))
    keep = pc.fill_null(pc.greater(pc.utf8_length(text), 0), False)
    return fb.filter(keep)


def analyze_feedback(ws: Workspace, *, everything: bool = False) -> dict[str, Any]:
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
    model = load_or_default(workspace_model_path(ws))
    report: dict[str, Any] = {
        "dataset": DERIVED,
        "feedback_with_text": fb.num_rows,
        "already_analysed": fb.num_rows - todo.num_rows,
        "analysed": todo.num_rows,
        "stored": 0,
        "updated": 0,
        "duplicates": 0,
        "model": model_id(ws),
        "batch_id": None,
        "seconds": 0.0,
    }
    if todo.num_rows == 0:
        return report
    started, t0 = datetime.now(UTC), time.perf_counter()
    results = analyze_texts(todo.column("text").to_pylist(), model)
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
    _record(ws, report, started)
    return report


def _record(ws: Workspace, r: dict[str, Any], started: datetime) -> None:
    """Log the batch with the ingest batches (source: the feedback dataset)."""
    with appdb.engine(ws.database_url).begin() as conn:
        conn.execute(
            appdb.ingest_batches.insert().values(
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


def qualitative(ws: Workspace, kinds: Sequence[str] = QUALITATIVE_KINDS, quotes: int = QUOTES) -> dict[str, Any]:
    """Interview and focus-group notes coded with the taxonomy: per topic, statements, notes and quotes."""
    df = feedback_texts(ws)
    df = df[df["kind"].isin(list(kinds))].sort_values(["submitted_at", "feedback_id"], ascending=False)
    topics, total, uncoded = code_notes(
        df["feedback_id"].tolist(), df["text"].tolist(), model=load_or_default(workspace_model_path(ws)), quotes=quotes
    )
    return {
        "kinds": list(kinds),
        "notes": len(df),
        "statements": total,
        "uncoded_statements": uncoded,
        "topics": [
            {
                "topic_id": t.id,
                "topic": t.name_zh,
                "topic_en": t.name_en,
                "statements": t.statements,
                "notes": len(t.notes),
                "negative_statements": t.negative,
                "quotes": [{"feedback_id": q.note, "start": q.start, "end": q.end, "text": q.text} for q in t.quotes],
            }
            for t in topics
        ],
    }
