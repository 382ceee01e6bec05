"""Lexicon evidence for sentiment: rated words, with negation, degree words and "but".

Why a lexicon beside the trained model: the model learns which n-grams separate positive
from negative reviews *of the domains it was trained on*, and on a new domain much of its
vocabulary is missing or means something else; general sentiment words ("love", "terrible",
满意, 失望) mean the same everywhere. The two are blended in :mod:`valueloop.voice.model`
with weights fitted on domains held out of the model's training (``scripts/train_sentiment.py``).

Rules, after VADER (Hutto & Gilbert 2014) for English and the same ideas for Chinese:
a negator in the three words before a rated word (English) or right before it, at most a
copula and a degree word between (Chinese: 不好, 不是很好, 没那么快), flips and damps it
(×−0.74: "not good" is less bad than "bad"); a degree word just before it strengthens it
(×1.3) or softens it (×0.7); words before a contrast ("but", 但是) count half and words
after it one and a half times. Clauses end at punctuation, so a negator never reaches
across a comma. Chinese words are found by longest match, so entries that start with a
negator (不错, 没问题) win over the negator rule.

>>> s = score_text("I absolutely love this set of dishes")
>>> s.positive > 2 and s.negative == 0
True
>>> score_text("not good at all").negative > 0, score_text("服务态度不好").negative > 0
(True, True)
>>> score_text("房间不错，但是早餐很差").negative > score_text("房间不错，但是早餐很差").positive
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from valueloop.voice.normalize import MAX_CHARS, normalize
from valueloop.voice.resources import path

NEGATION = -0.74
BOOST, DAMP = 1.3, 0.7
BEFORE_CONTRAST, AFTER_CONTRAST = 0.5, 1.5
EN_WINDOW, ZH_WINDOW = 3, 4

EN_NEGATORS = frozenset(
    [
        "not",
        "no",
        "never",
        "nor",
        "none",
        "nothing",
        "nobody",
        "neither",
        "without",
        "hardly",
        "barely",
        "cannot",
        "cant",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "wasnt",
        "arent",
        "werent",
        "wont",
        "wouldnt",
        "shouldnt",
        "couldnt",
        "aint",
        "havent",
        "hasnt",
    ]
)
EN_BOOSTERS = frozenset(
    [
        "very",
        "really",
        "so",
        "extremely",
        "absolutely",
        "totally",
        "completely",
        "incredibly",
        "super",
        "highly",
        "truly",
        "too",
        "most",
        "perfectly",
        "utterly",
        "awfully",
        "amazingly",
        "especially",
        "exceptionally",
        "remarkably",
        "seriously",
    ]
)
EN_DAMPENERS = frozenset(["slightly", "somewhat", "kinda", "sorta", "fairly", "partly", "little", "bit", "marginally"])
EN_CONTRAST = frozenset({"but", "however", "although", "though", "yet"})
ZH_NEGATION = re.compile(r"(?:不|没有?|无|未|别|毫不|并不|从不)(?:是|太|够|怎么|那么|算|会|能|再)?(?:很|太|那么)?$")
"""A negator right before the rated word, at most a copula/modal and a degree word between (不是很好, 没那么快);
not any 不 or 无 nearby: in 无线网络很好 the 无 belongs to 无线 (wireless)."""
ZH_BOOSTERS = ("很", "非常", "太", "超", "特别", "十分", "极", "真", "最", "挺", "相当", "巨", "蛮", "贼", "好")
ZH_DAMPENERS = ("有点", "有些", "稍微", "略", "比较", "还算")
ZH_CONTRAST = re.compile(r"但是|可是|不过|然而|但")
_EN_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_ZH_NOT = re.compile(r"[不没](?!知|过|管|用)")
"""A Chinese negation that says how something is (不制冷, 没有窗户), not 不知道 / 不过 / 不管 / 不用."""
_CLAUSE = re.compile(r"[,.;:!?\n，。；：！？、~～…]+")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[a-z0-9]")


@dataclass(frozen=True)
class LexiconScore:
    """Summed strength of the positive and of the negative evidence (both ≥ 0), and how many rated words."""

    positive: float = 0.0
    negative: float = 0.0
    hits: int = 0

    def __add__(self, other: LexiconScore) -> LexiconScore:
        return LexiconScore(self.positive + other.positive, self.negative + other.negative, self.hits + other.hits)

    @classmethod
    def of(cls, value: float) -> LexiconScore:
        return cls(max(value, 0.0), max(-value, 0.0), 1)


def _read(name: str) -> dict[str, float]:
    lines = path("resources", name).read_text(encoding="utf-8").splitlines()
    rows = (ln.split("\t") for ln in lines if ln.strip() and not ln.startswith("#"))
    return {w.strip(): float(v) for w, v in rows}


@lru_cache(maxsize=1)
def english() -> dict[tuple[str, ...], float]:
    """English entries as word tuples (phrases of the hand-written list override single words)."""
    merged = _read("lexicon_en.tsv") | _read("lexicon_en_extra.tsv")
    return {tuple(_EN_WORD.findall(w.replace("'", ""))): v for w, v in merged.items()}


@lru_cache(maxsize=1)
def _longest_en() -> dict[str, int]:
    """Per first word, the length of the longest entry starting with it (most words start none longer than 1)."""
    out: dict[str, int] = {}
    for k in english():
        if k:
            out[k[0]] = max(out.get(k[0], 1), len(k))
    return out


@lru_cache(maxsize=1)
def chinese() -> dict[str, float]:
    return _read("lexicon_zh.tsv")


def score_text(text: str) -> LexiconScore:
    """English and Chinese lexicon evidence of ``text`` (either script may be absent)."""
    return score_normalized(normalize(text[:MAX_CHARS]))


def score_normalized(s: str) -> LexiconScore:
    """:func:`score_text` of a text already normalised (:func:`valueloop.voice.normalize.normalize`)."""
    total = LexiconScore()
    for weight, part in _contrast_parts_en(s) if _LATIN.search(s) else ():
        for clause in _CLAUSE.split(part):
            total += _scaled(_english_clause(clause), weight)
    if _HAN.search(s):
        for weight, part in _contrast_parts_zh(s):
            for clause in _CLAUSE.split(part):
                total += _scaled(_chinese_clause(clause), weight)
    return total


def judges(clause: str) -> bool:
    """True when a normalised clause says how something is: a rated, degree or negation word in it.

    Topic matching asks this of a clause holding only a weak keyword: "the room was great",
    房间挺好的, "the room was too small" and 空调不制冷 judge the room; "I left my bag in the
    room" does not. A negation counts because a fault is mostly told as what does not work.
    """
    if _HAN.search(clause) and (
        _zh_words().search(clause) or _ZH_NOT.search(clause) or any(b in clause for b in (*ZH_BOOSTERS, *ZH_DAMPENERS))
    ):
        return True
    lex = english()
    words = [w.replace("'", "") for w in _EN_WORD.findall(clause)]
    marks = EN_NEGATORS | EN_BOOSTERS | EN_DAMPENERS  # "wasn't" is read as "wasnt", a negator
    return any(w in marks or (w,) in lex or (w.startswith("un") and (w[2:],) in lex) for w in words)  # un-: unsafe


def _scaled(s: LexiconScore, weight: float) -> LexiconScore:
    return LexiconScore(s.positive * weight, s.negative * weight, s.hits)


def _contrast_parts_en(s: str) -> list[tuple[float, str]]:
    """The text split at its last English contrast word: (weight, part) pairs."""
    words = list(re.finditer(r"[a-z]+", s))
    cut = next((w for w in reversed(words) if w.group() in EN_CONTRAST), None)
    if cut is None:
        return [(1.0, s)]
    return [(BEFORE_CONTRAST, s[: cut.start()]), (AFTER_CONTRAST, s[cut.end() :])]


def _contrast_parts_zh(s: str) -> list[tuple[float, str]]:
    cuts = list(ZH_CONTRAST.finditer(s))
    if not cuts:
        return [(1.0, s)]
    return [(BEFORE_CONTRAST, s[: cuts[-1].start()]), (AFTER_CONTRAST, s[cuts[-1].end() :])]


def _english_clause(clause: str) -> LexiconScore:
    words = [w.replace("'", "") for w in _EN_WORD.findall(clause)]
    lex, longest, total, i = english(), _longest_en(), LexiconScore(), 0
    while i < len(words):
        for n in range(min(longest.get(words[i], 1), len(words) - i), 0, -1):
            if (value := lex.get(tuple(words[i : i + n]))) is not None:
                total += LexiconScore.of(_modified_en(value, words[max(0, i - EN_WINDOW) : i]))
                i += n
                break
        else:
            i += 1
    return total


def _modified_en(value: float, before: list[str]) -> float:
    if before and before[-1] in EN_BOOSTERS:
        value *= BOOST
    elif before and before[-1] in EN_DAMPENERS:
        value *= DAMP
    if any(w in EN_NEGATORS for w in before):
        value *= NEGATION
    return value


@lru_cache(maxsize=1)
def _zh_words() -> re.Pattern[str]:
    """All Chinese entries, longest first: at each position the regex takes the longest entry (不错 before 不)."""
    return re.compile("|".join(re.escape(w) for w in sorted(chinese(), key=len, reverse=True)))


def _chinese_clause(clause: str) -> LexiconScore:
    lex, total = chinese(), LexiconScore()
    for m in _zh_words().finditer(clause):
        total += LexiconScore.of(_modified_zh(lex[m.group()], clause[max(0, m.start() - ZH_WINDOW) : m.start()]))
    return total


def _modified_zh(value: float, before: str) -> float:
    if before.endswith(ZH_BOOSTERS):
        value *= BOOST
    elif any(d in before for d in ZH_DAMPENERS):
        value *= DAMP
    if ZH_NEGATION.search(before):
        value *= NEGATION
    return value
