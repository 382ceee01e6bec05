"""Timing measures of a spoken conversation, from its turn times (seconds from the start).

Each measure returns its value and the turns that decide it, or None when the turns it
needs have no times (a chat export): a check without data is "not applicable", never 0.

* ``first_response`` — from the end of the customer's first turn to the start of the next
  agent or bot turn (how long the customer waited for an answer).
* ``longest_silence`` — the longest gap between the end of a turn and the start of the next.
* ``agent_talk_share`` — the agent's share of all speaking time, 0–1.
* ``overtalk`` — seconds in which a turn starts before the previous one of another speaker ended.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from valueloop.qa.rubric import TimingMetric
from valueloop.qa.transcript import Conversation, Turn

Measured = tuple[float, tuple[Turn, ...]] | None


def _timed(conv: Conversation) -> tuple[Turn, ...]:
    return tuple(t for t in conv.turns if t.timed)


def first_response(conv: Conversation) -> Measured:
    turns = _timed(conv)
    for i, t in enumerate(turns):
        if t.speaker == "customer":
            reply = next((r for r in turns[i + 1 :] if r.speaker != "customer"), None)
            if reply is None:
                return None
            return max(0.0, _f(reply.start) - _f(t.end)), (t, reply)
    return None


def longest_silence(conv: Conversation) -> Measured:
    turns = _timed(conv)
    gaps = [(_f(b.start) - _f(a.end), (a, b)) for a, b in itertools.pairwise(turns)]
    if not gaps:
        return None
    gap, pair = max(gaps, key=lambda g: g[0])
    return max(0.0, gap), pair


def agent_talk_share(conv: Conversation) -> Measured:
    turns = _timed(conv)
    total = sum(_f(t.end) - _f(t.start) for t in turns)
    if total <= 0:
        return None
    agent = [t for t in turns if t.speaker == "agent"]
    return sum(_f(t.end) - _f(t.start) for t in agent) / total, tuple(agent)


def overtalk(conv: Conversation) -> Measured:
    turns = _timed(conv)
    if len(turns) < 2:
        return None
    seconds, evidence = 0.0, []
    for a, b in itertools.pairwise(turns):
        overlap = min(_f(a.end), _f(b.end)) - _f(b.start)
        if a.speaker != b.speaker and overlap > 0:
            seconds += overlap
            evidence.append(b)
    return seconds, tuple(evidence)


def _f(x: float | None) -> float:
    return 0.0 if x is None else x


MEASURES: dict[TimingMetric, Callable[[Conversation], Measured]] = {
    "first_response": first_response,
    "longest_silence": longest_silence,
    "agent_talk_share": agent_talk_share,
    "overtalk": overtalk,
}
