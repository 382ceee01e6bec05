"""Leave-one-domain-out: how a sentiment model does on a kind of review it never saw.

Why this protocol: accuracy on a random held-out slice of the training domains says
little about a workspace's reviews, whose vocabulary and share of complaints differ
(the data README measures in-domain ≈ 0.90 falling to 0.55–0.60 across domains). So
every domain (a corpus category: food delivery, books, phones, Yelp, …) is held out in
turn, the n-gram model is fitted on all the others, and it scores the held-out one.

The same out-of-domain logits fit the lexicon blend (:func:`fit_blend`): the weights of
model logit and lexicon evidence that predict well on domains the model did not see,
which is exactly the situation of the shipped model in a new workspace. When a domain is
evaluated, the blend is refitted without that domain's rows, so its score never helped
choose the weights (the other domains' logits came from models that saw it — four
weights per language leak too little to matter, and a fully nested run costs 13× more).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from valueloop.voice.features import text_features
from valueloop.voice.lexicon import score_text
from valueloop.voice.model import BLEND_ROWS, SentimentModel

FloatArr = npt.NDArray[np.float64]
Fit = Callable[[Sequence[str], Sequence[int]], SentimentModel]


@dataclass(frozen=True)
class Domain:
    """One kind of review: its name, its language (``zh`` or ``en``), texts and labels (1 positive, 0 negative)."""

    name: str
    lang: str
    texts: tuple[str, ...]
    labels: tuple[int, ...]
    features: FloatArr = field(default_factory=lambda: np.zeros((0, 3)), compare=False)
    """Filled by :func:`out_of_domain` and its kin: per text, (n-gram logit, log1p positive, log1p negative)."""


@dataclass(frozen=True)
class DomainScore:
    domain: str
    lang: str
    rows: int
    accuracy_before: float
    neutral_before: float
    accuracy_after: float
    neutral_after: float


def lexicon_features(texts: Sequence[str]) -> FloatArr:
    """Per text: log1p of the positive and of the negative lexicon evidence."""
    out = np.zeros((len(texts), 2))
    for i, t in enumerate(texts):
        s = score_text(t)
        out[i] = math.log1p(s.positive), math.log1p(s.negative)
    return out


def out_of_domain(domains: Sequence[Domain], fit: Fit) -> list[Domain]:
    """Each domain with its features, the model logit coming from a model fitted on every other domain."""
    out = []
    for d in domains:
        rest = [x for x in domains if x is not d]
        model = fit([t for x in rest for t in x.texts], [y for x in rest for y in x.labels])
        logits = np.array([model.ngram_logit(t) for t in d.texts])
        feats = np.column_stack([logits, lexicon_features(d.texts)])
        out.append(Domain(d.name, d.lang, d.texts, d.labels, feats))
    return out


def out_of_domain_tfidf(domains: Sequence[Domain], *, min_df: int = 10, c: float = 2.0) -> list[Domain]:
    """:func:`out_of_domain` for :func:`valueloop.voice.train.fit_model`'s model, counting n-grams once.

    Equivalent to refitting ``TfidfVectorizer(min_df, sublinear_tf=True)`` + balanced logistic
    regression per held-out domain (the vocabulary, document frequencies and idf are taken
    from the training domains only), but the texts are cut into n-grams once instead of
    thirteen times.
    """
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import normalize as l2

    texts = [t for d in domains for t in d.texts]
    y = np.array([v for d in domains for v in d.labels])
    owner = np.concatenate([np.full(len(d.texts), k) for k, d in enumerate(domains)])
    counts = CountVectorizer(analyzer=text_features, min_df=min_df, dtype=np.float64).fit_transform(texts).tocsr()
    out = []
    for k, d in enumerate(domains):
        train, test = owner != k, owner == k
        df = np.asarray((counts[train] > 0).sum(axis=0)).ravel()
        keep = np.flatnonzero(df >= min_df)
        idf = np.log((1 + train.sum()) / (1 + df[keep])) + 1.0
        x = counts[:, keep].tocsr()
        x.data = 1.0 + np.log(x.data)
        x = l2(x.multiply(idf).tocsr())
        lr = LogisticRegression(C=c, max_iter=2000, class_weight="balanced").fit(x[train], y[train])
        logits = lr.decision_function(x[test])
        out.append(Domain(d.name, d.lang, d.texts, d.labels, np.column_stack([logits, lexicon_features(d.texts)])))
    return out


def save_features(domains: Sequence[Domain], file: Path) -> None:
    """Cache the out-of-domain n-gram logits (numbers only), so the blend can be refitted without refitting models."""
    arrays = {f"{d.name}": d.features[:, 0] for d in domains}
    np.savez_compressed(file, **arrays)  # type: ignore[arg-type]  # numpy's stub types **kwds as its bool flag


def load_features(domains: Sequence[Domain], file: Path) -> list[Domain]:
    """Domains with the cached logits and lexicon features computed afresh (the lexicon may have changed)."""
    with np.load(file, allow_pickle=False) as z:
        logits = {d.name: z[d.name] if z[d.name].ndim == 1 else z[d.name][:, 0] for d in domains}
    return [
        Domain(d.name, d.lang, d.texts, d.labels, np.column_stack([logits[d.name], lexicon_features(d.texts)]))
        for d in domains
    ]


def fit_blend(domains: Sequence[Domain]) -> FloatArr:
    """Per language row (``BLEND_ROWS``): weights of (n-gram logit, log1p positive, log1p negative) and a bias.

    Each domain weighs the same whatever its size, so the weights do not fit the biggest
    corpus, and classes are balanced, so the bias does not encode a corpus's share of
    positives.
    """
    from sklearn.linear_model import LogisticRegression

    blend = np.zeros((len(BLEND_ROWS), 4))
    for r, lang in enumerate(BLEND_ROWS):
        mine = [d for d in domains if d.lang == lang] or list(domains)
        x = np.vstack([d.features for d in mine])
        y = np.concatenate([np.asarray(d.labels) for d in mine])
        w = np.concatenate([_balanced(np.asarray(d.labels)) / len(d.labels) for d in mine])
        lr = LogisticRegression(C=1.0, max_iter=1000).fit(x, y, sample_weight=w * len(y) / w.sum())
        blend[r, :3], blend[r, 3] = lr.coef_[0], lr.intercept_[0]
    return blend


def _balanced(y: npt.NDArray[np.int64]) -> FloatArr:
    pos = max(int(y.sum()), 1)
    neg = max(len(y) - int(y.sum()), 1)
    return np.where(y == 1, len(y) / (2 * pos), len(y) / (2 * neg))


def blended_logits(features: FloatArr, blend: FloatArr, lang: str) -> FloatArr:
    row = blend[BLEND_ROWS.index(lang) if lang in BLEND_ROWS else 0]
    out: FloatArr = features @ row[:3] + row[3]
    return out


def evaluate(domains: Sequence[Domain], band: float) -> list[DomainScore]:
    """Before (model logit alone) and after (blend fitted without the domain) for every domain with features."""
    rows = []
    for d in domains:
        blend = fit_blend([x for x in domains if x is not d])
        y = np.asarray(d.labels) == 1
        before = _scores(d.features[:, 0])
        after = _scores(blended_logits(d.features, blend, d.lang))
        rows.append(
            DomainScore(
                d.name,
                d.lang,
                len(y),
                round(float(((before > 0) == y).mean()), 4),
                round(float((np.abs(before) < band).mean()), 4),
                round(float(((after > 0) == y).mean()), 4),
                round(float((np.abs(after) < band).mean()), 4),
            )
        )
    return rows


def _scores(logits: FloatArr) -> FloatArr:
    out: FloatArr = 2.0 / (1.0 + np.exp(-logits)) - 1.0
    return out


CORPORA = {
    "waimai_10k.csv": ("zh", None),
    "online_shopping_9_cats.csv": ("zh", "cat"),
    "uci_sentiment_labelled_sentences.csv": ("en", "source"),
}
"""The shipped training corpora (``../shared/data/sentiment``): language, and the column naming each row's domain."""
DOMAIN_NAMES = {"书籍": "books", "平板": "tablets", "手机": "phones", "水果": "fruit", "洗发水": "shampoo"}
DOMAIN_NAMES |= {"热水器": "water_heaters", "蒙牛": "dairy", "衣服": "clothes", "计算机": "computers"}


def read_corpora(data: Path) -> list[Domain]:
    """Every domain of the corpora in ``data``: a file's category (``cat``/``source``) or the whole file."""
    import pandas as pd

    out = []
    for name, (lang, by) in CORPORA.items():
        df = pd.read_csv(data / name, dtype={"review": str}).dropna(subset=["review", "label"])
        groups = [(name.removesuffix(".csv"), df)] if by is None else list(df.groupby(by, sort=True))
        for key, g in groups:
            texts, labels = tuple(g["review"].str.strip()), tuple(int(v) for v in g["label"])
            out.append(Domain(DOMAIN_NAMES.get(str(key), str(key)), lang, texts, labels))
    return out
