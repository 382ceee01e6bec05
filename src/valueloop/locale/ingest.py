"""Why an uploaded row was quarantined, in the reader's language: the known reasons of ``valueloop.ingest``.

The ingest checks write their reasons in English with the offending value inlined (``'abc' is not a
finite number``), as the CLI and the API have always answered. A page in Chinese shows them through
:data:`REASONS`: one pattern per known reason, its captured parts put into the Chinese words
(``static/upload.js`` applies the same patterns, sent with the page). A reason no pattern knows
is shown as it is.
"""

from __future__ import annotations

import re
from typing import Final

from valueloop.locale.codes import Lang

REASONS: Final[tuple[tuple[str, dict[str, str]], ...]] = (
    (r"^required value is missing$", {"zh": "缺少必填值", "en": "required value is missing"}),
    (r"^contains a NUL byte \(\\x00\)$", {"zh": "包含空字符 (\\x00)", "en": "contains a NUL byte (\\x00)"}),
    (r"^(.+) is not a finite number$", {"zh": "{1} 不是有效数值（无穷或非数）", "en": "{1} is not a finite number"}),
    (r"^(.+) is out of the int64 range$", {"zh": "{1} 超出整数范围", "en": "{1} is out of the int64 range"}),
    (
        r"^(.+) is not a plausible time \(outside the years 1900–2100\)$",
        {
            "zh": "{1} 不是合理的时间（不在 1900–2100 年之间）",
            "en": "{1} is not a plausible time (outside the years 1900–2100)",
        },
    ),
    (r"^(.+) is a negative duration$", {"zh": "{1} 是负的时长", "en": "{1} is a negative duration"}),
    (r"^cannot read (.+) as int$", {"zh": "无法将 {1} 读作整数", "en": "cannot read {1} as int"}),
    (r"^cannot read (.+) as float$", {"zh": "无法将 {1} 读作数值", "en": "cannot read {1} as float"}),
    (r"^cannot read (.+) as bool$", {"zh": "无法将 {1} 读作是/否", "en": "cannot read {1} as bool"}),
    (r"^cannot read (.+) as timestamp$", {"zh": "无法将 {1} 读作日期时间", "en": "cannot read {1} as timestamp"}),
    (
        r"^cannot read (.+) as a duration \(H:MM:SS, MM:SS or seconds\)$",
        {
            "zh": "无法将 {1} 读作时长（时:分:秒、分:秒或秒数）",
            "en": "cannot read {1} as a duration (H:MM:SS, MM:SS or seconds)",
        },
    ),
    (r"^(.+) is not one of (.+)$", {"zh": "{1} 不在允许的取值中：{2}", "en": "{1} is not one of {2}"}),
    (r"^(.+) is out of range (.+)$", {"zh": "{1} 超出范围 {2}", "en": "{1} is out of range {2}"}),
    (
        r"^unbalanced quote starting at line (\d+)$",
        {"zh": "第 {1} 行开始的引号未闭合", "en": "unbalanced quote starting at line {1}"},
    ),
    (r"^(\S+) (.+) is before (\S+) (.+)$", {"zh": "{1} {2} 早于 {3} {4}", "en": "{1} {2} is before {3} {4}"}),
    (r"^(\S+) (.+) is less than (\S+) (.+)$", {"zh": "{1} {2} 小于 {3} {4}", "en": "{1} {2} is less than {3} {4}"}),
)
"""(pattern of the English reason, its words per language with ``{n}`` for the n-th captured part)."""
_COMPILED: Final = tuple((re.compile(p), words) for p, words in REASONS)


def reason_text(reason: str, lang: Lang) -> str:
    """``reason`` (as the ingest checks wrote it) in ``lang``; unchanged when no known pattern matches."""
    for pattern, words in _COMPILED:
        if m := pattern.match(reason):
            return re.sub(r"\{(\d+)\}", lambda g: m.group(int(g.group(1))), words[lang])
    return reason
