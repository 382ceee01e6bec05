"""Keywords contrast negative with positive texts; aspects and evidence spans point at the right characters."""

from __future__ import annotations

from collections import Counter

from valueloop.voice.aspects import clauses, negative_aspects
from valueloop.voice.keywords import contrast_keywords, log_odds

NEG = ["送餐太慢了，菜不好吃", "等了两个小时，不好吃", "骑手送错地址，菜都凉了", "不好吃，送餐慢"] * 3
POS = ["送餐很快，菜很好吃", "好吃，送餐准时", "味道好吃，骑手很有礼貌", "好吃好吃"] * 3


def test_negated_word_ranks_and_positive_word_does_not() -> None:
    kws = contrast_keywords(NEG + POS, [True] * len(NEG) + [False] * len(POS))["all"]
    terms = [k.term for k in kws]
    assert "不好吃" in terms
    assert "好吃" not in terms


def test_keyword_evidence_spans() -> None:
    texts = NEG + POS
    for k in contrast_keywords(texts, [True] * len(NEG) + [False] * len(POS))["all"]:
        for e in k.evidence:
            assert texts[e.row][e.start : e.end] == e.text
            assert e.row < len(NEG)


def test_groups_are_separate() -> None:
    out = contrast_keywords(NEG + POS, [True] * len(NEG) + [False] * len(POS), ["a"] * 12 + ["b"] * 12)
    assert set(out) == {"a", "b"}
    assert out["b"] == []  # group b has no negative texts


def test_log_odds_prior_shrinks_rare_terms() -> None:
    prior = Counter({"a": 100, "b": 2})
    lo = log_odds(Counter({"a": 50, "b": 1}), Counter({"a": 5, "b": 0}), 100, 100, prior)
    assert lo["a"][1] > lo["b"][1] > 0


def test_clauses_offsets() -> None:
    text = "菜很好吃，但是送餐太慢了。The bot was useless"
    for c in clauses(text):
        assert text[c.start : c.end] == c.text


def test_negative_aspect_only_in_the_negative_clause() -> None:
    text = "菜很好吃，但是送餐太慢了"
    tags = negative_aspects(text)
    assert [t.aspect for t in tags] == ["logistics"]
    assert text[tags[0].start : tags[0].end] == "送餐"
    assert text[tags[0].clause_start : tags[0].clause_end] == "但是送餐太慢了"


def test_positive_text_has_no_negative_aspects() -> None:
    assert negative_aspects("客服很耐心，讲解得很清楚，物流也很快") == []
