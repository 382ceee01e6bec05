"""Find phrases and patterns in turns, with character spans.

Matching is case-insensitive where lower-casing keeps the text's length (it does for
Chinese and almost all Latin text), so a span found in the lowered text is a span of
the original; otherwise the text is searched as it is, rather than pointing at the
wrong characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from valueloop.qa.rubric import Phrases, Position, Who
from valueloop.qa.transcript import Conversation, Evidence, Turn


def lowered(text: str) -> str:
    low = text.lower()
    return low if len(low) == len(text) else text


def alternatives(phrases: Phrases, synonyms: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Every spelling that counts: each phrase, its synonym group and the rubric's synonyms, lowered."""
    out: list[str] = []
    for p in phrases:
        for word in (p,) if isinstance(p, str) else p:
            out += [word, *synonyms.get(word, ())]
    return tuple(dict.fromkeys(w.lower() for w in out if w))


def scope(conv: Conversation, who: Who, position: Position) -> tuple[Turn, ...]:
    """The turns to search: the speaker's, cut to the first or last N."""
    turns = conv.by(None if who == "any" else who)
    if position.first:
        return turns[: position.first]
    if position.last:
        return turns[-position.last :]
    return turns


def find_phrase(turns: Iterable[Turn], words: tuple[str, ...]) -> Evidence | None:
    """The earliest occurrence of any of ``words`` (in turn order, then position, then longest)."""
    for turn in turns:
        low = lowered(turn.text)
        best: tuple[int, int] | None = None
        for w in words:
            at = low.find(w)
            if at >= 0 and (best is None or (at, -len(w)) < (best[0], -(best[1] - best[0]))):
                best = (at, at + len(w))
        if best is not None:
            return Evidence(turn.index, best[0], best[1], turn.text[best[0] : best[1]])
    return None


def find_pattern(turns: Iterable[Turn], pattern: re.Pattern[str]) -> Evidence | None:
    for turn in turns:
        m = pattern.search(turn.text)
        if m is not None and m.end() > m.start():
            return Evidence(turn.index, m.start(), m.end(), m.group(0))
    return None
