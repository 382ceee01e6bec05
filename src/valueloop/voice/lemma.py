"""English match keys: a small rule-based lemmatiser so a keyword finds its inflections.

Why rules and not a dictionary: the taxonomy lists base forms (refund, charge, delay) and
must find refunded / refunds / refunding, charged, delayed in customer text, offline and in
microseconds. Both the keyword and the text word go through :func:`lemma`, so the key only
has to be *consistent*, not a dictionary word: the rules are Porter's step 1 (plural, -ed,
-ing with its e-restoration and undoubling, final y → i) plus dropping a final silent e,
which is what makes charge / charged / charging one key. Guards keep short words apart:
"fee" is not "feed" or "feel", "bot" not "both", "rude" not "crude".

A keyword written in an -ed or -ing form (parking, booking, checked in) is taken as meant:
:func:`exact_form` tells the matcher to find that form (and its plural) only, so "parking"
does not fire on "the park" — list the base form to get every inflection.

>>> [lemma(w) for w in ("refund", "refunded", "refunds", "refunding")]
['refund', 'refund', 'refund', 'refund']
>>> {lemma(w) for w in ("charge", "charged", "charges", "charging")}
{'charg'}
>>> [lemma(w) for w in ("delayed", "replied", "stopped", "hoping", "fees", "feed", "crude")]
['delay', 'repli', 'stop', 'hope', 'fee', 'feed', 'crude']
"""

from __future__ import annotations

from functools import lru_cache

IRREGULAR = {
    "paid": "pay", "bought": "buy", "sent": "send", "spent": "spend", "sold": "sell", "told": "tell",
    "took": "take", "taken": "take", "gave": "give", "given": "give", "got": "get", "gotten": "get",
    "broke": "break", "broken": "broken", "fell": "fall", "fallen": "fall",
    "lost": "lose", "stolen": "steal", "stole": "steal",
    "teeth": "tooth", "feet": "foot", "mice": "mouse", "children": "child", "people": "person",
    "doing": "do", "going": "go", "being": "be", "was": "be", "were": "be", "is": "be", "are": "be",
}  # fmt: skip
"""Forms the rules cannot derive. ``broken`` stays itself: "broken" (damaged) is not "break"."""
_VOWELS = frozenset("aeiou")
_NO_UNDOUBLE = frozenset("lsz")


def _is_consonant(word: str, i: int) -> bool:
    c = word[i]
    if c in _VOWELS:
        return False
    return c != "y" or i == 0 or not _is_consonant(word, i - 1)


def _measure(stem: str) -> int:
    """Porter's m: the number of vowel-consonant sequences in ``stem``."""
    kinds = "".join("c" if _is_consonant(stem, i) else "v" for i in range(len(stem)))
    return kinds.replace("cc", "c").count("vc") if kinds else 0


def _has_vowel(stem: str) -> bool:
    return any(not _is_consonant(stem, i) for i in range(len(stem)))


def _cvc(stem: str) -> bool:
    """Ends consonant-vowel-consonant, the last not w, x or y (hop, but not show)."""
    return (
        len(stem) >= 3
        and _is_consonant(stem, -1 % len(stem))
        and not _is_consonant(stem, len(stem) - 2)
        and _is_consonant(stem, len(stem) - 3)
        and stem[-1] not in "wxy"
    )


def _plural(word: str) -> str:
    if word.endswith("sses") or (word.endswith("ies") and len(word) > 4):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def _suffix(word: str) -> str:
    """Porter's step 1b: -eed, -ed, -ing, with e-restoration (hoping → hope) and undoubling (stopped → stop)."""
    if word.endswith("eed"):
        return word[:-1] if _measure(word[:-3]) > 0 else word
    for ending in ("ed", "ing"):
        stem = word[: -len(ending)]
        if word.endswith(ending) and _has_vowel(stem) and len(stem) >= 2:
            if stem.endswith(("at", "bl", "iz")) or len(stem) == 2 or (_measure(stem) == 1 and _cvc(stem)):
                return stem + "e"
            if len(stem) > 2 and stem[-1] == stem[-2] and _is_consonant(stem, len(stem) - 1):
                keep = stem[-1] in _NO_UNDOUBLE and not (stem[-1] == "l" and _measure(stem[:-1]) > 1)
                return stem if keep else stem[:-1]  # stopped → stop, cancelled → cancel, but called
            return stem
    return word


def exact_form(word: str) -> bool:
    """True when ``word`` is itself an -ed or -ing form: the keyword then matches that form only."""
    return word not in IRREGULAR and _suffix(_plural(word)) != _plural(word)


@lru_cache(maxsize=50_000)
def lemma(word: str) -> str:
    """The match key of one lower-case English word (see the module docstring)."""
    if word in IRREGULAR:
        return IRREGULAR[word]
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) <= 3 or not word.isalpha():
        return word
    stem = _suffix(_plural(word))
    if stem.endswith("y") and len(stem) > 2 and _is_consonant(stem, len(stem) - 2):
        stem = stem[:-1] + "i"
    if stem.endswith("e") and not stem.endswith("ee") and len(stem) > 3 and (m := _measure(stem[:-1])) > 0:
        stem = stem[:-1] if m > 1 or not _cvc(stem[:-1]) else stem
    return stem


def surface(word: str) -> str:
    """The key of a word listed in an -ed/-ing form: itself without a plural ending (bookings → booking)."""
    return _plural(word)
