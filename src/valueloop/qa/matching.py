"""Find phrases and patterns in turns, with character spans.

Matching is case-insensitive where lower-casing keeps the text's length (it does for
Chinese and almost all Latin text), so a span found in the lowered text is a span of
the original; otherwise the text is searched as it is, rather than pointing at the
wrong characters.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from valueloop.qa.rubric import Phrases, Position, Who
from valueloop.qa.transcript import Conversation, Evidence, Turn


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


SEPARATOR = "\x00"
"""Between turns in a joined scope: no phrase holds it (ingest refuses NUL bytes), so no match spans two turns."""


@dataclass(frozen=True)
class Joined:
    """The lowered texts of a scope's turns as one string, and where each turn starts in it.

    Searching one string once per spelling costs a C call per spelling instead of one per
    spelling and turn; the earliest position found is the earliest turn's earliest match.
    """

    text: str
    starts: tuple[int, ...]
    turns: tuple[Turn, ...]

    @classmethod
    def of(cls, turns: tuple[Turn, ...]) -> Joined:
        starts, at = [], 0
        for t in turns:
            starts.append(at)
            at += len(t.low) + 1
        return cls(SEPARATOR.join(t.low for t in turns), tuple(starts), turns)

    def find(self, words: tuple[str, ...], after: int = -1) -> Evidence | None:
        """The earliest match of any spelling among the turns with an index above ``after``: the first turn
        with a match, its earliest position in that turn, the longest spelling at that position."""
        first = next((k for k, t in enumerate(self.turns) if t.index > after), len(self.turns))
        if first == len(self.turns):
            return None
        best_at, best_len, since = -1, 0, self.starts[first]
        for w in words:
            at = self.text.find(w, since)
            if at >= 0 and (best_at < 0 or at < best_at or (at == best_at and len(w) > best_len)):
                best_at, best_len = at, len(w)
        if best_at < 0:
            return None
        i = bisect_right(self.starts, best_at) - 1
        turn, start = self.turns[i], best_at - self.starts[i]
        return Evidence(turn.index, start, start + best_len, turn.text[start : start + best_len])


def find_pattern(turns: Iterable[Turn], pattern: re.Pattern[str]) -> Evidence | None:
    for turn in turns:
        m = pattern.search(turn.text)
        if m is not None and m.end() > m.start():
            return Evidence(turn.index, m.start(), m.end(), m.group(0))
    return None
