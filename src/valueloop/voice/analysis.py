"""Everything text analytics says about one feedback text, computed once: language, sentiment, topics, aspects.

This is what ``valueloop text analyze`` stores in the derived ``feedback_text`` dataset,
so evaluation models count negative texts or refund complaints without re-reading any
text. Repeated texts (templated surveys, copy-pasted complaints) are analysed once per
batch. Category and aspect lists are written ``|a|a/b|``: delimited on both sides, so a
``contains`` condition can match a whole id exactly (``contains "|process|"`` does not
match ``refund/refund_process``), while ``contains refund`` still matches the subtree.

>>> a = analyze_texts(["又是退款到账慢，客服态度很差"])[0]
>>> a.sentiment.label, joined(a.categories), joined(a.aspects)
('negative', '|attitude|refund|refund/refund_delay|', '|refund|attitude|')
>>> [(t.category, t.label) for t in analyze_texts(["物流很快，但是客服态度很差"])[0].topics]
[('logistics', 'positive'), ('attitude', 'negative')]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from valueloop.voice.aspects import TopicPolarity, negative_aspects, scorer, topic_polarity
from valueloop.voice.lang import Language, detect_language
from valueloop.voice.model import SentimentModel
from valueloop.voice.sentiment import Sentiment, analyze_one, default_model
from valueloop.voice.taxonomy import Category, classify, load_taxonomy

SEPARATOR = "|"


@dataclass(frozen=True)
class TextAnalysis:
    language: Language
    sentiment: Sentiment
    categories: tuple[str, ...]
    """Taxonomy category ids, ancestors included, sorted."""
    aspects: tuple[str, ...]
    """Top-level categories of the text's negative clauses, in order of appearance."""
    topics: tuple[TopicPolarity, ...] = ()
    """Every topic tag (the keyword rules') with its evidence span and the polarity of the clause around it."""


def joined(items: Sequence[str]) -> str:
    """``('a', 'a/b')`` → ``'|a|a/b|'``; ``()`` → ``''``."""
    return f"{SEPARATOR}{SEPARATOR.join(items)}{SEPARATOR}" if items else ""


def _as_text(text: object) -> str:
    if isinstance(text, bytes):
        return text.decode("utf-8", errors="replace")
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return str(text)


def analyze_text(
    text: object, model: SentimentModel | None = None, taxonomy: tuple[Category, ...] | None = None
) -> TextAnalysis:
    """One text of any kind; aspects are looked for only in texts that are not positive."""
    m, cats = model or default_model(), taxonomy or load_taxonomy()
    s = analyze_one(text, m)
    t = _as_text(text)
    if s.reason in ("empty", "unreadable", "no_words", "emoji_only"):
        return TextAnalysis(detect_language(t), s, (), ())
    tags = classify(t, cats)
    categories = tuple(sorted({tag.category for tag in tags}))
    aspects: tuple[str, ...] = ()
    score_of = scorer(m, {t: s})  # a clause is scored once, for its aspects and its topics' polarity
    if s.label != "positive":
        aspects = tuple(dict.fromkeys(a.aspect for a in negative_aspects(t, m, cats, score_of, tags)))
    topics = tuple(topic_polarity(t, tags, m, s, score_of))
    return TextAnalysis(detect_language(t), s, categories, aspects, topics)


def analyze_texts(
    texts: Iterable[object], model: SentimentModel | None = None, taxonomy: tuple[Category, ...] | None = None
) -> list[TextAnalysis]:
    """One :class:`TextAnalysis` per text, in order; a text that repeats is analysed once."""
    m, cats = model or default_model(), taxonomy or load_taxonomy()
    seen: dict[str, TextAnalysis] = {}
    out = []
    for text in texts:
        key = _as_text(text)
        if (found := seen.get(key)) is None:
            found = seen[key] = analyze_text(text, m, cats)
        out.append(found)
    return out
