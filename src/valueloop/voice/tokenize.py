"""Tokens with offsets, negation scope and stopwords, for Chinese, English and both mixed.

Chinese goes through jieba with a service-domain user dictionary shipped in the package
(``resources/userdict.txt``: 人工客服, 退款到账, 闪退 …); English through a plain regex
tokenizer. Offsets always point into the original text (normalisation keeps length).

Why negation is explicit: jieba splits 不好吃 into 不 / 好吃, so a bag of words would
count a complaint as praise. A negator (不 没 没有 别 未 无 / not no never n't) marks
the next content words of its clause as negated, and :func:`terms` fuses them into one
term with one span: 不好吃 → ``不好吃``, "not helpful" → ``not helpful``.

>>> [t.text for t in terms("菜不好吃，送餐太慢")]
['菜', '不好吃', '送餐', '太慢']
>>> [(t.text, t.start, t.end) for t in terms("The agent was not helpful at all")]
[('agent', 4, 9), ('not helpful', 14, 25)]
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache
from typing import Any, NamedTuple

from valueloop.voice.lang import detect_language
from valueloop.voice.normalize import normalize
from valueloop.voice.resources import path, word_list

CLAUSE_CUT = re.compile(
    r"[,.!?;:\n。，！？；：、…~]+|(?=但是|不过|可是|然而|就是|只是)|(?=\bbut\b|\bhowever\b|\balthough\b|\bthough\b)"
)
"""Clause ends in a normalised text: punctuation, and before a contrast word (挺好的，就是有点贵 / great but
cold). Topic polarity scores each clause; topic matching weighs weak keywords per clause."""
SENTENCE_END = re.compile(r"[.!?\n。！？]")
"""Marks in a clause cut that end a sentence too."""
NEGATORS_ZH = frozenset(
    {"不", "没", "没有", "别", "未", "无", "非", "毫无", "并不", "从不", "从没", "不是", "不够", "不太"}
)
NEGATORS_EN = frozenset({"not", "no", "never", "nothing", "nobody", "none", "hardly", "cannot", "without"})
NEGATION_REACH = {"zh": 1, "en": 3}
"""Content words a negator reaches: Chinese negates the word right after it (不|好吃,
没|解决), English up to three (not | very | helpful) — both stop at punctuation."""

_EN_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[^\sa-z0-9]")
_WORDLIKE = re.compile(r"[\w\u4e00-\u9fff]")
_NUMBER = re.compile(r"^[\d.,%]+$")


class Token(NamedTuple):
    text: str
    start: int
    end: int
    negated: bool = False


class Term(NamedTuple):
    """A content word (or a negated phrase) and where it is in the original text."""

    text: str
    start: int
    end: int


@lru_cache(maxsize=1)
def _jieba() -> Any:
    with warnings.catch_warnings():  # jieba 0.42 has invalid escapes: a SyntaxWarning on first compile
        warnings.simplefilter("ignore")
        import jieba

    jieba.setLogLevel(60)
    tk = jieba.Tokenizer()
    with path("resources", "userdict.txt").open("rb") as fh:  # jieba leaves a path's file open
        tk.load_userdict(fh)
    return tk


@lru_cache(maxsize=20_000)
def jieba_words(norm: str) -> tuple[tuple[str, int, int], ...]:
    """jieba's words of a normalised text with offsets (no HMM), memoised: sentiment and topics both ask."""
    return tuple(_jieba().tokenize(norm, HMM=False))


def raw_tokens(text: str) -> list[Token]:
    """Tokens of the normalised text, punctuation included (it bounds negation scope)."""
    norm = normalize(text)
    if detect_language(norm) == "en":
        return [Token(m.group(), m.start(), m.end()) for m in _EN_TOKEN.finditer(norm)]
    return [Token(w, s, e) for w, s, e in jieba_words(norm) if not w.isspace()]


def is_punct(token: str) -> bool:
    return not _WORDLIKE.search(token)


def _negator(word: str) -> bool:
    return word in NEGATORS_ZH or word in NEGATORS_EN or word.endswith("n't")


def tokens(text: str) -> list[Token]:
    """Tokens with ``negated`` set inside a negator's scope."""
    out: list[Token] = []
    reach = 0
    for tok in raw_tokens(text):
        if is_punct(tok.text):
            reach = 0
        elif _negator(tok.text):
            reach = NEGATION_REACH["en" if tok.text.isascii() else "zh"]
        elif reach > 0:
            tok = tok._replace(negated=True)
            reach -= 0 if is_stopword(tok.text) else 1
        out.append(tok)
    return out


def is_stopword(word: str) -> bool:
    return word in word_list("stopwords_zh.txt") or word in word_list("stopwords_en.txt")


def terms(text: str) -> tuple[Term, ...]:
    """Content terms: no punctuation, stopwords, numbers; a negated word fused with its negator.

    Memoised: a batch is tokenised once although keywords, hot spots and tags all ask.
    jieba runs without its HMM new-word guesser (3× faster; the user dictionary covers
    the service words the HMM would have to guess).
    """
    return _terms(text)


@lru_cache(maxsize=100_000)
def _terms(text: str) -> tuple[Term, ...]:
    out: list[Term] = []
    pending: Token | None = None
    for tok in tokens(text):
        if _negator(tok.text):
            pending = tok
            continue
        if is_punct(tok.text) or is_stopword(tok.text) or _NUMBER.match(tok.text):
            pending = None if is_punct(tok.text) else pending
            continue
        if tok.negated and pending is not None:
            sep = " " if tok.text.isascii() else ""
            out.append(Term(f"{_neg_word(pending.text)}{sep}{tok.text}", pending.start, tok.end))
            continue
        out.append(Term(tok.text, tok.start, tok.end))
    return tuple(out)


def _neg_word(word: str) -> str:
    """The canonical negator of a term: every English negation reads ``not``."""
    return "not" if word.isascii() else word
