"""Sentiment: every bad input gets a result, scores and labels agree, the shipped model is small and fast."""

from __future__ import annotations

import time

import pytest

from valueloop.voice.model import load_model
from valueloop.voice.resources import path
from valueloop.voice.sentiment import NEUTRAL_BAND, analyze, analyze_one, label_of

BAD = [
    ("", "empty"),
    ("   \n\t", "empty"),
    (None, "empty"),
    (float("nan"), "empty"),
    ("😡😡", "emoji_only"),
    ("!!!???", "no_words"),
    ("\x00\x01\x02\x03\x04\x05\x06abc", "unreadable"),
    (b"\xff\xfe\x00\x00", "unreadable"),
    ("好" * 100_000, "truncated"),
]


@pytest.mark.parametrize(("text", "reason"), BAD)
def test_bad_input_gets_a_result_and_a_reason(text: object, reason: str) -> None:
    s = analyze_one(text)
    assert s.reason == reason
    assert -1.0 <= s.score <= 1.0
    assert s.label == label_of(s.score)


def test_mixed_and_numbers_are_scored() -> None:
    for s in analyze(["客服 very slow, 很不满意", 12345, "Great service, 谢谢"]):
        assert -1.0 <= s.score <= 1.0
        assert s.reason is None


def test_obvious_cases() -> None:
    got = [
        s.label
        for s in analyze(["送餐很快，味道很好", "等了两个小时，客服态度很差", "不好吃", "Great service, thank you"])
    ]
    assert got == ["positive", "negative", "negative", "positive"]


def test_neutral_band() -> None:
    assert label_of(NEUTRAL_BAND - 0.01) == "neutral"
    assert label_of(-NEUTRAL_BAND) == "negative"
    assert label_of(NEUTRAL_BAND) == "positive"


def test_model_is_small_loads_fast_and_has_a_card() -> None:
    file = path("models", "sentiment.npz")
    assert file.stat().st_size < 5_000_000
    t = time.perf_counter()
    model = load_model(file)
    assert time.perf_counter() - t < 1.0
    assert model.card["trained_on"] and model.blend is not None
    assert {d["file"] for d in model.card["trained_on"]} == {
        "waimai_10k.csv",
        "online_shopping_9_cats.csv",
        "uci_sentiment_labelled_sentences.csv",
    }


def test_deterministic() -> None:
    texts = ["送餐很快，味道很好", "一般般", "The app keeps crashing"]
    assert analyze(texts) == analyze(texts)


def test_card_records_leave_one_domain_out_accuracy() -> None:
    """Every domain was held out once; the blend beats the n-grams alone on English and is no worse on Chinese."""
    rows = load_model(path("models", "sentiment.npz")).card["leave_one_domain_out"]
    assert len(rows) == 13
    for lang, floor in (("zh", 0.88), ("en", 0.85)):
        mine = [r for r in rows if r["lang"] == lang]
        after = sum(r["accuracy_after"] for r in mine) / len(mine)
        assert after >= floor and after >= sum(r["accuracy_before"] for r in mine) / len(mine)
        assert sum(r["neutral_after"] for r in mine) / len(mine) < 0.12
