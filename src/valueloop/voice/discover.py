"""Topic discovery: propose categories from a corpus's own texts, as a taxonomy draft to edit.

Why: a starter taxonomy is someone else's idea of an industry; a workspace's reviews say
what its customers actually talk about. Aspect terms are mined per text (Chinese: jieba
words tagged as nouns or verbal nouns; English: content words), without sentiment words
(the lexicons of :mod:`valueloop.voice.lexicon`) and negated terms, so a topic is what
people talk *about* ("房间", "breakfast"), not how they felt. The texts' TF-IDF over those
terms is factorised with NMF into ``k`` topics; each text belongs to its strongest topic.
A topic reports its top terms per language, its size and share, its mean sentiment and
share of negative texts, and the texts that load on it most as quotes.

Deterministic for a given corpus and ``seed`` (NMF's initialisation is NNDSVD-seeded).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import yaml

from valueloop.errors import InputError
from valueloop.voice.lexicon import chinese, english
from valueloop.voice.normalize import normalize
from valueloop.voice.sentiment import analyze
from valueloop.voice.tokenize import is_stopword, terms

MIN_TEXTS = 20
"""Fewer texts than this and a 'topic' is one person's sentence."""
ZH_NOUN = ("n", "vn", "nz", "ng", "nr", "ns", "x")
GENERIC = frozenset(
    [
        "time",
        "times",
        "out",
        "now",
        "first",
        "way",
        "ever",
        "made",
        "everything",
        "anything",
        "something",
        "thing",
        "things",
        "found",
        "new",
        "one",
        "two",
        "get",
        "got",
        "lot",
        "lots",
        "day",
        "days",
        "back",
        "also",
        "even",
        "still",
        "just",
        "really",
        "much",
        "many",
        "will",
        "would",
        "could",
        "should",
        "did",
        "does",
        "done",
        "make",
        "東西",
        "东西",
        "结果",
        "感觉",
        "时候",
        "这次",
        "下次",
        "以后",
        "以前",
        "一次",
        "第一次",
        "一点",
        "有点",
        "大家",
        "自己",
        "朋友",
        "真的",
    ]
)
"""Words too general to name a topic, in either language."""
_CJK = re.compile(r"[\u4e00-\u9fff]")
_EN_CONTENT = re.compile(r"[a-z][a-z\-]{2,}")
_ID_WORD = re.compile(r"[a-z][a-z0-9]*")


@dataclass(frozen=True)
class Topic:
    """A proposed category: ``terms`` best first, ``size`` texts whose strongest topic it is."""

    id: str
    name_zh: str
    name_en: str
    terms_zh: tuple[str, ...]
    terms_en: tuple[str, ...]
    size: int
    share: float
    sentiment: float
    negative_share: float
    examples: tuple[str, ...]


@lru_cache(maxsize=1)
def _pos() -> Any:
    import jieba.posseg

    from valueloop.voice.tokenize import _jieba

    return jieba.posseg.POSTokenizer(_jieba())


@lru_cache(maxsize=1)
def _sentiment_words() -> frozenset[str]:
    return frozenset(chinese()) | frozenset(" ".join(k) for k in english())


def aspect_terms(text: str) -> list[str]:
    """The aspect candidates of one text: nouns (Chinese), content words (English); no sentiment words.

    >>> aspect_terms("房间很干净，早餐不好吃")
    ['房间', '早餐']
    >>> aspect_terms("The breakfast was great but the room was noisy")
    ['breakfast', 'room']
    """
    out = []
    for t in terms(normalize(text)):
        if _CJK.search(t.text):
            if len(t.text) > 1 and _tag(t.text).startswith(ZH_NOUN) and _keep(t.text):
                out.append(t.text)
        elif _EN_CONTENT.fullmatch(t.text) and _keep(t.text):
            out.append(t.text)
    return out


def _tag(word: str) -> str:
    """jieba's part of speech for a dictionary word; ``x`` for the user dictionary's and unknown words."""
    tag: str = _pos().word_tag_tab.get(word, "x")
    return tag


def _keep(word: str) -> bool:
    return not (is_stopword(word) or word in GENERIC or word in _sentiment_words() or word.endswith("ly"))


