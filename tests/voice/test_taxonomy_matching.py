"""English keywords match whole words (with simple inflections); Chinese keywords stay substrings."""

from __future__ import annotations

import pytest

from valueloop.voice.taxonomy import classify, keyword_regex


def _cats(text: str) -> set[str]:
    return {t.category for t in classify(text, lang="en")}


def test_the_issue_sentence_has_no_price_and_no_bot() -> None:
    assert _cats("I feel great, both of us loved the coffee") == set()


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("my feet are cold", "price"),
        ("a good coffee", "price"),
        ("at the bottom of the box", "bot"),
        ("I ate the apple", "app"),
        ("crude oil", "attitude"),
        ("the default settings", "technical"),
    ],
)
def test_a_keyword_inside_another_word_does_not_match(text: str, absent: str) -> None:
    assert absent not in _cats(text)


@pytest.mark.parametrize(
    ("text", "category", "match"),
    [
        ("the fees were high", "price", "fees"),
        ("I was refunded late", "refund", "refunded"),
        ("refunds take weeks", "refund", "refunds"),
        ("the bot is useless", "bot", "bot"),
        ("the app keeps crashing", "app", "the app"),
        ("rude staff", "attitude", "rude"),
        ("a FAULT again", "technical", "FAULT"),
    ],
)
def test_whole_words_and_inflections_match_with_exact_evidence(text: str, category: str, match: str) -> None:
    tags = {t.category: t for t in classify(text, lang="en")}
    assert tags[category].match == match
    assert text[tags[category].start : tags[category].end] == match


def test_short_words_take_the_plural_only_and_e_is_dropped_before_ing() -> None:
    import re

    assert re.fullmatch(keyword_regex("fee"), "fees") and not re.search(keyword_regex("fee"), "feed")
    assert re.fullmatch(keyword_regex("charge"), "charging")
    assert re.fullmatch(keyword_regex("reply"), "replied")


def test_chinese_keywords_stay_substrings_and_latin_words_next_to_chinese_match() -> None:
    assert [(t.category, t.match) for t in classify("又是退款到账慢")] == [
        ("refund", "退款"),
        ("refund/refund_delay", "退款到账"),
    ]
    assert "app" in {t.category for t in classify("app闪退了")}


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("way overpriced", "price"),
        ("it was inexpensive", "price"),
        ("a bit pricey", "price"),
        ("treated rudely", "attitude"),
    ],
)
def test_word_boundaries_keep_the_related_words_the_lexicon_lists(text: str, category: str) -> None:
    assert category in _cats(text)
