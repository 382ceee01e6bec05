"""``/api/v1/text``: voice of the customer — topic lifecycle, hot spots, posted texts, the text models.

The lifecycle and hot spots read the stored feedback (workspace-wide). Scoring routes read
only the texts sent (and the workspace's trained models); training and the feedback analysis
write workspace artefacts, so they need ``evaluate:run``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from valueloop.http.deps import EvaluateRun, TextRead, WorkspaceDep
from valueloop.http.response_cache import CACHED
from valueloop.voice.service import sentiment_training, text, text_posted
from valueloop.voice.service.results import (
    AnalysisReport,
    CategoryScore,
    Hotspots,
    KeywordRow,
    LifecycleRow,
    MethodComparison,
    QualitativeReport,
    SentimentRow,
    SentimentTraining,
    TagRow,
    TopicTraining,
)
from valueloop.voice.service.text import QUALITATIVE_KINDS, KeywordMethod, Period
from valueloop.voice.taxonomy import ShippedName

router = APIRouter(tags=["text"])
Text = Annotated[str, Field(max_length=20_000)]
Texts = Annotated[list[Text], Field(min_length=1, max_length=20_000)]
Label = Annotated[str, Field(max_length=500)]


class TextsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    texts: Texts


class TagsIn(TextsIn):
    taxonomy: ShippedName | None = None
    """A shipped taxonomy by name; none: the workspace's taxonomy.yaml when it has one, else ecommerce."""


class KeywordsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    texts: Texts
    groups: list[Label] | None = Field(default=None, max_length=20_000)
    """One group per text (CLI ``--group``); none: one group of every text."""
    top: int = Field(default=10, ge=1, le=200)
    method: KeywordMethod = "logodds"
    per_text: bool = False


class LabelledIn(BaseModel):
    """Texts with their category ids (``;`` or ``|``-separated, as in the CLI's label column)."""

    model_config = ConfigDict(extra="forbid")
    texts: Texts
    categories: list[Label] = Field(min_length=1, max_length=20_000)
    taxonomy: ShippedName | None = None


class EvaluateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    texts: Texts | None = None
    categories: list[Label] | None = Field(default=None, max_length=20_000)
    classifier: bool = False


class TrainIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    force: bool = False


class AnalyzeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    all: bool = False
    taxonomy: ShippedName | None = None


@router.get("/text/lifecycle", dependencies=[CACHED])
def lifecycle(_: TextRead, ws: WorkspaceDep, by: Period = "month") -> list[LifecycleRow]:
    return text.lifecycle(ws, by)


@router.get("/text/hotspots", dependencies=[CACHED])
def hotspots(_: TextRead, ws: WorkspaceDep, by: Period = "month", top: int = Query(20, ge=1, le=200),
             taxonomy: ShippedName | None = None) -> Hotspots:  # fmt: skip
    """``taxonomy``: a shipped taxonomy by name; none: the workspace's taxonomy.yaml when it has one."""
    return text.hotspots(ws, by, top, taxonomy)


@router.post("/text/sentiment")
def sentiment(_: TextRead, ws: WorkspaceDep, body: TextsIn) -> list[SentimentRow]:
    """Per text (``row`` 1-based): label, score in [-1, 1], and a reason for odd rows."""
    return text_posted.sentiment(ws, body.texts)


@router.post("/text/tags")
def tags(_: TextRead, ws: WorkspaceDep, body: TagsIn) -> list[TagRow]:
    """Per text: sentiment, issue categories and negative aspects, each with its evidence span."""
    return text_posted.tags(ws, body.texts, body.taxonomy)


@router.post("/text/keywords")
def keywords(_: TextRead, ws: WorkspaceDep, body: KeywordsIn) -> list[KeywordRow]:
    """Keywords per group or per text (logodds, tfidf or textrank), with evidence spans."""
    return text_posted.keywords(ws, body.texts, body.groups, body.top, body.method, body.per_text)


@router.post("/text/evaluate")
def evaluate(_: TextRead, ws: WorkspaceDep, body: EvaluateIn) -> list[CategoryScore] | MethodComparison:
    """Precision / recall / F1 per category on labelled texts (none sent: the shipped sample)."""
    return text_posted.evaluate(ws, body.texts, body.categories, body.classifier)


@router.post("/text/train-taxonomy", status_code=201)
def train_taxonomy(_: EvaluateRun, ws: WorkspaceDep, body: LabelledIn) -> TopicTraining:
    """Train the workspace topic classifier on labelled texts, compare with the keyword rules, save it."""
    return text_posted.train_taxonomy(ws, body.texts, body.categories, body.taxonomy)


@router.post("/text/train")
def train(_: EvaluateRun, ws: WorkspaceDep, body: TrainIn) -> SentimentTraining:
    """Train a sentiment model from rated feedback (``--from-ratings``); saved only when it wins (or ``force``)."""
    return sentiment_training.train_from_ratings(ws, force=body.force)


@router.post("/text/analyze")
def analyze(_: EvaluateRun, ws: WorkspaceDep, body: AnalyzeIn) -> AnalysisReport:
    """Analyse feedback texts into the feedback_text dataset (only new ones unless ``all``)."""
    return text.analyze_feedback(ws, everything=body.all, taxonomy=body.taxonomy)


@router.get("/text/qualitative")
def qualitative(_: TextRead, ws: WorkspaceDep,
                kind: Annotated[list[str] | None, Query(max_length=20)] = None,
                quotes: Annotated[int, Query(ge=0, le=50)] = 3) -> QualitativeReport:  # fmt: skip
    """Interview and focus-group notes coded with the taxonomy, counted per topic, with quotes."""
    return text.qualitative(ws, tuple(kind or QUALITATIVE_KINDS), quotes)
