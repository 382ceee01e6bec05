"""A straightforward scorer, written apart from :mod:`valueloop.qa` as an oracle: the same results, no shortcuts.

Per conversation, per item, per turn: lower-case the text and test each spelling; no memo,
no joined scopes, no batched sentiment. ``bench/qa_bench.py`` checks the fast path against it
before timing, and ``test_oracle.py`` on generated transcripts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from valueloop.qa.rubric import FlowCheck, Item, PhraseCheck, RegexCheck, Rubric, SentimentCheck, TimingCheck
from valueloop.qa.transcript import Conversation, Turn

Sentiment = Callable[[Sequence[str]], Sequence[float]]


def _spellings(phrases: tuple[object, ...], synonyms: dict[str, tuple[str, ...]]) -> list[str]:
    out = []
    for p in phrases:
        for w in [p] if isinstance(p, str) else list(p):  # type: ignore[call-overload]
            out += [w.lower(), *(s.lower() for s in synonyms.get(w, ()))]
    return out


def _turns(conv: Conversation, who: str, first: int | None, last: int | None) -> list[Turn]:
    turns = [t for t in conv.turns if who == "any" or t.speaker == who]
    return turns[:first] if first else turns[-last:] if last else turns


def _first_turn(check: PhraseCheck | RegexCheck, conv: Conversation, rubric: Rubric) -> int | None:
    for t in _turns(conv, check.speaker, check.position.first, check.position.last):
        if isinstance(check, RegexCheck):
            m = re.search(check.pattern, t.text, re.IGNORECASE)
            if m and m.group(0):
                return t.index
        elif any(w in t.text.lower() for w in _spellings(check.phrases, rubric.synonyms)):
            return t.index
    return None


def _timed(conv: Conversation) -> list[Turn]:
    return [t for t in conv.turns if t.start is not None and t.end is not None]


def _timing(check: TimingCheck, conv: Conversation) -> float | None:
    ts = _timed(conv)
    if check.metric == "first_response":
        for i, t in enumerate(ts):
            if t.speaker == "customer":
                later = [r for r in ts[i + 1 :] if r.speaker != "customer"]
                return max(0.0, later[0].start - t.end) if later else None  # type: ignore[operator]
        return None
    if check.metric == "longest_silence":
        gaps = [ts[i + 1].start - ts[i].end for i in range(len(ts) - 1)]  # type: ignore[operator]
        return max(0.0, max(gaps)) if gaps else None
    if check.metric == "agent_talk_share":
        total = sum(t.end - t.start for t in ts)  # type: ignore[operator]
        return sum(t.end - t.start for t in ts if t.speaker == "agent") / total if total > 0 else None  # type: ignore[operator]
    if len(ts) < 2:
        return None
    return sum(
        max(0.0, min(ts[i].end, ts[i + 1].end) - ts[i + 1].start)  # type: ignore[type-var, operator]
        for i in range(len(ts) - 1)
        if ts[i].speaker != ts[i + 1].speaker
    )


def _result(item: Item, conv: Conversation, rubric: Rubric, sentiment: Sentiment) -> str:
    for name, allowed in item.applies_if.items():
        if conv.fields.get(name) not in ((allowed,) if isinstance(allowed, str) else allowed):
            return "na"
    c = item.check
    if isinstance(c, PhraseCheck | RegexCheck):
        hit = _first_turn(c, conv, rubric)
        if not c.present:
            return "pass" if hit is None else "fail"
        if hit is None:
            return "fail"
        if c.before:
            other = next(i for i in rubric.items if i.id == c.before).check
            there = _first_turn(other, conv, rubric)  # type: ignore[arg-type]
            return "fail" if there is not None and there < hit else "pass"
        return "pass"
    if isinstance(c, FlowCheck):
        after = -1
        for step in c.steps:
            words = _spellings(step, rubric.synonyms)
            hits = [t.index for t in _turns(conv, c.speaker, None, None) if t.index > after
                    and any(w in t.text.lower() for w in words)]  # fmt: skip
            if not hits:
                return "fail"
            after = hits[0]
        return "pass"
    if isinstance(c, TimingCheck):
        v = _timing(c, conv)
        if v is None:
            return "na"
        return "pass" if (c.max is None or v <= c.max) and (c.min is None or v >= c.min) else "fail"
    assert isinstance(c, SentimentCheck)
    said = [t.text for t in conv.turns if t.speaker == "customer" and t.text.strip()]
    if len(said) < 2 * c.turns:
        return "na"
    s = list(sentiment([*said[: c.turns], *said[-c.turns :]]))
    shift = sum(s[c.turns :]) / c.turns - sum(s[: c.turns]) / c.turns
    return "pass" if shift >= c.min_shift else "fail"


def reference_score(rubric: Rubric, conv: Conversation, sentiment: Sentiment) -> tuple[dict[str, str], float | None]:
    """(item → pass/fail/na, score 0–100 or None), by the arithmetic of :mod:`valueloop.qa.scoring`'s docstring."""
    results = {i.id: _result(i, conv, rubric, sentiment) for i in rubric.items}
    earned = weight = bonus = 0.0
    for section in rubric.sections:
        required = [i for i in section.items if not i.bonus and results[i.id] != "na"]
        total = sum(i.weight for i in required)
        if total > 0:
            earned += section.weight * sum(i.weight for i in required if results[i.id] == "pass") / total
            weight += section.weight
        bonus += sum(i.weight for i in section.items if i.bonus and results[i.id] == "pass")
    if any(i.auto_fail and results[i.id] == "fail" for i in rubric.items):
        return results, 0.0
    return results, None if weight == 0 else min(100.0, 100.0 * earned / weight + bonus)
