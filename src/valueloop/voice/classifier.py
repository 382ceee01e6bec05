"""A multi-label topic classifier trained from labelled texts, used beside the keyword taxonomy.

Why a second method, and why the keyword taxonomy stays the default: rules are readable
and editable but miss paraphrases they were never given; a classifier learns those from
a workspace's own labelled texts but cannot be argued with. So a trained classifier
decides only the categories where it beat the rules on held-out rows (``used``), and the
rules decide the rest. Every tag it gives still carries evidence, in the shape the rules
give it: the span of the n-grams that raised the category's score most (merged when they
overlap), or the whole text when no n-gram raised it.

The features and the storage are the sentiment model's (:mod:`valueloop.voice.model`):
sublinear TF-IDF of character n-grams, L2-normalised, and one linear score per category,
x·W + b, compared with that category's threshold; an ``.npz`` of numbers and UTF-8 bytes
(no pickle) with a JSON card next to it.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from valueloop.voice.features import char_ngrams
from valueloop.voice.normalize import normalize
from valueloop.voice.taxonomy import Category, Tag, classify, load_taxonomy, matches, with_ancestors

FloatArr = npt.NDArray[np.float64]
EVIDENCE_GRAMS = 5
"""The n-grams with the largest positive contributions that may make up a tag's evidence span."""


@dataclass(frozen=True, eq=False)
class TopicClassifier:
    """One linear scorer per category over shared n-gram TF-IDF features: ``coef`` is V×K."""

    categories: tuple[str, ...]
    index: dict[str, int]
    idf: FloatArr
    coef: FloatArr
    intercept: FloatArr
    threshold: FloatArr
    used: frozenset[str] = frozenset()
    """Categories this classifier decides instead of the keyword rules."""
    card: dict[str, Any] = field(default_factory=dict)

    def _features(self, text: str) -> tuple[list[str], npt.NDArray[np.int64], FloatArr]:
        counts = Counter(g for g in char_ngrams(text) if g in self.index)
        ids = np.fromiter((self.index[g] for g in counts), dtype=np.int64, count=len(counts))
        x = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self.idf[ids]
        return list(counts), ids, x / math.sqrt(float(x @ x)) if len(x) else x

    def scores(self, text: str) -> FloatArr:
        """Each category's decision value x·w + b; ``-inf`` everywhere when no known n-gram occurs."""
        _, ids, x = self._features(text)
        if not len(ids):
            return np.full(len(self.categories), -np.inf)
        out: FloatArr = x @ self.coef[ids] + self.intercept
        return out

    def predict(self, text: str) -> set[str]:
        """The categories whose score reaches their threshold (ancestors not added)."""
        return {c for c, s, t in zip(self.categories, self.scores(text), self.threshold, strict=True) if s >= t}

    def tags(self, text: str, taxonomy: tuple[Category, ...], lang: str = "zh") -> dict[str, Tag]:
        """Predicted categories that ``taxonomy`` knows, by id, each with its evidence span."""
        grams, ids, x = self._features(text)
        if not len(ids):
            return {}
        by_id = {c.id: c for c in taxonomy}
        norm = normalize(text)
        found, scores = {}, x @ self.coef[ids] + self.intercept
        for k, cid in enumerate(self.categories):
            if scores[k] >= self.threshold[k] and (cat := by_id.get(cid)):
                start, end = _evidence(norm, grams, x * self.coef[ids, k])
                found[cid] = Tag(cid, cat.name_zh if lang == "zh" else cat.name_en, start, end, text[start:end])
        return found

    def save(self, path: Path) -> None:
        """Write ``path`` (.npz) and its card (``path`` with ``.json``)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        vocab = sorted(self.index, key=self.index.__getitem__)
        with path.open("wb") as fh:
            np.savez_compressed(
                fh,
                vocab=_blob(vocab),
                categories=_blob(self.categories),
                idf=self.idf.astype(np.float32),
                coef=self.coef.astype(np.float32),
                intercept=self.intercept,
                threshold=self.threshold,
                used=np.array([c in self.used for c in self.categories], dtype=np.bool_),
            )
        path.with_suffix(".json").write_text(json.dumps(self.card, ensure_ascii=False, indent=2) + "\n", "utf-8")


def _blob(words: tuple[str, ...] | list[str]) -> npt.NDArray[np.uint8]:
    return np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8)


def _words(blob: npt.NDArray[np.uint8]) -> list[str]:
    return bytes(blob).decode("utf-8").split("\n")


def load_classifier(path: Path) -> TopicClassifier:
    """Read a classifier written by :meth:`TopicClassifier.save` (numbers and text only)."""
    with np.load(path, allow_pickle=False) as z:
        vocab, cats = _words(z["vocab"]), tuple(_words(z["categories"]))
        idf, coef, intercept, threshold = (z[k].astype(np.float64) for k in ("idf", "coef", "intercept", "threshold"))
        used = frozenset(c for c, u in zip(cats, z["used"].tolist(), strict=True) if u)
    card_path = path.with_suffix(".json")
    card = json.loads(card_path.read_text("utf-8")) if card_path.is_file() else {}
    index = dict(zip(vocab, range(len(vocab)), strict=True))
    return TopicClassifier(cats, index, idf, coef, intercept, threshold, used=used, card=card)


def classify_with(
    text: str, classifier: TopicClassifier | None, taxonomy: tuple[Category, ...] | None = None, lang: str = "zh"
) -> list[Tag]:
    """The keyword taxonomy's tags, except that the classifier decides its ``used`` categories; ancestors added.

    >>> classify_with("又是退款到账慢", None) == classify("又是退款到账慢")
    True
    """
    cats = taxonomy or load_taxonomy()
    if classifier is None or not classifier.used:
        return classify(text, cats, lang)
    found = {k: t for k, t in matches(text, cats, lang).items() if k not in classifier.used}
    found |= {k: t for k, t in classifier.tags(text, cats, lang).items() if k in classifier.used}
    return with_ancestors(found, cats, lang)


def _evidence(norm: str, grams: list[str], contribution: FloatArr) -> tuple[int, int]:
    """The span of the top contributing n-gram, grown by the other top ones that overlap it; else the whole text."""
    top = [i for i in np.argsort(-contribution, kind="stable")[:EVIDENCE_GRAMS] if contribution[i] > 0]
    spans = [s for s in (_span(norm, grams[i]) for i in top) if s is not None]
    if not spans:
        return 0, len(norm)
    start, end = spans[0]
    grown = True
    while grown:
        grown = False
        for s, e in spans[1:]:
            if s <= end and e >= start and (s < start or e > end):
                start, end, grown = min(start, s), max(end, e), True
    return start, end


def _span(norm: str, gram: str) -> tuple[int, int] | None:
    """Where ``gram`` (``^``/``$`` mark the text's start/end; a space stands for any whitespace) occurs in ``norm``."""
    at_start, at_end = len(gram) > 1 and gram[0] == "^", len(gram) > 1 and gram[-1] == "$"
    core = gram[1 if at_start else 0 : len(gram) - 1 if at_end else len(gram)]
    body = "".join(r"\s+" if ch == " " else re.escape(ch) for ch in core)
    if not body:
        return None
    m = re.search((r"\A\s*" if at_start else "") + f"({body})" + (r"(?=\s*\Z)" if at_end else ""), norm)
    if not m or not (word := m.group(1).strip()):
        return None
    start = m.start(1) + m.group(1).index(word)
    return start, start + len(word)
