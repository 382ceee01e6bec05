"""One function per check kind, in a plain dict registry: (check, conversation, context) → outcome.

Every outcome says pass / fail / na, the evidence that decided it (turns and character
spans), a one-line detail a reviewer can read, and a ``margin`` in [0, 1]: how far the
measured value was from flipping the result (1 for a phrase found or not; close to 0 for
a silence a second under its limit). Review sampling picks the smallest margins.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from valueloop.qa.matching import Joined, alternatives, find_pattern, scope
from valueloop.qa.rubric import (
    Check,
    ClassifierCheck,
    FlowCheck,
    PhraseCheck,
    Phrases,
    Position,
    RegexCheck,
    SentimentCheck,
    TimingCheck,
    Who,
)
from valueloop.qa.timing import MEASURES
from valueloop.qa.transcript import Conversation, Evidence

Result = Literal["pass", "fail", "na"]
SentimentFn = Callable[[Sequence[str]], Sequence[float]]
"""Scores in [-1, 1] for a batch of texts (the shipped model, or a test's own)."""
ProbaFn = Callable[[Sequence[str]], Sequence[float]]
"""A trained turn classifier: P(the turn shows the behaviour) in [0, 1] for a batch of texts."""


@dataclass(frozen=True)
class Outcome:
    result: Result
    evidence: tuple[Evidence, ...] = ()
    detail: str = ""
    margin: float = 1.0


@dataclass(frozen=True)
class Context:
    """What a check may consult besides the conversation; the memo dicts make one rubric cheap to run many times."""

    synonyms: Mapping[str, tuple[str, ...]]
    sentiment: SentimentFn
    located: Mapping[str, Evidence] = field(default_factory=dict)
    """First match of every item with a phrase or regex to find, for ``before``."""
    words_memo: dict[Phrases, tuple[str, ...]] = field(default_factory=dict, compare=False)
    classifiers: Mapping[str, ProbaFn] = field(default_factory=dict)
    """Trained models by name, for ``classifier`` checks (loaded by the service from the workspace)."""

    def words(self, phrases: Phrases) -> tuple[str, ...]:
        if phrases not in self.words_memo:
            self.words_memo[phrases] = alternatives(phrases, self.synonyms)
        return self.words_memo[phrases]


@lru_cache(maxsize=256)
def compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def locate(check: PhraseCheck | RegexCheck, conv: Conversation, ctx: Context) -> Evidence | None:
    """The first match of a phrase or regex check in its speaker's turns and position.

    Memoised on the conversation under everything that decides the result (scope and spellings or
    pattern), so an item located for ``before`` and then checked is searched once.
    """
    where = (check.speaker, check.position.first, check.position.last)
    what = check.pattern if isinstance(check, RegexCheck) else ctx.words(check.phrases)
    key = ("locate", *where, what)
    if key not in conv.memo:
        if isinstance(what, str):
            conv.memo[key] = find_pattern(scope(conv, check.speaker, check.position), compiled(what))
        else:
            conv.memo[key] = _joined(conv, where).find(what)
    found = conv.memo[key]
    assert found is None or isinstance(found, Evidence)
    return found


def _joined(conv: Conversation, where: tuple[Who, int | None, int | None]) -> Joined:
    key = ("joined", *where)
    if key not in conv.memo:
        conv.memo[key] = Joined.of(scope(conv, where[0], Position(first=where[1], last=where[2])))
    joined = conv.memo[key]
    assert isinstance(joined, Joined)
    return joined


def located_check(check: PhraseCheck | RegexCheck, conv: Conversation, ctx: Context) -> Outcome:
    """Present: found (and before the other item, when asked). Absent: not found anywhere in scope."""
    hit = locate(check, conv, ctx)
    what = "pattern" if isinstance(check, RegexCheck) else "phrase"
    if not check.present:
        return (
            Outcome("pass", (), f"no forbidden {what}")
            if hit is None
            else Outcome("fail", (hit,), f"said {hit.text!r}")
        )
    if hit is None:
        return Outcome("fail", (), f"{what} not found ({check.speaker}, {_where(check)})")
    other = ctx.located.get(check.before) if check.before else None
    if other is not None and other.turn < hit.turn:
        return Outcome("fail", (hit, other), f"{hit.text!r} at turn {hit.turn} comes after turn {other.turn}")
    return Outcome("pass", (hit,), f"found {hit.text!r} at turn {hit.turn}")


def _where(check: PhraseCheck | RegexCheck) -> str:
    p = check.position
    return f"first {p.first} turns" if p.first else f"last {p.last} turns" if p.last else "anywhere"


def flow_check(check: FlowCheck, conv: Conversation, ctx: Context) -> Outcome:
    """Every step found after the previous one (the earliest such match each time)."""
    joined = _joined(conv, (check.speaker, None, None))
    found: list[Evidence] = []
    for number, step in enumerate(check.steps, start=1):
        hit = joined.find(ctx.words(step), found[-1].turn if found else -1)
        if hit is None:
            return Outcome("fail", tuple(found), f"step {number} of {len(check.steps)} not found in order")
        found.append(hit)
    return Outcome("pass", tuple(found), f"all {len(found)} steps in order")


def timing_check(check: TimingCheck, conv: Conversation, ctx: Context) -> Outcome:
    measured = MEASURES[check.metric](conv)
    if measured is None:
        return Outcome("na", (), f"{check.metric}: no turn times")
    value, turns = measured
    evidence = tuple(Evidence.whole(t) for t in turns)
    ok = (check.max is None or value <= check.max) and (check.min is None or value >= check.min)
    bounds = [b for b in (check.max, check.min) if b is not None]
    margin = min(min(abs(value - b) / max(abs(b), 1e-9), 1.0) for b in bounds)
    return Outcome("pass" if ok else "fail", evidence, f"{check.metric} = {value:.2f}", margin)


SHIFT_SCALE = 0.5
"""A sentiment shift this far from the threshold counts as certain (scores run -1..1)."""


def sentiment_check(check: SentimentCheck, conv: Conversation, ctx: Context) -> Outcome:
    """The customer's mood at the end against the start; needs twice ``turns`` customer turns."""
    said = [t for t in conv.by("customer") if t.text.strip()]
    if len(said) < 2 * check.turns:
        return Outcome("na", (), f"fewer than {2 * check.turns} customer turns")
    first, last = said[: check.turns], said[-check.turns :]
    scores = list(ctx.sentiment([t.text for t in (*first, *last)]))
    start = sum(scores[: check.turns]) / check.turns
    shift = sum(scores[check.turns :]) / check.turns - start
    margin = min(abs(shift - check.min_shift) / SHIFT_SCALE, 1.0)
    evidence = tuple(Evidence.whole(t) for t in (*first, *last))
    result: Result = "pass" if shift >= check.min_shift else "fail"
    return Outcome(result, evidence, f"customer sentiment {start:+.2f} → {start + shift:+.2f}", margin)


def classifier_check(check: ClassifierCheck, conv: Conversation, ctx: Context) -> Outcome:
    """The turn in scope the model is surest shows the behaviour decides: at least ``threshold`` is "said".

    Its evidence is that turn whole (the model reads the turn, not a span); the margin is how
    far its probability is from the threshold, relative to the room on that side.
    """
    model = ctx.classifiers.get(check.model)
    if model is None:
        return Outcome("na", (), f"no trained model {check.model!r}")
    turns = [t for t in scope(conv, check.speaker, check.position) if t.text.strip()]
    if not turns:
        return Outcome("pass" if not check.present else "fail", (), f"no {check.speaker} turn to classify")
    probs = list(model([t.text for t in turns]))
    best = max(range(len(turns)), key=probs.__getitem__)  # the first of equal maxima: deterministic
    p, turn = probs[best], turns[best]
    said = p >= check.threshold
    room = 1.0 - check.threshold if said else check.threshold
    margin = min(abs(p - check.threshold) / room, 1.0)
    result: Result = "pass" if said == check.present else "fail"
    detail = f"P = {p:.2f} at turn {turn.index} (threshold {check.threshold:g})"
    return Outcome(result, (Evidence.whole(turn),), detail, margin)


CHECKS: dict[str, Callable[..., Outcome]] = {
    "phrase": located_check,
    "regex": located_check,
    "flow": flow_check,
    "timing": timing_check,
    "sentiment": sentiment_check,
    "classifier": classifier_check,
}
"""Check kind → its function; a kind added to :mod:`valueloop.qa.rubric` without an entry fails the registry test."""


def run_check(check: Check, conv: Conversation, ctx: Context) -> Outcome:
    return CHECKS[check.kind](check, conv, ctx)
