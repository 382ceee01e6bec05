"""Sentiment of every text: a score in [-1, 1], a label, and a reason when the text is odd.

Labels come from the score with a neutral band: ``score <= -NEUTRAL_BAND`` negative,
``score >= NEUTRAL_BAND`` positive, otherwise neutral. The band ±0.2 is P(positive)
between 0.4 and 0.6: on held-out food-delivery reviews (a domain the default model never
saw) ≈ 8 % of texts fall in it and only ≈ 60 % of those have the sign of their label,
against ≈ 88 % outside it — "the model is not sure" is what neutral means here.

Bad input never raises: every text gets a :class:`Sentiment`, and one that could not be
read normally says why in ``reason`` (``empty``, ``unreadable``, ``no_words``,
``emoji_only``, ``truncated``).

>>> s = analyze(["送餐很快，味道很好", "等了两个小时，客服态度很差", "", "👍"])
>>> [x.label for x in s], s[2].reason, s[3].reason
(['positive', 'negative', 'neutral', 'positive'], 'empty', 'emoji_only')
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from valueloop.voice.model import SentimentModel, load_model
from valueloop.voice.normalize import MAX_CHARS, is_garbage
from valueloop.voice.resources import path

Label = Literal["negative", "neutral", "positive"]
Reason = Literal["empty", "unreadable", "no_words", "emoji_only", "truncated"]
NEUTRAL_BAND = 0.2
EMOJI_WEIGHT = 0.3
"""How far emojis move a worded text's score (they rarely contradict the words)."""

EMOJI: dict[str, float] = {
    **dict.fromkeys("😀😁😂😃😄😆😊😍😘🥰😻👍👏🙏💯❤💖💕🌹🎉✨😉🙂☺🤩🥳✅⭐🌟", 1.0),
    **dict.fromkeys("😞😟😠😡🤬😤😢😭😩😫👎💢🙄😒😓😔😣😖💩❌🤮😰😱⚠", -1.0),
}
_EMOJI_CHARS = frozenset(EMOJI)
_WORD = re.compile(r"[\w\u4e00-\u9fff]")
_EMOJI = re.compile(r"[\u2600-\u27bf\U0001f000-\U0001faff]")


@dataclass(frozen=True)
class Sentiment:
    label: Label
    score: float
    reason: Reason | None = None


DEFAULT_MODEL = ("models", "sentiment.npz")


@lru_cache(maxsize=1)
def default_model() -> SentimentModel:
    """The model shipped in the package (trained by ``scripts/train_sentiment.py``; see its card)."""
    return load_model(path(*DEFAULT_MODEL))


def label_of(score: float) -> Label:
    if score <= -NEUTRAL_BAND:
        return "negative"
    return "positive" if score >= NEUTRAL_BAND else "neutral"


def emoji_score(text: str) -> float | None:
    """Mean polarity of the known emojis in ``text``; None when there are none."""
    if _EMOJI_CHARS.isdisjoint(text):
        return None
    known = [EMOJI[c] for c in text if c in EMOJI]
    return sum(known) / len(known) if known else None


def _result(score: float, reason: Reason | None = None) -> Sentiment:
    score = max(-1.0, min(1.0, round(score, 4)))
    return Sentiment(label_of(score), score, reason)


def analyze_one(text: object, model: SentimentModel | None = None) -> Sentiment:
    """One text of any kind (None, NaN, bytes, numbers included)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return _result(0.0, "empty")
    s = str(text)
    if not s.strip():
        return _result(0.0, "empty")
    if is_garbage(s[:MAX_CHARS]):
        return _result(0.0, "unreadable")
    emoji = emoji_score(s[:MAX_CHARS])
    if not _WORD.search(s[:MAX_CHARS]):
        has_emoji = emoji is not None or _EMOJI.search(s) is not None
        return _result(emoji or 0.0, "emoji_only" if has_emoji else "no_words")
    score = (model or default_model()).score(s)
    if emoji is not None:
        score = (1 - EMOJI_WEIGHT) * score + EMOJI_WEIGHT * emoji
    return _result(score, "truncated" if len(s) > MAX_CHARS else None)


def analyze(texts: Iterable[object], model: SentimentModel | None = None) -> list[Sentiment]:
    """One :class:`Sentiment` per text, in order."""
    m = model or default_model()
    return [analyze_one(t, m) for t in texts]


def load_or_default(candidate: Path | None) -> SentimentModel:
    """A workspace model when the file exists, else the default."""
    return load_model(candidate) if candidate is not None and candidate.is_file() else default_model()
