"""Fit a :class:`~valueloop.text.model.SentimentModel` from labelled texts, and measure one.

Used by ``scripts/train_sentiment.py`` (the shipped default) and by
``valueloop text train --from-ratings`` (a workspace's own model), so both are the same
kind of model and the comparison between them is fair.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from valueloop.errors import InputError
from valueloop.text.features import char_ngrams
from valueloop.text.model import SentimentModel

MIN_PER_CLASS = 20
"""Fewer labelled texts of either class than this and a model would only memorise them."""


def fit_model(
    texts: Sequence[str], labels: Sequence[int], *, min_df: int = 2, c: float = 2.0, card: dict[str, Any] | None = None
) -> SentimentModel:
    """Character n-gram TF-IDF + balanced logistic regression.

    ``class_weight="balanced"`` keeps the intercept near zero, so the decision threshold
    does not encode the training set's share of positives — the part of a model that
    transfers worst between domains (see the data README).
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    y = np.asarray(labels, dtype=np.int64)
    if min(int((y == 1).sum()), int((y == 0).sum())) < MIN_PER_CLASS:
        raise InputError(f"need at least {MIN_PER_CLASS} positive and {MIN_PER_CLASS} negative texts to train")
    vec = TfidfVectorizer(analyzer=char_ngrams, min_df=min_df, sublinear_tf=True, dtype=np.float64)
    x = vec.fit_transform(list(texts))
    lr = LogisticRegression(C=c, max_iter=2000, class_weight="balanced").fit(x, y)
    index = {str(k): int(v) for k, v in vec.vocabulary_.items()}
    return SentimentModel(index, vec.idf_, lr.coef_[0].astype(np.float64), float(lr.intercept_[0]), card or {})


def accuracy(model: SentimentModel, texts: Sequence[str], labels: Sequence[int]) -> float:
    """Share of texts whose score has the sign of their label (1 positive, 0 negative)."""
    if not texts:
        return float("nan")
    pred = np.array([model.score(t) > 0 for t in texts])
    return float((pred == (np.asarray(labels) == 1)).mean())


def holdout(n: int, share: float = 0.2, seed: int = 7) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Indices of a reproducible (train, test) split."""
    order = np.random.default_rng(seed).permutation(n)
    cut = round(n * (1 - share))
    return np.sort(order[:cut]), np.sort(order[cut:])
