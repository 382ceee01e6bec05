"""Normalisation keeps length, language detection, tokens with negation and evidence spans."""

from __future__ import annotations

import pytest

from valueloop.voice.lang import detect_language
from valueloop.voice.normalize import normalize
from valueloop.voice.taxonomy import classify, load_taxonomy
from valueloop.voice.tokenize import terms


@pytest.mark.parametrize(
    "text", ["ＡＢＣ１２３，服務態度極差", "İstanbul 很好", "\x00\x01垃圾\ufeff", "😀👍", "", "頭髮"]
)
def test_normalize_keeps_length(text: str) -> None:
    assert len(normalize(text)) == len(text)


def test_normalize_maps() -> None:
    assert normalize("ＡＢＣ１２３，服務態度極差") == "abc123,服务态度极差"


@pytest.mark.parametrize(
    ("text", "lang"),
    [("送餐很快", "zh"), ("Great service", "en"), ("客服 very slow", "mixed"), ("APP闪退了", "zh"), ("!!!", "unknown")],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_negation_is_not_the_positive_word() -> None:
    words = [t.text for t in terms("这家店的菜不好吃，没有解决问题")]
    assert "好吃" not in words
    assert "不好吃" in words


def test_english_negation_spans() -> None:
    text = "The agent was not helpful at all"
    t = next(t for t in terms(text) if t.text == "not helpful")
    assert text[t.start : t.end] == "not helpful"


def test_stopwords_are_dropped() -> None:
    assert not {"的", "了", "the", "was"} & {t.text for t in terms("The staff was 的了 nice")}


def test_taxonomy_evidence_points_at_the_words() -> None:
    text = "又是退款到账慢，已经7天了，客服态度很差"
    for tag in classify(text):
        assert text[tag.start : tag.end] == tag.match
    assert {"refund", "refund/refund_delay", "attitude"} <= {t.category for t in classify(text)}


def test_taxonomy_on_traditional_and_fullwidth() -> None:
    tags = classify("ＡＰＰ老是閃退")
    assert [t.category for t in tags] == ["app"]
    assert tags[0].match == "ＡＰＰ"


def test_taxonomy_loads_with_children() -> None:
    ids = {c.id for c in load_taxonomy()}
    assert "refund/refund_delay" in ids
    assert all(c.parent is None or c.parent in ids for c in load_taxonomy())
