"""A conversation as the scorer sees it: ordered turns, each with a speaker and optional times.

Times (``start``/``end``, seconds from the start of the conversation) exist when the
transcript comes from speech; chat exports usually have none, and timing checks then
say "not applicable" rather than guessing.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Literal

Speaker = Literal["agent", "customer", "bot"]
SPEAKERS: tuple[Speaker, ...] = ("agent", "customer", "bot")


@dataclass(frozen=True)
class Turn:
    index: int
    speaker: Speaker
    text: str
    start: float | None = None
    end: float | None = None
    low: str = field(init=False, repr=False, compare=False)
    """The text lower-cased for matching, when that keeps its length (so spans stay spans of ``text``)."""

    def __post_init__(self) -> None:
        low = self.text.lower()
        object.__setattr__(self, "low", low if len(low) == len(self.text) else self.text)

    @property
    def timed(self) -> bool:
        return self.start is not None and self.end is not None


@dataclass(frozen=True)
class Conversation:
    """Turns in order of ``index``; ``fields`` are the conversation's own columns (channel, category, agent_id …)."""

    conversation_id: str
    turns: tuple[Turn, ...]
    fields: Mapping[str, str] = field(default_factory=dict)
    _by: dict[str, tuple[Turn, ...]] = field(init=False, repr=False, compare=False)
    memo: dict[Hashable, object] = field(init=False, repr=False, compare=False)
    """Searches already made in this conversation, keyed by everything that decides their result."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by", {s: tuple(t for t in self.turns if t.speaker == s) for s in SPEAKERS})
        object.__setattr__(self, "memo", {})

    def by(self, speaker: Speaker | None) -> tuple[Turn, ...]:
        """The turns of ``speaker`` (every turn for None), in order."""
        return self.turns if speaker is None else self._by[speaker]


@dataclass(frozen=True)
class Evidence:
    """Where a result was decided: a turn and a character span ``[start, end)`` of its text."""

    turn: int
    start: int
    end: int
    text: str

    @classmethod
    def whole(cls, turn: Turn) -> Evidence:
        return cls(turn.index, 0, len(turn.text), turn.text)
