"""Topic precision and recall of a taxonomy on a hand-labelled sample (JSON lines), per split.

Why top-level categories: the samples are labelled with the topics a reader sees (rooms,
billing, refund), and a child's tag implies its parent, so predictions are rolled up to
their top-level category before they are compared. Micro averages pool every (text,
category) pair; a text labelled with no topic counts only through its false positives.

A sample row is ``{"text", "lang", "labels": [...], "source", "split": "tune" | "holdout"}``:
the ``holdout`` third is kept out of taxonomy tuning, so its figures say how the keywords
generalise to texts their author did not tune them on.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from valueloop.errors import InputError
from valueloop.voice.taxonomy import Category, classify
from valueloop.voice.train import category_scores


@dataclass(frozen=True)
class Labelled:
    text: str
    lang: str
    labels: frozenset[str]
    split: str


@dataclass(frozen=True)
class TopicScore:
    """Micro precision and recall of one taxonomy on one split of its sample."""

    split: str
    texts: int
    labels: int
    predicted: int
    precision: float
    recall: float


def load_sample(file: Path) -> list[Labelled]:
    """The rows of a labelled JSON-lines sample; a bad row is an :class:`InputError` naming file:line."""
    rows = []
    for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
        try:
            row = json.loads(line)
            rows.append(Labelled(row["text"], row["lang"], frozenset(row["labels"]), row.get("split", "tune")))
        except (ValueError, KeyError, TypeError) as err:
            raise InputError(f"{file}:{n}: not a labelled row (text, lang, labels): {err}") from err
    return rows


def top_level(text: str, taxonomy: tuple[Category, ...], lang: str) -> frozenset[str]:
    """The top-level categories the taxonomy tags ``text`` with."""
    return frozenset(t.category.split("/")[0] for t in classify(text, taxonomy, lang))


def score(rows: Sequence[Labelled], taxonomy: tuple[Category, ...], split: str) -> TopicScore:
    """Micro precision and recall over the rows of ``split`` (``all`` for every row)."""
    part = [r for r in rows if split in ("all", r.split)]
    gold = [r.labels for r in part]
    pred = [top_level(r.text, taxonomy, r.lang) for r in part]
    micro = next(s for s in category_scores(gold, pred) if s["category"] == "(micro)")
    return TopicScore(
        split, len(part), sum(map(len, gold)), sum(map(len, pred)), micro["precision"] or 0.0, micro["recall"] or 0.0
    )


def misses(rows: Sequence[Labelled], taxonomy: tuple[Category, ...], split: str) -> list[str]:
    """One line per row of ``split`` whose tags differ from its labels: ``+fp -fn | text``."""
    out = []
    for r in rows:
        if r.split != split:
            continue
        got = top_level(r.text, taxonomy, r.lang)
        if got != r.labels:
            fp, fn = sorted(got - r.labels), sorted(r.labels - got)
            out.append(" ".join([*(f"+{c}" for c in fp), *(f"-{c}" for c in fn)]) + f" | {r.text}")
    return out
