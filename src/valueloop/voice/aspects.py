"""Which aspect of the service a negative clause is about, with the span that says so.

A review often praises one thing and blames another ("菜很好吃，但是送餐太慢"), so aspects
are found per clause: the text is cut at punctuation and at contrastive words (但是,
不过, but, however), each clause is scored with the sentiment model, and only clauses
that are negative — or not positive inside a negative text — are tagged. The aspect
lexicon is the top level of the issue taxonomy (``resources/taxonomy.yaml``), so one
bilingual list defines both.

>>> [(a.aspect, a.match) for a in negative_aspects("菜很好吃，但是送餐太慢了")]
[('logistics', '送餐')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from valueloop.voice.model import SentimentModel
from valueloop.voice.normalize import normalize
from valueloop.voice.sentiment import NEUTRAL_BAND, analyze_one
from valueloop.voice.taxonomy import Category, classify, load_taxonomy

_CUT = re.compile(r"[,.!?;:\n。，！？；：、…~]+|(?=但是|不过|可是|然而)|(?=\bbut\b|\bhowever\b)")


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


def clauses(text: str) -> list[Clause]:
    """Clauses with offsets into ``text``; empty pieces dropped."""
    out, pos = [], 0
    for m in _CUT.finditer(normalize(text)):
        if m.start() > pos and text[pos : m.start()].strip():
            out.append(Clause(pos, m.start(), text[pos : m.start()]))
        pos = max(pos, m.end())
    if text[pos:].strip():
        out.append(Clause(pos, len(text), text[pos:]))
    return out


def negative_aspects(
    text: str, model: SentimentModel | None = None, taxonomy: tuple[Category, ...] | None = None
) -> list[AspectTag]:
    """Aspect tags of the negative clauses of ``text``; offsets are into ``text``."""
    cats = taxonomy or load_taxonomy()
    names = {c.id: c.name_zh for c in cats}
    whole = analyze_one(text, model).score
    out = []
    for cl in clauses(text):
        score = analyze_one(cl.text, model).score
        if not (score <= -NEUTRAL_BAND or (whole <= -NEUTRAL_BAND and score < NEUTRAL_BAND)):
            continue
        seen: set[str] = set()
        for tag in classify(cl.text, cats):
            root = tag.category.split("/")[0]
            if root not in seen:
                seen.add(root)
                out.append(
                    AspectTag(
                        root, names[root], cl.start + tag.start, cl.start + tag.end, tag.match, cl.start, cl.end, score
                    )
                )
    return out
