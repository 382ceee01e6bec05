"""Score one conversation against a rubric: item results with evidence, section and overall scores.

The arithmetic, so a reviewer can redo it by hand:

* an item applies when every ``applies_if`` field of the conversation equals one of its values,
  and its check does not say "na" (no turn times, too few customer turns);
* a section scores Σ weights of its passed required items / Σ weights of its applicable
  required items; the conversation scores 100 × the section-weighted mean over sections
  with an applicable item, plus the weight of every passed bonus item, capped at 100;
* a failed ``auto_fail`` item sets the score to 0; ``passed`` is score ≥ ``pass_score``;
* no applicable required item at all: score None (nothing to judge), not 100;
* an upheld dispute replaces its item's result in all of the above (``overrides``); the
  automatic result is still what :attr:`ConversationScore.items` holds, so the two stay apart.

Deterministic: the same rubric, conversation and sentiment function give the same result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from valueloop.qa.checks import Context, Outcome, ProbaFn, Result, SentimentFn, locate, run_check
from valueloop.qa.rubric import Item, PhraseCheck, Phrases, RegexCheck, Rubric, SentimentCheck
from valueloop.qa.transcript import Conversation, Evidence

NEEDS_REVIEW = "needs human review (automatic agreement below the calibration threshold)"


@dataclass(frozen=True)
class ItemScore:
    item: str
    section: str
    result: Result
    points: float
    """Weight earned (0 for a fail or na; a bonus item's weight when it passes)."""
    evidence: tuple[Evidence, ...]
    detail: str
    margin: float
    required: bool = True
    """False for bonus items and weight-0 markers: their failure is no shortfall."""


@dataclass(frozen=True)
class ConversationScore:
    conversation_id: str
    rubric: str
    score: float | None
    passed: bool | None
    auto_failed: bool
    items: tuple[ItemScore, ...]
    uncertainty: float
    """0 (clear) … 1 (a coin toss): the smallest item margin, or closeness of the score to the pass line."""
    effective: tuple[ItemScore, ...] = ()
    """The items as scored when an upheld dispute replaced a result (empty: ``items`` as they are)."""

    @property
    def scored(self) -> tuple[ItemScore, ...]:
        return self.effective or self.items

    @property
    def applicable(self) -> int:
        return sum(1 for i in self.scored if i.result != "na" and i.required)

    @property
    def failed(self) -> int:
        return sum(1 for i in self.scored if i.result == "fail" and i.required)


def applies(item: Item, conv: Conversation) -> bool:
    for name, allowed in item.applies_if.items():
        values = (allowed,) if isinstance(allowed, str) else allowed
        if conv.fields.get(name) not in values:
            return False
    return True


def score_conversation(
    rubric: Rubric,
    conv: Conversation,
    sentiment: SentimentFn,
    held_back: frozenset[str] = frozenset(),
    classifiers: Mapping[str, ProbaFn] | None = None,
    overrides: Mapping[str, Result] | None = None,
) -> ConversationScore:
    """``held_back``: items calibration found unreliable; they are ``na`` ("needs human review"), not scored.

    ``classifiers``: the trained models of the rubric's ``classifier`` checks, by model name;
    ``overrides``: item → result of this conversation's upheld disputes.
    """
    disputes = {conv.conversation_id: overrides} if overrides else None
    return Scorer(rubric, held_back, classifiers, disputes).score(conv, sentiment)


class Scorer:
    """A rubric prepared once for many conversations: item → section, spellings of every phrase list.

    :meth:`score_many` also asks the sentiment function once for the whole batch (one model call
    instead of one per conversation); the results equal :func:`score_conversation`'s one by one.
    """

    def __init__(
        self,
        rubric: Rubric,
        held_back: frozenset[str] = frozenset(),
        classifiers: Mapping[str, ProbaFn] | None = None,
        overrides: Mapping[str, Mapping[str, Result]] | None = None,
    ) -> None:
        """``overrides``: conversation → item → the result its upheld dispute gave it."""
        self.rubric, self.held_back, self.classifiers = rubric, held_back, dict(classifiers or {})
        self.overrides = overrides or {}
        self.section = {i.id: s.id for s in rubric.sections for i in s.items}
        self.spec = {i.id: i for i in rubric.items}
        self.locators = [(i.id, i.check) for i in rubric.items if isinstance(i.check, PhraseCheck | RegexCheck)]
        self.words: dict[Phrases, tuple[str, ...]] = {}
        self.sentiment_turns = max(
            (i.check.turns for i in rubric.items if isinstance(i.check, SentimentCheck)), default=0
        )

    def score(self, conv: Conversation, sentiment: SentimentFn) -> ConversationScore:
        ctx = Context(self.rubric.synonyms, sentiment, {}, self.words, self.classifiers)
        located = {
            item: hit
            for item, check in self.locators
            if check.present and (hit := locate(check, conv, ctx)) is not None
        }
        ctx = replace(ctx, located=located)
        items = tuple(self._item(item, conv, ctx) for item in self.rubric.items)
        disputed = self.overrides.get(conv.conversation_id)
        if not disputed:
            return _total(self.rubric, self.spec, conv.conversation_id, items)
        effective = tuple(self._overridden(i, disputed[i.item]) if i.item in disputed else i for i in items)
        return replace(
            _total(self.rubric, self.spec, conv.conversation_id, effective), items=items, effective=effective
        )

    def _overridden(self, item: ItemScore, result: Result) -> ItemScore:
        points = self.spec[item.item].weight if result == "pass" else 0.0
        return replace(item, result=result, points=points, detail=f"dispute upheld: {result}", margin=1.0)

    def score_many(self, convs: Sequence[Conversation], sentiment: SentimentFn) -> list[ConversationScore]:
        texts = sorted({t for c in convs for t in self._sentiment_texts(c)})
        known = dict(zip(texts, sentiment(texts), strict=True)) if texts else {}

        def lookup(batch: Sequence[str]) -> list[float]:
            return [known[t] for t in batch]

        return [self.score(c, lookup) for c in convs]

    def _sentiment_texts(self, conv: Conversation) -> list[str]:
        """The customer texts a sentiment check may read: the first and last ``turns`` non-empty ones."""
        k = self.sentiment_turns
        said = [t.text for t in conv.by("customer") if t.text.strip()]
        return [*said[:k], *said[-k:]] if k else []

    def _item(self, item: Item, conv: Conversation, ctx: Context) -> ItemScore:
        if item.id in self.held_back:
            out = Outcome("na", (), NEEDS_REVIEW)
        else:
            out = run_check(item.check, conv, ctx) if applies(item, conv) else Outcome("na", (), "not applicable here")
        points = item.weight if out.result == "pass" else 0.0
        required = item.weight > 0 and not item.bonus
        return ItemScore(
            item.id, self.section[item.id], out.result, points, out.evidence, out.detail, out.margin, required
        )


def _total(
    rubric: Rubric, spec: dict[str, Item], conversation_id: str, items: tuple[ItemScore, ...]
) -> ConversationScore:
    earned = weight = 0.0
    for section in rubric.sections:
        required = [r for r in items if r.section == section.id and not spec[r.item].bonus and r.result != "na"]
        total = sum(spec[r.item].weight for r in required)
        if total > 0:
            earned += section.weight * sum(r.points for r in required) / total
            weight += section.weight
    bonus = sum(r.points for r in items if spec[r.item].bonus)
    auto_failed = any(spec[r.item].auto_fail and r.result == "fail" for r in items)
    score = None if weight == 0 else min(100.0, 100.0 * earned / weight + bonus)
    if auto_failed:
        score = 0.0
    passed = None if score is None else score >= rubric.pass_score
    return ConversationScore(
        conversation_id, rubric.id, score, passed, auto_failed, items, _uncertainty(rubric, items, score)
    )


def _uncertainty(rubric: Rubric, items: tuple[ItemScore, ...], score: float | None) -> float:
    margins = [r.margin for r in items if r.result != "na" and r.required]
    item_doubt = 1.0 - min(margins, default=1.0)
    if score is None:
        return item_doubt
    room = max(rubric.pass_score, 100.0 - rubric.pass_score, 1e-9)
    return max(item_doubt, 1.0 - min(abs(score - rubric.pass_score) / room * 4, 1.0))
