"""Which aspect of the service a negative clause is about, with the span that says so.

A review often praises one thing and blames another ("菜很好吃，但是送餐太慢"), so aspects
are found per clause: the text is cut at punctuation and at contrastive words (但是,
不过, but, however), each clause is scored with the sentiment model, and only clauses
that are negative — or not positive inside a negative text — are tagged. The aspect
lexicon is the top level of the issue taxonomy (``resources/taxonomy.yaml``), so one
bilingual list defines both.

>>> [(a.aspect, a.match) for a in negative_aspects("菜很好吃，但是送餐太慢了")]
[('logistics', '送餐')]

Every topic tag also gets its own polarity (:func:`topic_polarity`): the sentiment of the
clause around its evidence span, so "the room was great but breakfast was cold" says rooms
+ and breakfast −, where the text as a whole is one mixed score.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from valueloop.voice.model import SentimentModel
from valueloop.voice.normalize import normalize
from valueloop.voice.sentiment import NEUTRAL_BAND, Label, Sentiment, analyze_one
from valueloop.voice.taxonomy import Category, Tag, classify, load_taxonomy
from valueloop.voice.tokenize import CLAUSE_CUT


@dataclass(frozen=True)
class Clause:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class AspectTag:
    aspect: str
    name: str
    start: int
    end: int
    match: str
    clause_start: int
    clause_end: int
    score: float


@dataclass(frozen=True)
class TopicPolarity:
    """A topic tag with the sentiment of the clause its evidence span sits in."""

    category: str
    name: str
    start: int
    end: int
    match: str
    clause_start: int
    clause_end: int
    label: Label
    score: float


def clauses(text: str) -> list[Clause]:
    """Clauses with offsets into ``text``; empty pieces dropped."""
    out, pos = [], 0
    for m in CLAUSE_CUT.finditer(normalize(text)):
        if m.start() > pos and text[pos : m.start()].strip():
            out.append(Clause(pos, m.start(), text[pos : m.start()]))
        pos = max(pos, m.end())
    if text[pos:].strip():
        out.append(Clause(pos, len(text), text[pos:]))
    return out


Scorer = Callable[[str], Sentiment]
"""The sentiment of a piece of text; :func:`scorer` remembers what it scored, so the clauses of a text are
scored once for its aspects and its topic polarity."""


def scorer(model: SentimentModel | None = None, known: dict[str, Sentiment] | None = None) -> Scorer:
    """:func:`~valueloop.voice.sentiment.analyze_one` with ``model``, remembering each text's result."""
    memo = dict(known or {})

    def score(text: str) -> Sentiment:
        if (found := memo.get(text)) is None:
            found = memo[text] = analyze_one(text, model)
        return found

    return score


def negative_aspects(
    text: str,
    model: SentimentModel | None = None,
    taxonomy: tuple[Category, ...] | None = None,
    score_of: Scorer | None = None,
    tags: Sequence[Tag] | None = None,
) -> list[AspectTag]:
    """Aspect tags of the negative clauses of ``text``; offsets are into ``text``.

    ``tags``: the text's own tags when the caller has them (:func:`classify` of ``text`` with
    ``taxonomy``), used as they are for a text that is one clause.
    """
    cats = taxonomy or load_taxonomy()
    names = {c.id: c.name_zh for c in cats}
    score_of = score_of or scorer(model)
    whole = score_of(text).score
    out = []
    for cl in clauses(text):
        score = score_of(cl.text).score
        if not (score <= -NEUTRAL_BAND or (whole <= -NEUTRAL_BAND and score < NEUTRAL_BAND)):
            continue
        seen: set[str] = set()
        for tag in tags if tags is not None and cl.text == text else classify(cl.text, cats):
            root = tag.category.split("/")[0]
            if root not in seen:
                seen.add(root)
                out.append(
                    AspectTag(
                        root, names[root], cl.start + tag.start, cl.start + tag.end, tag.match, cl.start, cl.end, score
                    )
                )
    return out


def topic_polarity(
    text: str,
    tags: Sequence[Tag],
    model: SentimentModel | None = None,
    whole: Sentiment | None = None,
    score_of: Scorer | None = None,
) -> list[TopicPolarity]:
    """Each tag of ``text`` with the label and score of the clause around its span (offsets into ``text``).

    A text of one clause gives every tag the text's own sentiment (``whole`` when the caller
    has it, so it is not scored twice); each clause is scored once however many tags it holds.

    >>> text = "物流很快，但是客服态度很差"
    >>> [(t.category, t.label) for t in topic_polarity(text, classify(text))]
    [('logistics', 'positive'), ('attitude', 'negative')]
    """
    if not tags:
        return []
    parts = clauses(text) or [Clause(0, len(text), text)]
    score_of = score_of or scorer(model)
    scored: dict[int, Sentiment] = {}
    out = []
    for tag in tags:
        k = next((i for i, c in enumerate(parts) if c.start <= tag.start < c.end), None)
        cl = parts[k] if k is not None else Clause(0, len(text), text)
        key = -1 if k is None or len(parts) == 1 else k
        if key not in scored:
            scored[key] = whole if key == -1 and whole is not None else score_of(cl.text)
        s = scored[key]
        out.append(
            TopicPolarity(tag.category, tag.name, tag.start, tag.end, tag.match, cl.start, cl.end, s.label, s.score)
        )
    return out
