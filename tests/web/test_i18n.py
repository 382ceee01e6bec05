"""One set of locale codes: ``zh``/``en`` inside, ``zh-CN`` and the usual spellings accepted as input."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from valueloop.http.schemas import ReportCreate
from valueloop.http.web.i18n import MESSAGES, Translator
from valueloop.reporting.labels import LABELS, label
from valueloop.reporting.schedule import Schedule
from valueloop.spec.locale import LANGS, lang_of


@pytest.mark.parametrize(
    ("raw", "lang"),
    [
        ("zh", "zh"),
        ("zh-CN", "zh"),
        ("zh_cn", "zh"),
        ("zh-Hans", "zh"),
        ("en", "en"),
        ("EN-us", "en"),
        ("fr", None),
        ("", None),
        (None, None),
    ],
)
def test_every_spelling_maps_to_one_code(raw: str | None, lang: str | None) -> None:
    assert lang_of(raw) == lang


def test_page_messages_and_report_labels_use_the_same_codes() -> None:
    assert all(set(entry) == set(LANGS) for entry in MESSAGES.values())
    assert all(set(entry) == set(LANGS) for entry in LABELS.values())


@pytest.mark.parametrize("raw", ["zh", "zh-CN"])
def test_pages_take_either_spelling_and_declare_the_page_tag(raw: str) -> None:
    tr = Translator(raw)
    assert (tr.locale, tr.html_lang, tr.zh) == ("zh", "zh-CN", True)
    assert tr.t("alerts") == "实时告警"
    assert Translator("en-US").t("alerts") == "Alerts"
    assert Translator("fr").locale == "zh"


@pytest.mark.parametrize("raw", ["zh", "zh-CN"])
def test_reports_take_either_spelling(raw: str) -> None:
    assert ReportCreate(period="2026-10", lang=raw).lang == "zh"
    sched = Schedule(name="s", cron="0 8 1 * *", webhook="https://example.com/h", lang=raw)
    assert sched.lang == "zh"
    assert label("summary", sched.lang) == "执行摘要"


def test_an_unknown_language_is_still_refused() -> None:
    with pytest.raises(ValidationError, match="lang"):
        ReportCreate(period="2026-10", lang="fr")
