"""Aspect-level polarity: every topic evidence span gets the sentiment of its own clause, not the text's."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from valueloop.voice.analysis import analyze_text, analyze_texts
from valueloop.voice.aspects import clauses, topic_polarity
from valueloop.voice.service import text as ft
from valueloop.voice.taxonomy import classify, load_taxonomy, shipped

HOTEL = load_taxonomy(shipped("hotel"))


@pytest.mark.parametrize(
    ("text", "lang", "want"),
    [
        ("The room was spacious but breakfast was cold", "en", {"rooms": "positive", "breakfast": "negative"}),
        ("The staff were friendly but the room was noisy", "en", {"service": "positive", "noise": "negative"}),
        ("Great location, however the room was dirty", "en", {"location": "positive", "cleanliness": "negative"}),
        ("房间很干净，但是早餐太难吃了", "zh", {"cleanliness": "positive", "breakfast": "negative"}),
        ("床很舒服，就是隔音太差", "zh", {"rooms": "positive", "noise": "negative"}),
        ("The room was great but breakfast was cold", "en", {"rooms": "positive", "breakfast": "negative"}),
        ("房间挺好的，就是隔音太差", "zh", {"rooms": "positive", "noise": "negative"}),
        ("位置很好，不过前台态度很差", "zh", {"location": "positive", "front_desk": "negative"}),
    ],
)
def test_each_topic_gets_the_polarity_of_its_clause(text: str, lang: str, want: dict[str, str]) -> None:
    got = {t.category: t.label for t in topic_polarity(text, classify(text, HOTEL, lang))}
    assert {k: got.get(k) for k in want} == want
    for t in topic_polarity(text, classify(text, HOTEL, lang)):
        assert t.clause_start <= t.start < t.end <= t.clause_end and text[t.start : t.end] == t.match


def test_contrast_words_end_a_clause() -> None:
    assert [c.text for c in clauses("挺好的，就是有点贵")] == ["挺好的", "就是有点贵"]
    assert [c.text.strip() for c in clauses("Clean room but noisy")] == ["Clean room", "but noisy"]


def test_a_one_clause_text_reuses_the_text_sentiment() -> None:
    a = analyze_text("早餐太难吃了", taxonomy=HOTEL)
    assert [(t.category, t.label, t.score) for t in a.topics] == [("breakfast", "negative", a.sentiment.score)]


def test_analysis_result_carries_topic_polarity() -> None:
    (a,) = analyze_texts(["The room was spacious but breakfast was cold"], taxonomy=HOTEL)
    assert {t.category: t.label for t in a.topics}.items() >= {"rooms": "positive", "breakfast": "negative"}.items()
    assert {t.category for t in a.topics} == set(a.categories)


def test_tags_output_gives_each_category_its_polarity(tmp_path: Path) -> None:
    file = tmp_path / "t.csv"
    with file.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["text"], ["房间很干净，但是早餐太难吃了"]])
    (row,) = ft.tag_file(file, "text", None, "hotel")
    got = {c.category: c.polarity for c in row.categories}
    assert got["cleanliness"] == "positive" and got["breakfast"] == "negative"
    assert {"category", "name", "start", "end", "match", "polarity_score"} <= set(row.categories[0].model_dump())


def test_polarity_counts_count_a_text_once_per_topic() -> None:
    results = analyze_texts(["房间很干净，但是早餐太难吃了", "早餐很丰富", "早餐一般，早餐很贵"], taxonomy=HOTEL)
    counts = ft.topic_polarity_counts(results)
    assert counts["breakfast"]["positive"] == 1 and counts["breakfast"]["negative"] == 2
    assert counts["cleanliness"] == {"positive": 1, "neutral": 0, "negative": 0}
