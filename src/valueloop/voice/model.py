"""The sentiment model as plain arrays: vocabulary, idf, coefficients, intercept — no pickle.

Why not joblib: a pickle runs code when loaded, so a model file in a shared workspace
would be a way to run anything. An ``.npz`` read with ``allow_pickle=False`` holds only
numbers and UTF-8 bytes; with its JSON card next to it, a person can see what it is.

The scoring maths is scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` followed by
``LogisticRegression.decision_function``, re-done here so scoring needs no scikit-learn
and no sparse matrices: for a text with n-gram counts c, x = (1 + log c)·idf / ‖·‖₂ and
the logit is x·w + b.

A model may carry a *blend* (the shipped default does): per language, weights that mix
that n-gram logit with the lexicon evidence of :mod:`valueloop.voice.lexicon`, fitted on
domains held out of the n-gram training (:mod:`valueloop.voice.lodo`). Without one the
n-gram logit is the model's logit, as for a workspace model trained on its own reviews.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from valueloop.voice.features import prepare, sentiment_features, text_features
from valueloop.voice.lang import detect_language
from valueloop.voice.lexicon import score_normalized

FloatArr = npt.NDArray[np.float64]
BLEND_ROWS = ("zh", "en")
"""Blend rows: English text uses ``en``; Chinese, mixed and anything else ``zh``."""


def blend_row(text: str) -> int:
    return 1 if detect_language(text) == "en" else 0


@dataclass(frozen=True)
class SentimentModel:
    """A linear model over character n-grams and English word n-grams (:mod:`~valueloop.voice.features`).

    ``card`` records its training data and scores.
    """

    index: dict[str, int]
    idf: FloatArr
    coef: FloatArr
    intercept: float
    card: dict[str, Any] = field(default_factory=dict)
    blend: FloatArr | None = None
    """``len(BLEND_ROWS)``×4: weights of (n-gram logit, log1p positive, log1p negative evidence) and a bias."""

    def logit(self, text: str) -> float:
        """The log-odds that ``text`` is positive: the n-gram logit, blended with the lexicon by the model's blend."""
        prepared = prepare(text)
        base = self._logit_of(sentiment_features(prepared))
        if self.blend is None:
            return base
        lex, row = score_normalized(prepared), self.blend[blend_row(prepared)]
        return float(row[0] * base + row[1] * math.log1p(lex.positive) + row[2] * math.log1p(lex.negative) + row[3])

    def ngram_logit(self, text: str) -> float:
        """The n-gram model's log-odds that ``text`` is positive; 0.0 when no known n-gram occurs."""
        return self._logit_of(text_features(text))

    def _logit_of(self, grams: list[str]) -> float:
        counts = Counter(map(self.index.get, grams))  # one C-level pass; unknown grams count under None
        counts.pop(None, None)
        if not counts:
            return 0.0
        ids = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
        weighted, idf2 = self._per_gram
        return float(tf @ weighted[ids] / math.sqrt(float((tf * tf) @ idf2[ids])) + self.intercept)

    @cached_property
    def _per_gram(self) -> tuple[FloatArr, FloatArr]:
        """idf·coef and idf² per n-gram: x·w / ‖x‖ with x = tf·idf, in two dot products of tf."""
        return self.idf * self.coef, self.idf * self.idf

    def score(self, text: str) -> float:
        """Sentiment in [-1, 1]: 2·P(positive) − 1."""
        return 2.0 / (1.0 + math.exp(-self.logit(text))) - 1.0

    def save(self, path: Path) -> None:
        """Write ``path`` (.npz) and its card (``path`` with ``.json``)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        vocab = sorted(self.index, key=self.index.__getitem__)
        blob = np.frombuffer("\n".join(vocab).encode("utf-8"), dtype=np.uint8)
        arrays: dict[str, npt.NDArray[Any]] = {
            "vocab": blob,
            "idf": self.idf.astype(np.float32),
            "coef": self.coef.astype(np.float32),
            "intercept": np.array([self.intercept]),
        }
        if self.blend is not None:
            arrays["blend"] = self.blend
        with path.open("wb") as fh:
            np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]  # numpy's stub types **kwds as its bool flag
        path.with_suffix(".json").write_text(json.dumps(self.card, ensure_ascii=False, indent=2) + "\n", "utf-8")


def load_model(path: Path) -> SentimentModel:
    """Read a model written by :meth:`SentimentModel.save` (numbers and text only)."""
    with np.load(path, allow_pickle=False) as z:
        vocab = bytes(z["vocab"]).decode("utf-8").split("\n")
        idf, coef, intercept = z["idf"].astype(np.float64), z["coef"].astype(np.float64), float(z["intercept"][0])
        blend = z["blend"].astype(np.float64) if "blend" in z.files else None
    card_path = path.with_suffix(".json")
    card = json.loads(card_path.read_text("utf-8")) if card_path.is_file() else {}
    return SentimentModel(dict(zip(vocab, range(len(vocab)), strict=True)), idf, coef, intercept, card, blend)
