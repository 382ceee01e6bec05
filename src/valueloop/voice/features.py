"""Features for the sentiment model: character n-grams of the normalised text.

Why characters and not words: character 1–3-grams need no tokenizer (so scoring never
waits for jieba), they work for Chinese, English and both mixed, and they survive the
typos and slang of short reviews. Negation is caught by the n-grams themselves: 不好
and 不满 are features of their own, distinct from 好 and 满.

The same function builds features for training (``scripts/train_sentiment.py``) and for
scoring, so the shipped vocabulary always means what it meant when it was trained.

>>> char_ngrams("很好!")[:5]
['很', '好', '!', '^很', '很好']
"""

from __future__ import annotations

import re

from valueloop.voice.normalize import MAX_CHARS, normalize

NGRAM = (1, 3)
_SPACES = re.compile(r"\s+")


def prepare(text: str) -> str:
    """Normalised, whitespace collapsed, cut at :data:`MAX_CHARS`."""
    return _SPACES.sub(" ", normalize(text[:MAX_CHARS])).strip()


def char_ngrams(text: str) -> list[str]:
    """Character n-grams (``NGRAM`` sizes) of ``^`` + text + ``$``; the markers let a gram say 'at the start'."""
    return grams_of(prepare(text))


def grams_of(s: str) -> list[str]:
    """:func:`char_ngrams` of a text already :func:`prepare`-d (so a caller normalises once)."""
    if not s:
        return []
    padded = f"^{s}$"
    grams = list(s)
    for n in range(NGRAM[0] + 1, NGRAM[1] + 1):
        grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams
