"""The one message catalogue: one set of codes, one lookup, the pages' and the report's words in one place."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import valueloop
from valueloop.http.web.i18n import MESSAGES, Translator
from valueloop.locale import LANGS, PAGES, REPORT, reason_text, text
from valueloop.locale.ingest import REASONS
from valueloop.reporting.labels import label

SRC = Path(valueloop.__file__).parent


def test_pages_and_reports_read_one_catalogue_with_one_set_of_codes() -> None:
    assert MESSAGES is PAGES
    for section in (PAGES, REPORT):
        assert all(set(entry) == set(LANGS) for entry in section.values())
    assert Translator("zh-CN").t("alerts") == text("alerts", "zh") == "实时告警"
    assert label("summary", "en") == text("summary", "en", "report") == "Executive summary"
    assert text("no_such_key", "zh") == "no_such_key"


def test_no_other_translation_table_is_left() -> None:
    """Words live in valueloop/locale: no module elsewhere spells a message with the page tag or as (zh, en) rows."""
    for path in SRC.rglob("*.py"):
        if path.is_relative_to(SRC / "locale"):
            continue
        source = path.read_text(encoding="utf-8")
        assert '"zh-CN":' not in source, path
        assert not re.search(r"^[A-Z_]+: dict\[str, tuple\[str, str\]\] = \{", source, flags=re.M), path


ROWS = [
    ("required value is missing", "缺少必填值"),
    ("'abc' is not a finite number", "'abc' 不是有效数值（无穷或非数）"),
    ("cannot read 'x1' as timestamp", "无法将 'x1' 读作日期时间"),
    (
        "cannot read '1:2:3:4' as a duration (H:MM:SS, MM:SS or seconds)",
        "无法将 '1:2:3:4' 读作时长（时:分:秒、分:秒或秒数）",
    ),
    ("'vip' is not one of gold, silver", "'vip' 不在允许的取值中：gold, silver"),
    ("'12' is out of range 0..10", "'12' 超出范围 0..10"),
    ("unbalanced quote starting at line 7", "第 7 行开始的引号未闭合"),
    ("closed_at '2026-01-01' is before opened_at '2026-02-01'", "closed_at '2026-01-01' 早于 opened_at '2026-02-01'"),
    ("something new", "something new"),
]


@pytest.mark.parametrize(("reason", "zh"), ROWS)
def test_upload_reasons_are_worded_in_chinese(reason: str, zh: str) -> None:
    assert reason_text(reason, "zh") == zh
    assert reason_text(reason, "en") == reason


def test_every_reason_the_ingest_checks_write_has_a_pattern() -> None:
    """The reason templates in valueloop.ingest (a ``{!r}`` value or a fixed text) are each matched by a pattern."""
    from valueloop.ingest import coerce, validate

    written = [coerce.IMPLAUSIBLE, coerce.NOT_FINITE, coerce.OUT_OF_INT64, validate.NUL_REASON]
    for template in written:
        reason = template.replace("{!r}", "'v'")
        assert any(re.match(p, reason) for p, _ in REASONS), reason
        assert reason_text(reason, "zh") != reason, reason
