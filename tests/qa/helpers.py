"""Hand-made transcripts for the QA tests: ``conv(("agent", "您好"), ("customer", "…"))``."""

from __future__ import annotations

from collections.abc import Sequence

from valueloop.qa.transcript import Conversation, Speaker, Turn


def conv(
    *turns: tuple[Speaker, str] | tuple[Speaker, str, float, float], cid: str = "C1", **fields: str
) -> Conversation:
    out = []
    for i, t in enumerate(turns):
        start, end = (t[2], t[3]) if len(t) == 4 else (None, None)  # type: ignore[misc]
        out.append(Turn(i, t[0], t[1], start, end))
    return Conversation(cid, tuple(out), fields)


def by_words(texts: Sequence[str]) -> list[float]:
    """A sentiment function a test can reason about: 'bad' is -1, 'good' is +1, else 0."""
    return [-1.0 if "bad" in t or "差" in t else 1.0 if "good" in t or "好" in t else 0.0 for t in texts]
