"""Text analytics over texts sent in a request: the file use cases of :mod:`valueloop.voice.service.text`.

The texts (and their groups or labels) are written to a temporary JSON Lines file with the
columns ``text``, ``group`` and ``category`` and handed to the same functions as
``valueloop text sentiment|tags|keywords|evaluate|train-taxonomy FILE``; errors name the
request body, never the temporary file.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from valueloop.errors import InputError
from valueloop.ingest.service.user_input import as_input_error
from valueloop.store.workspace import Workspace
from valueloop.voice.service import text
from valueloop.voice.service.results import (
    CategoryScore,
    KeywordRow,
    MethodComparison,
    SentimentRow,
    TagRow,
    TopicTraining,
)

T = TypeVar("T")


def _on_texts(columns: dict[str, Sequence[str]], use: Callable[[Path], T], name: str = "texts.jsonl") -> T:
    lengths = {len(v) for v in columns.values()}
    if len(lengths) != 1:
        raise InputError(f"{', '.join(columns)}: need one entry per text")
    rows = [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]
    with tempfile.TemporaryDirectory(prefix="vl-texts-") as tmp:
        path = Path(tmp) / name
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        try:
            return as_input_error(lambda: use(path))
        except InputError as err:
            raise InputError(str(err).replace(str(path), "texts")) from err


def sentiment(ws: Workspace, texts: Sequence[str]) -> list[SentimentRow]:
    return _on_texts({"text": texts}, lambda p: text.sentiment_file(p, "text", ws))


def tags(ws: Workspace, texts: Sequence[str], taxonomy: str | None = None) -> list[TagRow]:
    """``taxonomy``: a shipped taxonomy's name; None: the workspace's own, else the shipped default."""
    return _on_texts({"text": texts}, lambda p: text.tag_file(p, "text", ws, taxonomy))


def keywords(
    ws: Workspace, texts: Sequence[str], groups: Sequence[str] | None, top: int, method: text.KeywordMethod,
    per_text: bool,
) -> list[KeywordRow]:  # fmt: skip
    cols: dict[str, Sequence[str]] = {"text": texts} | ({"group": groups} if groups is not None else {})
    group = "group" if groups is not None else None
    return _on_texts(cols, lambda p: text.keywords_file(p, "text", group, top, ws, method, per_text))


def _labelled(texts: Sequence[str], categories: Sequence[str]) -> dict[str, Sequence[str]]:
    return {"text": texts, "category": categories}


def evaluate(
    ws: Workspace, texts: Sequence[str] | None, categories: Sequence[str] | None, classifier: bool
) -> list[CategoryScore] | MethodComparison:
    """Per-category precision / recall / F1 on the labelled texts (none: the shipped sample)."""
    if (texts is None) != (categories is None):
        raise InputError("send both texts and categories, or neither (then the shipped sample is scored)")
    if texts is None or categories is None:
        if classifier:
            return text.compare_methods(None, "text", "category", ws)
        return text.evaluate_taxonomy(None, "text", "category")
    if classifier:
        report = _on_texts(_labelled(texts, categories), lambda p: text.compare_methods(p, "text", "category", ws))
        return report.model_copy(update={"file": "texts"})
    return _on_texts(_labelled(texts, categories), lambda p: text.evaluate_taxonomy(p, "text", "category"))


def train_taxonomy(
    ws: Workspace, texts: Sequence[str], categories: Sequence[str], taxonomy: str | None = None
) -> TopicTraining:
    """Train and save the workspace topic classifier on the labelled texts (``valueloop text train-taxonomy``)."""
    return _on_texts(_labelled(texts, categories),
                     lambda p: text.train_taxonomy(ws, p, "text", "category", taxonomy),
                     name="labelled.jsonl")  # fmt: skip
