"""TF-IDF against a background corpus and TextRank: the maths by hand, evidence spans on the right characters."""

from __future__ import annotations

import math

import numpy as np
import pytest

from valueloop.voice.keyphrases import (
    cooccurrence_graph,
    idf_table,
    pagerank,
    textrank_keywords,
    tfidf_keywords,
)

EN = [
    "The refund process is far too complicated",
    "My refund request was rejected, refund process unclear",
    "The chatbot kept giving wrong answers",
    "Refund process took weeks and the chatbot was useless",
]
ZH = ["退款流程太复杂，要填一堆资料", "退款流程太麻烦", "客服态度很差，退款流程也慢", "APP老是闪退"]


def _power_iteration(nodes: list[str], edges: dict[tuple[str, str], float], d: float = 0.85) -> np.ndarray:
    """PageRank with an explicit transition matrix: s = (1-d)/N + d (Mᵀ s + dangling/N)."""
    n = len(nodes)
    w = np.zeros((n, n))
    for (a, b), x in edges.items():
        w[nodes.index(a), nodes.index(b)] = x
        w[nodes.index(b), nodes.index(a)] = x
    out = w.sum(axis=1)
    m = np.divide(w, out[:, None], out=np.zeros_like(w), where=out[:, None] > 0)
    s = np.full(n, 1 / n)
    for _ in range(1000):
        s = (1 - d) / n + d * (m.T @ s + s[out == 0].sum() / n)
    return s


def test_pagerank_equals_hand_power_iteration() -> None:
    edges = {("a", "b"): 2.0, ("b", "c"): 1.0, ("c", "a"): 1.0, ("c", "d"): 3.0}
    graph: dict[str, dict[str, float]] = {}
    for (a, b), x in edges.items():
        graph.setdefault(a, {})[b] = x
        graph.setdefault(b, {})[a] = x
    graph["e"] = {}  # an isolated node: dangling mass is spread evenly
    nodes = ["a", "b", "c", "d", "e"]
    ours = pagerank(graph)
    want = _power_iteration(nodes, edges)
    assert [ours[x] for x in nodes] == pytest.approx(list(want), abs=1e-9)
    assert sum(ours.values()) == pytest.approx(1.0)
    assert max(ours, key=lambda k: ours[k]) == "c"  # the hub


def test_cooccurrence_window() -> None:
    g = cooccurrence_graph([["a", "b", "c"], ["a", "b"]], window=2)
    assert g["a"] == {"b": 2.0}
    assert g["b"] == {"a": 2.0, "c": 1.0}
    g3 = cooccurrence_graph([["a", "b", "c"]], window=3)
    assert g3["a"] == {"b": 1.0, "c": 1.0}


def test_textrank_merges_adjacent_words_into_a_phrase() -> None:
    out = textrank_keywords(EN, top=5)["all"]
    phrases = [k.term for k in out]
    assert "refund process" in phrases
    assert "process" not in phrases  # a word inside a chosen phrase is not listed again
    zh = [k.term for k in textrank_keywords(ZH, top=5)["all"]]
    assert "退款流程" in zh


@pytest.mark.parametrize("texts", [EN, ZH])
def test_evidence_spans_point_at_the_right_characters(texts: list[str]) -> None:
    for method in (textrank_keywords, tfidf_keywords):
        for kws in method(texts, [str(i) for i in range(len(texts))], top=5, min_count=1).values():
            for k in kws:
                assert k.evidence, k
                for e in k.evidence:
                    assert texts[e.row][e.start : e.end] == e.text
                    assert e.text.lower().replace(" ", "") == k.term.replace(" ", "")


def test_phrase_span_covers_both_words() -> None:
    k = next(k for k in textrank_keywords(EN, top=5)["all"] if k.term == "refund process")
    assert k.texts == 3
    assert [(e.row, e.start, e.end) for e in k.evidence] == [(0, 4, 18), (1, 32, 46), (3, 0, 14)]
    assert EN[1].index("refund process") == 32
    assert k.evidence[2].text == "Refund process"


def test_idf_against_background() -> None:
    idf = idf_table(EN)
    assert idf["refund"] == pytest.approx(math.log(5 / 4) + 1)  # in 3 of 4 texts
    assert idf["chatbot"] == pytest.approx(math.log(5 / 3) + 1)


def test_tfidf_prefers_terms_rare_in_the_background() -> None:
    groups = ["refund", "refund", "bot", "refund"]
    out = tfidf_keywords(EN, groups, top=3, min_count=1)
    assert out["bot"][0].term in {"chatbot", "kept", "giving", "wrong", "answers"}
    assert "refund" in [k.term for k in out["refund"]]
    # a background where "refund" is everywhere pushes it down
    background = [*EN, *["refund"] * 50]
    ranked = [k.term for k in tfidf_keywords(EN, groups, top=10, min_count=1, background=background)["refund"]]
    assert ranked.index("refund") > ranked.index("process")


def test_tfidf_score_by_hand() -> None:
    texts = ["apple banana banana", "apple cherry"]  # x: 3 occurrences, banana in 1 of 2 texts
    [k] = [k for k in tfidf_keywords(texts, ["x", "y"], top=5, min_count=1)["x"] if k.term == "banana"]
    assert k.score == pytest.approx(round(2 / 3 * (math.log(3 / 2) + 1), 5))
