"""Matching on tokens: English words by lemma, Chinese on jieba boundaries, negated complaint cues dropped."""

from __future__ import annotations

import pytest

from valueloop.voice.matching import compile_matcher
from valueloop.voice.taxonomy import classify, load_taxonomy, shipped


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


@pytest.mark.parametrize(
    ("keyword", "found", "not_found"),
    [
        ("refund", ["refund", "refunded", "refunds", "refunding"], ["refundable"]),
        ("charge", ["charge", "charged", "charges", "charging"], ["chart"]),
        ("delay", ["delay", "delayed", "delays", "delaying"], ["relay"]),
        ("reply", ["replied", "replies", "replying"], ["repl"]),
        ("stop", ["stopped", "stopping", "stops"], ["stoop"]),
        ("cancel", ["cancelled", "canceled", "cancels"], ["canceler"]),
        ("fee", ["fees"], ["feed", "feel", "feet", "coffee"]),
        ("bot", ["bots"], ["both", "bottom", "robot"]),
        ("the app", ["the app", "the apps"], ["the apple", "the application"]),
        ("rude", ["rude"], ["crude"]),
        ("fault", ["faults"], ["default"]),
        ("parking", ["parking"], ["the park", "parked"]),
        ("check in", ["checked in", "check-in", "checking in"], ["check, in", "checkin"]),
    ],
)
def test_lemmas_find_inflections_and_only_them(keyword: str, found: list[str], not_found: list[str]) -> None:
    m = compile_matcher([keyword], [], [])
    assert all(m.search(f"so {t} here") == (3, 3 + len(t)) for t in found), keyword
    assert all(m.search(f"so {t} here") is None for t in not_found), keyword


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("the staff were not rude", False),
        ("no problem with the delivery being late", False),
        ("the courier wasn't late", False),
        ("the courier wasn’t late", False),
        ("never rude, always late", True),
        ("the staff were rude", True),
        ("not cheap, but the staff were rude", True),
        ("房间不脏", False),
        ("房间一点都不脏", False),
        ("房间很脏", True),
        ("前台不耐烦", True),
    ],
)
def test_a_complaint_cue_in_a_negation_scope_is_not_evidence(text: str, found: bool) -> None:
    m = compile_matcher([], ["rude", "late", "脏", "不耐烦"], [])
    assert (m.search(text) is not None) is found


def test_a_topic_keyword_in_a_negation_scope_still_tags_its_topic() -> None:
    tags = {t.category: t for t in classify("No problem with the delivery", lang="en")}
    assert tags["logistics"].match == "delivery"


@pytest.mark.parametrize(
    ("text", "category", "tagged"),
    [
        ("打不开房间门", "rooms", True),
        ("卫生间很干净", "cleanliness", True),
        ("卫生间有点小", "cleanliness", False),
        ("卫生很差", "cleanliness", True),
        ("我有心脏病", "cleanliness", False),
        ("房间很脏", "cleanliness", True),
        ("贵宾厅不错", "price", False),
    ],
)
def test_short_chinese_keywords_sit_on_word_boundaries(text: str, category: str, tagged: bool) -> None:
    cats = load_taxonomy(shipped("hotel"))
    assert (category in {t.category for t in classify(text, cats)}) is tagged


def test_evidence_is_an_exact_span_of_the_original_text() -> None:
    text = "ＴＨＥ  App crashed; 又是退款到账慢 and I was Refunded twice"
    for tag in classify(text, lang="en"):
        assert text[tag.start : tag.end] == tag.match
    assert {t.match for t in classify(text)} >= {"ＴＨＥ  App", "退款"}
    assert [t.match for t in classify("I was Refunded twice", lang="en")] == ["Refunded"]


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
