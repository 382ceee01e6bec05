"""Result models of the text use cases: one document for ``--format json``, the API and OpenAPI.

Key names, order and shapes are those of the dicts they replace (see :mod:`valueloop.results`
for the shared conventions); a key only some answers carry defaults to ``MISSING`` and is
left out of the dump when it does not apply.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from valueloop.results import MISSING, Result

__all__ = [
    "AnalysisReport",
    "AspectSpan",
    "CategoryComparison",
    "CategoryScore",
    "CategorySpan",
    "HotCell",
    "HotMap",
    "HotTable",
    "Hotspots",
    "KeywordEvidence",
    "KeywordRow",
    "LifecycleRow",
    "MethodAverages",
    "MethodComparison",
    "MethodScore",
    "NoteQuote",
    "QualitativeReport",
    "QualitativeTopic",
    "SentimentRow",
    "SentimentTraining",
    "StageAt",
    "StageChange",
    "TagRow",
    "TopicTraining",
]  # fmt: skip


class CategorySpan(Result):
    """A taxonomy category a text was tagged with, and the evidence span in the text."""

    category: str
    name: str
    start: int
    end: int
    match: str


class TopicSpan(CategorySpan):
    """A tag with the sentiment of the clause its evidence sits in (``text tags``)."""

    polarity: str
    polarity_score: float
    clause_start: int
    clause_end: int


class AspectSpan(Result):
    """A top-level category named in a negative clause: the span, its clause and the clause's score."""

    aspect: str
    name: str
    start: int
    end: int
    match: str
    clause_start: int
    clause_end: int
    score: float


class TagRow(Result):
    """One text (``row`` 1-based): sentiment, categories, and aspects of its negative clauses."""

    row: int
    label: str
    score: float
    categories: list[TopicSpan]
    aspects: list[AspectSpan]


class KeywordEvidence(Result):
    row: int
    start: int
    end: int
    text: str


class KeywordRow(Result):
    """A keyword of a group: log-odds statistics (``z`` … ``positive``) or a TF-IDF/TextRank score."""

    group: str
    method: str
    term: str
    z: float | MISSING = MISSING
    delta: float | MISSING = MISSING
    negative: int | MISSING = MISSING
    positive: int | MISSING = MISSING
    score: float | MISSING = MISSING
    texts: int | MISSING = MISSING
    evidence: list[KeywordEvidence]


class StageAt(Result):
    period: str
    stage: str | None


class StageChange(Result):
    """A change of lifecycle stage; written ``{period, from, to}``."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, serialize_by_alias=True)
    period: str
    from_: str | None = Field(alias="from")
    to: str | None


class LifecycleRow(Result):
    """A topic's lifecycle stage; ``history`` and ``transitions`` only when asked for."""

    topic: str
    topic_id: str
    topic_en: str
    stage: str
    share: float
    growth: float
    acceleration: float
    since: str | None
    mentions: int
    history: list[StageAt] | MISSING = MISSING
    transitions: list[StageChange] | MISSING = MISSING


class HotCell(Result):
    item: str
    period: str
    count: int
    total: int
    share: float
    prev_count: float | None
    growth: float | None
    p_value: float | None
    q_value: float | None
    hot: bool


class HotMap(Result):
    """Heat-map data: ``shares[i][j]``, ``counts[i][j]``, ``hot[i][j]`` for item i in period j."""

    items: list[str]
    periods: list[str]
    shares: list[list[float]]
    counts: list[list[int]]
    hot: list[list[bool]]


class HotTable(Result):
    table: list[HotCell]
    heatmap: HotMap


class Hotspots(Result):
    """Category and term × period hot spots; ``status`` says when there is no dated feedback."""

    by: Literal["month", "week"]
    texts: int
    undated: int
    status: str
    category: HotTable
    term: HotTable


class CategoryScore(Result):
    """Precision / recall / F1 of one category (or the ``(macro)`` / ``(micro)`` average) on labelled texts.

    ``precision`` is null for a category never predicted, ``recall`` for one never labelled.
    """

    category: str
    support: int
    predicted: int
    precision: float | None
    recall: float | None
    f1: float


class MethodScore(Result):
    """A :class:`CategoryScore` of one method: ``keyword`` rules, trained ``classifier``, or ``combined``."""

    method: str
    category: str
    support: int
    predicted: int
    precision: float | None
    recall: float | None
    f1: float


class MethodComparison(Result):
    """The methods scored on a labelled file (``held_out_only``: only the rows the classifier did not train on)."""

    file: str
    texts: int
    held_out_only: bool
    used: list[str]
    rows: list[MethodScore]


class AnalysisReport(Result):
    """What ``text analyze`` did: texts seen, analysed, stored into the derived dataset, and with which model."""

    dataset: str
    feedback_with_text: int
    already_analysed: int
    analysed: int
    stored: int
    updated: int
    duplicates: int
    model: str
    batch_id: str | None
    seconds: float
    topic_polarity: dict[str, dict[str, int]]
    """Per top-level topic: texts that speak of it positively, neutrally, negatively (by the topic's clause)."""


class NoteQuote(Result):
    feedback_id: str
    start: int
    end: int
    text: str


class QualitativeTopic(Result):
    topic_id: str
    topic: str
    topic_en: str
    statements: int
    notes: int
    negative_statements: int
    quotes: list[NoteQuote]


class QualitativeReport(Result):
    """Interview / focus-group notes coded with the taxonomy: statements per topic, with quotes."""

    kinds: list[str]
    notes: int
    statements: int
    uncoded_statements: int
    topics: list[QualitativeTopic]


class SentimentRow(Result):
    """One text's sentiment (``row`` 1-based): label, score in [-1, 1], and a reason for odd rows only."""

    row: int
    label: str
    score: float
    reason: str | MISSING = MISSING


class SentimentTraining(Result):
    """What training a sentiment model did: rows, the held-out accuracy against the default's, and whether saved."""

    rows: int
    train_rows: int
    test_rows: int
    test_set: str
    positive_share: float
    accuracy: float
    default_accuracy: float
    saved: bool
    path: str | None
    """The saved model file; null when the default model was as good (and not ``force``)."""


class CategoryComparison(Result):
    """One category on the held-out texts: keyword rules and classifier side by side, and the method used."""

    category: str
    support: int
    keyword_precision: float | None
    keyword_recall: float | None
    keyword_f1: float | None
    classifier_precision: float | None
    classifier_recall: float | None
    classifier_f1: float | None
    threshold: float | None
    method: Literal["keyword", "classifier"]


class MethodAverages(Result):
    """A method's macro and micro precision / recall / F1 on the held-out texts."""

    method: str
    macro_precision: float | None
    macro_recall: float | None
    macro_f1: float | None
    micro_precision: float | None
    micro_recall: float | None
    micro_f1: float | None


class TopicTraining(Result):
    """What ``text train-taxonomy`` did: the split, the categories the classifier decides, the comparison."""

    rows: int
    train_rows: int
    test_rows: int
    used: list[str]
    path: str
    categories: list[CategoryComparison]
    summary: list[MethodAverages]
