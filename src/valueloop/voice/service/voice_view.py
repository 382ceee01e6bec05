"""Use cases that read stored text analysis for the voice-of-the-customer page: sentiment trend and quotes.

Both read the ``feedback_text`` dataset (written by ``valueloop text analyze``), never re-score
sentiment; a quote's highlighted span is where the taxonomy (or the workspace's topic classifier)
found the topic's evidence in the text — the workspace's own taxonomy when it has one — and the
quote's ``polarity`` is that of the clause around the span (a review praising the room and
blaming breakfast is a positive rooms quote and a negative breakfast quote). Results are
kept per snapshot of the lake's files, the topic classifier and the taxonomy.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

import pandas as pd

from valueloop.results import Instant, Result
from valueloop.spec.datasets import DATASETS
from valueloop.store.lake import Lake
from valueloop.store.workspace import Workspace
from valueloop.voice.aspects import topic_polarity
from valueloop.voice.classifier import classify_with
from valueloop.voice.model import SentimentModel
from valueloop.voice.sentiment import load_or_default
from valueloop.voice.service.text import (
    feedback_texts,
    snapshot,
    taxonomy_of,
    workspace_classifier,
    workspace_model_path,
)
from valueloop.voice.taxonomy import Category

DERIVED = "feedback_text"
BEFORE, AFTER = 60, 120
"""Characters of context kept before and after a highlighted span."""
_LOCK = threading.Lock()


class SentimentMonth(Result):
    """One month of analysed texts: how many, the share judged negative, the mean score (-1 … 1; None: unscored)."""

    period: str
    texts: int
    negative_share: float
    mean_score: float | None


class Quote(Result):
    """A text quoted for a topic, split around its evidence: ``before + match + after`` is the (shortened) text.

    ``sentiment`` is the whole text's, ``polarity`` that of the clause around the evidence.
    """

    feedback_id: str
    submitted_at: Instant | None
    entity_id: str | None
    sentiment: str | None
    polarity: str
    before: str
    match: str
    after: str


def _snapshot(ws: Workspace) -> tuple[object, ...]:
    return snapshot(ws)


def has_feedback(ws: Workspace) -> bool:
    """Whether any feedback was ingested (the text use cases need the dataset to exist)."""
    return bool(Lake(ws.lake_dir).files("feedback"))


def _analysed(ws: Workspace) -> pd.DataFrame:
    """The stored analysis, ``submitted_at`` in the workspace's time zone."""
    df = Lake(ws.lake_dir).read(DERIVED, DATASETS[DERIVED].schema).to_pandas()
    out: pd.DataFrame = df.assign(submitted_at=df["submitted_at"].dt.tz_convert(ws.settings.workspace.timezone))
    return out


def sentiment_trend(ws: Workspace) -> list[SentimentMonth]:
    """Per month: analysed texts, the share that is negative and the mean sentiment score (-1 … 1)."""
    with _LOCK:
        return copy.deepcopy(_trend(ws, _snapshot(ws)))


@lru_cache(maxsize=8)
def _trend(ws: Workspace, snapshot: object) -> list[SentimentMonth]:
    df = _analysed(ws)
    df = df[df["submitted_at"].notna()]  # an undated text is in no month (see text.NEEDS_DATES)
    if df.empty:
        return []
    df = df.assign(month=df["submitted_at"].dt.strftime("%Y-%m"), negative=df["sentiment"] == "negative")
    groups = df.groupby("month", sort=True)
    return [
        SentimentMonth(
            period=str(month),
            texts=len(g),
            negative_share=float(g["negative"].mean()),
            mean_score=float(g["sentiment_score"].mean()) if g["sentiment_score"].notna().any() else None,
        )
        for month, g in groups
    ]


def topic_quotes(ws: Workspace, topics: Sequence[str], per_topic: int = 3) -> dict[str, list[Quote]]:
    """Up to ``per_topic`` recent texts per topic id, each split around its evidence span (a :class:`Quote`)."""
    with _LOCK:
        return copy.deepcopy(_quotes(ws, _snapshot(ws), tuple(topics), per_topic))


@lru_cache(maxsize=8)
def _quotes(ws: Workspace, snapshot: object, topics: tuple[str, ...], per_topic: int) -> dict[str, list[Quote]]:
    analysed = _analysed(ws)
    if analysed.empty:
        return {t: [] for t in topics}
    texts = feedback_texts(ws)[["feedback_id", "text"]]
    df = analysed.merge(texts, on="feedback_id").sort_values(["submitted_at", "feedback_id"], ascending=False)
    clf, cats, model = workspace_classifier(ws), taxonomy_of(ws), load_or_default(workspace_model_path(ws))
    return {t: _pick(df[df["categories"].fillna("").str.contains(f"|{t}|", regex=False)], t, clf, cats, model,
                     per_topic)
            for t in topics}  # fmt: skip


def _pick(
    rows: pd.DataFrame, topic: str, clf: Any, cats: tuple[Category, ...], model: SentimentModel, n: int
) -> list[Quote]:
    out: list[Quote] = []
    seen: set[str] = set()
    for r in rows.to_dict("records"):
        text = str(r["text"])
        if text in seen:
            continue
        tag = next((t for t in classify_with(text, clf, cats) if t.category == topic), None)
        if tag is None:
            continue
        seen.add(text)
        polarity = topic_polarity(text, [tag], model)[0].label
        out.append(Quote(feedback_id=str(r["feedback_id"]), submitted_at=_moment(r["submitted_at"]),
                         entity_id=_text(r["entity_id"]), sentiment=_text(r["sentiment"]), polarity=polarity,
                         **split(text, tag.start, tag.end)))  # fmt: skip
        if len(out) == n:
            break
    return out


def _moment(value: Any) -> datetime | None:
    """A stored timestamp as a datetime; an undated text's (NaT) as None."""
    return None if pd.isna(value) else pd.Timestamp(value).to_pydatetime()


def _text(value: Any) -> str | None:
    """A stored string cell, None when null."""
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def split(text: str, start: int, end: int) -> dict[str, str]:
    """``text`` around ``[start, end)``, the context trimmed to :data:`BEFORE` / :data:`AFTER` characters.

    >>> split("退款一直没到账，客服也不回", 2, 7)
    {'before': '退款', 'match': '一直没到账', 'after': '，客服也不回'}
    """
    before, after = text[:start], text[end:]
    if len(before) > BEFORE:
        before = "…" + before[-BEFORE:]
    if len(after) > AFTER:
        after = after[:AFTER] + "…"
    return {"before": before, "match": text[start:end], "after": after}