def discover(
    texts: Sequence[str], k: int | None = None, *, top: int = 8, quotes: int = 3, seed: int = 7
) -> list[Topic]:
    """Up to ``k`` topics of ``texts`` (default :func:`default_k`), largest first; a topic no text chose is dropped."""
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [str(t) for t in texts if str(t).strip()]
    if len(docs) < MIN_TEXTS:
        raise InputError(f"topic discovery needs at least {MIN_TEXTS} texts, got {len(docs)}")
    vec = TfidfVectorizer(analyzer=aspect_terms, min_df=2, max_df=0.5, sublinear_tf=True)
    try:
        x = vec.fit_transform(docs)
    except ValueError as err:
        raise InputError(f"no aspect term occurs in two texts or more: nothing to cluster ({err})") from err
    k = max(1, min(k or default_k(len(docs)), x.shape[1], len(docs) // 5))
    nmf = NMF(n_components=k, init="nndsvd", random_state=seed, max_iter=1000)
    with warnings.catch_warnings():  # not converged to 1e-4 still ranks terms and texts the same way
        warnings.simplefilter("ignore", ConvergenceWarning)
        weights = nmf.fit_transform(x)
    vocab = vec.get_feature_names_out()
    strongest = np.where(weights.max(axis=1) > 0, weights.argmax(axis=1), -1)
    scores = np.array([s.score for s in analyze(docs)])
    topics = [
        _topic(j, nmf.components_[j], vocab, docs, weights[:, j], strongest == j, scores, top, quotes)
        for j in range(k)
        if (strongest == j).any()
    ]
    return sorted(topics, key=lambda t: -t.size)


def _topic(
    j: int, component: Any, vocab: Any, docs: list[str], load: Any, mine: Any, scores: Any, top: int, quotes: int
) -> Topic:
    ranked = [str(vocab[i]) for i in np.argsort(-component) if component[i] > 0][: top * 2]
    zh = tuple(t for t in ranked if _CJK.search(t))[:top]
    en = tuple(t for t in ranked if not _CJK.search(t))[:top]
    best = list(dict.fromkeys(docs[i].strip() for i in np.argsort(-load) if mine[i]))[:quotes]
    ident = "_".join(w for w in _ID_WORD.findall(" ".join(en[:2]))) or f"topic_{j + 1}"
    return Topic(
        id=ident,
        name_zh="/".join(zh[:2]) or "/".join(en[:2]),
        name_en=" / ".join(en[:2]) or f"topic {j + 1}",
        terms_zh=zh,
        terms_en=en,
        size=int(mine.sum()),
        share=round(float(mine.mean()), 4),
        sentiment=round(float(scores[mine].mean()), 4),
        negative_share=round(float((scores[mine] <= -0.2).mean()), 4),
        examples=tuple(best),
    )


def draft_taxonomy(topics: Sequence[Topic]) -> str:
    """A taxonomy YAML draft of ``topics`` (ids made unique), with a header saying how to finish it."""
    seen: dict[str, int] = {}
    cats = []
    for t in topics:
        n = seen[t.id] = seen.get(t.id, 0) + 1
        keywords = {lang: list(words) for lang, words in (("zh", t.terms_zh), ("en", t.terms_en)) if words}
        cats.append(
            {
                "id": t.id if n == 1 else f"{t.id}_{n}",
                "name": {"zh": t.name_zh, "en": t.name_en},
                "keywords": keywords,
                "examples": [e[:200] for e in t.examples],
            }
        )
    header = (
        "# Draft taxonomy proposed by `valueloop text discover` from the texts themselves.\n"
        "# Edit it: rename ids and names, drop terms that are not about the topic, merge or split\n"
        "# topics, add negative cues; then check it with `valueloop text taxonomy validate FILE`\n"
        "# and copy it to the workspace as taxonomy.yaml.\n"
    )
    body = yaml.safe_dump(
        {"version": 1, "categories": cats}, allow_unicode=True, sort_keys=False, width=120, default_flow_style=None
    )
    return header + body


def topic_rows(topics: Sequence[Topic]) -> list[dict[str, Any]]:
    """One row per topic for a table: id, size, share, sentiment, negative share, terms, the first quote."""
    return [
        {
            "id": t.id,
            "texts": t.size,
            "share": t.share,
            "sentiment": t.sentiment,
            "negative_share": t.negative_share,
            "terms": ", ".join([*t.terms_zh[:5], *t.terms_en[:5]]),
            "quote": t.examples[0][:80] if t.examples else "",
        }
        for t in topics
    ]


def default_k(n: int) -> int:
    """A starting k for ``n`` texts: about √(n/10), between 4 and 12."""
    return max(4, min(12, round(math.sqrt(n / 10))))
