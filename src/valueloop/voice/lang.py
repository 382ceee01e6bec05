"""Which language a feedback text is in: ``zh``, ``en``, ``mixed`` or ``unknown``.

Why not a general language identifier: service feedback here is Chinese, English or a
mix of both ("APP一直闪退", "客服 very slow"), and what matters downstream is only
which tokenizer and stopword list to use. Counting Han characters against Latin words
answers that in microseconds and never needs a model.

>>> detect_language("送餐很快，味道很好"), detect_language("Great service"), detect_language("客服 very slow")
('zh', 'en', 'mixed')
>>> detect_language("APP一直闪退"), detect_language("😀👍"), detect_language("")
('zh', 'unknown', 'unknown')
"""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["zh", "en", "mixed", "unknown"]

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN_WORD = re.compile(r"[A-Za-z\uff21-\uff3a\uff41-\uff5a]{2,}")
MIXED_SHARE = 0.25
"""A text is mixed when the minority script makes up more than this share of its units
(one Han character or one Latin word each); below it, the majority wins."""


def script_units(text: str) -> tuple[int, int]:
    """(Han characters, Latin words of two letters or more)."""
    return len(HAN.findall(text)), len(LATIN_WORD.findall(text))


def detect_language(text: str) -> Language:
    han, latin = script_units(text)
    total = han + latin
    if total == 0:
        return "unknown"
    if latin <= MIXED_SHARE * total:
        return "zh"
    if han <= MIXED_SHARE * total / 2:
        return "en"
    return "mixed"
