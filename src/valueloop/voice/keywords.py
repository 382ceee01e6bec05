"""Keywords that separate negative from positive texts: weighted log-odds with an informative Dirichlet prior.

Why not TF-IDF or TextRank: on complaints they return the domain's own vocabulary
(送餐, 外卖, 味道) because it is frequent everywhere. Contrasting the negative texts of a
group against its positive texts, with the whole corpus as a prior, surfaces what
people complain *about* (Monroe, Colaresi & Quinn 2008, "Fightin' Words: Lexical Feature
Selection and Evaluation for Identifying the Content of Political Conflict", Political
Analysis 16(4), eq. 16–22).

For a term w with document counts y_w^neg, y_w^pos (n^neg, n^pos in total) and prior
counts α_w = PRIOR · y_w^all (α₀ = Σ α_w):

    δ_w = log((y^neg+α_w)/(n^neg+α₀−y^neg−α_w)) − log((y^pos+α_w)/(n^pos+α₀−y^pos−α_w))
    σ²_w ≈ 1/(y^neg+α_w) + 1/(y^pos+α_w),   z_w = δ_w / σ_w

Terms are counted once per text (short reviews repeat words for emphasis, not meaning),
and come from :func:`valueloop.voice.tokenize.terms`, so 不好吃 is a term of its own
and never counts for 好吃. Each keyword keeps up to ``EVIDENCE`` spans in the
original texts.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from valueloop.voice.tokenize import Term, terms

PRIOR = 0.1
"""Prior counts as a share of each term's corpus count: enough to shrink the log-odds of
rare terms towards zero, small enough that a group's own contrast dominates."""
EVIDENCE = 3
MIN_COUNT = 2


@dataclass(frozen=True)
class Evidence:
    row: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Keyword:
    term: str
    z: float
    delta: float
    negative: int
    positive: int
    evidence: list[Evidence] = field(default_factory=list)


def _doc_terms(texts: Sequence[str]) -> list[dict[str, Term]]:
    """Per text: its distinct terms, each with its first occurrence."""
    out = []
    for t in texts:
        first: dict[str, Term] = {}
        for term in terms(t):
            first.setdefault(term.text, term)
        out.append(first)
    return out


def log_odds(
    neg: Counter[str], pos: Counter[str], n_neg: int, n_pos: int, prior: Counter[str]
) -> dict[str, tuple[float, float]]:
    """(δ, z) per term of ``neg`` ∪ ``pos``: Monroe et al.'s weighted log-odds, negative vs positive."""
    a0 = sum(prior.values()) * PRIOR
    out = {}
    for w in set(neg) | set(pos):
        a = max(prior[w] * PRIOR, 1e-3)
        yn, yp = neg[w], pos[w]
        delta = math.log((yn + a) / (n_neg + a0 - yn - a)) - math.log((yp + a) / (n_pos + a0 - yp - a))
        out[w] = (delta, delta / math.sqrt(1 / (yn + a) + 1 / (yp + a)))
    return out


def contrast_keywords(
    texts: Sequence[str], negative: Sequence[bool], groups: Sequence[str] | None = None, *, top: int = 10
) -> dict[str, list[Keyword]]:
    """Per group (default: one group, ``"all"``): the ``top`` terms most typical of its negative texts."""
    docs = _doc_terms(texts)
    prior: Counter[str] = Counter(w for d in docs for w in d)
    keys = groups or ["all"] * len(texts)
    rows: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(keys):
        rows[g].append(i)
    return {g: _group_keywords(docs, texts, negative, idx, prior, top) for g, idx in rows.items()}


def _group_keywords(
    docs: list[dict[str, Term]],
    texts: Sequence[str],
    negative: Sequence[bool],
    idx: list[int],
    prior: Counter[str],
    top: int,
) -> list[Keyword]:
    neg_rows = [i for i in idx if negative[i]]
    neg = Counter(w for i in neg_rows for w in docs[i])
    pos = Counter(w for i in idx if not negative[i] for w in docs[i])
    scores = log_odds(neg, pos, len(neg_rows), len(idx) - len(neg_rows), prior)
    best = sorted((w for w in scores if neg[w] >= MIN_COUNT and scores[w][1] > 0), key=lambda w: -scores[w][1])[:top]
    return [
        Keyword(w, round(scores[w][1], 3), round(scores[w][0], 3), neg[w], pos[w], _evidence(docs, texts, neg_rows, w))
        for w in best
    ]


def _evidence(docs: list[dict[str, Term]], texts: Sequence[str], rows: list[int], w: str) -> list[Evidence]:
    found = [(i, docs[i][w]) for i in rows if w in docs[i]][:EVIDENCE]
    return [Evidence(i, t.start, t.end, texts[i][t.start : t.end]) for i, t in found]
