"""Keyword matching on tokens: English words by lemma, Chinese on jieba's word boundaries, with negation scope.

Why tokens and not substrings: a substring search finds "fee" in coffee, "bot" in both,
"the app" in "the apple", 卫生 (hygiene) in 卫生间 (bathroom) and 脏 (dirty) in 心脏 (heart).

* **English** (a keyword without a Chinese character): the keyword and the text are cut into
  words, every word goes through :func:`valueloop.voice.lemma.lemma`, and a keyword of n words
  matches n consecutive words of the text with the same keys — no punctuation between them
  except a hyphen, so "check in" finds "check-in" and "checked in". "refund" finds refunded,
  refunds and refunding; a keyword written as an -ed / -ing form matches that form only.
* **Chinese**: a keyword of one or two characters must not be cut out of the inside of one word of
  jieba's segmentation — 房间 in 打不开/房间/门 matches, 卫生 in 卫生间 and 脏 in 心脏 do not.
  Boundaries inside a word count where the word is a compound of two dictionary words
  (服务|质量, 退款|到账), starts with a degree or negation character (很|脏, 不|干净) or ends
  with a judgement (态度|差). Keywords
  of three characters or more are phrases, specific enough to match anywhere (退款没到 in
  退款没到账). ``patterns`` stay regular expressions on the normalised text.
* **Negation scope**: a complaint cue (a category's ``negative`` words) inside a negation's
  scope is not evidence — "not rude", "wasn't late", "no problem with the delivery", 不脏:
  the issue is absent. A topic keyword in a negation's scope still tags its topic ("no
  problem with the delivery" talks about delivery): a category is a topic, and the sentiment
  says which way it went. The scope is the tokenizer's (three content words in English, one in
  Chinese), ended by punctuation and by "but" / 但; the scope of a verb's negation (not,
  never, -n't) also ends at a preposition after its first content word: "didn't inform me
  about the delay" does not deny the delay, "no problem with the delivery being late" does.

* **Weak keywords** (a category's ``weak`` words) name a thing but not what was said of it:
  房间 / "room", or a judgement that fits whoever the clause is about ("friendly", 及时). A
  weak match is evidence only in a clause that judges something (a rated, degree or negation
  word: "the room was great", 房间挺好的, 空调不制冷) and names no other category's strong evidence ("the
  room smelled" is cleanliness, "the receptionist was friendly" is the front desk). A
  clause with no strong evidence of its own continues the one before it, as a Chinese
  clause without a subject does (前台态度冷淡，问什么都爱答不理). See :func:`settle`.
* **The longer reading wins**: a match that lies inside a longer match of an unrelated
  category is not evidence — "room" in "room service", 上门 in 上门费, 没修好 (failed) in
  还没修好 (not yet done).

Evidence offsets are offsets into the original text: normalisation keeps the length.

>>> m = compile_matcher(["refund", "check in"], ["rude"], [])
>>> [(s, e) for s, e in [m.search("They refunded me at check-in")]]
[(5, 13)]
>>> m.search("the staff were not rude") is None, m.search("the staff were rude") is not None
(True, True)
"""

from __future__ import annotations

import re
import warnings
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from valueloop.voice.lemma import exact_form, lemma, surface
from valueloop.voice.lexicon import judges
from valueloop.voice.normalize import normalize
from valueloop.voice.tokenize import (
    CLAUSE_CUT,
    NEGATION_REACH,
    NEGATORS_EN,
    NEGATORS_ZH,
    SENTENCE_END,
    is_stopword,
    jieba_words,
)

CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")
SHORT_ZH = 2
"""Chinese keywords this short must sit on word boundaries; longer ones are phrases."""
_WORD = re.compile(r"[a-z0-9\u00c0-\u024f]+(?:['’][a-z]+)?|[^\sa-z0-9\u00c0-\u024f\u2e80-\u9fff]")
_JOINERS = frozenset("-/'’")
"""Marks that may sit between the words of an English phrase (check-in = check in)."""
_SCOPE_END = frozenset({"but", "however", "although", "though", "但", "但是", "可是", "不过", "然而"})
_VERB_NEGATORS = frozenset({"not", "never", "cannot"})
"""Negators of a verb or adjective (and every -n't): their scope stops at a preposition after the
first content word — in "didn't inform me about the delay" the delay is not denied."""
_PREPOSITIONS = frozenset({"about", "after", "before", "for", "from", "with", "despite", "since", "until", "over"})
_ZH_PREFIX = frozenset("很太好真超挺蛮特巨好不没无未别非")
"""Characters that may open a jieba word before a keyword: 很脏 = 很 + 脏, 不干净 = 不 + 干净."""
_ZH_SUFFIX = frozenset("差好坏慢快贵低高大小少多脏乱吵热冷臭旧新满贴棒赞烂")
"""Judgements that may close a jieba word after a keyword: 态度差 = 态度 + 差 (but 卫生间 ≠ 卫生 + 间)."""
_ZH_NEG = frozenset("不没无未别非")
_ZH_BRIDGE = frozenset({"很", "太", "是", "那么", "怎么", "算", "够", "特别", "非常", "也", "都", "还", "再", "就"})
"""Words that may stand between a Chinese negator and what it negates (不是很脏, 没那么吵)."""
Span = tuple[int, int]


