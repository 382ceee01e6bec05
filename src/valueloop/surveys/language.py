"""The language a respondent reads: the link's ``?lang=``, else the browser's ``Accept-Language``, else the survey's."""

from __future__ import annotations

from collections.abc import Sequence

from valueloop.surveys.spec import ALIASES, Language


def pick_language(asked: str | None, accept: str, offered: Sequence[Language]) -> Language:
    """``asked`` when offered; else the browser's preferred offered language (q-values honoured); else ``offered[0]``.

    >>> pick_language(None, "en-US,en;q=0.9,zh-CN;q=0.8", ("zh", "en"))
    'en'
    >>> pick_language("zh-CN", "en", ("zh", "en"))
    'zh'
    """
    if asked:
        want = _base(asked)
        if want in offered:
            return want  # type: ignore[return-value]
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(accept.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        ranked.append((-q, i, _base(tag)))
    for q, _, lang in sorted(ranked):
        if q < 0 and lang in offered:
            return lang  # type: ignore[return-value]
    return offered[0]


def _base(tag: str) -> str:
    tag = tag.strip().lower()
    return ALIASES.get(tag, tag.split("-")[0].split("_")[0])
