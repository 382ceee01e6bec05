"""Features for the sentiment model: character n-grams, plus English word n-grams with negation marked.

Why characters and not words: character 1–3-grams need no tokenizer (so scoring never
waits for jieba), they work for Chinese, English and both mixed, and they survive the
typos and slang of short reviews. Negation is caught by the n-grams themselves: 不好
and 不满 are features of their own, distinct from 好 and 满.

English words are added on top (:func:`word_grams`): with a few thousand English training
sentences, character grams of "not good" and "good" overlap too much, so a word that sits
in a negation scope — after not/never/n't/no… up to the next punctuation — becomes its own
feature (``w:good_NEG``), and word bigrams keep short phrases ("w:would recommend").
Measured leave-one-domain-out (``bench.sentiment_lodo``): they add ≈ 0.5 points by sign on
English and leave Chinese (which has no Latin words to mark) where it was.

The same function builds features for training (``scripts/train_sentiment.py``) and for
scoring, so the shipped vocabulary always means what it meant when it was trained.

>>> char_ngrams("很好!")[:5]
['很', '好', '!', '^很', '很好']
>>> word_grams("not good, great")
['w:not', 'w:good_NEG', 'w:not good_NEG', 'w:great']
"""

from __future__ import annotations

import re
from itertools import pairwise

from valueloop.voice.normalize import MAX_CHARS, normalize

NGRAM = (1, 3)
_SPACES = re.compile(r"\s+")
_WORD_OR_STOP = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[.,;:!?，。；：！？\n]")
_NEGATOR = re.compile(r"(?:not|no|never|nor|none|nothing|nobody|neither|without|hardly|barely|cannot|[a-z]+nt)")
_STOPS = frozenset(".,;:!?，。；：！？\n")


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
        grams += [padded[i : i + n] for i in range(len(padded) - n + 1)]
    return grams


def word_grams(s: str) -> list[str]:
    """English word uni- and bigrams (``w:`` prefix) of a :func:`prepare`-d text; ``_NEG`` inside a negation scope.

    A scope opens at a negator and closes at punctuation; bigrams do not cross punctuation.
    """
    words: list[str] = []
    grams: list[str] = []
    negated = False
    for tok in _WORD_OR_STOP.findall(s):
        if tok in _STOPS:
            negated = False
            grams.extend(_clause_grams(words))
            words = []
            continue
        tok = tok.replace("'", "")
        if _NEGATOR.fullmatch(tok):
            words.append(tok)
            negated = True
        else:
            words.append(f"{tok}_NEG" if negated else tok)
    grams.extend(_clause_grams(words))
    return grams


def _clause_grams(words: list[str]) -> list[str]:
    return [f"w:{w}" for w in words] + [f"w:{a} {b}" for a, b in pairwise(words)]


def sentiment_features(s: str) -> list[str]:
    """What the sentiment model counts in a :func:`prepare`-d text: character n-grams and English word n-grams."""
    return grams_of(s) + word_grams(s)


def text_features(text: str) -> list[str]:
    """:func:`sentiment_features` of a raw text (the analyzer for training, so training and scoring agree)."""
    return sentiment_features(prepare(text))