@dataclass(frozen=True)
class Evidence:
    """One match of a category in a text: where, and whether it came from a weak keyword."""

    start: int
    end: int
    weak: bool = False
    pattern: bool = False
    """From a regular expression: its stretch may take in context, so it never covers another match."""


@dataclass(frozen=True)
class Word:
    """One English word of a text: its match keys, where it is, whether a negation covers it."""

    key: str
    form: str
    start: int
    end: int
    joined: bool
    """True when only spaces or a joiner separate it from the previous word (a phrase may continue)."""
    negated: bool


@dataclass(frozen=True)
class Text:
    """A text cut once for every category: normalised, English words, Chinese word boundaries."""

    norm: str
    words: tuple[Word, ...]
    bounds: frozenset[int]
    negated_zh: frozenset[int]
    """Start offsets of Chinese words inside a negation's scope."""
    zh_starts: tuple[int, ...]
    """Start offset of the jieba word at each character (for compound words, the word's own start)."""
    at: dict[str, tuple[int, ...]]
    """Indexes into ``words`` by key and by ``=form``: a phrase looks up where its first word is."""


@lru_cache(maxsize=1)
def _jieba() -> Any:
    from valueloop.voice.tokenize import _jieba as shared

    return shared()


@lru_cache(maxsize=1)
def _dictionary() -> dict[str, int]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tk = _jieba()
        tk.check_initialized()
    freq: dict[str, int] = tk.FREQ
    return freq


def _english(norm: str) -> tuple[Word, ...]:
    out: list[Word] = []
    reach, joined, verbal = 0, False, False
    for m in _WORD.finditer(norm):
        tok = m.group()
        if not tok[0].isalnum():
            joined = joined and tok in _JOINERS
            reach = reach if tok in _JOINERS else 0
            continue
        key = lemma(tok.replace("’", "'"))
        if verbal and reach < NEGATION_REACH["en"] and tok in _PREPOSITIONS:
            reach = 0
        negated = reach > 0
        if tok in NEGATORS_EN or tok.endswith(("n't", "n’t")):
            reach, verbal = NEGATION_REACH["en"], tok in _VERB_NEGATORS or tok.endswith(("n't", "n’t"))
        elif tok in _SCOPE_END:
            reach = 0
        elif reach and not is_stopword(tok):
            reach -= 1
        out.append(Word(key, surface(tok), m.start(), m.end(), joined and bool(out), negated))
        joined = True
    return tuple(out)


def _inner_bounds(word: str, start: int) -> Iterable[int]:
    """Boundaries inside a jieba word: after a degree/negation prefix, or between two dictionary words."""
    if len(word) >= 2 and word[0] in _ZH_PREFIX:
        yield start + 1
    if len(word) >= 3 and word[-1] in _ZH_SUFFIX:
        yield start + len(word) - 1
    freq = _dictionary()
    for i in range(2, len(word) - 1):
        if freq.get(word[:i]) and freq.get(word[i:]):
            yield start + i


def _chinese(norm: str) -> tuple[frozenset[int], frozenset[int], tuple[int, ...]]:
    bounds: set[int] = set()
    negated: set[int] = set()
    starts = [0] * (len(norm) + 1)
    pending = False
    for w, s, e in jieba_words(norm):
        bounds.update((s, e))
        bounds.update(_inner_bounds(w, s))
        starts[s:e] = [s] * (e - s)
        if not CJK.search(w):
            pending = pending and w.isspace()
        elif w in NEGATORS_ZH:
            pending = True
        elif w in _SCOPE_END:
            pending = False
        elif w not in _ZH_BRIDGE:
            if pending or (w[0] in _ZH_NEG and len(w) > 1):
                negated.add(s if pending else s + 1)
            pending = False
    return frozenset(bounds), frozenset(negated), tuple(starts)


