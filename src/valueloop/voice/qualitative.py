"""Qualitative research notes (interviews, focus groups): statements, coded with the taxonomy, counted, quotable.

A note holds several points ("深度访谈｜受访者：…。线上办理步骤太多；电话客服排队时间太长。
建议：…"), so it is cut into statements at sentence ends, semicolons, line breaks and the
``｜`` of a header; each statement is coded with the issue taxonomy (parents implied, as
everywhere), and every code keeps the statement's span in the note, so a report can
quote it. Counts are given both as statements and as distinct notes: one talkative
focus group must not look like five customers.

>>> [s.text for s in statements("深度访谈｜受访者：老年客户。电话客服排队时间太长；退款流程需要简化。")]
['深度访谈', '受访者：老年客户', '电话客服排队时间太长', '退款流程需要简化']
>>> [s.text for s in statements("多数人认为收费标准不透明，也有人提到投诉之后没有回访。")]
['多数人认为收费标准不透明', '也有人提到投诉之后没有回访']
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from valueloop.voice.model import SentimentModel
from valueloop.voice.normalize import normalize
from valueloop.voice.sentiment import analyze_one
from valueloop.voice.taxonomy import Category, classify, load_taxonomy

QUOTES = 3
_END = re.compile(r"[。！？；!?;\n|]+|\.(?=\s|$)|,(?=也有人|还有人|另有人|另外|此外)")
"""Statement ends in the normalised text (full-width punctuation is half-width there): sentence ends,
semicolons, line breaks, a header's bar, and a comma that introduces another speaker's point."""


@dataclass(frozen=True)
class Statement:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Quote:
    note: str
    """The note's id (a feedback_id)."""
    start: int
    end: int
    text: str


@dataclass
class Topic:
    id: str
    name_zh: str
    name_en: str
    statements: int = 0
    negative: int = 0
    notes: set[str] = field(default_factory=set)
    quotes: list[Quote] = field(default_factory=list)


def statements(text: str) -> list[Statement]:
    """The statements of a note with their offsets into ``text`` (whitespace trimmed, empty pieces dropped)."""
    out, pos = [], 0
    norm = normalize(text)  # same length: offsets stay valid, and full-width ｜；！ become |;!
    for m in [*_END.finditer(norm), None]:
        end = m.start() if m else len(text)
        piece = text[pos:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            out.append(Statement(pos + lead, pos + len(piece.rstrip()), piece.strip()))
        if m:
            pos = m.end()
    return out


def code_notes(
    ids: Sequence[str],
    texts: Sequence[str],
    taxonomy: tuple[Category, ...] | None = None,
    model: SentimentModel | None = None,
    quotes: int = QUOTES,
) -> tuple[list[Topic], int, int]:
    """(topics with at least one statement by count, total statements, uncoded statements).

    Quotes come from distinct notes first, in the order the notes are given (pass them
    newest first to quote the latest voices), and only then a second one from a note.
    """
    cats = taxonomy or load_taxonomy()
    by_id = {c.id: c for c in cats}
    topics: dict[str, Topic] = {}
    candidates: dict[str, list[Quote]] = {}
    total = uncoded = 0
    for note, text in zip(ids, texts, strict=True):
        for st in statements(text):
            total += 1
            codes = sorted({t.category for t in classify(st.text, cats)})
            if not codes:
                uncoded += 1
                continue
            negative = analyze_one(st.text, model).label == "negative"
            for code in codes:
                c = by_id[code]
                topic = topics.setdefault(code, Topic(code, c.name_zh, c.name_en))
                topic.statements += 1
                topic.negative += negative
                topic.notes.add(note)
                candidates.setdefault(code, []).append(Quote(note, st.start, st.end, st.text))
    for code, topic in topics.items():
        topic.quotes = _pick(candidates[code], quotes)
    ranked = sorted(topics.values(), key=lambda t: (-t.statements, -len(t.notes), t.id))
    return ranked, total, uncoded


def _pick(found: list[Quote], n: int) -> list[Quote]:
    first: dict[str, Quote] = {}
    for q in found:
        first.setdefault(q.note, q)
    chosen = list(first.values())[:n]
    return chosen + [q for q in found if q not in chosen][: n - len(chosen)]
