"""Fit a :class:`~valueloop.voice.model.SentimentModel` or a topic classifier from labelled texts, and measure one.

Used by ``scripts/train_sentiment.py`` (the shipped default) and by
``valueloop text train --from-ratings`` (a workspace's own model), so both are the same
kind of model and the comparison between them is fair; ``valueloop text train-taxonomy``
fits a :class:`~valueloop.voice.classifier.TopicClassifier` on the same features.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from valueloop.errors import InputError
from valueloop.voice.classifier import TopicClassifier
from valueloop.voice.features import char_ngrams, text_features
from valueloop.voice.model import SentimentModel

MIN_PER_CLASS = 20
"""Fewer labelled texts of either class than this and a model would only memorise them."""
MIN_PER_CATEGORY = 5
"""Fewer labelled texts of a category than this and its classifier, and its held-out figures, mean nothing."""
MACRO = "(macro)"
MICRO = "(micro)"


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
    vec = TfidfVectorizer(analyzer=text_features, min_df=min_df, sublinear_tf=True, dtype=np.float64)
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


def fit_topics(
    texts: Sequence[str],
    labels: Sequence[Collection[str]],
    *,
    min_df: int = 2,
    c: float = 10.0,
    folds: int = 3,
    seed: int = 7,
    card: dict[str, Any] | None = None,
) -> TopicClassifier:
    """One balanced logistic regression per category on the sentiment model's features, each with its threshold.

    A category's threshold is the score that maximises its F1 on out-of-fold scores of the
    training texts (``folds``-fold cross-validation), because balanced class weights favour
    recall and the in-sample scores of a model separate what it memorised. Weights are
    rounded to float32 here, as stored, so a saved and loaded classifier predicts the same.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    cats = sorted(set().union(*labels))
    y = np.array([[cat in row for cat in cats] for row in labels], dtype=np.bool_).reshape(len(labels), len(cats))
    too_few = [
        f"{cat!r} ({int(n)} of {len(y)})" for cat, n in zip(cats, y.sum(axis=0), strict=True) if n in (0, len(y))
    ]
    if too_few or not cats:
        raise InputError(f"every category needs labelled texts with and without it: {', '.join(too_few) or 'none'}")
    vec = TfidfVectorizer(analyzer=char_ngrams, min_df=min_df, sublinear_tf=True, dtype=np.float64)
    x = vec.fit_transform(list(texts))
    coef, intercept = _fit_linear(x, y, c)
    oof = _out_of_fold(x, y, c, folds, seed)
    threshold = np.array([best_threshold(oof[:, k], y[:, k]) for k in range(len(cats))])
    index = {str(k): int(v) for k, v in vec.vocabulary_.items()}
    idf = vec.idf_.astype(np.float32).astype(np.float64)
    return TopicClassifier(tuple(cats), index, idf, coef, intercept, threshold, card=card or {})


def _fit_linear(x: Any, y: npt.NDArray[np.bool_], c: float) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """V×K weights (float32-rounded) and K intercepts; a category constant in ``y`` gets a score of −1000."""
    from sklearn.linear_model import LogisticRegression

    coef, intercept = np.zeros((x.shape[1], y.shape[1])), np.full(y.shape[1], -1000.0)
    for k in range(y.shape[1]):
        if 0 < y[:, k].sum() < len(y):
            lr = LogisticRegression(C=c, class_weight="balanced", solver="liblinear").fit(x, y[:, k])
            coef[:, k], intercept[k] = lr.coef_[0], lr.intercept_[0]
    return coef.astype(np.float32).astype(np.float64), intercept


def _out_of_fold(x: Any, y: npt.NDArray[np.bool_], c: float, folds: int, seed: int) -> npt.NDArray[np.float64]:
    """Each text's scores from the models fitted without its fold."""
    order = np.random.default_rng(seed).permutation(len(y))
    out = np.zeros(y.shape)
    for part in np.array_split(order, folds):
        rest = np.setdiff1d(order, part)
        coef, intercept = _fit_linear(x[rest], y[rest], c)
        out[part] = x[part] @ coef + intercept
    return out


def best_threshold(scores: npt.NDArray[np.float64], truth: npt.NDArray[np.bool_]) -> float:
    """The cut between two distinct scores that maximises F1 (score ≥ cut ⇒ positive); ties go to the higher cut.

    >>> best_threshold(np.array([3.0, 2.0, 1.0, 0.0]), np.array([True, True, False, False]))
    1.5
    """
    order = np.argsort(-scores, kind="stable")
    s, tp = scores[order], np.cumsum(truth[order])
    k = np.arange(1, len(s) + 1)
    f1 = 2 * tp / (k + truth.sum())
    cuttable = np.append(s[:-1] > s[1:], True)
    best = int(np.argmax(np.where(cuttable, f1, -1.0)))
    return float((s[best] + s[best + 1]) / 2) if best + 1 < len(s) else float(s[best] - 1.0)


def category_scores(gold: Sequence[Collection[str]], pred: Sequence[Collection[str]]) -> list[dict[str, Any]]:
    """Per category support, predictions, precision, recall and F1, then ``(macro)`` and ``(micro)`` rows.

    Precision is ``None`` for a category never predicted; ``(macro)`` averages over the
    categories present in ``gold`` (a category never predicted counting precision 0),
    ``(micro)`` pools every (text, category).
    """
    rows = []
    for cat in sorted(set().union(*gold, *pred)):
        tp = sum(cat in g and cat in p for g, p in zip(gold, pred, strict=True))
        support, predicted = sum(cat in g for g in gold), sum(cat in p for p in pred)
        prec, rec = tp / predicted if predicted else None, tp / support if support else None
        f1 = 2 * prec * rec / (prec + rec) if prec and rec else 0.0
        rows.append(
            {"category": cat, "support": support, "predicted": predicted, "precision": prec, "recall": rec, "f1": f1}
        )
    return rows + _summary(rows)


def _f1(p: float, r: float) -> float:
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
        {"category": name, "support": support, "predicted": predicted, "precision": p, "recall": r, "f1": _f1(p, r)}
        for name, p, r in ((MACRO, macro_p, macro_r), (MICRO, micro_p, micro_r))
    ]