@lru_cache(maxsize=20_000)
def analyse(text: str) -> Text:
    """The cut of ``text`` every matcher reads (memoised: every category of every taxonomy asks)."""
    norm = normalize(text)
    bounds, negated, starts = _chinese(norm) if CJK.search(norm) else (frozenset(), frozenset(), ())
    words = _english(norm)
    at: dict[str, list[int]] = {}
    for i, w in enumerate(words):
        at.setdefault(w.key, []).append(i)
        at.setdefault(f"={w.form}", []).append(i)
    return Text(norm, words, bounds, negated, starts, {k: tuple(v) for k, v in at.items()})


@dataclass(frozen=True)
class Phrase:
    """One English keyword: the key of each word (``=form`` for a word listed as -ed/-ing)."""

    keys: tuple[str, ...]
    cue: bool
    weak: bool = False


def _phrase(keyword: str, cue: bool, weak: bool = False) -> Phrase | None:
    words = [m.group() for m in _WORD.finditer(keyword) if m.group()[0].isalnum()]
    keys = tuple(f"={surface(w)}" if exact_form(w) else lemma(w) for w in words)
    return Phrase(keys, cue, weak) if keys else None


def _word_is(word: Word, key: str) -> bool:
    return word.form == key[1:] if key.startswith("=") else word.key == key


@dataclass(frozen=True, eq=False)
class Matcher:
    """A category's compiled evidence: English phrases, Chinese keywords (short and long), patterns."""

    phrases: dict[str, tuple[Phrase, ...]]
    """English keywords by the key of their first word, longest first."""
    zh: tuple[tuple[re.Pattern[str], bool, bool], ...]
    """Chinese keywords, complaint cues and weak keywords: one regex each (longest first), with (cue, weak)."""
    patterns: re.Pattern[str] | None

    def search(self, text: str) -> Span | None:
        """The first span of evidence in ``text`` that is not a negated complaint cue; None when none.

        Weak keywords count here as any keyword: weighing them needs the other categories (:func:`settle`).
        """
        found = self.evidence(text)
        return (found[0].start, found[0].end) if found else None

    def evidence(self, text: str) -> tuple[Evidence, ...]:
        """Every match in ``text`` (negated complaint cues left out), in order of position."""
        cut = analyse(text)
        out = self._english(cut) if self.phrases and cut.at else []
        if cut.bounds:
            for regex, cue, weak in self.zh:
                if regex.search(cut.norm):  # most categories find nothing: one scan, no list
                    out += self._zh(cut, regex, cue, weak)
        if self.patterns and self.patterns.search(cut.norm):
            out += [Evidence(*m.span(), pattern=True) for m in self.patterns.finditer(cut.norm) if m.end() > m.start()]
        if len(out) < 2:
            return tuple(out)
        return tuple(sorted(out, key=_position))

    def _english(self, cut: Text) -> list[Evidence]:
        out = []
        words = cut.words
        for key in cut.at:
            for p in self.phrases.get(key, ()):
                n = len(p.keys)
                for i in cut.at[key]:
                    if i + n > len(words):
                        break
                    if not all(_word_is(words[i + j], k) for j, k in enumerate(p.keys[1:], 1)):
                        continue
                    if any(not words[i + j].joined for j in range(1, n)) or (p.cue and words[i].negated):
                        continue
                    out.append(Evidence(words[i].start, words[i + n - 1].end, p.weak))
        return out

    def _zh(self, cut: Text, regex: re.Pattern[str], cue: bool, weak: bool) -> list[Evidence]:
        out = []
        for m in regex.finditer(cut.norm):
            s, e = m.span()
            if e - s <= SHORT_ZH and _inside_a_word(cut, s, e):
                continue
            if cue and (s in cut.negated_zh or (cut.zh_starts[s] in cut.negated_zh and cut.zh_starts[s] < s)):
                continue
            out.append(Evidence(s, e, weak))
        return out


def _position(e: Evidence) -> Span:
    return e.start, e.end


Related = Callable[[str, str], bool]


