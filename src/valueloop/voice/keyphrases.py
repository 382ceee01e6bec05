"""Keywords and key phrases per text or per group: TF-IDF against a background corpus, and TextRank.

These complement :mod:`valueloop.voice.keywords` (contrastive log-odds, still the default
for groups): they describe what a text or a group talks *about*, without a sentiment
split.

**TF-IDF.** A group's term frequency is the share of its term occurrences that are the
term; the inverse document frequency comes from a *background corpus*. The background is
computed on the fly from the texts being analysed (every text of the file or of the
workspace's feedback, all groups together) unless the caller passes other background
texts — nothing is shipped, so it always matches the domain and language at hand::

    idf(w) = log((1 + N) / (1 + df(w))) + 1        (N background texts, df: texts holding w)
    score(w, g) = tf(w, g) · idf(w)

**TextRank** (Mihalcea & Tarau 2004, "TextRank: Bringing Order into Texts", EMNLP):
terms (:func:`valueloop.voice.tokenize.terms`) are nodes; two terms within ``WINDOW``
positions of each other in one text share an undirected edge weighted by how often they
co-occur. Scores are the PageRank of that graph by power iteration
(``s ← (1−d)/N + d·(Mᵀs + dangling mass/N)``, ``M`` row-normalised, d = 0.85), with no
graph library. The top third of the vocabulary (at least ``top``) are candidate words;
candidates that stand next to each other in a text (only whitespace between them) merge
into one phrase, scored by the sum of its words' scores; words inside a chosen phrase are
not listed again.

Every result carries up to ``EVIDENCE`` spans (character offsets into the original texts).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from valueloop.voice.keywords import EVIDENCE, Evidence
from valueloop.voice.tokenize import Term, terms

WINDOW = 2
DAMPING = 0.85
TOLERANCE = 1e-10
MAX_ITER = 200


@dataclass(frozen=True)
class KeyTerm:
    """A keyword or key phrase: its score, how many texts of the group hold it, and where."""

    term: str
    score: float
    texts: int
    evidence: list[Evidence] = field(default_factory=list)


def _rows_by_group(n: int, groups: Sequence[str] | None) -> dict[str, list[int]]:
    rows: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(groups or ["all"] * n):
        rows[g].append(i)
    return rows


def idf_table(background: Sequence[str]) -> dict[str, float]:
    """``idf(w) = log((1+N)/(1+df)) + 1`` for every term of the background texts."""
    df: Counter[str] = Counter(w for t in background for w in {x.text for x in terms(t)})
    n = len(background)
    return {w: math.log((1 + n) / (1 + c)) + 1 for w, c in df.items()}


def tfidf_keywords(
    texts: Sequence[str],
    groups: Sequence[str] | None = None,
    *,
    top: int = 10,
    background: Sequence[str] | None = None,
    min_count: int = 2,
) -> dict[str, list[KeyTerm]]:
    """Per group (default: one group ``"all"``; one group per row gives per-text keywords): top TF-IDF terms.

    ``background`` defaults to ``texts`` themselves; a term missing from it gets the
    largest idf (it is rarer than anything there). ``min_count``: occurrences a term needs
    in its group (use 1 per text).
    """
    idf = idf_table(background if background is not None else texts)
    unseen = math.log(1 + len(background if background is not None else texts)) + 1
    out = {}
    for g, idx in _rows_by_group(len(texts), groups).items():
        occ: Counter[str] = Counter(x.text for i in idx for x in terms(texts[i]))
        total = sum(occ.values())
        scored = {w: c / total * idf.get(w, unseen) for w, c in occ.items() if c >= min_count}
        best = sorted(scored, key=lambda w: (-scored[w], w))[:top]
        out[g] = [KeyTerm(w, round(scored[w], 5), *_found(texts, idx, [w])) for w in best]
    return out


def pagerank(graph: dict[str, dict[str, float]], damping: float = DAMPING) -> dict[str, float]:
    """PageRank of a weighted graph (``graph[a][b]``: weight of edge a→b) by power iteration; sums to 1."""
    nodes = sorted(set(graph) | {b for nb in graph.values() for b in nb})
    n = len(nodes)
    if n == 0:
        return {}
    out_weight = {a: sum(graph.get(a, {}).values()) for a in nodes}
    score = dict.fromkeys(nodes, 1.0 / n)
    for _ in range(MAX_ITER):
        dangling = sum(score[a] for a in nodes if out_weight[a] == 0)
        new = dict.fromkeys(nodes, (1 - damping) / n + damping * dangling / n)
        for a, nb in graph.items():
            if out_weight[a] > 0:
                for b, w in nb.items():
                    new[b] += damping * score[a] * w / out_weight[a]
        done = sum(abs(new[a] - score[a]) for a in nodes) < TOLERANCE
        score = new
        if done:
            break
    return score


def cooccurrence_graph(docs: Sequence[Sequence[str]], window: int = WINDOW) -> dict[str, dict[str, float]]:
    """Undirected co-occurrence graph: terms at most ``window − 1`` positions apart in one text."""
    graph: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for words in docs:
        for i, a in enumerate(words):
            graph.setdefault(a, defaultdict(float))  # a text of one word still adds its node
            for b in words[i + 1 : i + window]:
                if a != b:
                    graph[a][b] += 1.0
                    graph[b][a] += 1.0
    return {a: dict(nb) for a, nb in graph.items()}


def textrank_keywords(
    texts: Sequence[str],
    groups: Sequence[str] | None = None,
    *,
    top: int = 10,
    window: int = WINDOW,
    min_count: int = 1,
) -> dict[str, list[KeyTerm]]:
    """Per group (one group per row gives per-text key phrases): TextRank words merged into phrases."""
    return {
        g: _textrank_group(texts, idx, top, window, min_count) for g, idx in _rows_by_group(len(texts), groups).items()
    }


def _textrank_group(texts: Sequence[str], idx: list[int], top: int, window: int, min_count: int) -> list[KeyTerm]:
    seqs = {i: list(terms(texts[i])) for i in idx}
    score = pagerank(cooccurrence_graph([[t.text for t in s] for s in seqs.values()], window))
    n_cand = max(top, math.ceil(len(score) / 3))
    cands = set(sorted(score, key=lambda w: (-score[w], w))[:n_cand])
    units: Counter[str] = Counter()
    parts: dict[str, list[str]] = {}
    for i, seq in seqs.items():
        for run in _runs(texts[i], seq, cands):
            key = _join([t.text for t in run])
            units[key] += 1
            parts[key] = [t.text for t in run]
    ranked = sorted(
        (u for u, c in units.items() if c >= min_count),
        key=lambda u: (-sum(score[w] for w in parts[u]), u),
    )
    chosen: list[str] = []
    covered: set[str] = set()
    for u in ranked:
        if len(parts[u]) == 1 and u in covered:
            continue
        chosen.append(u)
        covered |= set(parts[u]) if len(parts[u]) > 1 else set()
        if len(chosen) == top:
            break
    return [KeyTerm(u, round(sum(score[w] for w in parts[u]), 6), *_found(texts, idx, parts[u])) for u in chosen]


def _runs(text: str, seq: list[Term], cands: set[str]) -> list[list[Term]]:
    """Maximal runs of candidate terms with nothing but whitespace between neighbours."""
    runs: list[list[Term]] = []
    cur: list[Term] = []
    for t in seq:
        if t.text in cands and cur and text[cur[-1].end : t.start].strip() == "":
            cur.append(t)
            continue
        if cur:
            runs.append(cur)
        cur = [t] if t.text in cands else []
    if cur:
        runs.append(cur)
    return runs


def _join(words: list[str]) -> str:
    return " ".join(words) if all(w.isascii() for w in words) else "".join(words)


def _found(texts: Sequence[str], idx: list[int], words: list[str]) -> tuple[int, list[Evidence]]:
    """(texts holding the term sequence, first ``EVIDENCE`` spans of it)."""
    n, spans = 0, list[Evidence]()
    for i in idx:
        seq = list(terms(texts[i]))
        hits = [
            k
            for k in range(len(seq) - len(words) + 1)
            if [t.text for t in seq[k : k + len(words)]] == words
            and all(texts[i][seq[j].end : seq[j + 1].start].strip() == "" for j in range(k, k + len(words) - 1))
        ]
        if hits:
            n += 1
            if len(spans) < EVIDENCE:
                s, e = seq[hits[0]].start, seq[hits[0] + len(words) - 1].end
                spans.append(Evidence(i, s, e, texts[i][s:e]))
    return n, spans