def settle(text: str, found: Mapping[str, Sequence[Evidence]], related: Related) -> dict[str, Span]:
    """The span each category keeps once the categories' matches in ``text`` are weighed together.

    ``found`` is every category's :meth:`Matcher.evidence`; ``related(a, b)`` is True for a
    category and its ancestors or descendants, which never take evidence from one another.
    Two rules (see the module docstring): a match inside a longer match of an unrelated
    category is dropped (the longer reading wins), and a weak match is kept only in a clause
    that judges something and holds no other category's strong evidence.
    """
    if len(found) == 1 and not any(e.weak for evs in found.values() for e in evs):
        return {c: (evs[0].start, evs[0].end) for c, evs in found.items()}  # the common case: nothing to weigh
    spans = [(c, e) for c, evs in found.items() for e in evs]
    if len(found) > 1:
        hidden = _covered(spans, related)
        spans = [ce for ce in spans if ce not in hidden]
    if any(e.weak for _, e in spans):
        spans = _weigh_weak(analyse(text).norm, spans, related)
    out: dict[str, Span] = {}
    for c, e in spans:  # each category's evidence is in order of position
        if c not in out:
            out[c] = (e.start, e.end)
    return out


def _covered(spans: list[tuple[str, Evidence]], related: Related) -> set[tuple[str, Evidence]]:
    """The matches that an unrelated category's longer keyword match covers.

    One sweep in order of position, holding only the matches that still reach the current
    one, so a long text with many matches costs about its number of matches.
    """
    hidden: set[tuple[str, Evidence]] = set()
    reaching: list[tuple[str, Evidence]] = []
    for c, e in sorted(spans, key=lambda ce: (ce[1].start, -ce[1].end)):
        reaching = [(d, o) for d, o in reaching if o.end > e.start]
        if any(o.end >= e.end and o.end - o.start > e.end - e.start and not related(c, d) for d, o in reaching):
            hidden.add((c, e))
        if not e.pattern:
            reaching.append((c, e))
    return hidden


def _weigh_weak(norm: str, spans: list[tuple[str, Evidence]], related: Related) -> list[tuple[str, Evidence]]:
    """``spans`` without the weak matches their clause does not support (see :func:`settle`)."""
    cuts = list(CLAUSE_CUT.finditer(norm))
    starts, ends = [0, *(m.end() for m in cuts)], [*(m.start() for m in cuts), len(norm)]
    owners: list[set[str]] = [set() for _ in starts]
    for c, e in spans:
        if not e.weak:
            owners[bisect_right(starts, e.start) - 1].add(c)
    for i in range(1, len(owners)):
        if not owners[i] and not SENTENCE_END.search(cuts[i - 1].group()):
            owners[i] = owners[i - 1]
    judged: dict[int, bool] = {}
    kept = []
    for c, e in spans:
        i = bisect_right(starts, e.start) - 1
        if e.weak:
            if not all(related(c, o) for o in owners[i]):
                continue
            if i not in judged:
                judged[i] = judges(norm[starts[i] : ends[i]])
            if not judged[i]:
                continue
        kept.append((c, e))
    return kept


def _inside_a_word(cut: Text, s: int, e: int) -> bool:
    """True when ``s:e`` lies within one jieba word and not on its compound boundaries (卫生 in 卫生间).

    A keyword straddling two words is kept: jieba's choice between two readings (被盗|刷 or
    被|盗刷) is a guess, a keyword cut out of the middle of one word is not.
    """
    return cut.zh_starts[s] == cut.zh_starts[e - 1] and not (s in cut.bounds and e in cut.bounds)


def _zh_regex(words: list[str]) -> re.Pattern[str] | None:
    cjk = sorted({w for w in words if CJK.search(w)}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, cjk))) if cjk else None


def compile_matcher(keywords: list[str], cues: list[str], patterns: list[str], weak: Sequence[str] = ()) -> Matcher:
    """The matcher of one category from its normalised keywords, complaint cues, regexes and weak keywords.

    A bad regular expression raises :class:`re.error`; the taxonomy loader names the place.
    """
    phrases = [_phrase(w, False) for w in keywords if not CJK.search(w)]
    phrases += [_phrase(w, True) for w in cues if not CJK.search(w)]
    phrases += [_phrase(w, False, True) for w in weak if not CJK.search(w)]
    by_first: dict[str, list[Phrase]] = {}
    for p in sorted({p for p in phrases if p}, key=lambda p: -len(p.keys)):
        by_first.setdefault(p.keys[0], []).append(p)
    kinds = ((_zh_regex(keywords), False, False), (_zh_regex(cues), True, False), (_zh_regex(list(weak)), False, True))
    return Matcher(
        {k: tuple(v) for k, v in by_first.items()},
        tuple((regex, cue, is_weak) for regex, cue, is_weak in kinds if regex is not None),
        re.compile("|".join(patterns)) if patterns else None,
    )
